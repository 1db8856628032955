package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"natsx/model"
	"natsx/where"
)

// Options configure the UI.
type Options struct {
	// Source is where messages come from.
	Source Source
	// Tree bounds the subject tree's memory.
	Tree model.TreeOptions
	// Start is when observation began.
	Start time.Time
	// BatchSize is the most messages one pull reads (0: 65,536).
	BatchSize int
	// Budget is --max-memory as shared out over the process (cli's
	// SplitBudget): the header's mem adds up what each part holds against
	// its Total. Zero: the tree's budget, as mem then counts only the tree
	// and the panes (the screenshots and most tests).
	Budget model.Budget
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
	// Streams lists the server's JetStream streams for the streams view
	// (S); nil where there is no server to ask (a capture).
	Streams StreamLister
	// JetStreamDomain is the JetStream domain Streams asks, "" for the
	// account's own; the streams view's title names it.
	JetStreamDomain string
	// Who answers "who gets this" (w) and Trace traces a copy of a
	// message (T); nil where there is no server to ask (a capture).
	Who   WhoAsker
	Trace Tracer
	// Servers lists the servers for the servers view (:servers).
	Servers ServerLister
	// Conns lists the connections for the connections view (:conns).
	Conns ConnLister
	// Listeners checks who besides natsx listens on the active subjects,
	// to mark those whose messages went nowhere; nil: not checked.
	Listeners ListenerChecker
}

// Model is natsx's root model: it owns the parts and the explorer and
// dispatches. One mode value decides which part gets the keys and what is
// drawn on top (mode.go); the parts render at the size they are given and
// their sizes are set in Update (layout.go), so View only reads.
type Model struct {
	opts   Options
	src    Source
	keys   KeyMap
	styles Styles
	help   help.Model
	// helpScr is the help screen's scroll position.
	helpScr helpScreen
	// zoomed gives the focused part the whole body (z).
	zoomed bool

	// ex is what the traffic shows: tree, panes, rates, reply links.
	ex *model.Explorer

	idlePulls int // consecutive empty pulls, for the idle back-off
	cursor    uint64
	buf       []model.Message
	wall      time.Time // the wall clock as of the last pull (flash messages)
	// storeDropped counts messages the store dropped before the UI read them.
	storeDropped uint64

	width, height int
	mode          mode

	// The parts.
	prompt   prompt // the footer input, the subject search included
	insp     inspector
	form     publishForm
	timeline timelineControls
	tree     treePane
	band     paneBand // the filter panes
	streams  streamsView
	stored   storedState // the tree's stored marks (stored.go)
	panel    answerPanel // who gets a subject, a trace's path
	listen   listener    // subjects nobody but natsx listens on
	confirm  confirm     // the question before a JetStream action

	query        string     // the last subject search kept
	searchOrigin model.Node // where the search began (esc returns there)

	flash      statusMsg
	flashUntil time.Time

	bps  where.Breakpoints // b and :break
	stop *breakStop        // the display stopped at a breakpoint, nil when not

	watch watchState // W and :watch
	shape shapeState // the inspected subject's shape (v: shape)

	rec         Recording
	recPath     string
	recStarting bool   // a Cmd is opening the capture
	recStopping int    // Cmds finishing captures (q waits for them)
	recFailed   string // why the last recording ended by itself
	quitting    bool   // q while a recording was starting: finish it, then quit
	marks       int
	flight      flightState

	// midBatch: the last Update applied part of a batch and its next part
	// follows at once; frame is the last View and frameAt when it was
	// drawn (see View).
	midBatch bool
	frame    tea.View
	frameAt  time.Time

	focus     focusKind
	paneIdx   int
	scopeSent bool
}

// New returns the root model.
func New(o Options) *Model {
	if o.BatchSize <= 0 {
		o.BatchSize = 1 << 16
	}
	if o.Budget.Flight <= 0 {
		o.Budget.Flight = defaultFlightPending
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
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
		styles: styles,
		help:   h,
		ex:     model.NewExplorer(model.ExplorerOptions{Tree: o.Tree, PaneDepth: o.PaneDepth}, o.Start),
		buf:    make([]model.Message, o.BatchSize),
		wall:   o.Start,
		width:  80,
		height: 24,
	}
	// The parts draw with the root's styles, which follow the terminal.
	m.prompt = newPrompt(&m.styles, &m.help)
	m.insp = inspector{st: &m.styles, listen: &m.listen, shape: &m.shape}
	m.form = newPublishForm(&m.styles)
	m.timeline = timelineControls{tl: o.Timeline, st: &m.styles}
	m.band = paneBand{st: &m.styles, ex: m.ex, watch: &m.watch}
	m.streams = streamsView{st: &m.styles, domain: o.JetStreamDomain}
	m.panel = answerPanel{st: &m.styles}
	if o.Listeners != nil {
		m.listen.rec = model.NewListening(0)
	}
	m.tree = treePane{st: &m.styles, ex: m.ex, band: m.band, keys: &m.keys, listen: &m.listen, stored: &m.stored}
	for _, f := range o.Filters {
		// main validated them; an invalid one here is skipped, not fatal.
		_, _ = m.addPane(f)
	}
	m.setFocus(focusTree)
	m.paneIdx = 0
	m.layoutParts()
	return m
}

// Init starts pulling from the feed, asks the terminal for its background
// so the styles suit it, and restores the saved panes unless --filter named
// some.
func (m *Model) Init() tea.Cmd {
	// Pull at once: the first status ("connected") shows in the first frames.
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.pullCmd(0), m.storedStart()}
	if len(m.opts.Filters) == 0 && m.opts.StatePath != "" {
		cmds = append(cmds, m.loadPanesCmd(false))
	}
	if m.listen.rec != nil {
		cmds = append(cmds, listenTick())
	}
	return tea.Batch(cmds...)
}

// Update dispatches each message to its handler, then sizes the parts for
// whatever the message changed, so View has nothing left to set.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.midBatch = false // applyBatch says when more of a batch follows
	cmd := m.update(msg)
	if _, ok := msg.(batchMsg); ok && m.rec != nil {
		cmd = tea.Batch(cmd, m.checkRecording())
	}
	m.layoutParts()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		m.styles = DefaultStyles(msg.IsDark())
		m.help.Styles = m.styles.Help
		m.helpScr.lines = nil           // laid out in the old colours
		m.insp.cache = inspectorCache{} // cached lines carry the old styles
		m.panel.restyle()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.handlePaste(msg)
	case tea.MouseMsg:
		return m.routeMouse(msg)
	case batchMsg:
		return m.applyBatch(msg)
	case statusMsg:
		m.setFlash(msg.text, msg.isErr)
	case scopeMsg:
		if msg.err != nil {
			m.setFlash(msg.err.Error(), true)
		}
	case panesLoadedMsg:
		return m.applyPaneSet(msg)
	case timelineMsg:
		return m.timelineDone(msg)
	case recordingStartedMsg:
		return m.recordingStarted(msg)
	case flightSavedMsg:
		m.flightSaved(msg)
		return m.finishQuit()
	case recordingStoppedMsg:
		return m.recordingStopped(msg)
	case streamsListedMsg:
		return m.streamsListed(msg)
	case streamsTickMsg:
		return m.streamsTick(msg)
	case kvListedMsg:
		return m.kvListed(msg)
	case kvWatchMsg:
		return m.kvWatching(msg)
	case kvTickMsg:
		return m.kvTicked(msg)
	case storedTickMsg:
		return m.storedTick(msg)
	case storedListedMsg:
		return m.storedListed(msg)
	case storedCountedMsg:
		return m.storedCounted(msg)
	case panelAnsweredMsg:
		return m.panelAnswered(msg)
	case traceDeliverMsg:
		return m.traceDeliver(msg)
	case panelTickMsg:
		return m.panelTick(msg)
	case consumersListedMsg:
		return m.consumersListed(msg)
	case pageReadMsg:
		m.pageRead(msg)
	case listenTickMsg:
		return m.listenRound()
	case listenCheckedMsg:
		return m.listenChecked(msg)
	case subjectCountedMsg:
		m.subjectCounted(msg)
	case actionDoneMsg:
		return m.actionDone(msg)
	case requestDoneMsg:
		m.insp.resp, m.insp.showResp = &msg, true
		m.insp.scroll, m.insp.back = 0, 0
		if msg.err != "" {
			m.setFlash(msg.err, true)
		} else {
			m.setFlash(fmt.Sprintf("reply from %s in %s", model.Sanitize(msg.msg.Subject), model.HumanDuration(msg.rtt)), false)
		}
	}
	return nil
}
