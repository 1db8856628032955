package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// promptKind is what the footer prompt is asking for.
type promptKind int

const (
	promptNone promptKind = iota
	promptFilter
	promptRename
	promptCommand
	promptFind // search inside the inspector's payload
	promptSeek // a time to seek to (natsx open)
)

// prompt is the footer's one-line input for filters, renames and ":"
// commands. An invalid answer keeps it open with the reason beside it, and
// nothing else changes.
type prompt struct {
	kind  promptKind
	input textinput.Model
	err   string
}

func newPromptInput() textinput.Model {
	ti := textinput.New()
	ti.SetWidth(40)
	return ti
}

// openPrompt shows the prompt for kind with an initial value.
func (m *Model) openPrompt(kind promptKind, label, value string) tea.Cmd {
	m.prompt.kind = kind
	m.prompt.err = ""
	m.prompt.input.Prompt = label
	m.prompt.input.SetValue(value)
	m.prompt.input.CursorEnd()
	return m.prompt.input.Focus()
}

func (m *Model) closePrompt() {
	m.prompt.kind = promptNone
	m.prompt.err = ""
	m.prompt.input.Blur()
}

// promptKey handles a key while the prompt is open.
func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "ctrl+c":
		return tea.Quit
	case "esc":
		m.closePrompt()
		return nil
	case "enter":
		return m.submitPrompt()
	}
	var cmd tea.Cmd
	m.prompt.input, cmd = m.prompt.input.Update(msg)
	m.prompt.err = ""
	return cmd
}

// submitPrompt acts on the answer; errors keep the prompt open.
func (m *Model) submitPrompt() tea.Cmd {
	v := strings.TrimSpace(m.prompt.input.Value())
	var cmd tea.Cmd
	var err error
	switch m.prompt.kind {
	case promptFilter:
		cmd, err = m.addPane(v)
	case promptRename:
		if p := m.focusedPane(); p != nil {
			if v == "" {
				v = p.Pattern.String()
			}
			p.Name = v
		}
	case promptCommand:
		cmd, err = m.runCommand(v)
	case promptFind:
		m.inspQuery = v
		m.findInPayload(v, true, false)
	case promptSeek:
		var off time.Duration
		if off, err = parseSeek(v, m.opts.Timeline.Status()); err == nil {
			cmd = m.timelineCmd("seek", func(t Timeline) (bool, error) { return t.SeekTo(off) })
		}
	}
	if err != nil {
		m.prompt.err = err.Error()
		return nil
	}
	m.closePrompt()
	return cmd
}

// runCommand runs a ":" command.
func (m *Model) runCommand(line string) (tea.Cmd, error) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "":
		return nil, nil
	case "q", "quit":
		return tea.Quit, nil
	case "f", "filter":
		return m.addPane(arg)
	case "save":
		return m.savePanesCmd(), nil
	case "load":
		return m.loadPanesCmd(true), nil
	case "rename":
		p := m.focusedPane()
		if p == nil {
			return nil, fmt.Errorf("rename: focus a pane first (tab)")
		}
		if arg == "" {
			arg = p.Pattern.String()
		}
		p.Name = arg
		return nil, nil
	case "close":
		if m.focusedPane() == nil {
			return nil, fmt.Errorf("close: focus a pane first (tab)")
		}
		return m.closePane(m.paneIdx), nil
	default:
		return nil, fmt.Errorf("unknown command %q (filter, rename, close, save, load, quit)", name)
	}
}

// promptView is the footer while the prompt is open.
func (m *Model) promptView(w int) string {
	in := m.prompt.input
	if m.prompt.err != "" {
		// The reason matters more than the field's padding: on an 80-column
		// terminal the padded field left room for a few words of it.
		in.SetWidth(ansi.StringWidth(in.Value()) + 1)
	}
	s := in.View()
	if m.prompt.err != "" {
		s += "  " + m.styles.Bad.Render("✗ "+model.Sanitize(m.prompt.err))
	} else if m.prompt.kind == promptSeek {
		s += "  " + m.styles.Muted.Render("1:23 • 90s • +10s • -1m • @15:04:05 • enter ok • esc cancel")
	} else {
		s += "  " + m.styles.Muted.Render("enter ok • esc cancel")
	}
	return fit(s, w)
}
