package ui

// rect is a region of the screen in cells.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// regions is where each part of the body goes. One function computes it
// for both drawing and mouse hit-testing, so they cannot disagree.
type regions struct {
	tree, insp, panes rect
	wide              bool
}

// headerLines is the height of the header above the body.
const headerLines = 2

// layout splits the body (w×h, starting below the header): tree and
// inspector side by side on wide terminals, stacked on narrow ones, with the
// filter panes in a band of their own when there are any. The focused part
// gets the larger share; zoomed (z), it gets the whole body.
func (m *Model) layout(w, h int) regions {
	top := headerLines
	var l regions
	if m.zoomed {
		whole := rect{0, top, w, h}
		switch {
		case m.focus == focusPane && len(m.ex.Panes()) > 0:
			l.panes = whole
		case m.focus == focusInspector:
			l.insp = whole
		default:
			l.tree = whole
		}
		return l
	}
	if w >= 110 {
		l.wide = true
		th := h
		share := 55 // the tree and inspector's share of the height when panes show
		if m.focus == focusPane {
			share = 40
		}
		if len(m.ex.Panes()) > 0 && h-max(h*share/100, 3)-1 > 0 {
			// Only when a pane line fits under the tree and the rule:
			// otherwise the body would come out short.
			th = max(h*share/100, 3)
			l.panes = rect{0, top + th + 1, w, h - th - 1}
		}
		tw := w * 55 / 100
		if m.focus == focusInspector {
			tw = w * 40 / 100
		}
		l.tree = rect{0, top, tw, th}
		l.insp = rect{tw + 1, top, w - tw - 1, th}
		return l
	}
	if len(m.ex.Panes()) == 0 {
		// The inspector needs room for envelope, headers and some payload.
		th := max(h*45/100, 3)
		if m.focus == focusInspector {
			th = max(h*25/100, 3)
		}
		ih := max(h-th-1, 0)
		if ih == 0 {
			th = h
		}
		l.tree = rect{0, top, w, th}
		l.insp = rect{0, top + th + 1, w, ih}
		return l
	}
	tp, pp := 35, 30 // percent of the height for the tree and the panes
	switch m.focus {
	case focusTree:
		tp, pp = 45, 25
	case focusPane:
		tp, pp = 25, 45
	case focusInspector:
		tp, pp = 25, 25
	}
	th := max(h*tp/100, 3)
	ph := max(h*pp/100, 3)
	ih := h - th - ph - 2
	if ih < 3 {
		// Too short for three bands: drop the inspector (tab reaches it
		// on a taller terminal).
		ih = 0
		ph = max(h-th-1, 0)
	}
	if ph == 0 {
		// Not one pane line fits under the rule: the tree takes the body.
		th = h
	}
	l.tree = rect{0, top, w, th}
	l.panes = rect{0, top + th + 1, w, ph}
	if ih > 0 {
		l.insp = rect{0, top + th + ph + 2, w, ih}
	}
	return l
}

// bodyLayout is the body's regions at the current terminal size, the same
// for drawing, sizing and mouse hit-testing.
func (m *Model) bodyLayout() regions {
	w, h := max(m.width, 20), max(m.height, 6)
	return m.layout(w, m.bodyHeight(headerLines, h))
}

// layoutParts sizes every part for the current terminal and layout. Update
// calls it after every message (a resize, a pane opened or closed, a form
// opened), so the keys act on the sizes the screen shows (a page is a
// page before the first frame too) and View sets nothing.
func (m *Model) layoutParts() {
	w, h := max(m.width, 20), max(m.height, 6)
	bodyH := m.bodyHeight(headerLines, h)
	l := m.layout(w, bodyH)
	if l.tree.h > 0 { // zoomed on another part, the tree keeps its size
		m.ex.TreeView().SetHeight(l.tree.h - 1) // the title line
	}
	m.band.SetSize(l.panes.w, l.panes.h)
	m.form.SetSize(w, bodyH)
	if m.mode == modeHelp {
		m.syncHelp(w)
	}
	m.streams.SetHeight(bodyH)
	if m.mode == modePanel {
		m.panel.SetSize(w, bodyH)
	}
	if m.streams.page == pageMessages {
		m.syncBrowse(w, bodyH)
	}
	m.syncWatchCells()
	m.syncInspector()
}
