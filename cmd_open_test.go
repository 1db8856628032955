package main

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
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
	go func() { errc <- (&OpenCmd{File: path, Speed: "max", Headless: true}).Run(&out) }()
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
	nc := recorderConn(t, url)
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
	emb, nc, p, err := openPlayer(openCapture(t, 3), "", 2, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	defer nc.Close()
	defer p.Close()
	sub := recorderConn(t, emb.URL())
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
	cases := []struct {
		cmd  OpenCmd
		want string
	}{
		{OpenCmd{File: path, Speed: "0.1"}, "--speed"},
		{OpenCmd{File: path, Speed: "32"}, "--speed"},
		{OpenCmd{File: path, Speed: "fast"}, "--speed"},
		{OpenCmd{File: path, Speed: "1", Paused: true, Headless: true}, "--paused"},
		{OpenCmd{File: filepath.Join(t.TempDir(), "missing.natsx"), Speed: "1", Headless: true}, "missing.natsx"},
		{OpenCmd{File: "cmd_open.go", Speed: "1", Headless: true}, "not a natsx capture"},
		{OpenCmd{File: filepath.Join(t.TempDir(), "missing.natsx"), Speed: "1", ExplorerFlags: ExplorerFlags{MaxMemory: "64MiB", PaneDepth: 1}}, "missing.natsx"},
		{OpenCmd{File: path, Speed: "1", ExplorerFlags: ExplorerFlags{MaxMemory: "1KiB", PaneDepth: 1}}, "--max-memory"},
		{OpenCmd{File: path, Speed: "1", ExplorerFlags: ExplorerFlags{MaxMemory: "64MiB", PaneDepth: 1, Filter: []string{"a..b"}}}, "--filter"},
		{OpenCmd{File: path, Speed: "1", ExplorerFlags: ExplorerFlags{MaxMemory: "64MiB", PaneDepth: 1}}, "needs a terminal"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := c.cmd.Run(&out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one about %q", c.cmd, err, c.want)
		}
	}
	if v, err := parseOpenSpeed("max"); err != nil || !math.IsInf(v, 1) {
		t.Fatalf("max: %v %v", v, err)
	}
	if v, err := parseOpenSpeed("2x"); err != nil || v != 2 {
		t.Fatalf("2x: %v %v", v, err)
	}
}
