package main

// The parent's side of a bench child: start it, read its reports, and
// measure it from outside through /proc.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"natsx/testkit"
)

// child is a running bench child process.
type child struct {
	cmd     *exec.Cmd
	term    *testkit.Terminal // natsx's terminal; nil for the bare subscriber
	reports chan childReport  // closed when the child's report pipe closes
	ctl     *os.File
}

// startChild runs this program again as a child with cfg; natsx's child
// runs in a 120x40 pseudo-terminal, with env added to its environment.
func startChild(cfg childConfig, env []string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	rr, rw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cr, cw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(benchEnv(), env...), childEnv+"="+string(js))
	cmd.ExtraFiles = []*os.File{rw, cr} // fd 3 and 4 in the child
	c := &child{cmd: cmd, ctl: cw, reports: make(chan childReport, 8)}
	if cfg.Natsx {
		c.term, err = testkit.Start(cmd, 120, 40) // a session of its own, as the pty's
	} else {
		// Its own session, as natsx's: on Linux each session is a
		// scheduling group (autogroup) that gets its share of the CPU as a
		// whole. In the parent's, the flood would share the parent's
		// group with the terminal, which a user's terminal never does.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		cmd.Stderr = os.Stderr
		err = cmd.Start()
	}
	_ = rw.Close()
	_ = cr.Close()
	if err != nil {
		_ = rr.Close()
		_ = cw.Close()
		return nil, fmt.Errorf("bench: start child: %w", err)
	}
	go func() {
		defer close(c.reports)
		defer rr.Close()
		dec := json.NewDecoder(rr)
		for {
			var r childReport
			if dec.Decode(&r) != nil {
				return
			}
			c.reports <- r
		}
	}()
	return c, nil
}

// benchEnv is the environment children inherit: no NATS_URL (the bench
// names its server) and an xterm for natsx's terminal.
func benchEnv() []string {
	return append(envWithout("NATS_URL=", "TERM=", childEnv+"="), "TERM=xterm-256color")
}

// envWithout is this process's environment less the variables whose
// KEY=VALUE starts with one of prefixes.
func envWithout(prefixes ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(kv, p) }) {
			env = append(env, kv)
		}
	}
	return env
}

// pid is the child's process ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// next waits up to d for the child's report of kind event.
func (c *child) next(event string, d time.Duration) (childReport, error) {
	deadline := time.After(d)
	for {
		select {
		case r, ok := <-c.reports:
			if !ok {
				return childReport{}, fmt.Errorf("bench: the child exited before %q%s", event, c.screen())
			}
			if r.Event == event {
				return r, nil
			}
		case <-deadline:
			return childReport{}, fmt.Errorf("bench: no %q from the child within %s%s", event, d, c.screen())
		}
	}
}

// stats asks the child for its current figures.
func (c *child) stats() (childReport, error) {
	if _, err := c.ctl.WriteString("stats\n"); err != nil {
		return childReport{}, fmt.Errorf("bench: %w", err)
	}
	return c.next("stats", benchTimeout)
}

// screen is natsx's screen, for errors.
func (c *child) screen() string {
	if c.term == nil {
		return ""
	}
	return "; screen:\n" + c.term.Screen()
}

// stop asks the child to quit and waits for it, killing it after
// benchTimeout.
func (c *child) stop() {
	_, _ = c.ctl.WriteString("quit\n")
	_ = c.ctl.Close()
	if c.term != nil {
		_ = c.term.Wait(benchTimeout)
		c.term.Close() // kills it if it still runs, and closes the pty
		return
	}
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(benchTimeout):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// procMem is a process's resident set now and at its peak (VmRSS, VmHWM
// in /proc/<pid>/status), in bytes.
func procMem(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: %w", err)
	}
	return parseProcStatusMem(string(b))
}

// parseProcStatusMem reads VmRSS and VmHWM ("VmRSS:  1234 kB") from a
// /proc/<pid>/status text.
func parseProcStatusMem(status string) (rss, peak int64, err error) {
	rss, peak = -1, -1
	for _, line := range strings.Split(status, "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("bench: /proc status: %q", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: /proc status: %w", err)
		}
		if name == "VmRSS" {
			rss = n << 10
		} else {
			peak = n << 10
		}
	}
	if rss < 0 || peak < 0 {
		return 0, 0, errors.New("bench: /proc status: no VmRSS or VmHWM")
	}
	return rss, peak, nil
}

// cpuSince samples pid's CPU over d and returns it as % of a core.
func cpuSince(pid int, d time.Duration) (float64, error) {
	c0, err := procCPU(pid)
	if err != nil {
		return 0, err
	}
	w0 := time.Now()
	time.Sleep(d)
	c1, err := procCPU(pid)
	if err != nil {
		return 0, err
	}
	return 100 * (c1 - c0).Seconds() / time.Since(w0).Seconds(), nil
}
