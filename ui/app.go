package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"natsx/model"
)

// Options configure the UI.
type Options struct {
	// Source is where messages come from.
	Source Source
	// Tree bounds the subject tree's memory.
	Tree model.TreeOptions
	// Start is when observation began.
	Start time.Time
	// BatchSize is the most messages applied per tick.
	BatchSize int
	// Filters open panes at start (--filter); they win over a saved set.
	Filters []string
	// PaneDepth is how many messages each pane keeps (default 10,000).
	PaneDepth int
	// StatePath is where :save and :load keep the pane set; empty disables.
	StatePath string
	// Mouse turns on click-to-focus and wheel scrolling (--mouse).
	Mouse bool
	// ReadOnly removes publish, request and edit (--read-only).
	ReadOnly bool
	// Recorder records (R), marks (m) and saves the flight recorder (F).
	Recorder *Recorder
	// Timeline is the capture player of `natsx open`: it turns on the
	// timeline line and keys (TimelineKeyMap).
	Timeline Timeline
}

// Model is natsx's root model. Update only dispatches; the panes render
// from the model's state at the size they are given.
type Model struct {
	opts   Options
	src    Source
	keys   KeyMap
	skeys  SearchKeys
	fkeys  FormKeys
	styles Styles
	help   help.Model

	// ex is what the traffic shows: tree, panes, rates, reply links.
	ex *model.Explorer

	tag       int
	idlePulls int // consecutive empty pulls, for the idle back-off
	cursor    uint64
	buf       []model.Message
	wall      time.Time // the wall clock as of the last pull (flash messages)
	// storeDropped counts messages the store dropped before the UI read them.
	storeDropped uint64

	width, height int
	showHelp      bool

	searching    bool
	search       textinput.Model
	query        string
	searchOrigin *model.Node

	flash      statusMsg
	flashUntil time.Time

	insp       inspectorCache
	inspScroll int
	inspFrom   focusKind // what the inspector shows: the tree's or a pane's selection
	inspBack   int       // history position: messages back from the newest
	inspPin    uint64    // Seq of the message stepped to, so arrivals don't shift it
	inspView   viewMode
	inspDiff   bool
	inspQuery  string
	showResp   bool
	reqResult  *requestResult
	form       publishForm
	rec        Recording
	recPath    string
	marks      int
	tl         model.TimelineStatus // the player, as of the last pull
	tlQueue    []timelineOp         // controls in key order; the first is running

	focus     focusKind
	paneIdx   int
	scopeSent bool
	prompt    prompt
}

// New returns the root model.
func New(o Options) *Model {
	if o.BatchSize <= 0 {
		o.BatchSize = 1 << 16
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Tree.MaxMemory <= 0 {
		o.Tree.MaxMemory = model.DefaultTreeOptions().MaxMemory
	}
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "subject contains…"
	ti.SetWidth(20)
	styles := DefaultStyles(true)
	h := help.New()
	h.Styles = styles.Help
	keys := DefaultKeyMap()
	if o.ReadOnly {
		keys = ReadOnlyKeyMap()
	}
	if o.Timeline != nil {
		keys = TimelineKeyMap(keys)
	}
	m := &Model{
		opts:   o,
		src:    o.Source,
		keys:   keys,
		skeys:  DefaultSearchKeys(),
		fkeys:  DefaultFormKeys(),
		styles: styles,
		help:   h,
		ex:     model.NewExplorer(model.ExplorerOptions{Tree: o.Tree, PaneDepth: o.PaneDepth}, o.Start),
		buf:    make([]model.Message, o.BatchSize),
		wall:   o.Start,
		search: ti,
		prompt: prompt{input: newPromptInput()},
		form:   newPublishForm(),
		width:  80,
		height: 24,
	}
	for _, f := range o.Filters {
		// main validated them; an invalid one here is skipped, not fatal.
		_, _ = m.addPane(f)
	}
	m.focus, m.inspFrom, m.paneIdx = focusTree, focusTree, 0
	return m
}

// Init starts pulling from the feed, asks the terminal for its background
// so the styles suit it, and restores the saved panes unless --filter named
// some.
func (m *Model) Init() tea.Cmd {
	// Pull at once: the first status ("connected") shows in the first frames.
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.pullCmd(0)}
	if len(m.opts.Filters) == 0 && m.opts.StatePath != "" {
		cmds = append(cmds, m.loadPanesCmd(false))
	}
	return tea.Batch(cmds...)
}

func (m *Model) pullCmd(d time.Duration) tea.Cmd {
	if m.src == nil {
		return nil
	}
	return pull(m.src, m.tag, m.cursor, m.buf, d)
}

// Update dispatches each message to its handler.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		m.styles = DefaultStyles(msg.IsDark())
		m.help.Styles = m.styles.Help
		m.insp = inspectorCache{} // cached lines carry the old styles
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		if m.form.open {
			return m, m.formInput(msg)
		}
		if m.prompt.kind != promptNone {
			var cmd tea.Cmd
			m.prompt.input, cmd = m.prompt.input.Update(msg)
			return m, cmd
		}
		if m.searching {
			return m, m.searchInput(msg)
		}
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case batchMsg:
		return m, m.applyBatch(msg)
	case statusMsg:
		m.setFlash(msg.text, msg.isErr)
	case scopeMsg:
		if msg.err != nil {
			m.setFlash(msg.err.Error(), true)
		}
	case panesLoadedMsg:
		return m, m.applyPaneSet(msg)
	case timelineMsg:
		return m, m.timelineDone(msg)
	case recordingStoppedMsg:
		if msg.err != nil {
			m.setFlash(fmt.Sprintf("record %s: %v", msg.path, msg.err), true)
		} else {
			m.setFlash(fmt.Sprintf("recorded %d messages to %s", msg.messages, msg.path), false)
		}
	case requestDoneMsg:
		m.reqResult, m.showResp = &msg, true
		m.inspScroll, m.inspBack = 0, 0
		if msg.err != "" {
			m.setFlash(msg.err, true)
		} else {
			m.setFlash(fmt.Sprintf("reply from %s in %s", model.Sanitize(msg.msg.Subject), msg.rtt.Round(time.Microsecond)), false)
		}
	}
	return m, nil
}

// applyBatch accounts a pulled batch and re-arms the pull: at once when the
// batch was full (a backlog), after the tick interval otherwise.
func (m *Model) applyBatch(b batchMsg) tea.Cmd {
	if b.tag != m.tag {
		return nil // a stale pull from before a reset
	}
	msgs := b.buf[:b.n]
	if m.opts.Timeline != nil {
		msgs = m.timelineBatch(msgs, b.missed > 0)
	}
	m.ingest(msgs, b.now, b.status)
	var cmd tea.Cmd
	if b.status.Scoped && !m.scopeSent {
		// The source just told us it is scoped: subscribe the panes.
		m.scopeSent = true
		cmd = m.syncScope()
	}
	if r := m.opts.Recorder; r != nil && r.Flight != nil && len(msgs) > 0 {
		r.Flight.Add(msgs)
	}
	// Drop references so payloads don't outlive the batch in the buffer.
	clear(b.buf[:b.n])
	m.storeDropped += b.missed
	m.cursor = b.next
	if b.n == len(b.buf) {
		return tea.Batch(cmd, m.pullCmd(0))
	}
	return tea.Batch(cmd, m.pullCmd(m.nextDelay(b.n)))
}

// nextDelay backs off when nothing arrives: after a second of empty pulls
// the UI pulls (and so redraws) 4 times a second, then twice, so an idle
// natsx costs almost nothing; the first message brings back 20 Hz.
func (m *Model) nextDelay(n int) time.Duration {
	if n > 0 || m.tl.Playing {
		// A playing timeline moves its playhead even between messages.
		m.idlePulls = 0
		return TickInterval
	}
	m.idlePulls++
	switch {
	case m.idlePulls < 20:
		return TickInterval
	case m.idlePulls < 40:
		return 250 * time.Millisecond
	default:
		return 500 * time.Millisecond
	}
}

// Apply accounts messages directly; the screenshot generator and tests
// use it to build a scene without a feed.
func (m *Model) Apply(msgs []model.Message, now time.Time, status model.SourceStatus) {
	if m.opts.Timeline != nil {
		m.tl = m.opts.Timeline.Status()
	}
	m.ingest(msgs, now, status)
}

// ingest accounts msgs through the explorer on the data's clock (the
// wall clock of the pull, or natsx open's playhead).
func (m *Model) ingest(msgs []model.Message, wall time.Time, status model.SourceStatus) {
	m.wall = wall
	m.ex.Apply(msgs, status, m.clock(wall))
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
	if m.showHelp {
		lines = append(lines, block(strings.Split(m.helpView(w), "\n"), w, bodyH)...)
	} else if m.form.open {
		lines = append(lines, m.formView(w, bodyH)...)
	} else {
		lines = append(lines, m.bodyView(w, bodyH)...)
	}
	if m.opts.Timeline != nil {
		lines = append(lines, m.timelineView(w))
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

// bodyView draws the regions computed by layout.
func (m *Model) bodyView(w, h int) []string {
	l := m.layout(w, h)
	tree := m.treeView(l.tree.w, l.tree.h)
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
	for _, group := range m.keys.FullHelp() {
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

func (m *Model) footerView(w int) string {
	if m.prompt.kind != promptNone {
		return m.promptView(w)
	}
	if m.searching {
		return fit(m.search.View()+"  "+m.help.ShortHelpView([]key.Binding{m.skeys.Accept, m.skeys.Cancel}), w)
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
	if m.form.open {
		// The tree's keys do nothing while the form has them.
		return fit(m.help.ShortHelpView([]key.Binding{m.fkeys.Next, m.fkeys.Send, m.fkeys.Cancel}), w)
	}
	return fit(m.help.ShortHelpView(m.keys.ShortHelp()), w)
}

func (m *Model) setFlash(text string, isErr bool) {
	m.flash = statusMsg{text: text, isErr: isErr}
	m.flashUntil = m.wall.Add(5 * time.Second)
}
