package ui

import (
	"strings"
	"testing"
)

func steady(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestSparklineReadsAtAGlance: steady traffic is a level line at half
// height (not a wall of full blocks), a 4× burst reaches the top, a dip
// shows, silence is blank; on a shared scale a row at 1/16 of the busiest
// row's rate reads ▁ beside its ▄: lower, still visible.
func TestSparklineReadsAtAGlance(t *testing.T) {
	if got := sparkline(steady(9, 200)); got != strings.Repeat("▄", 9) {
		t.Errorf("steady: %q, want a mid-height line", got)
	}
	burst := steady(9, 200)
	burst[4], burst[6] = 800, 50
	got := []rune(sparkline(burst))
	if got[4] != '█' || got[0] != '▄' || got[6] >= got[0] {
		t.Errorf("burst and dip: %q", string(got))
	}
	if got := sparkline([]float64{0, 0, 5, 0}); got[0] != ' ' || got[len(got)-1] != ' ' {
		t.Errorf("silence: %q", got)
	}
	busy, quiet := steady(9, 1600), steady(9, 100)
	top := sparkTop(busy, quiet)
	b, q := sparklineOn(busy, top), sparklineOn(quiet, top)
	if b != strings.Repeat("▄", 9) || q != strings.Repeat("▁", 9) {
		t.Errorf("shared scale: busy %q quiet %q", b, q)
	}
	// A subject that appeared three seconds ago at a steady rate reads
	// steady too: the seconds before it existed are not its quiet ones.
	if got := sparkline([]float64{0, 0, 0, 0, 0, 0, 30, 30, 30}); got != "      ▄▄▄" {
		t.Errorf("new and steady: %q", got)
	}
	if sparkline(nil) != "" || sparklineOn([]float64{3}, 0) != " " {
		t.Error("empty input")
	}
}
