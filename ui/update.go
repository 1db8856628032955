package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// boundTo reports whether msg is one of b's keys, even when b is switched
// off (read-only mode names what the key would have done).
func boundTo(msg tea.KeyPressMsg, b key.Binding) bool {
	return slices.Contains(b.Keys(), msg.String())
}

// handleKey routes a key: the search prompt when open, the help screen when
// shown, then the global keys and the tree's.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.form.open {
		return m.formKey(msg)
	}
	if m.prompt.kind != promptNone {
		return m.promptKey(msg)
	}
	if m.searching {
		if msg.String() == "ctrl+c" {
			return tea.Quit
		}
		return m.searchKey(msg)
	}
	k := m.keys
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Help), msg.String() == "esc":
			m.showHelp = false
		}
		return nil
	}
	if cmd, ok := m.timelineKey(msg); ok {
		return cmd
	}
	now := m.ex.Now().UnixNano()
	v := m.ex.TreeView()
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, k.FocusNext):
		m.cycleFocus(1)
		return nil
	case key.Matches(msg, k.FocusPrev):
		m.cycleFocus(-1)
		return nil
	case key.Matches(msg, k.Filter):
		return m.openPrompt(promptFilter, "filter> ", "")
	case key.Matches(msg, k.Command):
		return m.openPrompt(promptCommand, ":", "")
	case m.opts.ReadOnly && (boundTo(msg, k.Publish) || boundTo(msg, k.Request) || boundTo(msg, k.Edit)):
		m.setFlash("read-only: publishing is off", true)
		return nil
	case key.Matches(msg, k.Record):
		return m.toggleRecording()
	case key.Matches(msg, k.Mark):
		m.markRecording()
		return nil
	case key.Matches(msg, k.SaveFlight):
		return m.saveFlight()
	case key.Matches(msg, k.HistPrev):
		m.stepHistory(1)
		return nil
	case key.Matches(msg, k.HistNext):
		m.stepHistory(-1)
		return nil
	case key.Matches(msg, k.Diff):
		m.inspDiff = !m.inspDiff
		m.inspScroll = 0
		return nil
	case key.Matches(msg, k.View):
		m.inspView = (m.inspView + 1) % viewModes
		m.inspDiff = false
		m.inspScroll = 0
		m.setFlash("view: "+m.inspView.String(), false)
		return nil
	case key.Matches(msg, k.Copy), key.Matches(msg, k.CopySubject):
		return m.copyCmd(key.Matches(msg, k.CopySubject))
	case key.Matches(msg, k.Publish), key.Matches(msg, k.Request):
		return m.openForm(key.Matches(msg, k.Request), nil)
	case key.Matches(msg, k.Edit):
		cur, ok := m.currentMessage()
		if !ok {
			m.setFlash("no message to edit: select a subject with messages", true)
			return nil
		}
		return m.openForm(false, &cur)
	case msg.String() == "esc" && m.showResp:
		m.showResp = false
		return nil
	}
	// Moving anywhere leaves the response view and the history position.
	m.showResp = false
	if m.focus != focusInspector {
		m.inspBack, m.inspPin = 0, 0
	}
	switch m.focus {
	case focusPane:
		if p := m.focusedPane(); p != nil {
			return m.paneKey(p, msg)
		}
	case focusInspector:
		if m.inspectorKey(msg) {
			return nil
		}
		switch {
		case key.Matches(msg, k.Search):
			return m.openPrompt(promptFind, "find> ", m.inspQuery)
		case key.Matches(msg, k.NextMatch), key.Matches(msg, k.PrevMatch):
			m.findInPayload(m.inspQuery, key.Matches(msg, k.NextMatch), true)
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.Up):
		v.Move(-1)
	case key.Matches(msg, k.Down):
		v.Move(1)
	case key.Matches(msg, k.PageUp):
		v.Page(-1)
	case key.Matches(msg, k.PageDown):
		v.Page(1)
	case key.Matches(msg, k.Top):
		v.MoveTo(0)
	case key.Matches(msg, k.Bottom):
		v.MoveTo(len(v.Rows()) - 1)
	case key.Matches(msg, k.Expand):
		v.Expand()
	case key.Matches(msg, k.Collapse):
		v.Collapse()
	case key.Matches(msg, k.Toggle):
		v.Toggle()
	case key.Matches(msg, k.Sort):
		v.SetSort((v.Sort + 1) % 3)
		m.setFlash("sort by "+v.Sort.String(), false)
	case key.Matches(msg, k.Noise):
		v.SetShowNoise(!v.ShowNoise)
		if v.ShowNoise {
			m.setFlash("showing _INBOX and $ subjects", false)
		} else {
			m.setFlash("hiding _INBOX and $ subjects", false)
		}
	case key.Matches(msg, k.Search):
		return m.startSearch()
	case key.Matches(msg, k.NextMatch), key.Matches(msg, k.PrevMatch):
		if m.query == "" {
			m.setFlash("no search yet: press / to search", false)
			return nil
		}
		if v.Search(m.query, key.Matches(msg, k.NextMatch), true, now) == nil {
			m.setFlash(fmt.Sprintf("no subject contains %q", m.query), true)
		}
	}
	v.Refresh(now)
	return nil
}

// paneKey handles keys while a filter pane has focus.
func (m *Model) paneKey(p *model.Pane, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	m.inspScroll = 0
	switch {
	case key.Matches(msg, k.Up):
		p.Move(-1)
	case key.Matches(msg, k.Down):
		p.Move(1)
	case key.Matches(msg, k.PageUp):
		p.Move(-10)
	case key.Matches(msg, k.PageDown):
		p.Move(10)
	case key.Matches(msg, k.Top):
		p.Top()
	case key.Matches(msg, k.Bottom):
		p.Follow()
	case key.Matches(msg, k.Pause):
		p.SetPaused(!p.Paused)
	case key.Matches(msg, k.Clear):
		p.Clear()
	case key.Matches(msg, k.Rename):
		return m.openPrompt(promptRename, "rename> ", p.Name)
	case key.Matches(msg, k.Close):
		return m.closePane(m.paneIdx)
	case key.Matches(msg, k.PaneLeft):
		m.movePane(-1)
	case key.Matches(msg, k.PaneRight):
		m.movePane(1)
	case key.Matches(msg, k.Search):
		return m.startSearch()
	}
	return nil
}

// inspectorKey scrolls the payload; it reports whether it used the key.
func (m *Model) inspectorKey(msg tea.KeyPressMsg) bool {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.inspScroll = max(m.inspScroll-1, 0)
	case key.Matches(msg, k.Down):
		m.inspScroll++
	case key.Matches(msg, k.PageUp):
		m.inspScroll = max(m.inspScroll-10, 0)
	case key.Matches(msg, k.PageDown):
		m.inspScroll += 10
	case key.Matches(msg, k.Top):
		m.inspScroll = 0
	default:
		return false
	}
	return true
}

// startSearch opens the subject search from any focus: it searches the
// tree, so the tree takes focus.
func (m *Model) startSearch() tea.Cmd {
	m.focus, m.inspFrom = focusTree, focusTree
	m.searching = true
	m.searchOrigin = m.ex.TreeView().Selected()
	m.search.SetValue("")
	return m.search.Focus()
}

// searchKey is the incremental search prompt: every keystroke jumps to the
// first match; enter keeps it, esc returns to where the search began.
func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	now := m.ex.Now().UnixNano()
	switch {
	case key.Matches(msg, m.skeys.Accept):
		m.searching = false
		m.search.Blur()
		m.query = m.search.Value()
		return nil
	case key.Matches(msg, m.skeys.Cancel):
		m.searching = false
		m.search.Blur()
		if o := m.searchOrigin; o != nil && !o.Removed() {
			m.ex.TreeView().Reveal(o, now)
		}
		return nil
	}
	return m.searchInput(msg)
}

// searchInput edits the query (a key or a paste) and jumps to the first match.
func (m *Model) searchInput(msg tea.Msg) tea.Cmd {
	now := m.ex.Now().UnixNano()
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	q := m.search.Value()
	if q != "" && m.ex.TreeView().Search(q, true, false, now) == nil {
		m.setFlash(fmt.Sprintf("no subject contains %q", q), true)
	} else {
		m.flash = statusMsg{}
	}
	return cmd
}

// compile-time check that the model satisfies bubbletea's interface.
var _ tea.Model = (*Model)(nil)
