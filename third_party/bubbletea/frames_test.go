package tea

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runFrames runs a frame loop at rate and counts its flushes.
func runFrames(t *testing.T, rate time.Duration) (*frameSched, *atomic.Int64) {
	t.Helper()
	f := newFrameSched()
	var flushes atomic.Int64
	done := make(chan struct{})
	ticker := time.NewTicker(rate)
	go f.loop(ticker, rate, done, func() { flushes.Add(1) })
	t.Cleanup(func() { done <- struct{}{} })
	return &f, &flushes
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFramesSleepWhenIdle: once a frame is drawn and nothing more is asked
// for, the loop stops waking (upstream's ticker woke it fps times a second
// for the program's whole life).
func TestFramesSleepWhenIdle(t *testing.T) {
	f, flushes := runFrames(t, 2*time.Millisecond)
	f.request(false)
	eventually(t, "the frame is drawn", func() bool { return flushes.Load() == 1 })
	// Asleep: the wake-up count stops moving (at 2 ms a tick, a running
	// ticker would wake the loop about 50 times in 100 ms).
	var before int64
	eventually(t, "the loop sleeps", func() bool {
		before = f.wakes.Load()
		time.Sleep(100 * time.Millisecond)
		return f.wakes.Load() == before
	})
	if n := flushes.Load(); n != 1 {
		t.Fatalf("%d flushes for one frame", n)
	}
	// The first frame after the quiet spell is drawn, and so are the ones
	// asked for while the ticker runs again.
	f.request(false)
	eventually(t, "the frame after a quiet spell is drawn", func() bool { return flushes.Load() == 2 })
	f.request(false)
	eventually(t, "a frame while ticking is drawn", func() bool { return flushes.Load() == 3 })
}

// TestFramesInputAtOnce: a frame for input is drawn without waiting for
// the next tick; other frames wait for it.
func TestFramesInputAtOnce(t *testing.T) {
	f, flushes := runFrames(t, time.Hour) // the ticker never ticks in this test
	f.request(false)
	time.Sleep(50 * time.Millisecond)
	if n := flushes.Load(); n != 0 {
		t.Fatalf("a frame not for input drawn before the tick: %d flushes", n)
	}
	f.request(true)
	eventually(t, "the input frame is drawn at once", func() bool { return flushes.Load() == 1 })
	if f.dirty.Load() || f.input.Load() {
		t.Fatal("the drawn frame is still asked for")
	}
}

// TestFramesInputSoonAfterAFrame: input that comes right after a frame (a
// key typed while the frame for the last one was drawn) is drawn once the
// input gap is over, not at the next tick, which can be a frame away.
func TestFramesInputSoonAfterAFrame(t *testing.T) {
	f, flushes := runFrames(t, time.Hour) // the ticker never ticks in this test
	for i := range int64(5) {
		f.request(true) // within inputGap of the frame before it
		eventually(t, "the input frame is drawn", func() bool { return flushes.Load() == i+1 })
	}
	if f.dirty.Load() || f.input.Load() {
		t.Fatal("the drawn frame is still asked for")
	}
	// A frame not for input still waits for the tick.
	f.request(false)
	time.Sleep(3 * inputGap)
	if n := flushes.Load(); n != 5 {
		t.Fatalf("a frame not for input drawn before the tick: %d flushes", n)
	}
}

func TestIsInputMsg(t *testing.T) {
	for _, m := range []Msg{KeyPressMsg{}, MouseClickMsg{}, MouseWheelMsg{}, PasteMsg{}} {
		if !isInputMsg(m) {
			t.Errorf("%T is input", m)
		}
	}
	for _, m := range []Msg{MouseMotionMsg{}, WindowSizeMsg{}, nil, "x"} {
		if isInputMsg(m) {
			t.Errorf("%T is not input", m)
		}
	}
}

// stuckWriter takes nothing until released: a terminal slow to read.
type stuckWriter struct {
	entered chan struct{} // closed on the first Write
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	got     bytes.Buffer
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.entered) })
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got.Write(p)
}

// TestRenderDoesNotWaitForTheTerminal: while a frame is being written to a
// terminal that is slow to take it, the event loop's render (after every
// Update) still returns, and the frame it gave is the next one written.
// Upstream held the renderer's mutex through the write, so the event loop
// (ingest, keys) stopped for as long as the terminal took.
func TestRenderDoesNotWaitForTheTerminal(t *testing.T) {
	w := &stuckWriter{entered: make(chan struct{}), release: make(chan struct{})}
	r := newCursedRenderer(w, []string{"TERM=xterm-256color"}, 40, 5)
	r.start()
	r.render(NewView("first frame"))
	flushed := make(chan error, 1)
	go func() { flushed <- r.flush(false) }()
	<-w.entered // the first frame is in the terminal's hands

	rendered := make(chan struct{})
	go func() {
		r.render(NewView("second frame"))
		close(rendered)
	}()
	select {
	case <-rendered:
	case <-time.After(5 * time.Second):
		close(w.release)
		t.Fatal("render waited for the terminal to take the frame before it")
	}
	close(w.release)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if err := r.flush(false); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.got.String()
	i, j := strings.Index(out, "first"), strings.Index(out, "second")
	if i < 0 || j < i {
		t.Fatalf("frames written out of order or lost: %q", out)
	}
}

// TestExecuteDoesNotWaitForTheTerminal: while queued output (a clipboard
// copy, a query) is being written to a terminal that takes nothing, the
// event loop's execute still returns, and the two writes reach the
// terminal in order. Upstream held the program's mutex through the write.
func TestExecuteDoesNotWaitForTheTerminal(t *testing.T) {
	w := &stuckWriter{entered: make(chan struct{}), release: make(chan struct{})}
	p := NewProgram(nil, WithOutput(w))
	p.execute("first")
	flushed := make(chan error, 1)
	go func() { flushed <- p.flush() }()
	<-w.entered // the first write is in the terminal's hands

	executed := make(chan struct{})
	go func() {
		p.execute("second")
		close(executed)
	}()
	select {
	case <-executed:
	case <-time.After(5 * time.Second):
		close(w.release)
		t.Fatal("execute waited for the terminal to take the write before it")
	}
	close(w.release)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if err := p.flush(); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if got := w.got.String(); got != "firstsecond" {
		t.Fatalf("wrote %q, want the two writes in order", got)
	}
}
