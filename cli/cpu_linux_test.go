package cli

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"natsx/testkit"
)

// onTwoCPUs runs start on a thread allowed only the lowest and the highest
// of the CPUs this test may use, so that a process start starts may use
// exactly those two (OneCPU's case) on any machine of two CPUs or more. It
// returns the highest, the one OneCPU then keeps to.
func onTwoCPUs(t *testing.T, start func() error) int {
	t.Helper()
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		t.Fatal(err)
	}
	lo, hi := -1, -1
	for i := range cpuSetBits {
		if allowed.IsSet(i) {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	if lo == hi {
		t.Skip("this test may run on one CPU only")
	}
	var two unix.CPUSet
	two.Set(lo)
	two.Set(hi)
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread, with its narrowed CPUs, ends with
		// the goroutine.
		runtime.LockOSThread()
		if err := unix.SchedSetaffinity(0, &two); err != nil {
			done <- err
			return
		}
		done <- start()
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return hi
}

// childOnTwoCPUs runs the test named test again in a child copy of the
// test binary, started on two CPUs (onTwoCPUs), without this process's
// GOMAXPROCS and with env added. It returns what the child printed and
// the CPU OneCPU keeps it to.
func childOnTwoCPUs(t *testing.T, test string, env ...string) (out string, cpu int) {
	t.Helper()
	cpu = onTwoCPUs(t, func() error {
		cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
		cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOMAXPROCS=") }), env...)
		b, err := cmd.CombinedOutput()
		out = string(b)
		return err
	})
	return out, cpu
}

// threadsOn counts a process's threads, and those whose CPUs are cpu
// alone, over the threads that answered (one may end while counted).
func threadsOn(pid string, cpu int) (on, all int, err error) {
	err = eachThread(pid, func(_ int, cpus unix.CPUSet) error {
		all++
		if cpus.Count() == 1 && cpus.IsSet(cpu) {
			on++
		}
		return nil
	})
	return on, all, err
}

// TestOneCPU pins a child copy of the test binary (pinning this one would
// slow the package's other tests) and checks, from the child, that every
// thread it has is on the one CPU, the threads started after the pin too.
func TestOneCPU(t *testing.T) {
	if os.Getenv("NATSX_TEST_ONECPU") == "child" {
		oneCPUChild()
		return
	}
	out, cpu := childOnTwoCPUs(t, "TestOneCPU", "NATSX_TEST_ONECPU=child")
	if want := "cpu " + strconv.Itoa(cpu) + ": all threads on it"; !strings.Contains(out, want) {
		t.Fatalf("child did not pin every thread to CPU %d:\n%s", cpu, out)
	}
}

// oneCPUChild pins, starts threads (goroutines locked to their own), and
// prints the CPU when every thread, more of them than at the pin, is on
// that CPU alone.
func oneCPUChild() {
	fail := func(a ...any) {
		fmt.Fprintln(os.Stderr, a...)
		os.Exit(1)
	}
	cpu, err := OneCPU()
	if err != nil || cpu < 0 {
		fail("OneCPU:", cpu, err)
	}
	_, before, err := threadsOn("self", cpu)
	if err != nil {
		fail(err.Error())
	}
	var started, hold sync.WaitGroup
	hold.Add(1)
	for range 8 {
		started.Add(1)
		go func() {
			runtime.LockOSThread() // a thread of its own: new ones, started after the pin
			started.Done()
			hold.Wait()
		}()
	}
	started.Wait()
	on, all, err := threadsOn("self", cpu)
	if err != nil {
		fail(err.Error())
	}
	hold.Done()
	if all <= before {
		fail("no thread started after the pin:", before, "then", all)
	}
	if on != all {
		fail(on, "of", all, "threads on CPU", cpu)
	}
	fmt.Fprintln(os.Stderr, "cpu "+strconv.Itoa(cpu)+": all threads on it,", before, "then", all)
}

// TestScheduleExplorer runs ScheduleExplorer in child copies of the test
// binary, started on two CPUs, and checks the Ps and the CPU it chose:
// OneCPUProcs Ps on one CPU for an external server, an explicit
// GOMAXPROCS kept there, and the explorer's usual Ps on every CPU with
// --all-cpus or the embedded broker (2 and 4: a child allowed two CPUs has
// 2 Ps by default).
func TestScheduleExplorer(t *testing.T) {
	if mode := os.Getenv("NATSX_TEST_SCHEDULE"); mode != "" {
		procs, cpu := ScheduleExplorer(mode == "embedded", true, mode == "all-cpus")
		fmt.Fprintf(os.Stderr, "procs %d cpu %d\n", procs, cpu)
		return
	}
	for _, tc := range []struct {
		name, mode, env string
		procs           int
		one             bool
	}{
		{"external", "external", "", OneCPUProcs, true},
		{"gomaxprocs", "external", "GOMAXPROCS=5", 5, true}, // neither 2 nor OneCPUProcs
		{"all-cpus", "all-cpus", "", 2, false},
		{"embedded", "embedded", "", 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"NATSX_TEST_SCHEDULE=" + tc.mode}
			if tc.env != "" {
				env = append(env, tc.env)
			}
			out, cpu := childOnTwoCPUs(t, "TestScheduleExplorer", env...)
			if !tc.one {
				cpu = -1
			}
			if want := fmt.Sprintf("procs %d cpu %d\n", tc.procs, cpu); !strings.Contains(out, want) {
				t.Fatalf("want %q from the child:\n%s", want, out)
			}
		})
	}
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
		{set(1, 200), 200},       // past the first word of the mask
		{set(0, 1, 2), -1},       // more than oneCPUCount: spread
		{set(0, 1, 2, 3, 4), -1}, //
		{set(7), -1},             // one allowed already
		{set(), -1},              //
	} {
		if got := pickCPU(tc.allowed); got != tc.want {
			t.Errorf("pickCPU(%d CPUs) = %d, want %d", tc.allowed.Count(), got, tc.want)
		}
	}
}

// e2eOneCPU: the real binary on an external server keeps every thread on
// one CPU; with --all-cpus, hosting the broker, or playing a capture, it
// does not.
func e2eOneCPU(t *testing.T, bin string) {
	url := testkit.Server(t).ClientURL()
	capture := timelineCapture(t, 10, time.Millisecond, 10*time.Millisecond)
	for _, tc := range []struct {
		name string
		args []string
		one  bool
	}{
		{"external", []string{"-s", url}, true},
		{"all-cpus", []string{"-s", url, "--all-cpus"}, false},
		{"embedded", []string{"--no-demo", "--listen", e2eListen(t)}, false},
		{"open", []string{"open", capture, "--paused", "--listen", e2eListen(t)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(e2eEnv(), "TERM=xterm-256color", "XDG_CONFIG_HOME="+t.TempDir())
			var term *testkit.Terminal
			cpu := onTwoCPUs(t, func() (err error) {
				term, err = testkit.Start(cmd, 80, 24)
				return err
			})
			t.Cleanup(term.Close)
			// The first frame comes after the explorer has set its CPUs.
			e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "msgs ") })
			on, all, err := threadsOn(strconv.Itoa(cmd.Process.Pid), cpu)
			if err != nil {
				t.Fatal(err)
			}
			if tc.one && (all == 0 || on != all) {
				t.Errorf("%d of natsx's %d threads on CPU %d, want all", on, all, cpu)
			}
			if !tc.one && on != 0 {
				t.Errorf("%d of natsx's %d threads kept to CPU %d, want none", on, all, cpu)
			}
			e2eQuit(t, term)
		})
	}
}
