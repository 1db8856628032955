package main

// The terminal's own round trip: a byte typed into a pseudo-terminal whose
// program only echoes it back (in raw mode, as natsx reads its keys). The
// bench pings one during natsx's floods, so a slow key press can be laid
// beside what the same kernel path took for a program that does nothing
// else: what no terminal program on this machine could have done faster.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// echoEnv set makes this program the echo (runEcho).
const echoEnv = "NATSX_BENCH_ECHO"

// echoReady is what the echo writes once in raw mode, before any echo.
const echoReady = '!'

// runEcho puts its terminal in raw mode and writes back what it reads.
func runEcho() error {
	st, err := term.MakeRaw(os.Stdin.Fd())
	if err != nil {
		return err
	}
	defer func() { _ = term.Restore(os.Stdin.Fd(), st) }()
	if _, err := os.Stdout.Write([]byte{echoReady}); err != nil {
		return err
	}
	buf := make([]byte, 64)
	for {
		n, err := os.Stdin.Read(buf)
		if n > 0 {
			if _, err := os.Stdout.Write(buf[:n]); err != nil {
				return nil
			}
		}
		if err != nil {
			return nil
		}
	}
}

// echoPing is a running echo program and its pings.
type echoPing struct {
	cmd  *exec.Cmd
	ptmx *os.File
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	trips []trip
}

// trip is one ping: when it was sent (UnixNano) and its round trip.
type trip struct {
	At   int64
	Took time.Duration
}

// worstTrip is the longest of trips that overlap [from, to] (UnixNano), 0
// when none does.
func worstTrip(trips []trip, from, to int64) time.Duration {
	var w time.Duration
	for _, t := range trips {
		if t.At <= to && t.At+int64(t.Took) >= from {
			w = max(w, t.Took)
		}
	}
	return w
}

// startEcho starts the echo in a pty of its own (its own session, as
// natsx's) and pings it every 20 ms until Trips.
func startEcho() (*echoPing, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(benchEnv(), echoEnv+"=1")
	ptmx, err := pty.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("bench: echo: %w", err)
	}
	e := &echoPing{cmd: cmd, ptmx: ptmx, stop: make(chan struct{}), done: make(chan struct{})}
	ready, got := make(chan struct{}), make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := ptmx.Read(buf)
			for _, b := range buf[:n] {
				if b == echoReady {
					close(ready)
					continue
				}
				select {
				case got <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// Typed before raw mode, a byte would wait for a newline.
	select {
	case <-ready:
	case <-time.After(benchTimeout):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = ptmx.Close()
		return nil, errors.New("bench: the echo never started")
	}
	go func() {
		defer close(e.done)
		for next := time.After(0); ; next = time.After(20 * time.Millisecond) {
			select {
			case <-e.stop:
				return
			case <-next:
			}
			select {
			case <-got: // a late echo of a ping that timed out
			default:
			}
			t0 := time.Now()
			if _, err := ptmx.Write([]byte{'x'}); err != nil {
				return
			}
			select {
			case <-got:
			case <-time.After(time.Second):
			case <-e.stop:
				return
			}
			e.mu.Lock()
			e.trips = append(e.trips, trip{At: t0.UnixNano(), Took: time.Since(t0)})
			e.mu.Unlock()
		}
	}()
	return e, nil
}

// Trips stops the pings and the echo and returns the round trips.
func (e *echoPing) Trips() []trip {
	close(e.stop)
	<-e.done
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
	_ = e.ptmx.Close()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.trips
}
