package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestWhereHeadless: --where narrows record, export, replay and tree to
// the messages the expression holds for, against a real server, and says
// how many it could not decide.
func TestWhereHeadless(t *testing.T) {
	t.Setenv("NATS_URL", "")
	s := testkit.Server(t)
	dir := t.TempDir()
	capture := filepath.Join(dir, "w.natsx")
	before := s.NumSubscriptions()
	done := make(chan string)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"record", "-s", s.ClientURL(), "--out", capture, "--count", "10", "--duration", "30s",
			"--where", `.n % 2 == 0 && header("T") == "a"`}, &out, &errb)
		done <- fmt.Sprintf("%d %s%s", code, out.String(), errb.String())
	}()
	waitSubs(t, s, before)
	pub := testkit.Conn(t, s.ClientURL())
	for i := range 60 {
		m := &nats.Msg{Subject: fmt.Sprintf("orders.%d", i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i)), Header: nats.Header{"T": {"b"}}}
		if i%3 == 0 {
			m.Header.Set("T", "a")
		}
		if err := pub.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 { // not JSON: a miss, left out
			_ = pub.Publish("orders.text", []byte("plain text"))
		}
	}
	_ = pub.Flush()
	res := <-done
	if !strings.HasPrefix(res, "0 recorded 10 messages") || !strings.Contains(res, "--where could not decide") ||
		!strings.Contains(res, "the payload is not JSON") {
		t.Fatalf("record: %s", res)
	}
	nd := runOK(t, "export", capture)
	var ns []int
	for _, line := range strings.Split(strings.TrimSpace(nd), "\n") {
		var m struct{ Subject string }
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		var n int
		fmt.Sscanf(m.Subject, "orders.%d", &n)
		ns = append(ns, n)
	}
	if fmt.Sprint(ns) != "[0 6 12 18 24 30 36 42 48 54]" {
		t.Fatalf("recorded %v, want the even multiples of 3", ns)
	}

	// Export: only what the expression keeps.
	nd = runOK(t, "export", capture, "--where", `.n > 30`)
	if got := strings.Count(nd, "\n"); got != 4 || !strings.Contains(nd, `"subject":"orders.36"`) || strings.Contains(nd, `"subject":"orders.30"`) {
		t.Fatalf("export --where: %d lines\n%s", got, nd)
	}

	// Replay, dry and real.
	dry := runOK(t, "replay", capture, "--dry-run", "--where", `subject in ["orders.6", "orders.12"]`)
	if n := strings.Count(dry, "\n"); n != 2 || !strings.Contains(dry, "orders.12") {
		t.Fatalf("replay --dry-run --where (%d lines):\n%s", n, dry)
	}
	c := make(chan *nats.Msg, 100)
	sub := testkit.Conn(t, s.ClientURL())
	if _, err := sub.ChanSubscribe("orders.>", c); err != nil {
		t.Fatal(err)
	}
	_ = sub.Flush()
	out := runOK(t, "replay", capture, "-s", s.ClientURL(), "--speed", "max", "--where", `.n >= 24`)
	if !strings.Contains(out, "replayed 6 messages") || !strings.Contains(out, "4 filtered out") {
		t.Fatalf("replay: %s", out)
	}
	for i := range 6 {
		select {
		case m := <-c:
			var v struct{ N int }
			if json.Unmarshal(m.Data, &v) != nil || v.N < 24 {
				t.Fatalf("replayed %s %s", m.Subject, m.Data)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d of 6", i)
		}
	}
	select {
	case m := <-c:
		t.Fatalf("replayed one more: %s %s", m.Subject, m.Data)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestWhereTree: natsx tree --where counts only the matching messages.
func TestWhereTree(t *testing.T) {
	t.Setenv("NATS_URL", "")
	s := testkit.Server(t)
	pub := testkit.Conn(t, s.ClientURL())
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = pub.Publish(fmt.Sprintf("keep.%d", i%3), []byte(fmt.Sprintf(`{"v":%d}`, i)))
			_ = pub.Publish("drop.x", []byte(`{"v":-1}`))
			time.Sleep(time.Millisecond)
		}
	}()
	var out, errb bytes.Buffer
	if code := run([]string{"tree", "-s", s.ClientURL(), "--for", "600ms", "--json", "--where", `.v >= 0 && tokens[0] == "keep"`}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Messages uint64
		Tree     []struct {
			Name     string
			Messages uint64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if rep.Messages == 0 || len(rep.Tree) != 1 || rep.Tree[0].Name != "keep" || rep.Tree[0].Messages != rep.Messages {
		t.Fatalf("tree --where: %+v", rep)
	}
}

// TestWhereBadExpression: a malformed --where is one line on stderr and a
// non-zero exit, before anything is created, overwritten or connected.
func TestWhereBadExpression(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	capture := openCapture(t, 3)
	old := filepath.Join(dir, "old.natsx")
	if err := os.WriteFile(old, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "new.natsx")
	for _, args := range [][]string{
		{"record", "--out", fresh, "--where", ".total >"},
		{"record", "--out", old, "--force", "--where", ".total >"},
		{"export", capture, "--where", ".total >"},
		{"replay", capture, "--dry-run", "--where", ".total >"},
		{"tree", "--where", ".total >"},
		{"record", "--out", fresh, "--where", "heder(\"x\") == \"y\""},
	} {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		e := errb.String()
		if code == 0 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "--where: line 1, column") || out.Len() != 0 {
			t.Errorf("natsx %q: exit %d, stdout %q, stderr %q", args, code, out.String(), e)
		}
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a refused record created its file")
	}
	if b, _ := os.ReadFile(old); string(b) != "keep me" {
		t.Error("a refused record --force replaced the file")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"record", "--stream", "S", "--out", fresh, "--where", "size > 1"}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--where") {
		t.Errorf("--where with --stream: exit %d %q", code, errb.String())
	}
}
