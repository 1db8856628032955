package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestSetExplorerGCSetsNoMemoryLimit checks the explorer's collector has no
// memory limit the live heap could reach (it would make the GC loop when
// idle with the budget full) and keeps garbage to GOGC=25 above the live
// heap; restore puts the previous settings back.
func TestSetExplorerGCSetsNoMemoryLimit(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	prevLimit := debug.SetMemoryLimit(512 << 20)
	prevPct := debug.SetGCPercent(100)
	defer func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevPct) }()

	restore := SetExplorerGC()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d, want none (math.MaxInt64)", got)
	}
	pct := debug.SetGCPercent(ExplorerGCPercent)
	if pct != ExplorerGCPercent {
		t.Errorf("GOGC %d, want %d", pct, ExplorerGCPercent)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 512<<20 {
		t.Errorf("restored memory limit %d, want %d", got, 512<<20)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("restored GOGC %d, want 100", got)
	}
}
