package ui

import (
	tea "charm.land/bubbletea/v2"

	"natsx/model"
	"natsx/where"
)

// Scoper is implemented by sources that can subscribe per filter (the
// engine's scoped mode). The UI tells it the distinct patterns in pane order.
type Scoper interface {
	SetScope(patterns []string) error
}

// focusKind is which part of the screen receives keys.
type focusKind int

const (
	focusTree focusKind = iota
	focusPane
	focusInspector
)

// scopeMsg reports the outcome of a SetScope call.
type scopeMsg struct{ err error }

// addPane opens a filter pane for spec ("PATTERN" or "PATTERN where
// EXPR"), refusing an invalid one: nothing changes then.
func (m *Model) addPane(spec string) (tea.Cmd, error) {
	p, cond, err := where.ParseFilter(spec)
	if err != nil {
		return nil, err
	}
	pane, err := m.ex.AddPane(p, m.ex.Now().UnixNano())
	if err != nil {
		return nil, err
	}
	if cond != nil { // a nil *Filter in the interface would not be nil
		pane.Where = cond
	}
	m.setFocus(focusPane)
	m.paneIdx = len(m.ex.Panes()) - 1
	return m.syncScope(), nil
}

// closePane removes pane i.
func (m *Model) closePane(i int) tea.Cmd {
	if i < 0 || i >= len(m.ex.Panes()) {
		return nil
	}
	m.ex.ClosePane(i)
	if len(m.ex.Panes()) == 0 {
		m.setFocus(focusTree)
	}
	m.paneIdx = min(m.paneIdx, len(m.ex.Panes())-1)
	return m.syncScope()
}

// movePane swaps the focused pane with its neighbour.
func (m *Model) movePane(delta int) {
	j := m.paneIdx + delta
	if m.focus != focusPane || j < 0 || j >= len(m.ex.Panes()) {
		return
	}
	m.ex.SwapPanes(m.paneIdx, j)
	m.paneIdx = j
}

// focusedPane is the pane with focus, nil when the focus is elsewhere.
func (m *Model) focusedPane() *model.Pane {
	if m.focus != focusPane || m.paneIdx < 0 || m.paneIdx >= len(m.ex.Panes()) {
		return nil
	}
	return m.ex.Panes()[m.paneIdx]
}

// cycleFocus moves focus tree → panes → inspector → tree (or backwards).
func (m *Model) cycleFocus(delta int) {
	// Positions: 0 tree, 1..n panes, n+1 inspector.
	n := len(m.ex.Panes())
	pos := 0
	switch m.focus {
	case focusPane:
		pos = 1 + m.paneIdx
	case focusInspector:
		pos = n + 1
	}
	pos = (pos + delta + n + 2) % (n + 2)
	switch {
	case pos == 0:
		m.setFocus(focusTree)
	case pos == n+1:
		m.setFocus(focusInspector)
	default:
		m.paneIdx = pos - 1
		m.setFocus(focusPane)
	}
	m.insp.scroll = 0
}

// syncScope tells a scoped source the distinct pane patterns in pane order
// (IO, so a Cmd); the explorer counts by the same order.
func (m *Model) syncScope() tea.Cmd {
	sc, ok := m.src.(Scoper)
	if !ok || !m.ex.Status().Scoped {
		return nil
	}
	pats := m.ex.ScopePatterns()
	return func() tea.Msg { return scopeMsg{err: sc.SetScope(pats)} }
}

// setFocus gives f the keys. The inspector shows what the tree or a pane
// has selected, so focusing either also points the inspector at it;
// focusing the inspector keeps what it shows.
func (m *Model) setFocus(f focusKind) {
	m.focus = f
	if f != focusInspector {
		m.insp.from = f
	}
}
