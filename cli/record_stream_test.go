package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/recorder"
	"natsx/testkit"
)

// streamMsg is what the test put in the stream, as the stream keeps it.
type streamMsg struct {
	seq           uint64
	subject, data string
	header        string
	stored        time.Time
}

// fillEvents makes stream EVENTS (retention r) on ev.> with 30 messages
// over two subjects, spread over a little time, and deletes sequence 4.
func fillEvents(t *testing.T, url string, r jetstream.RetentionPolicy) []streamMsg {
	t.Helper()
	js, _ := jetstream.New(testkit.Conn(t, url))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"ev.>"}, Retention: r})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		subj := []string{"ev.a", "ev.b"}[i%2]
		m := &nats.Msg{Subject: subj, Data: fmt.Appendf(nil, `{"n":%d}`, i+1), Header: nats.Header{"N": {fmt.Sprint(i + 1)}}}
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			time.Sleep(20 * time.Millisecond) // stored times with visible steps
		}
	}
	if err := s.DeleteMsg(ctx, 4); err != nil {
		t.Fatal(err)
	}
	var out []streamMsg
	for seq := uint64(1); seq <= 30; seq++ {
		if seq == 4 {
			continue
		}
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, streamMsg{seq: seq, subject: m.Subject, data: string(m.Data), header: m.Header.Get("N"), stored: m.Time})
	}
	return out
}

// readCapture is every message in a capture: subject, data, header N and
// time.
func readCapture(t *testing.T, path string) []streamMsg {
	t.Helper()
	r, err := recorder.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []streamMsg
	it := r.Iter()
	for it.Next() {
		e := it.Entry()
		if e.Kind != recorder.KindMessage {
			continue
		}
		var n string
		if v := e.Msg.Header["N"]; len(v) > 0 {
			n = v[0]
		}
		out = append(out, streamMsg{subject: e.Msg.Subject, data: string(e.Msg.Data), header: n, stored: time.Unix(0, e.Time)})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameMessages compares a capture with what the stream holds, stored
// times to the nanosecond.
func sameMessages(t *testing.T, got, want []streamMsg) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("capture holds %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.subject != w.subject || g.data != w.data || g.header != w.header || !g.stored.Equal(w.stored) {
			t.Fatalf("message %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestRecordStream: record --stream writes exactly what the stream holds,
// with each message's stored time, on limits and work-queue streams, for
// the whole stream, one subject, from a sequence, since a time and a
// count; open and inspect read it.
func TestRecordStream(t *testing.T) {
	t.Setenv("NATS_URL", "")
	for _, r := range []jetstream.RetentionPolicy{jetstream.LimitsPolicy, jetstream.WorkQueuePolicy} {
		t.Run(r.String(), func(t *testing.T) {
			srv := testkit.JetStreamServer(t)
			url := srv.ClientURL()
			all := fillEvents(t, url, r)
			dir := t.TempDir()
			out := func(name string) string { return filepath.Join(dir, name+".natsx") }

			said := runOK(t, "record", "-s", url, "--stream", "EVENTS", "--out", out("all"))
			sameMessages(t, readCapture(t, out("all")), all)
			if !strings.Contains(said, "recorded 29 messages of stream EVENTS (sequences 1 to 30") {
				t.Fatalf("record said %q", said)
			}
			if o := inspect(t, out("all")); o.Messages != 29 {
				t.Fatalf("inspect: %+v", o)
			}
			if dry := runOK(t, "replay", out("all"), "--dry-run"); strings.Count(dry, "ev.") < 29 {
				t.Fatalf("replay --dry-run: %q", dry)
			}

			var evb []streamMsg
			for _, m := range all {
				if m.subject == "ev.b" {
					evb = append(evb, m)
				}
			}
			runOK(t, "record", "-s", url, "--stream", "EVENTS", "--subject", "ev.b", "--out", out("b"))
			sameMessages(t, readCapture(t, out("b")), evb)

			runOK(t, "record", "-s", url, "--stream", "EVENTS", "--start-seq", "4", "--count", "5", "--out", out("seq"))
			sameMessages(t, readCapture(t, out("seq")), all[3:8]) // 4 is deleted: 5 … 9

			since := all[20].stored.Format(time.RFC3339Nano)
			runOK(t, "record", "-s", url, "--stream", "EVENTS", "--since", since, "--out", out("since"))
			sameMessages(t, readCapture(t, out("since")), all[20:])

			// An age: everything was stored within the last minute.
			runOK(t, "record", "-s", url, "--stream", "EVENTS", "--since", "1m", "--subject", "ev.a", "--count", "3", "--out", out("age"))
			var eva []streamMsg
			for _, m := range all {
				if m.subject == "ev.a" {
					eva = append(eva, m)
				}
			}
			sameMessages(t, readCapture(t, out("age")), eva[:3])

			// Nothing taken from the work queue, no consumer left.
			js, _ := jetstream.New(testkit.Conn(t, url))
			info, err := js.Stream(context.Background(), "EVENTS")
			if err != nil {
				t.Fatal(err)
			}
			if st := info.CachedInfo().State; st.Msgs != 29 || st.Consumers != 0 {
				t.Fatalf("after recording the stream holds %d messages and %d consumers", st.Msgs, st.Consumers)
			}
		})
	}
}

// TestRecordStreamBadInput: a missing stream, a sequence past the end, a
// malformed time, flags that do not go together, an existing file, a
// server without JetStream: one line, exit 1, no file.
func TestRecordStreamBadInput(t *testing.T) {
	t.Setenv("NATS_URL", "")
	srv := testkit.JetStreamServer(t)
	url := srv.ClientURL()
	fillEvents(t, url, jetstream.LimitsPolicy)
	plain := testkit.Server(t).ClientURL()
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.natsx")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x.natsx")
	rec := func(args ...string) []string {
		return append([]string{"record", "-s", url, "--out", out}, args...)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing stream", rec("--stream", "NOPE"), `stream "NOPE": stream not found`},
		{"bad stream name", rec("--stream", "a.b"), "not a valid stream name"},
		{"past the end", rec("--stream", "EVENTS", "--start-seq", "31"), "sequence 31 is past its last one, 30"},
		{"malformed time", rec("--stream", "EVENTS", "--since", "yesterday"), `--since "yesterday"`},
		{"negative age", rec("--stream", "EVENTS", "--since=-1h"), "positive age"},
		{"since and seq", rec("--stream", "EVENTS", "--since", "1h", "--start-seq", "2"), "give one of them"},
		{"since without stream", rec("--since", "1h"), "name it with --stream"},
		{"two subjects", rec("--stream", "EVENTS", "--subject", "ev.a", "--subject", "ev.b"), "one --subject"},
		{"duration", rec("--stream", "EVENTS", "--duration", "1s"), "--duration is for live traffic"},
		{"nothing matches", rec("--stream", "EVENTS", "--subject", "ev.zzz"), `stream "EVENTS" holds no message on ev.zzz`},
		{"nothing that recent", rec("--stream", "EVENTS", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), "holds no message"},
		{"no JetStream", []string{"record", "-s", plain, "--out", out, "--stream", "EVENTS"}, "JetStream not available"},
		{"existing file", []string{"record", "-s", url, "--out", existing, "--stream", "EVENTS"}, "--force"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, errb bytes.Buffer
			code := run(c.args, &stdout, &errb)
			msg := errb.String()
			if code != 1 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "natsx: ") || !strings.Contains(msg, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and one line with %q", code, msg, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("a failed record left a file")
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Fatalf("the existing file was changed: %q", b)
	}
	// With --force it is replaced.
	runOK(t, "record", "-s", url, "--out", existing, "--stream", "EVENTS", "--force")
	if n := len(readCapture(t, existing)); n != 29 {
		t.Fatalf("--force: capture holds %d messages", n)
	}
}
