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
func fillFlood(tr *Tree, n int) { fillSubjects(tr, n, n) }

// fillSubjects applies n 16-byte messages over the first subjects of
// fillFlood's, in turn.
func fillSubjects(tr *Tree, n, subjects int) {
	payload := []byte("0123456789abcdef")
	buf := make([]byte, 0, 32)
	m := Message{Size: len(payload)}
	for i := range n {
		s := i % subjects
		buf = fmt.Appendf(buf[:0], "bench.%d.%d.%d", s/10_000, s/100%100, s)
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

// dropKept evicts every kept message, leaving the structure.
func dropKept(t *Tree) {
	for t.hists.used > 0 {
		t.evictOldest(0)
	}
}

// TestTreeBudgetIsTheHeap fills the default budget with a flood of 16-byte
// messages on distinct subjects, more than it holds, and checks that what
// the budget counts is what the Go heap holds for the tree (runtime/metrics
// after a GC), within 10%: with the budget full, evicting and pruning.
func TestTreeBudgetIsTheHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 256 MiB")
	}
	for _, tc := range []struct {
		name           string
		msgs, subjects int
		opts           TreeOptions
	}{
		{"1M subjects, 1 message each, default budget", 1_000_000, 1_000_000, DefaultTreeOptions()},
		{"1.5M subjects, 16 MiB budget (pruning)", 1_500_000, 1_500_000, TreeOptions{MaxMemory: 16 << 20}},
		{"100k subjects, 10 messages each, 64 MiB budget (rings, evicting)", 1_000_000, 100_000, TreeOptions{MaxMemory: 64 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := heapObjects()
			tr := NewTree(tc.opts, treeT0)
			fillSubjects(tr, tc.msgs, tc.subjects)
			heap := heapObjects() - before
			used := tr.MemoryUsed()
			t.Logf("%d nodes, MemoryUsed %.1f MiB, heap %.1f MiB (%.3f), evicted %d, pruned %d",
				tr.Len(), mib(used), mib(heap), float64(used)/float64(heap), tr.Evicted, tr.Pruned)
			if r := float64(used) / float64(heap); r < 0.9 || r > 1.1 {
				t.Errorf("MemoryUsed %.1f MiB is %.2f of the heap the tree holds (%.1f MiB)", mib(used), r, mib(heap))
			}
			if used > tc.opts.MaxMemory || heap > tc.opts.MaxMemory*11/10 {
				t.Errorf("over budget: MemoryUsed %.1f MiB, heap %.1f MiB", mib(used), mib(heap))
			}
			runtime.KeepAlive(tr)
		})
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// TestTreeDeepSubject is a 10,000-token subject: the tree holds it in
// memory linear in its length (10x the tokens, about 10x the bytes, not
// 100x) and finds it, and its node knows its subject.
func TestTreeDeepSubject(t *testing.T) {
	held := func(tokens int) (int64, *Tree) {
		before := heapObjects()
		tr := NewTree(DefaultTreeOptions(), treeT0)
		subj := deepSubject(tokens)
		applySubjects(tr, treeT0, subj, subj+".x", subj)
		n := tr.Find(subj)
		if n.IsZero() || n.Own() != 2 || n.Msgs() != 3 || n.Depth() != tokens-1 || tr.Len() != tokens+1 {
			t.Fatalf("%d tokens: Find %v, Len %d", tokens, !n.IsZero(), tr.Len())
		}
		if last, ok := n.Last(); !ok || last.Subject != subj {
			t.Fatalf("%d tokens: last message's subject wrong", tokens)
		}
		heap := heapObjects() - before
		runtime.KeepAlive(tr)
		return heap, tr
	}
	small, _ := held(1_000)
	big, tr := held(10_000)
	t.Logf("1k tokens: %d KiB, 10k tokens: %d KiB (%.1fx); budget %d KiB", small>>10, big>>10, float64(big)/float64(small), tr.MemoryUsed()>>10)
	if r := float64(big) / float64(small); r > 13 {
		t.Errorf("10x the tokens cost %.1fx the memory: not linear", r)
	}
	if big > 400*10_000 {
		t.Errorf("a 10,000-token subject holds %d KiB", big>>10)
	}
	if used := tr.MemoryUsed(); used < big*8/10 || used > big*12/10 {
		t.Errorf("budget counts %d KiB of %d KiB held", used>>10, big>>10)
	}
}
