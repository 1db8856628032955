package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpScreen is the key screen: every key, grouped by the part it acts on,
// packed into as many columns as the width allows and scrolled when it is
// taller than the body (at 80x24 it is about three screens).
type helpScreen struct {
	top int // first line shown
	// lines is the laid-out screen for width w, made in Update (syncHelp)
	// so neither a frame nor a key lays out every group again: the key map
	// does not change after New.
	lines []string
	w     int
}

// syncHelp lays the help screen out for width w unless it already is.
func (m *Model) syncHelp(w int) {
	if m.helpScr.lines == nil || m.helpScr.w != w {
		m.helpScr.lines, m.helpScr.w = m.helpLines(w), w
	}
}

// helpGroups is every group of the help screen: the key map's, then the
// inputs' (the search prompt, the footer prompt, the publish form).
func (m *Model) helpGroups() []KeyGroup {
	groups := m.keys.Groups()
	titles := []string{"Search prompt", "Prompt (filter, rename, find, :)", "Publish form"}
	for i, col := range InputHelp() {
		groups = append(groups, KeyGroup{Title: titles[i], Keys: col})
	}
	return groups
}

// helpLines lays the groups out for width w: each group a column block
// (its title, then its keys), blocks side by side while they fit.
func (m *Model) helpLines(w int) []string {
	h := m.help
	h.SetWidth(0)
	var rows []string
	var row []string
	used := 0
	flush := func() {
		if len(row) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
	}
	for _, g := range m.helpGroups() {
		var enabled []key.Binding
		for _, k := range g.Keys {
			if k.Enabled() {
				enabled = append(enabled, k)
			}
		}
		if len(enabled) == 0 {
			continue
		}
		col := m.styles.Accent.Render(g.Title) + "\n" + h.FullHelpView([][]key.Binding{enabled})
		cw := lipgloss.Width(col) + 4
		if len(row) > 0 && used+cw > w {
			flush()
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += cw
	}
	flush()
	return strings.Split(strings.Join(rows, "\n\n"), "\n")
}

// helpView is the help screen for w×h: a title line that says how to
// scroll and where the view is, then the lines from the scroll position.
func (m *Model) helpView(w, h int) []string {
	lines := m.helpScr.lines
	if lines == nil || m.helpScr.w != w {
		lines = m.helpLines(w) // a frame before any Update laid it out
	}
	rows := max(h-2, 1) // the title and a blank line
	top := min(m.helpScr.top, max(len(lines)-rows, 0))
	title := m.styles.Title.Render("natsx keys") + m.styles.Muted.Render("  ? or esc to close")
	if len(lines) > rows {
		title += m.styles.Muted.Render(fmt.Sprintf(" · ↑↓ pgup pgdn scroll · lines %d-%d of %d",
			top+1, min(top+rows, len(lines)), len(lines)))
	}
	if m.opts.ReadOnly {
		title += m.styles.Warn.Render("  read-only: publish, request and edit are off")
	}
	out := []string{title, ""}
	end := min(top+rows, len(lines))
	out = append(out, lines[top:end]...)
	if end < len(lines) && len(out) > 2 {
		out[len(out)-1] = m.styles.Accent.Render(fmt.Sprintf("↓ %d more lines", len(lines)-end+1))
	}
	return block(out, w, h)
}

// helpKey scrolls the help screen, closes it (? or esc) or quits.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	w, h := max(m.width, 20), max(m.height, 6)
	rows := max(m.bodyHeight(headerLines, h)-2, 1)
	m.syncHelp(w)
	last := max(len(m.helpScr.lines)-rows, 0)
	page := max(rows-1, 1)
	defer func() { m.helpScr.top = min(max(m.helpScr.top, 0), last) }()
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
		m.mode = modeBrowse
	case key.Matches(msg, k.Up):
		m.helpScr.top--
	case key.Matches(msg, k.Down):
		m.helpScr.top++
	case key.Matches(msg, k.PageUp):
		m.helpScr.top -= page
	case key.Matches(msg, k.PageDown):
		m.helpScr.top += page
	case key.Matches(msg, k.Top):
		m.helpScr.top = 0
	case key.Matches(msg, k.Bottom):
		m.helpScr.top = last
	}
	return nil
}
