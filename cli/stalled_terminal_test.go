package cli

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/engine"
	"natsx/testkit"
	"natsx/ui"
)

// stalledTerminal takes the terminal set-up, then stalls at the first
// frame of the UI (a write holding "msgs") until released: a terminal
// whose reader stopped (an ssh link that stalls, a paused tmux client) once
// the pty's buffer is full.
type stalledTerminal struct {
	entered, release chan struct{}
	once             sync.Once
	mu               sync.Mutex
	stalled          bool
}

func (w *stalledTerminal) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.stalled = w.stalled || bytes.Contains(p, []byte("msgs"))
	stalled := w.stalled
	w.mu.Unlock()
	if stalled {
		w.once.Do(func() { close(w.entered) })
		<-w.release
	}
	return len(p), nil
}

// TestStalledTerminalKeepsTheExplorerGoing: the explorer as natsx runs it
// (the real bubbletea program, its renderer and the UI on a session to a
// real server) keeps answering keys while its terminal takes nothing: a
// message typed into the publish form is published. bubbletea upstream
// held the renderer's lock while a frame was written, and the event loop
// takes it after every Update: the first key after the terminal stalled
// stopped everything, ingest included (third_party/bubbletea/PATCH.md,
// change 2).
func TestStalledTerminalKeepsTheExplorerGoing(t *testing.T) {
	srv := testkit.Server(t)
	b := SplitBudget(64 << 20)
	sess, err := engine.Open(BudgetSession(engine.SessionOptions{Conn: engine.ConnOptions{Servers: srv.ClientURL(), Name: "natsx"}}, b))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := ChargeBase(&b, sess); err != nil {
		t.Fatal(err)
	}
	o := ExplorerOptions(sess, "test", b)
	o.Start = time.Now()
	sub, err := testkit.Conn(t, srv.ClientURL()).SubscribeSync("stall.form")
	if err != nil {
		t.Fatal(err)
	}

	term := &stalledTerminal{entered: make(chan struct{}), release: make(chan struct{})}
	keys, typed := io.Pipe()
	defer keys.Close()
	defer typed.Close() // ends the program's input reader, so nothing outlives the test
	p := tea.NewProgram(ui.New(o), tea.WithOutput(term), tea.WithInput(keys), tea.WithWindowSize(120, 32),
		tea.WithoutSignalHandler(), tea.WithFPS(ui.FPS))
	ran := make(chan error, 1)
	go func() { _, err := p.Run(); ran <- err }()
	defer func() {
		p.Quit()
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			p.Kill()
		}
	}()
	defer close(term.release)

	select {
	case <-term.entered: // the UI's first frame is stuck in the terminal
	case <-time.After(15 * time.Second):
		t.Fatal("no frame was written")
	}
	go func() {
		// p opens the form; subject, tab to the payload, ctrl+s sends.
		_, _ = io.WriteString(typed, "pstall.form\t\t\thello\x13")
	}()
	msg, err := sub.NextMsg(15 * time.Second)
	if err != nil {
		t.Fatalf("nothing published while the terminal was stalled: %v", err)
	}
	if string(msg.Data) != "hello" {
		t.Fatalf("published %q, want hello", msg.Data)
	}
}
