package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
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
	promptBreak // a breakpoint's PATTERN [where EXPR]
	promptWatch // a watched field's EXPR [on PATTERN]
	promptRename
	promptCommand
	promptFind   // search inside the inspector's payload
	promptSeek   // a time to seek to (natsx open)
	promptSearch // the subject search: every keystroke jumps to the first match
	// The stream browser's jump (a sequence or a time) and subject filter.
	promptStreamJump
	promptStreamFilter
	// A bucket's key filter and the value to put in its selected key;
	// a new key's name, then its value.
	promptKVFilter
	promptKVPut
	promptKVNewKey
	promptKVCreate
)

// prompt is the footer's one-line input for the subject search, filters,
// renames, finds, seeks and ":" commands: one input, so there is one way
// to type into the footer. An invalid answer keeps it open with the
// reason beside it, and nothing else changes.
type prompt struct {
	kind  promptKind
	input textinput.Model
	err   string
	keys  PromptKeys
	// search's keys say "keep match" where the others say "ok".
	search SearchKeys
	st     *Styles
	help   *help.Model
	// selected: the value is an offer shown selected (reversed), as a
	// GUI's text field selects its content: typing or pasting replaces
	// it, backspace clears it, a cursor key keeps it for editing, enter
	// takes it as it is.
	selected bool
	plain    textinput.Styles // the input's styles when nothing is selected
}

// promptEvent is what a key did to the prompt; the root acts on it.
type promptEvent int

const (
	promptEdited promptEvent = iota
	promptAccepted
	promptCanceled
	promptQuit
)

func newPrompt(st *Styles, h *help.Model) prompt {
	in := textinput.New()
	return prompt{input: in, plain: in.Styles(), keys: DefaultPromptKeys(), search: DefaultSearchKeys(), st: st, help: h}
}

func (p *prompt) selectAll(on bool) {
	p.selected = on
	st := p.plain
	if on {
		st.Focused.Text = st.Focused.Text.Reverse(true)
	}
	p.input.SetStyles(st)
}

// open shows the prompt for kind with a label and an initial value.
func (p *prompt) open(kind promptKind, label, value string) tea.Cmd {
	p.kind, p.err = kind, ""
	p.input.Prompt = label
	p.input.Placeholder = ""
	p.input.SetWidth(40)
	if kind == promptSearch {
		p.input.Placeholder = "subject contains…"
		p.input.SetWidth(20)
	}
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.selectAll(false)
	return p.input.Focus()
}

func (p *prompt) close() {
	p.kind, p.err = promptNone, ""
	p.input.Blur()
}

// Update takes a key or a paste: accept, cancel and quit are reported,
// anything else edits the answer (and clears a refusal's reason).
func (p *prompt) Update(msg tea.Msg) (promptEvent, tea.Cmd) {
	accept, cancel := p.keys.Accept, p.keys.Cancel
	if p.kind == promptSearch {
		accept, cancel = p.search.Accept, p.search.Cancel
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.keys.Quit):
			return promptQuit, nil
		case key.Matches(k, cancel):
			return promptCanceled, nil
		case key.Matches(k, accept):
			return promptAccepted, nil
		}
	}
	if p.selected {
		p.selectAll(false)
		switch k := msg.(type) {
		case tea.PasteMsg:
			p.input.SetValue("")
		case tea.KeyPressMsg:
			switch {
			case k.Code == tea.KeyBackspace || k.Code == tea.KeyDelete:
				p.input.SetValue("")
				p.err = ""
				return promptEdited, nil
			case k.Text != "":
				p.input.SetValue("")
			}
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	return promptEdited, cmd
}

// value is the answer as typed, trimmed.
func (p *prompt) value() string { return strings.TrimSpace(p.input.Value()) }

// View is the footer line while the prompt is open.
func (p *prompt) View(w int) string {
	in := p.input
	if p.kind == promptSearch {
		return fit(in.View()+"  "+p.help.ShortHelpView([]key.Binding{p.search.Accept, p.search.Cancel}), w)
	}
	if p.err != "" {
		// The reason matters more than the field: on an 80-column terminal
		// the padded field left room for a few words of it, and a long
		// answer (a filter's expression) for none. The answer shows cut
		// from the left, its end is where the reason points; the field
		// comes back with the next key, which clears the reason.
		reason := "  " + p.st.Bad.Render("✗ "+model.Sanitize(p.err))
		v := model.Sanitize(in.Value())
		room := max(w-ansi.StringWidth(in.Prompt)-ansi.StringWidth(reason), 12)
		if vw := ansi.StringWidth(v); vw > room {
			v = ansi.TruncateLeft(v, vw-room+1, "…")
		}
		return fit(in.Prompt+v+reason, w)
	}
	s := in.View()
	hint := fmt.Sprintf("%s %s • %s %s", p.keys.Accept.Help().Key, p.keys.Accept.Help().Desc,
		p.keys.Cancel.Help().Key, p.keys.Cancel.Help().Desc)
	switch {
	case p.kind == promptSeek:
		s += "  " + p.st.Muted.Render("1:23 • 90s • +10s • -1m • @15:04:05 • "+hint)
	default:
		s += "  " + p.st.Muted.Render(hint)
	}
	return fit(s, w)
}

// openPrompt shows the prompt for kind; the footer and the keys are the
// prompt's until it closes.
func (m *Model) openPrompt(kind promptKind, label, value string) tea.Cmd {
	m.mode = modePrompt
	return m.prompt.open(kind, label, value)
}

// streamsPrompt opens an empty prompt for kind over the streams view (its
// browser, its keys), with placeholder as its hint.
func (m *Model) streamsPrompt(kind promptKind, label, placeholder string) tea.Cmd {
	cmd := m.openPrompt(kind, label, "")
	m.prompt.input.Placeholder = placeholder
	m.mode = modeStreams // the prompt opens over the streams view
	return cmd
}

// offerPrompt is openPrompt with the value offered selected (see
// prompt.selected).
func (m *Model) offerPrompt(kind promptKind, label, value string) tea.Cmd {
	cmd := m.openPrompt(kind, label, value)
	m.prompt.selectAll(value != "")
	return cmd
}

// closePrompt hides the prompt; a command that opened a view (":streams")
// keeps its mode.
func (m *Model) closePrompt() {
	m.prompt.close()
	if m.mode == modePrompt {
		m.mode = modeBrowse
	}
}

// promptInput routes a key or a paste to the prompt and acts on the result.
func (m *Model) promptInput(msg tea.Msg) tea.Cmd {
	ev, cmd := m.prompt.Update(msg)
	switch ev {
	case promptQuit:
		return m.quit()
	case promptCanceled:
		if m.prompt.kind == promptSearch {
			m.cancelSearch()
		}
		m.closePrompt()
		return nil
	case promptAccepted:
		return m.submitPrompt()
	}
	if m.prompt.kind == promptSearch {
		m.searchEdited()
	}
	return cmd
}

// submitPrompt acts on the answer; errors keep the prompt open.
func (m *Model) submitPrompt() tea.Cmd {
	v, kind := m.prompt.value(), m.prompt.kind
	var cmd tea.Cmd
	var err error
	switch kind {
	case promptSearch:
		// The query as typed: a search for " x" is not a search for "x".
		m.query = m.prompt.input.Value()
	case promptFilter:
		cmd, err = m.addPane(v)
	case promptBreak:
		cmd, err = m.addBreak(v)
	case promptWatch:
		cmd, err = m.watchCommand(v)
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
		m.insp.query = v
		m.findInPayload(v, true, false)
	case promptStreamJump, promptStreamFilter:
		cmd, err = m.submitBrowsePrompt(m.prompt.kind, v)
	case promptKVFilter, promptKVPut, promptKVNewKey, promptKVCreate:
		cmd, err = m.submitKVPrompt(m.prompt.kind, m.prompt.input.Value())
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
	if m.prompt.kind != kind {
		return cmd // the answer opened the next question (a new key's value)
	}
	m.closePrompt()
	return cmd
}

// startSearch opens the subject search from any focus: it searches the
// tree, so the tree takes focus.
func (m *Model) startSearch() tea.Cmd {
	m.setFocus(focusTree)
	m.searchOrigin = m.ex.TreeView().Selected()
	return m.openPrompt(promptSearch, "/", "")
}

// searchEdited jumps to the first subject containing what is typed.
func (m *Model) searchEdited() {
	q := m.prompt.input.Value()
	if q != "" && m.ex.TreeView().Search(q, true, false, m.ex.Now().UnixNano()).IsZero() {
		m.setFlash(fmt.Sprintf("no subject contains %q", q), true)
	} else {
		m.flash = statusMsg{}
	}
}

// cancelSearch returns to where the search began.
func (m *Model) cancelSearch() {
	if o := m.searchOrigin; !o.IsZero() && !o.Removed() {
		m.ex.TreeView().Reveal(o, m.ex.Now().UnixNano())
	}
}

// runCommand runs a ":" command.
func (m *Model) runCommand(line string) (tea.Cmd, error) {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "":
		return nil, nil
	case "q", "quit":
		return m.quit(), nil
	case "f", "filter":
		return m.addPane(arg)
	case "b", "break":
		return m.breakCommand(arg)
	case "watch":
		return m.watchCommand(arg)
	case "streams", "js":
		return m.openStreams(), nil
	case "servers":
		return m.openPanel(panelServers), nil
	case "conns", "connections":
		return m.openPanel(panelConns), nil
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
		// :close N closes the pane titled N; :close alone the focused one.
		if arg == "" {
			if m.focusedPane() == nil {
				return nil, fmt.Errorf("close: focus a pane first (tab), or :close N")
			}
			return m.closePane(m.paneIdx), nil
		}
		n, err := strconv.Atoi(arg)
		switch {
		case err != nil:
			return nil, fmt.Errorf("close: %q is not a pane number", arg)
		case len(m.ex.Panes()) == 0:
			return nil, fmt.Errorf("close: there is no pane %d (no panes open)", n)
		case n < 1 || n > len(m.ex.Panes()):
			return nil, fmt.Errorf("close: there is no pane %d (panes 1-%d)", n, len(m.ex.Panes()))
		}
		return m.closePane(n - 1), nil
	default:
		return nil, fmt.Errorf("unknown command %q (filter, break, watch, rename, close, save, load, streams, servers, conns, quit)", name)
	}
}
