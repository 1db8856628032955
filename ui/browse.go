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

// browseKey handles a key while nothing is open over the body: the
// timeline's keys, the global keys, then the focused part's.
func (m *Model) browseKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if cmd, ok := m.timelineInput(msg); ok {
		return cmd
	}
	now := m.ex.Now().UnixNano()
	v := m.ex.TreeView()
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.mode, m.helpScr.top = modeHelp, 0
		return nil
	case key.Matches(msg, k.Zoom):
		m.zoomed = !m.zoomed
		if m.zoomed {
			m.setFlash("zoomed: z to go back", false)
		}
		return nil
	case key.Matches(msg, k.FocusNext):
		m.cycleFocus(1)
		return nil
	case key.Matches(msg, k.FocusPrev):
		m.cycleFocus(-1)
		return nil
	case key.Matches(msg, k.Filter):
		return m.offerPrompt(promptFilter, "filter> ", m.filterSuggestion())
	case key.Matches(msg, k.Break) && m.stop != nil:
		return m.continueBreak()
	case key.Matches(msg, k.Break):
		return m.offerPrompt(promptBreak, "break> ", m.breakSuggestion())
	case key.Matches(msg, k.Command):
		return m.openPrompt(promptCommand, ":", "")
	case key.Matches(msg, k.Watch):
		return m.watchKey()
	case key.Matches(msg, k.Streams):
		return m.openStreams()
	case key.Matches(msg, k.Who):
		return m.openPanel(panelWho)
	case key.Matches(msg, k.Trace):
		return m.openPanel(panelTrace)
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
		m.insp.toggleDiff()
		return nil
	case key.Matches(msg, k.View):
		m.insp.nextView()
		m.setFlash("view: "+m.insp.view.String(), false)
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
	case key.Matches(msg, k.Back) && m.insp.showResp:
		m.insp.showResp = false
		return nil
	}
	// Moving anywhere leaves the response view and the history position.
	m.insp.showResp = false
	if m.focus != focusInspector {
		m.insp.back, m.insp.pin, m.insp.pinned = 0, 0, false
	}
	switch m.focus {
	case focusPane:
		if p := m.focusedPane(); p != nil {
			return m.paneKey(p, msg)
		}
	case focusInspector:
		if m.insp.Key(msg, k) {
			m.holdInspector()
			return nil
		}
		switch {
		case key.Matches(msg, k.Search):
			m.holdInspector()
			return m.openPrompt(promptFind, "find> ", m.insp.query)
		case key.Matches(msg, k.NextMatch), key.Matches(msg, k.PrevMatch):
			m.findInPayload(m.insp.query, key.Matches(msg, k.NextMatch), true)
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
		v.MoveTo(v.NumRows() - 1)
	case key.Matches(msg, k.Expand):
		v.Expand()
	case key.Matches(msg, k.Collapse):
		v.Collapse()
	case key.Matches(msg, k.Toggle):
		v.Toggle()
	case key.Matches(msg, k.Sort):
		v.SetSort(v.Sort.Next())
		m.setFlash("sort by "+v.Sort.String(), false)
	case key.Matches(msg, k.Reverse):
		v.SetSort(v.Sort.Reverse())
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
		if v.Search(m.query, key.Matches(msg, k.NextMatch), true, now).IsZero() {
			m.setFlash(fmt.Sprintf("no subject contains %q", m.query), true)
		}
	}
	v.Refresh(now)
	return nil
}

// paneKey handles keys while a filter pane has focus.
func (m *Model) paneKey(p *model.Pane, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	m.insp.scroll = 0
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
		return m.offerPrompt(promptRename, "rename> ", model.Sanitize(p.Name))
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

// compile-time check that the model satisfies bubbletea's interface.
var _ tea.Model = (*Model)(nil)
