package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestExplorerGCPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		live, budget int64
		want         int
	}{
		{0, 256 * mib, maxGCPercent},          // no heap yet
		{6 * mib, 256 * mib, maxGCPercent},    // far below: capped
		{10 * mib, 256 * mib, 853},            // 85 MiB of garbage at most
		{125 * mib, 256 * mib, 68},            // the same: a goal of 210 MiB, not 251
		{200 * mib, 256 * mib, 25},            // heap goal 251 MiB: 320 MiB resident, less the runtime
		{240 * mib, 256 * mib, MinGCPercent},  // the floor is reached below the budget
		{256 * mib, 256 * mib, MinGCPercent},  // full
		{300 * mib, 256 * mib, MinGCPercent},  // headroom 20%: the floor wins
		{1024 * mib, 256 * mib, MinGCPercent}, // an undercounting budget: still 10%, never a loop
	} {
		if got := ExplorerGCPercent(tc.live, tc.budget); got != tc.want {
			t.Errorf("ExplorerGCPercent(%d MiB, %d MiB) = %d, want %d", tc.live/mib, tc.budget/mib, got, tc.want)
		}
	}
}

// TestSetExplorerGCTunesAfterEachCycle checks the explorer's collector has
// no memory limit the live heap could reach (it would make the GC loop when
// idle with the budget full), that after a collection GOGC follows the live
// heap (here far above a tiny budget: the floor), and that restore puts the
// previous settings back and stops the tuning.
func TestSetExplorerGCTunesAfterEachCycle(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	prevLimit := debug.SetMemoryLimit(512 << 20)
	prevPct := debug.SetGCPercent(100)
	defer func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevPct) }()

	keep := make([]byte, 64<<20) // live heap far above the budget below
	restore := SetExplorerGC(1 << 20)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d, want none (math.MaxInt64)", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for pct := debug.SetGCPercent(-1); pct != MinGCPercent; pct = debug.SetGCPercent(-1) {
		debug.SetGCPercent(pct)
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d after collections with the live heap above the budget, want %d", pct, MinGCPercent)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	runtime.KeepAlive(keep)
	restore()
	if got := debug.SetMemoryLimit(-1); got != 512<<20 {
		t.Errorf("restored memory limit %d, want %d", got, 512<<20)
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC %d after restore and a collection, want 100 (the tuner stopped)", got)
	}
}
