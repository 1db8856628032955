package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

const (
	// gcHeadroom is issue 11's bound on RSS above the budget.
	gcHeadroom = 64 << 20
	// gcOverhead is the process's memory outside the Go heap's goal:
	// goroutine stacks, the runtime's own structures, the binary's pages,
	// spans the heap's objects do not fill. Measured at 1M-subject floods
	// (natsx in tmux, -s, gctrace, load 4-9 on 2 cores): RSS peaked at
	// 339 MiB with the heap at 311 MiB against a goal of 285 (the pacer
	// overshoots while a long mark phase runs; the 10/11 below covers
	// it), and at 313-327 MiB with a goal of 263: up to 38 MiB beyond
	// 1.1 × the goal. It was 8 MiB, and RSS went 19 MiB past the budget
	// plus the headroom; 28 MiB still left it 7 MiB past.
	gcOverhead = 40 << 20
	// MinGCPercent is the least GOGC the explorer sets: a collection
	// always waits for new allocation of at least a tenth of the live
	// heap, so the GC can never run back to back, whatever the live heap.
	// A tenth, not a quarter: the tree's slabs hold no pointers, so a
	// collection marks little more than the buffers, and the 27 MiB more
	// the live heap gets at 256 MiB hold 1M subjects without pruning
	// (`go run ./bench --subjects 1000000`: pruned 0, not 253k; the GC's
	// share of the flood's CPU 3.8%, was 2.3%).
	MinGCPercent = 10
	// maxGCPercent bounds GOGC while the live heap is far below the budget
	// (a small heap at start collects a few times, not thousands).
	maxGCPercent = 1000
	// garbageShare bounds the garbage the heap may gather between two
	// collections to 1/garbageShare of the budget (85 MiB at 256), however
	// far the live heap is below the budget. Without it every live heap got
	// the full gcGoal (251 MiB at 256): all through a flood, while the live
	// heap grew, the heap grew to ~245 MiB between collections, and the
	// runtime keeps freed spans resident up to 1.1 × the goal (after a
	// 100k-subject flood: 178 MiB of objects, 65 of free spans, 22 of the
	// binary's pages, 9 of metadata). Over 100k subjects (150 MiB live at
	// the end) RSS peaked at 304-322 MiB in `go run ./bench --subjects
	// 100000`, past the 320 MiB line in 3 of ~20 rounds; with the bound,
	// 258-263 MiB, the GC's share of the flood's CPU 1.1-1.7% (was
	// 0.6-1.0%). Over 1M subjects the bound holds until the live heap
	// passes ~166 MiB, so a full budget's goal is unchanged: RSS peak
	// 281-286 MiB (was 309-312), the GC's share 2.6-2.9% (2.3-2.8%).
	garbageShare = 3
)

// ExplorerLive is the part of budget the live heap may take: the tuner
// lets the heap grow MinGCPercent past the live part before a collection,
// and aims the whole process at the budget plus gcHeadroom (see
// ExplorerGCPercent), so a live heap of this much still keeps RSS within
// it. At 256 MiB: 228 MiB live, 28 MiB of room for garbage (the headroom
// takes the rest); a small budget is all live (up to ~70 MiB: the
// headroom holds its garbage).
func ExplorerLive(budget int64) int64 {
	return min(budget, gcGoal(budget)*100/(100+MinGCPercent))
}

// gcGoal is the heap goal that keeps RSS within budget + gcHeadroom: the
// heap grows up to 10% past its goal and the scavenger keeps up to 10%
// above it resident, and the rest of the process takes gcOverhead.
func gcGoal(budget int64) int64 { return (budget+gcHeadroom)*10/11 - gcOverhead }

// ExplorerGCPercent is the GOGC that keeps RSS within the budget plus
// gcHeadroom for a heap whose live part is live, within [MinGCPercent,
// maxGCPercent], with at most 1/garbageShare of the budget as garbage. The
// heap grows to its goal before a collection (up to 10% past it while a
// collection runs, and the runtime's scavenger keeps up to 10% above the
// goal resident), so the goal is (budget + headroom)/1.1 less the rest of
// the process.
func ExplorerGCPercent(live, budget int64) int {
	if live <= 0 {
		return maxGCPercent
	}
	goal := min(gcGoal(budget), live+budget/garbageShare)
	pct := 100 * (goal - live) / live
	return int(min(max(pct, MinGCPercent), maxGCPercent))
}

// gcTuner re-targets GOGC after every collection (a cleanup on an object
// that each collection frees runs once per cycle); stopped, it stops
// re-arming.
type gcTuner struct {
	budget  int64
	stopped atomic.Bool
}

// gcSentinel is garbage on purpose: its cleanup marks a finished GC cycle.
// 64 bytes keeps it out of the tiny allocator, whose blocks free late.
type gcSentinel [64]byte

func (t *gcTuner) arm() {
	runtime.AddCleanup(new(gcSentinel), func(t *gcTuner) { t.tune() }, t)
}

// tune sets GOGC from the live heap the last collection marked.
func (t *gcTuner) tune() {
	if t.stopped.Load() {
		return
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	pct := ExplorerGCPercent(int64(s[0].Value.Uint64()), t.budget)
	debug.SetGCPercent(pct)
	t.arm()
}

// SetExplorerGC tunes the Go runtime's collector for the explorer with a
// --max-memory budget and returns a function that restores the previous
// settings. There is no memory limit on purpose: a limit is a fixed heap
// size, and once the live heap reaches it (a full budget whose accounting
// is short of the real heap) the GC runs back to back and burns cores with
// no traffic at all (issue 11: 170-188% of a core idle at
// debug.SetMemoryLimit(budget+128 MiB)). Instead, after every collection
// GOGC is set so the process may grow to the budget plus 64 MiB, with at
// most a third of the budget as garbage, but the heap never to less than
// MinGCPercent above its live part: far below the budget the GC runs
// rarely (as under the limit, measured: a GC share of 6% at 10,000
// subjects against 12-23% at a fixed GOGC=25), near it the garbage stays
// within the headroom, and past it (a budget that undercounts) it is
// bounded by a tenth of the live heap. Every cycle needs new allocation:
// no traffic, no collection. An explicit GOGC or GOMEMLIMIT in the
// environment wins, and the tuner stays off.
func SetExplorerGC(budget int64) (restore func()) {
	t := &gcTuner{budget: budget}
	limit := debug.SetMemoryLimit(-1) // a negative limit only reads it
	pct := debug.SetGCPercent(-1)
	debug.SetGCPercent(pct) // SetGCPercent is the only way to read it
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
		t.arm()
	}
	return func() {
		t.stopped.Store(true)
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	}
}
