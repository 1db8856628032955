package model

import (
	"runtime"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
)

// BenchmarkTreePruneFlood is issue 11 target 5's worst case for the tree:
// `nats bench pub --multisubject` over more subjects than the default
// budget holds: 3,000,000 messages on 3,000,000 new subjects, all children
// of one parent (sub.0 … sub.2999999), 16-byte payloads. Pruning runs
// inside Apply, so the worst single Apply is what the UI's key latency
// sees; it reports that, the p99 Apply, ns per message, what was pruned and
// the budget used at the end. The worst Apply overall includes the GC's
// assists and the scheduler on a shared machine; the worst of the Applies
// that pruned (and their median) is the pruning's own, and its thread CPU
// time (on linux) leaves out the time other processes held the core. Run it alone (-run '^$' -bench PruneFlood
// -benchtime 1x): timing every Apply is only meaningful on a quiet core.
func BenchmarkTreePruneFlood(b *testing.B) {
	const n = 3_000_000
	o := DefaultTreeOptions()
	payload := []byte("0123456789abcdef")
	took := make([]uint32, n) // ns per Apply, saturated
	var pruning []uint32      // the same, for the Applies that pruned
	var pruningCPU []int64    // their thread CPU time, ns
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var tr *Tree
	var total time.Duration
	for b.Loop() {
		tr = NewTree(o, treeT0)
		m := Message{Data: payload, Size: len(payload)}
		buf := make([]byte, 0, 32)
		total = 0
		pruning, pruningCPU = pruning[:0], pruningCPU[:0]
		for i := range n {
			buf = strconv.AppendInt(append(buf[:0], "sub."...), int64(i), 10)
			m.Subject = string(buf)
			m.Received = treeT0 + int64(i)*5000 // 200k msg/s
			pruned := tr.Pruned
			cpu := threadCPU()
			start := time.Now()
			tr.Apply(&m)
			d := time.Since(start)
			cpu = threadCPU() - cpu
			total += d
			took[i] = uint32(min(d, time.Duration(^uint32(0))))
			if tr.Pruned != pruned {
				pruning = append(pruning, took[i])
				pruningCPU = append(pruningCPU, cpu)
			}
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[n-1])/1e6, "worst-apply-ms")
	b.ReportMetric(float64(took[n*99/100])/1e3, "p99-apply-µs")
	b.ReportMetric(float64(took[n*9999/10000])/1e3, "p99.99-apply-µs")
	slices.Sort(pruning)
	if k := len(pruning); k > 0 {
		b.ReportMetric(float64(pruning[k-1])/1e6, "worst-pruning-apply-ms")
		b.ReportMetric(float64(pruning[k/2])/1e3, "median-pruning-apply-µs")
		b.ReportMetric(float64(pruning[k*99/100])/1e3, "p99-pruning-apply-µs")
		over := k - sort.Search(k, func(i int) bool { return pruning[i] > 2e6 })
		b.ReportMetric(float64(over), "pruning-applies-over-2ms")
		if cpu := slices.Max(pruningCPU); cpu > 0 {
			b.ReportMetric(float64(cpu)/1e6, "worst-pruning-apply-cpu-ms")
		}
	}
	b.ReportMetric(float64(total.Nanoseconds())/n, "ns/msg")
	b.ReportMetric(float64(tr.Pruned), "pruned")
	b.ReportMetric(float64(tr.MemoryUsed())/float64(o.MaxMemory), "used/budget")
	b.ReportMetric(float64(tr.Len()), "nodes")
}
