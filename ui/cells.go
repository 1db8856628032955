package ui

import (
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

// sparkline draws values scaled to their maximum; zero is a blank, so
// silence and a trickle look different.
func sparkline(vals []float64) string {
	var hi float64
	for _, v := range vals {
		hi = max(hi, v)
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v <= 0 || hi <= 0:
			b.WriteByte(' ')
		default:
			i := int(v / hi * float64(len(sparkRunes)-1))
			b.WriteRune(sparkRunes[min(max(i, 0), len(sparkRunes)-1)])
		}
	}
	return b.String()
}
