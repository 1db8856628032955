//go:build !windows

package uv

import (
	"context"
	"os"
	"runtime"
	"testing"
)

// BenchmarkInputHandoff (natsx patch, PATCH.md change 3) times a byte
// written to the input until its event comes out of StreamEvents, with
// one P, as on a machine whose cores are all busy: the reader hands its
// bytes to the decoding goroutine and goes back into Read, a system call
// that keeps the P. Without the reader's yield the decoder waits for the
// runtime's sysmon to take that P back (344–541 µs an event here, against
// 43–51 µs with it).
func BenchmarkInputHandoff(b *testing.B) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cr, err := NewCancelReader(r)
	if err != nil {
		b.Fatal(err)
	}
	defer cr.Close()
	events := make(chan Event)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = NewTerminalReader(cr, "xterm").StreamEvents(ctx, events)
	}()
	for b.Loop() {
		if _, err := w.Write([]byte("a")); err != nil {
			b.Fatal(err)
		}
		if ev := <-events; ev != (KeyPressEvent{Code: 'a', Text: "a"}) {
			b.Fatalf("event %#v, want the key a", ev)
		}
	}
	cancel()
	cr.Cancel()
	<-done
}
