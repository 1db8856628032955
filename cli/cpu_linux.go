package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// OneCPU keeps every thread of the process on one CPU, the highest
// numbered it may run on (CPU 0 often takes more of the machine's
// interrupts), on a machine of 2 to oneCPUMost CPUs. It returns that CPU,
// or -1 when it leaves the threads where they are.
//
// Why: Linux schedules each session's processes as one group
// (sched_autogroup; systemd's per-application cgroups do the same), and
// gives the group on each CPU a share of its weight in proportion to the
// load it has there. Spread over two CPUs under a flood, natsx's busy
// threads (nats.go's read loop, the tap, the UI's apply) most likely hold
// its weight on one CPU, and its terminal reader, woken on the other, gets
// little of that CPU against the publisher and the broker there: a traced
// key waited 192 ms for the reader's read of a byte that was there. On one
// CPU the group's whole weight is where the reader wakes (BENCHMARKS.md,
// "One CPU for natsx"). The cost: natsx's ingest has one core at most
// (about 2.4 µs of CPU a message here, so some 400k messages a second),
// and a hypervisor that stops that one virtual CPU stops all of natsx;
// --all-cpus lifts both.
//
// Threads the runtime starts later inherit the affinity of the thread
// that starts them, so a pass that finds every thread already on the CPU
// leaves none behind.
func OneCPU() (int, error) {
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		return -1, fmt.Errorf("cpu affinity: %w", err)
	}
	cpu := pickCPU(allowed)
	if cpu < 0 {
		return -1, nil
	}
	var one unix.CPUSet
	one.Set(cpu)
	for range 10 {
		moved, err := pinThreads(one)
		if err != nil {
			return -1, err
		}
		if moved == 0 {
			return cpu, nil
		}
	}
	return -1, errors.New("cpu affinity: threads kept starting off the CPU")
}

// oneCPUMost is the most CPUs natsx keeps to one of. Measured on 2 only;
// a larger machine has more CPUs for the flood's neighbours, and its
// highest numbered CPU may be a slow efficiency core, so natsx spreads
// there.
const oneCPUMost = 4

// pickCPU is the CPU OneCPU keeps to among allowed: the highest, or -1
// for none (one CPU allowed already, or more than oneCPUMost).
func pickCPU(allowed unix.CPUSet) int {
	if n := allowed.Count(); n <= 1 || n > oneCPUMost {
		return -1
	}
	for i := len(allowed)*64 - 1; i >= 0; i-- {
		if allowed.IsSet(i) {
			return i
		}
	}
	return -1
}

// pinThreads sets every thread of the process to set, and says how many
// were not on it.
func pinThreads(set unix.CPUSet) (int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, fmt.Errorf("cpu affinity: %w", err)
	}
	moved := 0
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var now unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &now); errors.Is(err, unix.ESRCH) {
			continue // the thread has ended
		} else if err != nil {
			return 0, fmt.Errorf("cpu affinity: %w", err)
		}
		if now == set {
			continue
		}
		moved++
		if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
			return 0, fmt.Errorf("cpu affinity: %w", err)
		}
	}
	return moved, nil
}
