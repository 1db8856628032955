package cli

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"natsx/testkit"
)

// TestOneCPU pins a child copy of the test binary (pinning this one would
// slow the package's other tests) and checks, from the child, that every
// thread it has is on the one CPU, the threads started after the pin too.
func TestOneCPU(t *testing.T) {
	if os.Getenv("NATSX_TEST_ONECPU") == "child" {
		oneCPUChild()
		return
	}
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		t.Fatal(err)
	}
	if pickCPU(allowed) < 0 {
		t.Skipf("natsx would not keep to one CPU of the %d this test may run on", allowed.Count())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneCPU$", "-test.v")
	cmd.Env = append(os.Environ(), "NATSX_TEST_ONECPU=child")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := "cpu " + strconv.Itoa(pickCPU(allowed)) + " "
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "all threads on it") {
		t.Fatalf("child did not pin every thread to the highest CPU (%q):\n%s", want, out)
	}
}

// oneCPUChild pins, starts threads (goroutines locked to their own), and
// prints the CPU when every thread's affinity is that CPU alone.
func oneCPUChild() {
	cpu, err := OneCPU()
	if err != nil || cpu < 0 {
		println("OneCPU:", cpu, err)
		os.Exit(1)
	}
	var started, hold sync.WaitGroup
	hold.Add(1)
	for range 4 {
		started.Add(1)
		go func() {
			runtime.LockOSThread() // a thread of its own, started after the pin
			started.Done()
			hold.Wait()
		}()
	}
	started.Wait()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		println(err.Error())
		os.Exit(1)
	}
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err != nil {
			continue // ended
		}
		if set.Count() != 1 || !set.IsSet(cpu) {
			println("thread", tid, "may run on", set.Count(), "CPUs")
			os.Exit(1)
		}
	}
	hold.Done()
	println("cpu", cpu, "all threads on it:", len(ents))
}

func TestPickCPU(t *testing.T) {
	set := func(cpus ...int) (s unix.CPUSet) {
		for _, c := range cpus {
			s.Set(c)
		}
		return s
	}
	for _, tc := range []struct {
		allowed unix.CPUSet
		want    int
	}{
		{set(0, 1), 1},
		{set(2, 5), 5},           // taskset's choice, its highest
		{set(0, 1, 2, 3), 3},     // oneCPUMost
		{set(0, 1, 2, 3, 4), -1}, // a larger machine: spread
		{set(7), -1},             // one allowed already
		{set(), -1},              //
		{set(1, 200), 200},       // past the first word of the mask
	} {
		if got := pickCPU(tc.allowed); got != tc.want {
			t.Errorf("pickCPU(%d CPUs) = %d, want %d", tc.allowed.Count(), got, tc.want)
		}
	}
}

// e2eOneCPU: the real binary on an external server keeps every thread on
// one CPU; with --all-cpus, or hosting the broker, it does not.
func e2eOneCPU(t *testing.T, bin string) {
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		t.Fatal(err)
	}
	cpu := pickCPU(allowed)
	if cpu < 0 {
		t.Skipf("natsx would not keep to one CPU of the %d this test may run on", allowed.Count())
	}
	url := testkit.Server(t).ClientURL()
	for _, tc := range []struct {
		name string
		args []string
		one  bool
	}{
		{"external", []string{"-s", url}, true},
		{"all-cpus", []string{"-s", url, "--all-cpus"}, false},
		{"embedded", []string{"--no-demo", "--listen", e2eListen(t)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(e2eEnv(), "TERM=xterm-256color", "XDG_CONFIG_HOME="+t.TempDir())
			term, err := testkit.Start(cmd, 80, 24)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(term.Close)
			// The first frame comes after the explorer has set its CPUs.
			e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "msgs ") })
			ents, err := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task")
			if err != nil {
				t.Fatal(err)
			}
			pinned := 0
			for _, e := range ents {
				tid, _ := strconv.Atoi(e.Name())
				var set unix.CPUSet
				if unix.SchedGetaffinity(tid, &set) == nil && set.Count() == 1 && set.IsSet(cpu) {
					pinned++
				}
			}
			if tc.one && pinned != len(ents) {
				t.Errorf("%d of natsx's %d threads on CPU %d, want all", pinned, len(ents), cpu)
			}
			if !tc.one && pinned != 0 {
				t.Errorf("%d of natsx's %d threads kept to CPU %d, want none", pinned, len(ents), cpu)
			}
			e2eQuit(t, term)
		})
	}
}
