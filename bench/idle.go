package main

// The real binary's start-up and idle measurement (issue 6's target 5).

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"natsx/testkit"
)

// idleResult is what benchIdle measures of the real binary.
type idleResult struct {
	startup time.Duration   // exec to the first frame showing the connection
	cpuPct  float64         // idle CPU, % of a core
	keys    []time.Duration // ? pressed at idle: until the screen shows it
	keyCPU  time.Duration   // the process's CPU per press
}

// keysAtIdle is how long benchIdle types keys after sampling idle.
const keysAtIdle = 5 * time.Second

// benchIdle builds natsx, starts it with --no-demo in a pseudo-terminal,
// times exec to the first frame that shows the connection, samples its CPU
// (utime+stime from /proc/<pid>/stat) over d, then types ? (help, and back)
// for keysAtIdle as the ingest rounds do, timing each press and the CPU it
// costs: the renderer's part of a key, with no flood in the way.
func benchIdle(d time.Duration) (res idleResult, err error) {
	dir, err := os.MkdirTemp("", "natsx-bench-")
	if err != nil {
		return res, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "natsx")
	if out, err := exec.Command("go", "build", "-o", exe, "natsx").CombinedOutput(); err != nil {
		return res, fmt.Errorf("bench: go build natsx: %v\n%s", err, out)
	}
	cmd := exec.Command(exe, "--embedded", "--no-demo", "--listen", "127.0.0.1:0")
	cmd.Env = benchEnv()
	begin := time.Now()
	t, err := testkit.Start(cmd, 120, 40)
	if err != nil {
		return res, fmt.Errorf("bench: %w", err)
	}
	defer t.Close()
	url := regexp.MustCompile(`127\.0\.0\.1:\d+`) // the header may drop the scheme to fit
	if !t.WaitFor(benchTimeout, func(s string) bool { return strings.Contains(s, "connected") && url.MatchString(s) }) {
		return res, fmt.Errorf("bench: %s showed no first frame; screen:\n%s", exe, t.Screen())
	}
	res.startup = time.Since(begin)
	// Let start-up work (and its GC) finish before sampling.
	time.Sleep(time.Second)
	if res.cpuPct, err = cpuSince(cmd.Process.Pid, d); err != nil {
		return res, err
	}
	cpu0, err := procCPU(cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	stop := make(chan struct{})
	time.AfterFunc(keysAtIdle, func() { close(stop) })
	res.keys, _ = pressKeys(t, stop, nil)
	cpu1, err := procCPU(cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	if n := len(res.keys); n > 0 {
		res.keyCPU = (cpu1 - cpu0) / time.Duration(n)
	}
	return res, nil
}

// procCPU is a process's user+system CPU time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	st, err := readProcStat(pid)
	return st.cpu(), err
}

// procStat is what /proc/<pid>/stat says of a process's CPU time and
// minor page faults (a first touch of anonymous memory is one: what a
// growing heap costs the kernel, and on a virtual machine its host).
type procStat struct {
	user, sys time.Duration
	minflt    uint64
}

// cpu is the process's CPU time: user and system.
func (s procStat) cpu() time.Duration { return s.user + s.sys }

// readProcStat reads a process's /proc/<pid>/stat.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, fmt.Errorf("bench: %w", err)
	}
	return parseProcStat(string(b))
}

// hostStat is what /proc/stat's first line says of the whole machine: the
// CPU time of every state, and the time its hypervisor ran something else
// on its virtual CPUs (steal), in clock ticks.
type hostStat struct {
	total, steal uint64
}

// readHostStat reads /proc/stat's aggregate cpu line.
func readHostStat() (hostStat, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return hostStat{}, fmt.Errorf("bench: %w", err)
	}
	return parseHostStat(string(b))
}

// parseHostStat reads the "cpu" line of /proc/stat: user nice system idle
// iowait irq softirq steal (guest time is within user already). A kernel
// without the steal field (before 2.6.11) says 0.
func parseHostStat(stat string) (hostStat, error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return hostStat{}, errors.New("bench: /proc/stat: no cpu line")
	}
	var h hostStat
	for i, v := range f[1:min(len(f), 9)] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return hostStat{}, fmt.Errorf("bench: /proc/stat: %w", err)
		}
		h.total += n
		if i == 7 {
			h.steal = n
		}
	}
	return h, nil
}

// stealSince is the share of the machine's CPU time its hypervisor took
// (steal) between a and b: 0.3 means 30% of the virtual CPUs' time, the
// programs on them stopped while the host ran others.
func stealSince(a, b hostStat) float64 {
	if b.total <= a.total {
		return 0
	}
	return float64(b.steal-a.steal) / float64(b.total-a.total)
}

// readAutogroup is whether Linux schedules each session's processes as one
// group (sched_autogroup_enabled): "on", "off", or "" where the kernel
// does not say.
func readAutogroup() string {
	b, err := os.ReadFile("/proc/sys/kernel/sched_autogroup_enabled")
	if err != nil {
		return ""
	}
	return parseAutogroup(string(b))
}

// parseAutogroup reads sched_autogroup_enabled's text.
func parseAutogroup(s string) string {
	switch strings.TrimSpace(s) {
	case "0":
		return "off"
	case "1":
		return "on"
	}
	return ""
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// parseProcStat reads minflt, utime and stime (fields 10, 14 and 15) from
// a /proc/<pid>/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from its closing parenthesis.
func parseProcStat(stat string) (procStat, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return procStat{}, errors.New("bench: /proc stat: no command field")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): minflt is field 10, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, errors.New("bench: /proc stat: too few fields")
	}
	mf, err0 := strconv.ParseUint(f[7], 10, 64)
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err0, err1, err2); err != nil {
		return procStat{}, fmt.Errorf("bench: /proc stat: %w", err)
	}
	tick := func(n uint64) time.Duration { return time.Duration(n) * time.Second / clockTicks }
	return procStat{user: tick(ut), sys: tick(st), minflt: mf}, nil
}
