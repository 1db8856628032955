package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
	modePanel               // who gets a subject / a trace's path, in the body's place
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
	case modePanel:
		return m.panelKey(msg)
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
	case modeStreams:
		if m.prompt.kind != promptNone {
			return m.promptInput(msg) // the stream browser's prompt
		}
	}
	return nil
}

// routeMouse gives the mouse to the body unless the help screen or the
// streams view covers it (the form and the prompt leave it: a click still
// moves the focus).
func (m *Model) routeMouse(msg tea.MouseMsg) tea.Cmd {
	if m.mode == modeHelp || m.mode == modeStreams || m.mode == modePanel {
		return nil
	}
	return m.handleMouse(msg)
}

// View lays out header, body and footer for the current size. Between two
// parts of a batch (midBatch: more of it follows at once) it gives the
// last frame again while that is younger than a frame: bubbletea asks for
// a View after every Update but draws at most FPS of them, and a frame
// costs ~0.8 ms, a fifth of a part.
func (m *Model) View() tea.View {
	if m.midBatch && frameClock().Sub(m.frameAt) < time.Second/FPS {
		return m.frame
	}
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "natsx"
	if m.opts.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	m.frame, m.frameAt = v, frameClock()
	return v
}

// frameClock times the frames View gives again; tests replace it.
var frameClock = time.Now

// Render returns the screen as styled text; View wraps it for bubbletea.
func (m *Model) Render() string {
	w, h := max(m.width, 20), max(m.height, 6)
	lines := m.headerView(w)
	bodyH := m.bodyHeight(len(lines), h)
	switch m.mode {
	case modeHelp:
		lines = append(lines, m.helpView(w, bodyH)...)
	case modeForm:
		lines = append(lines, m.form.View(w, bodyH)...)
	case modeStreams:
		lines = append(lines, m.streamsBody(w, bodyH)...)
	case modePanel:
		lines = append(lines, m.panel.View(w, bodyH)...)
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
	if m.zoomed {
		switch {
		case l.panes.h > 0:
			return m.panesView(l.panes.w, l.panes.h)
		case l.insp.h > 0:
			return m.inspectorView(l.insp.w, l.insp.h)
		}
		return m.tree.View(l.tree.w, l.tree.h, true)
	}
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

// footerView is the prompt while it is open; otherwise a flash, the
// connection's error, or the keys of the mode.
func (m *Model) footerView(w int) string {
	if m.confirm.asking() {
		return m.confirm.View(&m.styles, w)
	}
	if m.mode == modePrompt || m.mode == modeStreams && m.prompt.kind != promptNone {
		return m.prompt.View(w)
	}
	if m.flash.text != "" && m.wall.Before(m.flashUntil) {
		st := m.styles.Accent
		if m.flash.isErr {
			st = m.styles.Bad
		}
		return fit(st.Render(model.Sanitize(m.flash.text)), w)
	}
	if m.stop != nil && m.mode == modeBrowse {
		return m.stopLine(w)
	}
	if e := m.ex.Status().LastError; e != "" && m.ex.Status().State != model.StateConnected {
		return fit(m.styles.Bad.Render(model.Sanitize(e)), w)
	}
	if m.mode == modeHelp {
		k := m.keys
		return fit(m.help.ShortHelpView([]key.Binding{
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")),
			key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page")),
			key.NewBinding(key.WithKeys("g", "G"), key.WithHelp("g/G", "top/end")),
			key.NewBinding(key.WithKeys(append(k.Help.Keys(), k.Back.Keys()...)...), key.WithHelp("?/esc", "close")),
			k.Quit}), w)
	}
	if m.mode == modeForm {
		// The tree's keys do nothing while the form has them.
		return fit(m.help.ShortHelpView(m.form.keys.ShortHelp()), w)
	}
	if m.mode == modeStreams {
		return fit(m.help.ShortHelpView(m.streamsHelp()), w)
	}
	if m.mode == modePanel {
		return fit(m.help.ShortHelpView(m.keys.panelHelp(m.panel.kind)), w)
	}
	return fit(m.help.ShortHelpView(m.keys.ShortHelpFor(m.focus)), w)
}

func (m *Model) setFlash(text string, isErr bool) {
	m.flash = statusMsg{text: text, isErr: isErr}
	m.flashUntil = m.wall.Add(5 * time.Second)
}
