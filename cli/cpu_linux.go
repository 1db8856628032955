package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OneCPU keeps every thread of the process on one CPU, the highest
// numbered it may run on (CPU 0 often takes more of the machine's
// interrupts), when it may run on exactly oneCPUCount. It returns that
// CPU, or -1 when it leaves the threads where they are.
//
// Why: Linux's autogroup schedules each session's processes as one group,
// and gives the group on each CPU a share of its weight in proportion to
// the load it has there. Spread over two CPUs under a flood, natsx's busy
// threads (nats.go's read loop, the tap, the UI's apply) most likely hold
// its weight on one CPU, and its terminal reader, woken on the other, gets
// little of that CPU against the publisher and the broker there: a traced
// key waited 192 ms for the reader's read of a byte that was there. On one
// CPU the group's whole weight is where the reader wakes (BENCHMARKS.md,
// "One CPU for natsx, and the kernel's autogroup"). The cost: natsx's
// ingest has one core at most (1.2–2.4 µs of CPU a message here; it kept
// up with 633k messages a second: BENCHMARKS.md, "Three Ps on the one
// CPU"), and a hypervisor that stops that one virtual CPU stops all of
// natsx; --all-cpus lifts both.
//
// A thread the runtime starts inherits the affinity of the thread that
// starts it, but one being started during a pass may copy the old
// affinity and appear in /proc after the pass has listed the threads:
// OneCPU returns after two passes in a row, a moment apart, find every
// thread on the CPU. When it fails, it puts every thread back on the CPUs
// it had, so natsx runs as it did.
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
	clean := 0
	for range 20 {
		moved, err := pinThreads(one)
		if err != nil {
			_, _ = pinThreads(allowed)
			return -1, err
		}
		if moved > 0 {
			clean = 0
			continue
		}
		if clean++; clean == 2 {
			return cpu, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, _ = pinThreads(allowed)
	return -1, errors.New("cpu affinity: threads kept starting off the CPU")
}

// PlannedCPU is the CPU OneCPU would keep this process to, or -1 for
// none (the bench's test checks natsx's side, which inherits this
// process's CPUs, against it).
func PlannedCPU() int {
	var allowed unix.CPUSet
	if unix.SchedGetaffinity(0, &allowed) != nil {
		return -1
	}
	return pickCPU(allowed)
}

// oneCPUCount is how many CPUs natsx must be allowed for OneCPU to keep
// it to one: measured on 2 only. With more, a machine has room for
// natsx's threads beside a flood, and the highest numbered CPU may be a
// slow efficiency core; natsx spreads there until measured.
const oneCPUCount = 2

// pickCPU is the CPU OneCPU keeps to among allowed: the highest, or -1
// for none (allowed is not oneCPUCount CPUs).
func pickCPU(allowed unix.CPUSet) int {
	if allowed.Count() != oneCPUCount {
		return -1
	}
	for i := cpuSetBits - 1; i >= 0; i-- {
		if allowed.IsSet(i) {
			return i
		}
	}
	return -1
}

// cpuSetBits is how many CPUs a unix.CPUSet holds (1024; its words are 32
// bits on 32-bit machines).
const cpuSetBits = int(unsafe.Sizeof(unix.CPUSet{})) * 8

// pinThreads sets every thread of the process to set, and says how many
// were not on it.
func pinThreads(set unix.CPUSet) (int, error) {
	moved := 0
	err := eachThread("self", func(tid int, now unix.CPUSet) error {
		if now == set {
			return nil
		}
		moved++
		if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("cpu affinity: %w", err)
		}
		return nil
	})
	return moved, err
}

// eachThread calls f with each thread of process pid ("self" for this
// one) and the CPUs it may run on, skipping threads that end meanwhile.
func eachThread(pid string, f func(tid int, cpus unix.CPUSet) error) error {
	ents, err := os.ReadDir("/proc/" + pid + "/task")
	if err != nil {
		return fmt.Errorf("cpu affinity: %w", err)
	}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var cpus unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &cpus); errors.Is(err, unix.ESRCH) {
			continue // the thread has ended
		} else if err != nil {
			return fmt.Errorf("cpu affinity: %w", err)
		}
		if err := f(tid, cpus); err != nil {
			return err
		}
	}
	return nil
}
