package model

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// rssMiB is this process's resident set from /proc/self/status, 0 where
// there is none.
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkTreeMemory1M is issue 6's scale target: 1,000,000 distinct
// four-token subjects (16-byte payloads) applied to a tree with the default
// options (256 MiB budget, 16 messages per subject), under the GC limit
// natsx run sets (budget + 128 MiB). It reports the live heap after a GC,
// the process's resident set, the nodes left and how many the budget
// pruned. Run it alone (-run '^$' -bench TreeMemory1M -benchtime 1x): the
// resident set is the whole test process's.
func BenchmarkTreeMemory1M(b *testing.B) {
	o := DefaultTreeOptions()
	old := debug.SetMemoryLimit(o.MaxMemory + 128<<20)
	defer debug.SetMemoryLimit(old)
	payload := []byte("0123456789abcdef")
	buf := make([]byte, 0, 32)
	var tr *Tree
	var heap, rss, peakRSS float64
	for b.Loop() {
		tr = nil
		runtime.GC()
		tr = NewTree(o, treeT0)
		m := Message{Data: payload, Size: len(payload)}
		for i := range 1_000_000 {
			buf = fmt.Appendf(buf[:0], "bench.%d.%d.%d", i/10_000, i/100%100, i)
			m.Subject = string(buf)
			m.Received = treeT0 + int64(i)*1000 // 1M msg/s
			tr.Apply(&m)
			if i%100_000 == 0 {
				peakRSS = max(peakRSS, rssMiB())
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = float64(ms.HeapInuse) / (1 << 20)
		rss = rssMiB()
		peakRSS = max(peakRSS, rss)
	}
	b.ReportMetric(heap, "heap-MiB")
	b.ReportMetric(rss, "rss-MiB")
	b.ReportMetric(peakRSS, "peak-rss-MiB")
	b.ReportMetric(float64(tr.MemoryUsed())/(1<<20), "budget-used-MiB")
	b.ReportMetric(float64(tr.Len()), "nodes")
	b.ReportMetric(float64(tr.Pruned), "pruned")
	b.ReportMetric(float64(tr.Evicted), "evicted")
}
