package model

import (
	"fmt"
	"testing"
	"time"
)

// floodBatch is how many messages the engine hands the explorer at a time
// under a flood (a Store read), in the benchmarks below.
const floodBatch = 4096

// BenchmarkExplorerRoundRobin1M is the bench's 1M-subject flood as the
// explorer sees it: messages round-robin over 1M four-token subjects named
// as the bench names them (bench.<i/1000>.<i/10%100>.<i>), 16-byte
// payloads, applied by ApplyUntil in engine-sized batches with the default
// options. The first pass over the subjects creates them (new-ns/msg), the
// timed loop then goes round them again and again (ns/op is one known
// message): every message misses the leaf cache and every cache of the
// CPU, as in the real flood's second million.
func BenchmarkExplorerRoundRobin1M(b *testing.B) { benchRoundRobin(b, 1_000_000, 0) }

// BenchmarkExplorerRoundRobin1MBudget is the same in the tree's share of
// natsx's default budget (cli.SplitBudget: 171 MiB, less the ~1 MiB the
// process holds before traffic), which the bench's 1.1M nodes overflow:
// the end of the first pass evicts the idlest subjects' messages, and
// then every message in the timed loop that lands on a subject with none
// evicts the next one's. That churn costs about what replacing a
// subject's own message does: 357-359 ns/op against 360-423.
func BenchmarkExplorerRoundRobin1MBudget(b *testing.B) { benchRoundRobin(b, 1_000_000, 170<<20) }

// BenchmarkExplorerRoundRobin100k is the same over 100k subjects, which
// the leaf cache holds.
func BenchmarkExplorerRoundRobin100k(b *testing.B) { benchRoundRobin(b, 100_000, 0) }

// BenchmarkExplorerRoundRobin10k is the same over 10k subjects.
func BenchmarkExplorerRoundRobin10k(b *testing.B) { benchRoundRobin(b, 10_000, 0) }

// benchRoundRobin runs the flood over subjects in a tree of budget bytes
// (0: the default).
func benchRoundRobin(b *testing.B, subjects int, budget int64) {
	payload := []byte("0123456789abcdef")
	msgs := make([]Message, subjects)
	for i := range msgs {
		msgs[i] = Message{
			Seq:     uint64(i),
			Subject: fmt.Sprintf("bench.%d.%d.%d", i/1000, i/10%100, i),
			Data:    payload,
			Size:    len(payload),
		}
	}
	start := time.Unix(0, treeT0)
	e := NewExplorer(ExplorerOptions{Tree: TreeOptions{MaxMemory: budget}}, start)
	clock := 0
	apply := func(from, to int) {
		for j := from; j < to; j++ {
			msgs[j].Received = benchClock(clock)
			clock++
		}
		e.ApplyUntil(msgs[from:to], SourceStatus{}, time.Unix(0, benchClock(clock)), nil)
	}
	t0 := time.Now()
	for i := 0; i < subjects; i += floodBatch {
		apply(i, min(i+floodBatch, subjects))
	}
	fresh := time.Since(t0)
	next, left := 0, 0 // the next batch's first message; messages left of this one

	b.ResetTimer()
	for b.Loop() {
		if left == 0 {
			if next == subjects {
				next = 0
			}
			end := min(next+floodBatch, subjects)
			apply(next, end)
			next, left = end, end-next
		}
		left--
	}
	b.StopTimer()
	b.ReportMetric(float64(fresh.Nanoseconds())/float64(subjects), "new-ns/msg")
	b.ReportMetric(float64(e.Tree().Evicted)/float64(b.N+subjects), "evicted/msg")
	if tr := e.Tree(); tr.Pruned != 0 || tr.Subjects() != subjects {
		b.Fatalf("Pruned %d, %d subjects", tr.Pruned, tr.Subjects())
	}
}
