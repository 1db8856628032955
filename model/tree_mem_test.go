package model

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// heapObjects is the Go heap held by live objects, after a full GC.
func heapObjects() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// fillFlood applies one 16-byte message on each of n distinct four-token
// subjects, as `nats bench pub --multisubject` sends them.
func fillFlood(tr *Tree, n int) {
	payload := []byte("0123456789abcdef")
	buf := make([]byte, 0, 32)
	m := Message{Size: len(payload)}
	for i := range n {
		buf = fmt.Appendf(buf[:0], "bench.%d.%d.%d", i/10_000, i/100%100, i)
		m.Subject = string(buf)
		// Each message owns its payload, as the engine's do.
		m.Data = append([]byte(nil), payload...)
		m.Received = treeT0 + int64(i)*1000 // 1M msg/s
		tr.Apply(&m)
	}
}

// BenchmarkTreeHeld1M holds 1M subjects of a 16-byte flood with their last
// message (HistoryDepth 1, a budget large enough for everything) and
// reports the Go heap they take per subject, with the kept messages and
// without them (structure: nodes, counters, rate window), what the budget
// says, and how long a forced GC takes with all of it live.
func BenchmarkTreeHeld1M(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		before := heapObjects()
		tr := NewTree(TreeOptions{MaxMemory: 1 << 30, HistoryDepth: 1}, treeT0)
		fillFlood(tr, n)
		held := heapObjects() - before
		var gc time.Duration
		for range 3 {
			t0 := time.Now()
			runtime.GC()
			gc += time.Since(t0)
		}
		used := tr.MemoryUsed()
		lost := tr.Evicted + tr.Pruned
		dropKept(tr)
		structure := heapObjects() - before
		b.ReportMetric(float64(held)/n, "heap-B/subject")
		b.ReportMetric(float64(structure)/n, "struct-B/subject")
		b.ReportMetric(float64(used)/n, "budget-B/subject")
		b.ReportMetric(float64(used)/float64(held), "budget/heap")
		b.ReportMetric(float64(gc.Microseconds())/3/1000, "gc-ms")
		b.ReportMetric(float64(lost), "evicted+pruned")
		runtime.KeepAlive(tr)
	}
}

// BenchmarkTreeGCIdle is a forced GC's duration with nothing held: the
// baseline for BenchmarkTreeHeld1M's gc-ms.
func BenchmarkTreeGCIdle(b *testing.B) {
	for b.Loop() {
		runtime.GC()
	}
}

// dropKept evicts every kept message and frees the history slab (which
// keeps its chunks for reuse), leaving the structure.
func dropKept(t *Tree) {
	for t.lruHead != nil {
		t.evictOldest(t.lruHead)
	}
	t.hists = histSlab{}
}
