package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/recorder"
	"natsx/testkit"
)

// waitSubs waits until the server has more than n subscriptions: the
// recorder under test has subscribed.
func waitSubs(t *testing.T, s *server.Server, n uint32) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for s.NumSubscriptions() <= n {
		if time.Now().After(deadline) {
			t.Fatal("the recorder never subscribed")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("natsx %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

type inspectOut struct {
	Messages   uint64 `json:"messages"`
	Subjects   int    `json:"subjects"`
	DurationNS int64  `json:"duration_ns"`
	TornBytes  int64  `json:"torn_bytes"`
	Server     string `json:"server"`
	Filters    []string
}

func inspect(t *testing.T, path string) inspectOut {
	t.Helper()
	var o inspectOut
	if err := json.Unmarshal([]byte(runOK(t, "inspect", "--json", path)), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRecorderCLIRoundTrip: record from a real server, inspect, export,
// import the export, replay with --subject and --remap, and dry-run.
func TestRecorderCLIRoundTrip(t *testing.T) {
	t.Setenv("NATS_URL", "")
	s := testkit.Server(t)
	dir := t.TempDir()
	capture := filepath.Join(dir, "c.natsx")
	before := s.NumSubscriptions()
	done := make(chan string)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"record", "-s", s.ClientURL(), "--out", capture, "--count", "40", "--subject", "orders.>", "--subject", "audit.*"}, &out, &errb)
		done <- fmt.Sprintf("%d %s%s", code, out.String(), errb.String())
	}()
	waitSubs(t, s, before)
	pub := testkit.Conn(t, s.ClientURL())
	for i := range 60 {
		m := &nats.Msg{Subject: fmt.Sprintf("orders.%s.%d", []string{"eu", "us"}[i%2], i%4), Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
		if i%3 == 0 {
			m.Header = nats.Header{"N": {strconv.Itoa(i)}}
			m.Reply = "_INBOX.r"
		}
		_ = pub.Publish("ignored.subject", []byte("x"))
		if err := pub.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	_ = pub.Flush()
	if res := <-done; !strings.HasPrefix(res, "0 recorded 40 messages") {
		t.Fatalf("record: %s", res)
	}
	o := inspect(t, capture)
	if o.Messages != 40 || o.Subjects != 4 || o.DurationNS < 0 || o.TornBytes != 0 || o.Server != s.ClientURL() {
		t.Fatalf("inspect: %+v", o)
	}
	text := runOK(t, "inspect", capture)
	if !strings.Contains(text, "messages   40") || !strings.Contains(text, "torn       0 bytes") {
		t.Fatalf("inspect text:\n%s", text)
	}

	// Export, then import the export: the same messages.
	nd := runOK(t, "export", capture)
	lines := strings.Split(strings.TrimSpace(nd), "\n")
	var first struct{ Time, Subject, Reply, Data string }
	if len(lines) != 40 || json.Unmarshal([]byte(lines[0]), &first) != nil || first.Subject != "orders.eu.0" || first.Data != "eyJuIjowfQ==" {
		t.Fatalf("export: %d lines, first %s", len(lines), lines[0])
	}
	ndPath := filepath.Join(dir, "c.ndjson")
	if err := os.WriteFile(ndPath, []byte(nd), 0o600); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(dir, "again.natsx")
	if out := runOK(t, "import", ndPath, "--out", again); !strings.Contains(out, "imported 40 records") {
		t.Fatalf("import: %s", out)
	}
	if runOK(t, "export", again) != nd {
		t.Fatal("export of the import differs from the export")
	}

	// Replay: only orders.eu, moved under sandbox.
	c := make(chan *nats.Msg, 100)
	sub := testkit.Conn(t, s.ClientURL())
	if _, err := sub.ChanSubscribe("sandbox.>", c); err != nil {
		t.Fatal(err)
	}
	_ = sub.Flush()
	out := runOK(t, "replay", capture, "-s", s.ClientURL(), "--speed", "max", "--subject", "orders.eu.>", "--remap", "orders.>=sandbox.orders.>")
	if !strings.Contains(out, "replayed 20 messages") || !strings.Contains(out, "20 filtered out") {
		t.Fatalf("replay: %s", out)
	}
	for i := range 20 {
		select {
		case m := <-c:
			if !strings.HasPrefix(m.Subject, "sandbox.orders.eu.") || (i%3 == 0) != (m.Header.Get("N") != "") {
				t.Fatalf("replayed %d: %s %v", i, m.Subject, m.Header)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d of 20", i)
		}
	}
	dry := runOK(t, "replay", capture, "--dry-run", "--remap", "orders.>=x.>")
	if n := strings.Count(dry, "\n"); n != 40 || !strings.Contains(dry, "orders.eu.0 -> x.eu.0 reply=_INBOX.r headers=1") {
		t.Fatalf("dry run (%d lines):\n%s", n, dry)
	}
}

// TestRecorderCLIEmbedded records demo traffic from the embedded broker and
// replays into a fresh one.
func TestRecorderCLIEmbedded(t *testing.T) {
	t.Setenv("NATS_URL", "")
	capture := filepath.Join(t.TempDir(), "demo.natsx")
	runOK(t, "record", "--out", capture, "--listen", "127.0.0.1:0", "--duration", "400ms", "--demo-rate", "1000", "--compress", "zstd")
	if o := inspect(t, capture); o.Messages == 0 || o.Subjects == 0 {
		t.Fatalf("inspect: %+v", o)
	}
	out := runOK(t, "replay", capture, "--listen", "127.0.0.1:0", "--no-wait", "--speed", "max")
	if !strings.HasPrefix(out, "nats://127.0.0.1:") || !strings.Contains(out, "replayed ") {
		t.Fatalf("replay: %s", out)
	}
}

// TestRecorderCLIImportDump reads a natscli `sub --dump` directory.
func TestRecorderCLIImportDump(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "dump")
	_ = os.Mkdir(dump, 0o755)
	for _, f := range []struct{ name, subject string }{{"10.json", "d"}, {"2.json", "b"}, {"1.json", "a"}, {"2_reply.json", "c"}} {
		m := nats.NewMsg(f.subject)
		m.Data = []byte("payload " + f.subject)
		m.Header.Set("K", f.subject)
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dump, f.name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	capture := filepath.Join(dir, "c.natsx")
	runOK(t, "import", dump, "--out", capture)
	var subjects []string
	for _, l := range strings.Split(strings.TrimSpace(runOK(t, "export", capture)), "\n") {
		var v struct {
			Subject string
			Headers map[string][]string
		}
		_ = json.Unmarshal([]byte(l), &v)
		subjects = append(subjects, v.Subject+"/"+strings.Join(v.Headers["K"], ""))
	}
	if got := strings.Join(subjects, " "); got != "a/a b/b c/c d/d" {
		t.Fatalf("order %s", got)
	}
}

func TestRecorderCLIBadInput(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(text, []byte("hello\n"), 0o600)
	badVersion := filepath.Join(dir, "v9.natsx")
	_ = os.WriteFile(badVersion, []byte("NATSXCAP\x09\x00\x02\x00\x00\x00{}\x00\x00\x00\x00"), 0o600)
	badND := filepath.Join(dir, "bad.ndjson")
	_ = os.WriteFile(badND, []byte(`{"time":"2025-01-01T00:00:00Z","subject":"a","data":"aGk="}`+"\n{oops\n"), 0o600)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"record without out", []string{"record"}, 2, "--out"},
		{"record unwritable", []string{"record", "--out", filepath.Join(dir, "no", "x.natsx"), "--listen", "127.0.0.1:0", "--no-demo", "--count", "1"}, 1, "no such file or directory"},
		{"record bad subject", []string{"record", "--out", filepath.Join(dir, "x"), "--subject", "a..b"}, 1, "empty token"},
		{"record bad size", []string{"record", "--out", filepath.Join(dir, "x"), "--max-size", "huge"}, 1, "--max-size"},
		{"record bad flush", []string{"record", "--out", filepath.Join(dir, "x"), "--flush", "0s"}, 1, "--flush"},
		{"record unreachable", []string{"record", "--out", filepath.Join(dir, "x"), "-s", "nats://127.0.0.1:1"}, 1, "127.0.0.1:1"},
		{"inspect missing", []string{"inspect", filepath.Join(dir, "missing.natsx")}, 1, "no such file"},
		{"inspect not a capture", []string{"inspect", text}, 1, "not a natsx capture"},
		{"inspect unknown version", []string{"inspect", badVersion}, 1, "version 9"},
		{"inspect directory", []string{"inspect", dir}, 1, "directory"},
		{"export not a capture", []string{"export", text}, 1, "not a natsx capture"},
		{"replay bad speed", []string{"replay", text, "--speed", "fast"}, 1, "--speed"},
		{"replay zero speed", []string{"replay", text, "--speed", "0"}, 1, "--speed"},
		{"replay bad remap", []string{"replay", text, "--remap", "a.>=b.*"}, 1, "--remap"},
		{"replay not a capture", []string{"replay", text, "--dry-run"}, 1, "not a natsx capture"},
		{"import missing", []string{"import", filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "o.natsx")}, 1, "no such file"},
		{"import bad line", []string{"import", badND, "--out", filepath.Join(dir, "o.natsx")}, 1, "line 2"},
		{"import empty dir", []string{"import", t.TempDir(), "--out", filepath.Join(dir, "o.natsx")}, 1, "no .json files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			msg := errb.String()
			if code != c.code || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "natsx: ") || !strings.Contains(msg, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and one line with %q", code, msg, c.code, c.want)
			}
			if strings.Contains(msg+out.String(), "panic") || strings.Contains(msg, "Usage:") {
				t.Fatalf("output %q", msg+out.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "o.natsx")); err == nil {
		t.Fatal("a failed import left its output behind")
	}
}

// TestRecorderKill9 runs `natsx record` as a child process against a real
// server, publishes timestamped messages, kills it with SIGKILL and checks
// the file holds every message published more than the flush interval
// (plus a margin for the tap, the 10 ms clock and the 5 ms poll) before.
func TestRecorderKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	bin := buildNatsx(t)
	s := testkit.Server(t)
	capture := filepath.Join(dir, "killed.natsx")
	before := s.NumSubscriptions()
	cmd := exec.Command(bin, "record", "-s", s.ClientURL(), "--out", capture, "--flush", "100ms")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitSubs(t, s, before)
	pub := testkit.Conn(t, s.ClientURL())
	var sent []int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			now := time.Now().UnixNano()
			if pub.Publish("kill.test", []byte(strconv.FormatInt(now, 10))) == nil {
				sent = append(sent, now)
			}
			time.Sleep(500 * time.Microsecond)
		}
	})
	time.Sleep(1500 * time.Millisecond)
	_ = pub.Flush()
	killAt := time.Now()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	_ = cmd.Wait()

	r, err := recorder.Open(capture)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := map[string]bool{}
	it := r.Iter()
	for it.Next() {
		got[string(it.Entry().Msg.Data)] = true
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	cutoff := killAt.Add(-(100 + 150) * time.Millisecond).UnixNano()
	must := 0
	for _, ts := range sent {
		if ts < cutoff {
			must++
			if !got[strconv.FormatInt(ts, 10)] {
				t.Fatalf("message published %s before the kill is missing (%d of %d recorded)", killAt.Sub(time.Unix(0, ts)), len(got), len(sent))
			}
		}
	}
	st, _ := r.Stats()
	t.Logf("%d published, %d older than the cutoff, %d recorded; torn tail %d bytes, indexed %v", len(sent), must, len(got), st.TornBytes, st.Indexed)
	if must < 100 || st.CorruptBlocks != 0 {
		t.Fatalf("only %d messages before the cutoff, %d corrupt blocks", must, st.CorruptBlocks)
	}
}
