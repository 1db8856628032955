package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"natsx/model"
)

// mode is which part has the keys and what is drawn over the body. It is
// the one place their precedence is decided: handleKey, handlePaste,
// routeMouse and Render all switch on it.
type mode int

const (
	modeBrowse  mode = iota // the tree, the panes and the inspector, by focus
	modeHelp                // the key screen in the body's place
	modeForm                // the publish form in the body's place
	modePrompt              // the footer prompt (search, filter, find, seek, ":")
	modeStreams             // the JetStream streams view in the body's place
)

// handleKey routes a key to the part the mode gives it to.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeForm:
		return m.formInput(msg)
	case modePrompt:
		return m.promptInput(msg)
	case modeHelp:
		return m.helpKey(msg)
	case modeStreams:
		return m.streamsKey(msg)
	}
	return m.browseKey(msg)
}

// handlePaste gives a paste to the input that has the keys, if any.
func (m *Model) handlePaste(msg tea.PasteMsg) tea.Cmd {
	switch m.mode {
	case modeForm:
		return m.formInput(msg)
	case modePrompt:
		return m.promptInput(msg)
	}
	return nil
}

// routeMouse gives the mouse to the body unless the help screen or the
// streams view covers it (the form and the prompt leave it: a click still
// moves the focus).
func (m *Model) routeMouse(msg tea.MouseMsg) tea.Cmd {
	if m.mode == modeHelp || m.mode == modeStreams {
		return nil
	}
	return m.handleMouse(msg)
}

// helpKey closes the help screen (or quits); other keys do nothing there.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
		m.mode = modeBrowse
	}
	return nil
}

// View lays out header, body and footer for the current size.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "natsx"
	if m.opts.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Render returns the screen as styled text; View wraps it for bubbletea.
func (m *Model) Render() string {
	w, h := max(m.width, 20), max(m.height, 6)
	lines := m.headerView(w)
	bodyH := m.bodyHeight(len(lines), h)
	switch m.mode {
	case modeHelp:
		lines = append(lines, block(strings.Split(m.helpView(w), "\n"), w, bodyH)...)
	case modeForm:
		lines = append(lines, m.form.View(w, bodyH)...)
	case modeStreams:
		lines = append(lines, m.streams.View(w, bodyH, m.wall)...)
	default:
		lines = append(lines, m.bodyView(w, bodyH)...)
	}
	if m.opts.Timeline != nil {
		lines = append(lines, m.timeline.View(w))
	}
	lines = append(lines, m.footerView(w))
	return strings.Join(lines, "\n")
}

// bodyHeight is what the header, the timeline line (natsx open) and the
// footer leave of h.
func (m *Model) bodyHeight(header, h int) int {
	if m.opts.Timeline != nil {
		return h - header - 2
	}
	return h - header - 1
}

// panesView draws the filter panes' band with the focus and the tab shown.
func (m *Model) panesView(w, h int) []string {
	focused := -1
	if m.focus == focusPane {
		focused = m.paneIdx
	}
	return m.band.View(w, h, max(m.paneIdx, 0), focused)
}

// bodyView draws the regions computed by layout.
func (m *Model) bodyView(w, h int) []string {
	l := m.layout(w, h)
	tree := m.tree.View(l.tree.w, l.tree.h, m.focus == focusTree)
	insp := m.inspectorView(l.insp.w, l.insp.h)
	hsep := m.styles.Border.Render(strings.Repeat("─", w))
	var out []string
	if l.wide {
		sep := m.styles.Border.Render("│")
		for i := range tree {
			out = append(out, tree[i]+sep+insp[i])
		}
		if l.panes.h > 0 {
			out = append(out, hsep)
			out = append(out, m.panesView(l.panes.w, l.panes.h)...)
		}
		return out
	}
	out = append(out, tree...)
	if l.panes.h > 0 {
		out = append(out, hsep)
		out = append(out, m.panesView(l.panes.w, l.panes.h)...)
	}
	if l.insp.h > 0 {
		out = append(out, hsep)
		out = append(out, insp...)
	}
	return out
}

func (m *Model) helpView(w int) string {
	title := m.styles.Title.Render("natsx keys") + m.styles.Muted.Render("  (? or esc to close)")
	if m.opts.ReadOnly {
		title += m.styles.Warn.Render("  read-only: publish, request and edit are off")
	}
	// bubbles' help cuts columns that do not fit; pack them into rows
	// instead so every key shows at any width.
	h := m.help
	h.SetWidth(0)
	var rows []string
	var row []string
	used := 0
	for _, group := range append(m.keys.FullHelp(), InputHelp()...) {
		col := h.FullHelpView([][]key.Binding{group})
		cw := lipgloss.Width(col) + 4
		if len(row) > 0 && used+cw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += cw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return title + "\n\n" + strings.Join(rows, "\n\n")
}

// footerView is the prompt while it is open; otherwise a flash, the
// connection's error, or the keys of the mode.
func (m *Model) footerView(w int) string {
	if m.mode == modePrompt {
		return m.prompt.View(w)
	}
	if m.flash.text != "" && m.wall.Before(m.flashUntil) {
		st := m.styles.Accent
		if m.flash.isErr {
			st = m.styles.Bad
		}
		return fit(st.Render(model.Sanitize(m.flash.text)), w)
	}
	if e := m.ex.Status().LastError; e != "" && m.ex.Status().State != model.StateConnected {
		return fit(m.styles.Bad.Render(model.Sanitize(e)), w)
	}
	if m.mode == modeForm {
		// The tree's keys do nothing while the form has them.
		return fit(m.help.ShortHelpView(m.form.keys.ShortHelp()), w)
	}
	if m.mode == modeStreams {
		return fit(m.help.ShortHelpView(m.keys.streamsHelp()), w)
	}
	return fit(m.help.ShortHelpView(m.keys.ShortHelp()), w)
}

func (m *Model) setFlash(text string, isErr bool) {
	m.flash = statusMsg{text: text, isErr: isErr}
	m.flashUntil = m.wall.Add(5 * time.Second)
}
