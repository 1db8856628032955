package main

// The pseudo-terminal natsx bench drives, and the real binary's start-up
// and idle measurement (issue 6's target 5).

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// benchTerm is a pseudo-terminal whose output a vt emulator renders.
type benchTerm struct {
	ptmx, tty *os.File
	mu        sync.Mutex
	emu       *vt.Emulator
	done      chan struct{}
	// wrote is signalled after output reaches the emulator, so waitFor
	// reads the screen only when it may have changed (reading it every
	// millisecond cost natsx's side of the bench 1-2% of the CPU).
	wrote chan struct{}
}

func newBenchTerm(w, h int) (*benchTerm, error) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("bench: pty: %w", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, fmt.Errorf("bench: pty size: %w", err)
	}
	t := newEmuTerm(w, h)
	t.ptmx, t.tty = ptmx, tty
	t.start()
	return t, nil
}

// newEmuTerm is a benchTerm without its pty yet.
func newEmuTerm(w, h int) *benchTerm {
	return &benchTerm{emu: vt.NewEmulator(w, h), done: make(chan struct{}), wrote: make(chan struct{}, 1)}
}

// start feeds the emulator from the pty and relays its replies (the
// program's queries) back, as e2e_test.go does.
func (t *benchTerm) start() {
	go func() {
		defer close(t.done)
		buf := make([]byte, 64<<10)
		for {
			n, err := t.ptmx.Read(buf)
			if n > 0 {
				t.mu.Lock()
				_, _ = t.emu.Write(buf[:n])
				t.mu.Unlock()
				select {
				case t.wrote <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { _, _ = io.Copy(t.ptmx, t.emu) }()
}

func (t *benchTerm) screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.emu.String()
}

func (t *benchTerm) send(keys string) { _, _ = t.ptmx.Write([]byte(keys)) }

// waitFor checks the screen now and after each write to it until ok
// holds or d passes.
func (t *benchTerm) waitFor(d time.Duration, ok func(string) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if ok(t.screen()) {
			return true
		}
		select {
		case <-t.wrote:
		case <-deadline.C:
			return ok(t.screen())
		}
	}
}

func (t *benchTerm) close() {
	_ = t.tty.Close()
	_ = t.ptmx.Close()
	select {
	case <-t.done:
	case <-time.After(time.Second):
	}
	_ = t.emu.InputPipe().(io.Closer).Close()
}

// benchIdle starts this binary with --no-demo in a pseudo-terminal, times
// exec to the first frame that shows the connection, then samples its CPU
// (utime+stime from /proc/<pid>/stat) over d.
func benchIdle(d time.Duration) (startup time.Duration, cpuPct float64, err error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, fmt.Errorf("bench: own binary: %w", err)
	}
	cmd := exec.Command(exe, "--no-demo", "--listen", "127.0.0.1:0")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NATS_URL=") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "TERM=xterm-256color")
	t := newEmuTerm(120, 40)
	begin := time.Now()
	t.ptmx, err = pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		return 0, 0, fmt.Errorf("bench: start %s in a pty: %w", exe, err)
	}
	t.start()
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.close() // its tty is the child's: nil here, and closing nil is a no-op error
	}()
	url := regexp.MustCompile(`nats://127\.0\.0\.1:\d+`)
	if !t.waitFor(benchTimeout, func(s string) bool { return strings.Contains(s, "connected") && url.MatchString(s) }) {
		return 0, 0, fmt.Errorf("bench: %s showed no first frame; screen:\n%s", exe, t.screen())
	}
	startup = time.Since(begin)
	// Let start-up work (and its GC) finish before sampling.
	time.Sleep(time.Second)
	c0, err := procCPU(cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	w0 := time.Now()
	time.Sleep(d)
	c1, err := procCPU(cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	return startup, 100 * (c1 - c0).Seconds() / time.Since(w0).Seconds(), nil
}

// procCPU is a process's user+system CPU time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return parseProcStatCPU(string(b))
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// parseProcStatCPU reads utime and stime (fields 14 and 15) from a
// /proc/<pid>/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from its closing parenthesis.
func parseProcStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("bench: /proc stat: no command field")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, errors.New("bench: /proc stat: too few fields")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("bench: /proc stat: %w", err)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}
