package ui

import (
	tea "charm.land/bubbletea/v2"
)

// handleMouse: a click focuses the region under it and selects the row; the
// wheel scrolls the region under the pointer. Only with --mouse, so the
// terminal's own selection works by default.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if !m.opts.Mouse {
		return nil
	}
	mouse := msg.Mouse()
	l := m.bodyLayout()
	delta := 0
	switch msg.(type) {
	case tea.MouseClickMsg:
		if mouse.Button != tea.MouseLeft {
			return nil
		}
	case tea.MouseWheelMsg:
		switch mouse.Button {
		case tea.MouseWheelUp:
			delta = -3
		case tea.MouseWheelDown:
			delta = 3
		default:
			return nil
		}
	default:
		return nil
	}
	x, y := mouse.X, mouse.Y
	now := m.ex.Now().UnixNano()
	switch {
	case l.tree.contains(x, y):
		m.setFocus(focusTree)
		if delta != 0 {
			m.ex.TreeView().Move(delta)
		} else if row := y - l.tree.y - 1; row >= 0 {
			_, first := m.ex.TreeView().Window()
			m.ex.TreeView().MoveTo(first + row)
		}
		m.ex.TreeView().Refresh(now)
	case l.panes.contains(x, y) && len(m.ex.Panes()) > 0:
		i, top := m.paneAt(l.panes, x)
		m.setFocus(focusPane)
		m.paneIdx = i
		p := m.ex.Panes()[i]
		if m.ex.Status().FilterErrors[p.Pattern.String()] != "" {
			top++ // the band shows the error between the title and the list
		}
		if delta != 0 {
			p.Move(delta)
		} else if row := y - l.panes.y - top; row >= 0 {
			from, _, sel := p.Window()
			p.Move(from + row - sel)
		}
		m.insp.scroll = 0
	case l.insp.contains(x, y):
		m.setFocus(focusInspector)
		m.insp.scroll = max(m.insp.scroll+delta, 0)
	}
	return nil
}

// paneAt returns the pane under column x and the first list row's offset
// from the band's top (title line, plus the tab bar in tab mode).
func (m *Model) paneAt(band rect, x int) (int, int) {
	if m.band.tabs(band.w) || len(m.ex.Panes()) == 1 {
		top := 1
		if m.band.tabs(band.w) {
			top = 2
		}
		return max(m.paneIdx, 0), top
	}
	widths := tileWidths(band.w, len(m.ex.Panes()))
	edge := 0
	for i, tw := range widths {
		edge += tw + 1
		if x < edge {
			return i, 1
		}
	}
	return len(m.ex.Panes()) - 1, 1
}
