package cli

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
	"natsx/testkit"
)

// syncBuffer is a bytes.Buffer that Run writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openCapture writes n messages a millisecond apart, one with a reply and
// headers.
func openCapture(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "open.natsx")
	start := time.Now().Add(-time.Hour).UnixNano()
	msgs := make([]model.Message, n)
	for i := range msgs {
		msgs[i] = model.Message{Received: start + int64(i)*int64(time.Millisecond), Subject: fmt.Sprintf("open.%d", i), Data: []byte{byte(i)}, Size: 1}
		if i == 1 {
			msgs[i].Reply, msgs[i].Header = "_INBOX.open", model.Header{"K": {"v"}}
		}
	}
	if _, err := recorder.SaveMessages(path, msgs, recorder.HeaderInfo{}); err != nil {
		t.Fatal(err)
	}
	return path
}

func randomOpenBroker(t *testing.T) {
	old := openBroker
	openBroker = engine.EmbeddedOptions{RandomPort: true}
	t.Cleanup(func() { openBroker = old })
}

// TestOpenHeadless runs natsx open: it prints the broker's URL, waits for
// a subscriber, plays the capture once into it and exits.
func TestOpenHeadless(t *testing.T) {
	randomOpenBroker(t)
	path := openCapture(t, 5)
	var out syncBuffer
	errc := make(chan error, 1)
	go func() {
		var errb syncBuffer
		if code := run([]string{"open", path, "--speed", "max", "--headless"}, &out, &errb); code != 0 {
			errc <- fmt.Errorf("exit %d: %s", code, errb.String())
			return
		}
		errc <- nil
	}()
	var url string
	deadline := time.Now().Add(10 * time.Second)
	for url == "" {
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			url = line
		}
		if time.Now().After(deadline) {
			t.Fatal("no URL printed")
		}
		time.Sleep(2 * time.Millisecond)
	}
	nc := testkit.Conn(t, url)
	var mu sync.Mutex
	var got []*nats.Msg
	if _, err := nc.Subscribe(">", func(m *nats.Msg) { mu.Lock(); got = append(got, m); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("natsx open did not finish")
	}
	if !strings.Contains(out.String(), "played 5 messages from "+path) {
		t.Fatalf("output %q", out.String())
	}
	waitFor := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 5 || time.Now().After(waitFor) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 5 {
		t.Fatalf("received %d messages, want 5", len(got))
	}
	for i, m := range got {
		if m.Subject != fmt.Sprintf("open.%d", i) {
			t.Fatalf("message %d is %q", i, m.Subject)
		}
	}
	if got[1].Reply != "_INBOX.open" || got[1].Header.Get("K") != "v" {
		t.Fatalf("reply/headers lost: %+v", got[1])
	}
}

// TestOpenPlayerPaused: the TUI's path opens paused; a subscriber does not
// start playback, Step sends one message.
func TestOpenPlayerPaused(t *testing.T) {
	randomOpenBroker(t)
	pb, err := openPlayback(openCapture(t, 3), "", 2, true, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	emb, p := pb.emb, pb.p
	sub := testkit.Conn(t, emb.URL())
	s, err := sub.SubscribeSync(">")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := p.Step(); err != nil {
		t.Fatal(err)
	}
	m, err := s.NextMsg(5 * time.Second)
	if err != nil || m.Subject != "open.0" {
		t.Fatalf("first message %v, %v", m, err)
	}
	if st := p.Status(); st.Playing || st.Sent != 1 || st.Speed != 2 {
		t.Fatalf("status %+v", st)
	}
}

func TestOpenBadInput(t *testing.T) {
	randomOpenBroker(t)
	path := openCapture(t, 1)
	missing := filepath.Join(t.TempDir(), "missing.natsx")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{path, "--speed", "0.1"}, "--speed"},
		{[]string{path, "--speed", "32"}, "--speed"},
		{[]string{path, "--speed", "fast"}, "--speed"},
		{[]string{path, "--paused", "--headless"}, "--paused"},
		{[]string{missing, "--headless"}, "missing.natsx"},
		{[]string{"open.go", "--headless"}, "not a natsx capture"},
		{[]string{missing, "--max-memory", "64MiB", "--pane-depth", "1"}, "missing.natsx"},
		{[]string{path, "--max-memory", "1KiB", "--pane-depth", "1"}, "--max-memory"},
		{[]string{path, "--max-memory", "64MiB", "--pane-depth", "1", "--filter", "a..b"}, "--filter"},
		{[]string{path, "--max-memory", "64MiB", "--pane-depth", "1"}, "needs a terminal"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(append([]string{"open"}, c.args...), &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want one about %q", c.args, code, errb.String(), c.want)
		}
	}
	if v, err := parseOpenSpeed("max"); err != nil || !math.IsInf(v, 1) {
		t.Fatalf("max: %v %v", v, err)
	}
	if v, err := parseOpenSpeed("2x"); err != nil || v != 2 {
		t.Fatalf("2x: %v %v", v, err)
	}
}

// parseOpenSpeed parses --speed as natsx open does, Validate included.
func parseOpenSpeed(s string) (float64, error) {
	var c CLI
	p, err := kong.New(&c)
	if err != nil {
		return 0, err
	}
	_, err = p.Parse([]string{"open", "f.natsx", "--headless", "--speed", s})
	return float64(c.Open.Speed), err
}
