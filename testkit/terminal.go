package testkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// Terminal is a pseudo-terminal whose output a vt emulator renders, so a
// test reads the screen as a person sees it. The pty's own line discipline
// maps LF to CRLF (ONLCR) outside raw mode, so the bytes reach the emulator
// as a real terminal gets them. Waits are for a condition on the screen,
// checked after each write to it, never sleep-and-hope.
type Terminal struct {
	ptmx *os.File
	cmd  *exec.Cmd // the program, for Start

	mu  sync.Mutex // guards emu and raw
	emu *vt.Emulator
	raw bytes.Buffer

	// wrote is signalled after output reaches the emulator, so WaitFor
	// reads the screen only when it may have changed (reading it every
	// millisecond cost natsx's side of the bench 1-2% of the CPU).
	wrote    chan struct{}
	readDone chan struct{} // the pty reader saw EOF/EIO
	exited   chan struct{} // cmd.Wait returned
	waitErr  error
}

func newTerminal(w, h int) *Terminal {
	return &Terminal{emu: vt.NewEmulator(w, h), wrote: make(chan struct{}, 1), readDone: make(chan struct{})}
}

// Start runs cmd in a w×h pseudo-terminal; Raw then holds every byte it
// wrote. Close kills it if it still runs.
func Start(cmd *exec.Cmd, w, h int) (*Terminal, error) {
	t := newTerminal(w, h)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, fmt.Errorf("testkit: start %s in a pty: %w", cmd.Path, err)
	}
	t.ptmx, t.cmd, t.exited = ptmx, cmd, make(chan struct{})
	t.start()
	go func() {
		t.waitErr = cmd.Wait()
		close(t.exited)
	}()
	return t, nil
}

// start feeds the emulator from the pty and relays its replies back.
func (t *Terminal) start() {
	go func() {
		defer close(t.readDone)
		buf := make([]byte, 64<<10)
		for {
			n, err := t.ptmx.Read(buf)
			if n > 0 {
				t.mu.Lock()
				t.raw.Write(buf[:n])
				_, _ = t.emu.Write(buf[:n])
				t.mu.Unlock()
				select {
				case t.wrote <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return // EIO once the program and its children have closed the tty
			}
		}
	}()
	// The emulator answers the program's queries (background colour, modes,
	// cursor position) on a pipe that blocks until read: relay it to the pty.
	// It reads the pipe without the lock, so a reply never deadlocks a write.
	go func() { _, _ = io.Copy(t.ptmx, t.emu) }()
}

// Screen is the emulator's screen as plain text, trailing spaces trimmed.
func (t *Terminal) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.String()
}

// Raw returns a copy of every byte the program wrote (Start only) and
// whether the emulator is on the alternate screen.
func (t *Terminal) Raw() ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.raw.Bytes()), t.emu.IsAltScreen()
}

// Send types keys into the terminal.
func (t *Terminal) Send(keys string) error {
	_, err := t.ptmx.Write([]byte(keys))
	return err
}

// Exited is closed when the program Start runs has exited.
func (t *Terminal) Exited() <-chan struct{} { return t.exited }

// ExitErr is the program's exit error, once Exited is closed.
func (t *Terminal) ExitErr() error { return t.waitErr }

// WaitFor checks the screen now and after each write to it until ok holds
// (true), d passes or the program exits with ok still false (false).
func (t *Terminal) WaitFor(d time.Duration, ok func(screen string) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if ok(t.Screen()) {
			return true
		}
		select {
		case <-t.wrote:
		case <-t.exited:
			// Read the program's last output before the final look.
			select {
			case <-t.readDone:
			case <-deadline.C:
			}
			return ok(t.Screen())
		case <-deadline.C:
			return ok(t.Screen())
		}
	}
}

// Wait waits for the program Start runs to exit 0 and its output to be
// read to the end.
func (t *Terminal) Wait(d time.Duration) error {
	deadline := time.After(d)
	select {
	case <-t.exited:
	case <-deadline:
		return fmt.Errorf("still running after %v", d)
	}
	select {
	case <-t.readDone:
	case <-deadline:
		return errors.New("output not closed after exit")
	}
	if t.waitErr != nil {
		return fmt.Errorf("exit: %w", t.waitErr)
	}
	return nil
}

// Close stops the program (Start) if it still runs, closes the pty and
// ends the relays.
func (t *Terminal) Close() {
	select {
	case <-t.exited:
	default:
		_ = t.cmd.Process.Kill()
		<-t.exited
	}
	// Read what the program wrote before it died, then close the pty.
	select {
	case <-t.readDone:
	case <-time.After(5 * time.Second):
	}
	_ = t.ptmx.Close()
	select {
	case <-t.readDone:
	case <-time.After(5 * time.Second):
	}
	// Closing the reply pipe's writer (not the emulator) ends the relay
	// without touching the emulator's unguarded closed flag.
	_ = t.emu.InputPipe().(io.Closer).Close()
}
