package tea

import (
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
)

// natsx patch, change 3 (PATCH.md): a frame draws only the lines whose
// text, or the pen they start with, changed since the last frame.
//
// Upstream clears the cell buffer and parses the whole view into it for
// every frame, so every line with content is touched and the terminal
// renderer diffs every cell of it, though a frame of a full-screen program
// usually changes a few lines (a clock, a counter, a cursor).

// frameLine is one line of the last frame drawn line by line: its text and
// the pens it started and ended with.
type frameLine struct {
	text       string
	start, end uv.Pen
}

// drawLines draws content into the cell buffer line by line, skipping the
// lines the buffer already holds, and reports whether it could: false
// when content has more lines than the buffer or a line's cells depend on
// the lines around it (uv.DrawLine), after which the caller draws the
// whole string as upstream does. The line cache is valid only while the
// cell buffer holds exactly what it records; what else changes the buffer
// or the screen behind it (a resize, reset, the width method) drops it.
func (s *cursedRenderer) drawLines(content string) bool {
	content = strings.ReplaceAll(content, "\r\n", "\n") // as uv.StyledString.Draw
	if strings.Count(content, "\n") >= s.cellbuf.Height() {
		s.linesOK = false
		return false
	}
	s.drawn = s.cellbuf.Height() // a fallback draws them all
	if !s.linesOK {
		s.cellbuf.Clear()
		clear(s.lines)
		s.lines = s.lines[:0]
	}
	area := s.cellbuf.Bounds()
	var pen uv.Pen
	n, drawn := 0, 0
	for rest, more := content, true; more; n++ {
		var line string
		line, rest, more = strings.Cut(rest, "\n")
		if n < len(s.lines) && s.lines[n].text == line && s.lines[n].start.Equal(&pen) {
			pen = s.lines[n].end
			continue
		}
		start := pen
		drawn++
		if !uv.DrawLine(s.cellbuf, area, n, line, &pen) {
			s.linesOK = false
			return false
		}
		// A copy: the line would keep its whole frame's view alive.
		fl := frameLine{text: strings.Clone(line), start: start, end: pen}
		if n < len(s.lines) {
			s.lines[n] = fl
		} else {
			s.lines = append(s.lines, fl)
		}
	}
	// Rows the last frame had below this one's last line are blank now.
	for y := n; y < len(s.lines); y++ {
		uv.DrawLine(s.cellbuf, area, y, "", &uv.Pen{})
		drawn++
	}
	clear(s.lines[n:])
	s.lines = s.lines[:n]
	s.linesOK = true
	s.drawn = drawn
	return true
}
