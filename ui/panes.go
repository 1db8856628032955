package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
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

// addPane opens a filter pane for pattern, refusing an invalid one.
func (m *Model) addPane(pattern string) (tea.Cmd, error) {
	p, err := model.ParsePattern(strings.TrimSpace(pattern))
	if err != nil {
		return nil, err
	}
	if _, err := m.ex.AddPane(p, m.ex.Now().UnixNano()); err != nil {
		return nil, err
	}
	m.focus, m.paneIdx, m.insp.from = focusPane, len(m.ex.Panes())-1, focusPane
	return m.syncScope(), nil
}

// closePane removes pane i.
func (m *Model) closePane(i int) tea.Cmd {
	if i < 0 || i >= len(m.ex.Panes()) {
		return nil
	}
	m.ex.ClosePane(i)
	if len(m.ex.Panes()) == 0 {
		m.focus = focusTree
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
		m.focus = focusTree
	case pos == n+1:
		m.focus = focusInspector
	default:
		m.focus, m.paneIdx = focusPane, pos-1
	}
	if m.focus != focusInspector {
		m.insp.from = m.focus
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

// paneStyle is pane i's colour, used for its title and its tree markers.
func (m *Model) paneStyle(i int) int { return i % len(m.styles.Panes) }

// paneMarkers returns the digits of the panes matching node n: bright when
// its own subject matches, dim when only something below it can.
func (m *Model) paneMarkers(n *model.Node) (string, int) {
	var b strings.Builder
	w := 0
	for i, p := range m.ex.Panes() {
		exact, below := p.Pattern.Covers(n.Subject)
		digit := string(rune('1' + i)) // at most model.MaxPanes (9): one digit
		switch {
		case exact:
			b.WriteString(m.styles.Panes[m.paneStyle(i)].Bold(true).Render(digit))
		case below:
			b.WriteString(m.styles.Muted.Render(digit))
		default:
			continue
		}
		w++
	}
	return b.String(), w
}

// paneView renders one pane: a title with its counters, then the rows.
func (m *Model) paneView(i int, w, h int) []string {
	p := m.ex.Panes()[i]
	st := m.styles
	now := m.ex.Now().UnixNano()
	focused := m.focus == focusPane && m.paneIdx == i
	title := fmt.Sprintf("%d %s", i+1, model.Sanitize(p.Name))
	if p.Name != p.Pattern.String() {
		title += st.Muted.Render(" " + model.Sanitize(p.Pattern.String()))
	}
	ts := st.Panes[m.paneStyle(i)].Bold(true)
	if focused {
		ts = ts.Underline(true)
	}
	info := fmt.Sprintf(" %s msgs %s/s", model.HumanCount(p.Msgs), model.HumanRate(p.Rate(now, max(p.Opened, m.ex.Tree().Since()))))
	spark := make([]float64, 8)
	p.Spark(now, spark)
	line := ts.Render(title) + st.Muted.Render(info) + " " + st.Spark.Render(sparkline(spark))
	if p.Paused {
		line += " " + st.Warn.Render(fmt.Sprintf("⏸ paused +%d", p.PausedMissed))
	}
	if u := p.Unseen(); u > 0 {
		line += " " + st.Accent.Render(fmt.Sprintf("↓%d new", u))
	}
	if p.Evicted > 0 {
		line += " " + st.Muted.Render("evicted "+model.HumanCount(p.Evicted))
	}
	lines := []string{fit(line, w)}
	if e := m.ex.Status().FilterErrors[p.Pattern.String()]; e != "" {
		lines = append(lines, st.Bad.Render(fit(model.Sanitize(e), w)))
	}
	from, to, sel := p.Window()
	for j := from; j < to; j++ {
		msg := p.At(j)
		ts := time.Unix(0, msg.Received).Format("15:04:05.000")
		subj := model.Sanitize(msg.Subject)
		size := model.HumanBytes(uint64(msg.Size))
		preview := model.Preview(msg.Data, max(w-len([]rune(ts+subj+size))-3, 0))
		var row string
		switch plain := ts + " " + subj + " " + size + " " + preview; {
		case j == sel && focused:
			row = st.Selected.Render(fit(plain, w))
		case j == sel:
			row = st.SelectedBlur.Render(fit(plain, w))
		default:
			row = st.Muted.Render(ts) + " " + st.Value.Render(subj) + " " + st.Muted.Render(size) + " " + preview
		}
		lines = append(lines, row)
	}
	if p.Len() == 0 {
		lines = append(lines, st.Muted.Render("  waiting for "+model.Sanitize(p.Pattern.String())+" …"))
	}
	return block(lines, w, h)
}

// panesView lays the panes out as tiles side by side, or as tabs (one pane
// and a tab bar) when tiles would be too narrow to read.
func (m *Model) panesView(w, h int) []string {
	n := len(m.ex.Panes())
	if n == 0 {
		return block(nil, w, h)
	}
	if m.paneTabs(w) {
		cur := max(m.paneIdx, 0)
		var tabs []string
		for i, p := range m.ex.Panes() {
			label := fmt.Sprintf(" %d %s ", i+1, model.Sanitize(p.Name))
			if i == cur {
				tabs = append(tabs, m.styles.Selected.Render(label))
			} else {
				tabs = append(tabs, m.styles.Panes[m.paneStyle(i)].Render(label))
			}
		}
		out := []string{fit(strings.Join(tabs, m.styles.Border.Render("│")), w)}
		return append(out, m.paneView(cur, w, h-1)...)
	}
	widths := tileWidths(w, n)
	cols := make([][]string, n)
	for i := range m.ex.Panes() {
		cols[i] = m.paneView(i, widths[i], h)
	}
	sep := m.styles.Border.Render("│")
	out := make([]string, h)
	for r := range out {
		parts := make([]string, n)
		for i := range cols {
			parts[i] = cols[i][r]
		}
		out[r] = strings.Join(parts, sep)
	}
	return out
}

// sizePanes sets each pane's list height for a band of w×h, as paneView
// and panesView lay it out: tabs take a line, a refused filter's error
// takes one under the title.
func (m *Model) sizePanes(w, h int) {
	panes := m.ex.Panes()
	if m.paneTabs(w) {
		h--
	}
	for _, p := range panes {
		rows := h - 1 // the title
		if m.ex.Status().FilterErrors[p.Pattern.String()] != "" {
			rows--
		}
		p.SetHeight(rows)
	}
}

// paneTabs reports whether panes are shown as tabs at width w.
func (m *Model) paneTabs(w int) bool {
	n := len(m.ex.Panes())
	return n > 1 && (w-(n-1))/n < minTileWidth
}

// minTileWidth is the narrowest readable tile: time, subject, size, some
// preview.
const minTileWidth = 40

// tileWidths splits w (minus separators) over n tiles.
func tileWidths(w, n int) []int {
	avail := w - (n - 1)
	out := make([]int, n)
	for i := range out {
		out[i] = avail / n
		if i < avail%n {
			out[i]++
		}
	}
	return out
}
