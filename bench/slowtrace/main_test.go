package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"testing"
	"time"
)

// pipeReader stands for the terminal reader: a goroutine blocked reading a
// pipe until a "key" comes.
func pipeReader(r *os.File, got chan<- time.Time) {
	var b [1]byte
	_, _ = r.Read(b[:])
	got <- time.Now()
}

func TestSummarizeAPress(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skipf("tracing: %v", err)
	}
	got := make(chan time.Time, 1)
	go pipeReader(r, got)
	time.Sleep(20 * time.Millisecond) // blocked in its read by now
	press := time.Now()
	if _, err := w.Write([]byte{'k'}); err != nil {
		t.Fatal(err)
	}
	answered := <-got
	trace.Log(context.Background(), "key", "update")
	trace.Stop()

	lines, err := summarize(&buf, press, answered.Sub(press), []role{{"pipe", "slowtrace.pipeReader"}})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	// The reader woke after the press (its read returned), and the key's
	// log is there; nothing else is named.
	var woke, logged bool
	for _, l := range lines {
		f := strings.Fields(l)
		at := strings.TrimSuffix(f[0], "ms")
		switch {
		case strings.Contains(l, "pipe (g") && strings.Contains(l, "->Running") && !strings.HasPrefix(at, "-"):
			woke = true
		case strings.HasSuffix(l, "key update"):
			logged = true
		case !strings.Contains(l, "pipe (g"):
			t.Errorf("a line for something not asked for: %q", l)
		}
	}
	if !woke || !logged {
		t.Errorf("want the pipe reader running after the press and the key's log, got:\n%s", text)
	}
}

func TestRunRefusesAnotherFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.out")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, path); err == nil || !strings.Contains(err.Error(), "not a slow-") {
		t.Errorf("run on %s: %v, want a refusal by name", path, err)
	}
	// Numbers in the name past what a press can be: refused, not wrapped.
	for _, name := range []string{"slow-99999999999999999999999-5ms.trace", "slow-1-99999999999999ms.trace"} {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(&out, p); err == nil || !strings.Contains(err.Error(), "in the name") {
			t.Errorf("run on %s: %v, want the name refused", name, err)
		}
	}
	bad := filepath.Join(t.TempDir(), "slow-1-2ms.trace")
	if err := os.WriteFile(bad, []byte("not a trace"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(&out, bad); err == nil {
		t.Errorf("run on a file that is no trace: no error")
	}
}
