package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// maxFindLines bounds the lines a find in the payload formats and scans:
// a key press costs the same on a 100 MB payload as on a small one.
const maxFindLines = 20000

// matchIndex is where q first occurs in s, -1 if not: case folded when q
// is all lower case (vim's smartcase), exact otherwise.
func matchIndex(s, q string) int {
	if strings.ToLower(q) == q {
		return strings.Index(strings.ToLower(s), q)
	}
	return strings.Index(s, q)
}

// findInPayload moves the inspector to the next line containing q. It
// searches the lines the inspector draws (its width, view mode and diff),
// so the line it reports is the line it shows, and highlights the match.
func (m *Model) findInPayload(q string, forward bool, skipCurrent bool) {
	if q == "" {
		return
	}
	l := m.bodyLayout()
	if l.insp.w <= 0 {
		m.setFlash("the inspector is not on screen: tab to it on a taller terminal", true)
		return
	}
	f := m.inspectorFrame(l.insp.w, l.insp.h)
	if f.info != nil {
		return
	}
	c := m.insp.format(f.msg, f.prev, f.w, maxFindLines)
	lines := c.lines
	n := len(lines)
	start := m.insp.scroll
	for k := 0; k < n; k++ {
		step := k
		if skipCurrent {
			step = k + 1
		}
		i := start + step
		if !forward {
			i = start - step
		}
		i = ((i % n) + n) % n
		if matchIndex(ansi.Strip(lines[i]), q) >= 0 {
			m.insp.scroll = i
			m.insp.match = matchPlace{seq: f.msg.Seq, subject: f.msg.Subject, width: f.w, view: m.insp.view,
				diff: m.insp.diff, line: i, query: q}
			m.setFlash(fmt.Sprintf("%q: line %d of %d", q, i+1, n), false)
			return
		}
	}
	m.insp.match = matchPlace{}
	if f.msg.Truncated() {
		// Only the kept bytes were searched: the rest may hold it.
		m.setFlash(fmt.Sprintf("%q not in the kept %s of this payload (%s; the rest was not kept)", q,
			model.HumanBytes(uint64(len(f.msg.Data))), model.HumanBytes(uint64(f.msg.Size))), true)
		return
	}
	m.setFlash(fmt.Sprintf("%q not in this payload", q), true)
}
