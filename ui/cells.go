package ui

import (
	"math"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// fit pads or truncates s (which may hold ANSI styles) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s) // w-1 when a wide rune straddled the edge
	}
	return s + strings.Repeat(" ", w-sw)
}

// fitLeft right-aligns s in w cells.
func fitLeft(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	return strings.Repeat(" ", max(w-sw, 0)) + s
}

// block makes lines exactly w wide and h high, so panes join cleanly.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// sparkRunes are the eight block heights of a sparkline. Hand-written: the
// bubbles set has no sparkline and ntcharts pulls in the v1 lipgloss stack.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws one series on its own scale (see sparkTop): steady
// traffic is a level line at half height, a burst of 4× stands out at the
// top, and zero is a blank, so silence and a trickle look different. The
// header's minute and a pane's title use it.
func sparkline(vals []float64) string { return sparklineOn(vals, sparkTop(vals)) }

// sparkTop is the value drawn as a full block for the series given: four
// times the largest series mean (or the largest value, if higher). On the
// square-root scale of sparklineOn a series at its mean then reads at half
// height, so steady traffic is a steady mid-height line rather than a
// wall of full blocks (each series scaled to its own maximum made any
// steady rate a wall), and changes move it up or down. The tree passes all
// its visible rows: one scale per screen keeps the column comparable, a
// row at a quarter of the busiest row's rate reads ▂ beside its ▄, one at
// 1/16 ▁, and the square root keeps the shape of quiet rows visible where
// a linear scale would flatten them to ▁.
func sparkTop(series ...[]float64) float64 {
	var top float64
	for _, vals := range series {
		// The mean runs from the first second with traffic: the seconds
		// before a subject appeared (or before natsx watched) are not quiet
		// seconds of it.
		first := slices.IndexFunc(vals, func(v float64) bool { return v > 0 })
		if first < 0 {
			continue
		}
		var sum, hi float64
		for _, v := range vals[first:] {
			sum += max(v, 0)
			hi = max(hi, v)
		}
		top = max(top, 4*sum/float64(len(vals)-first), hi)
	}
	return top
}

// sparklineOn draws vals on a square-root scale whose full block is top.
func sparklineOn(vals []float64, top float64) string {
	var b strings.Builder
	for _, v := range vals {
		if v <= 0 || top <= 0 {
			b.WriteByte(' ')
			continue
		}
		i := int(math.Ceil(math.Sqrt(v/top)*float64(len(sparkRunes)))) - 1
		b.WriteRune(sparkRunes[min(max(i, 0), len(sparkRunes)-1)])
	}
	return b.String()
}
