package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// askTimeout bounds one question of the panel: the system account's
// answer joins several requests to every server of a cluster.
const askTimeout = 15 * time.Second

// panelKind is what the answer panel shows.
type panelKind int

const (
	panelWho     panelKind = iota // who gets this message (w)
	panelTrace                    // the path of a trace-only copy (T)
	panelServers                  // the servers natsx can see (:servers), refreshed
	panelConns                    // the account's connections (:conns), refreshed
)

// refreshes reports whether the panel asks again every ServersRefresh
// while it is open.
func (k panelKind) refreshes() bool { return k == panelServers || k == panelConns }

// panelAnsweredMsg is a question's answer; tag ties it to the panel's
// opening that asked (an answer for an earlier one is dropped).
type panelAnsweredMsg struct {
	tag     int
	who     *model.WhoResult
	trace   *model.TraceReport
	servers *model.ServersReport
	conns   *model.ConnsReport
	err     error
}

// panelTickMsg asks the servers view of opening tag for its next listing.
type panelTickMsg struct{ tag int }

// answerPanel shows an answer from the server in the body's place: who
// would receive a message on a subject (who.go), the path a traced copy
// took (trace.go), or the servers natsx can see (servers.go). It is a mode
// of its own rather than a part beside the tree: the tables need the
// width, and r, esc and the scroll keys then mean one thing.
type answerPanel struct {
	st   *Styles
	kind panelKind
	// msg is what is asked about: its subject, and for a trace its
	// headers and payload.
	msg model.Message
	// note says what the question means here (a branch without messages
	// of its own).
	note string

	// tag counts the openings; asking is true while a question (of any
	// opening) runs, so there is never more than one; want asks again
	// once it ends; ticking while this opening's refresh tick is armed
	// (r's answer arms none then: one refresh loop, however often r).
	tag     int
	asking  bool
	want    bool
	ticking bool
	// deliver makes the trace panel's next question publish the message
	// for real (D, confirmed); that one question only, so r traces a
	// copy again.
	deliver bool

	answered time.Time
	err      string
	who      *model.WhoResult
	trace    *model.TraceReport
	servers  *model.ServersReport
	conns    *model.ConnsReport
	// connSort orders the open connections (s, S).
	connSort model.ConnSort

	// lines is the answer laid out for width w (SetSize), dirty when it
	// must be laid out again.
	lines  []string
	w, top int
	rows   int
	dirty  bool
}

// openPanel asks about the selection: the tree's selected subject, or the
// message the pane or the inspector shows.
func (m *Model) openPanel(kind panelKind) tea.Cmd {
	var msg model.Message
	var note string
	if !kind.refreshes() {
		var ok bool
		if msg, note, ok = m.askTarget(); !ok {
			m.setFlash("nothing to ask about: select a subject or a message", true)
			return nil
		}
	}
	p := &m.panel
	p.kind, p.msg, p.note = kind, msg, note
	p.who, p.trace, p.servers, p.conns, p.err, p.answered, p.top = nil, nil, nil, nil, "", time.Time{}, 0
	p.tag++
	p.want, p.dirty, p.ticking, p.deliver = true, true, false, false
	m.mode = modePanel
	return m.askPanel()
}

// askTarget is what w and T ask about: on the tree the selected subject
// (traced with the message the inspector shows of it, if any), elsewhere
// the message the inspector shows. note says what asking means for a
// branch without messages of its own: its subject is asked as it is.
func (m *Model) askTarget() (msg model.Message, note string, ok bool) {
	if m.focus != focusTree {
		msg, ok = m.currentMessage()
		return msg, "", ok
	}
	n := m.ex.TreeView().Selected()
	if n.IsZero() || n.Removed() {
		return model.Message{}, "", false
	}
	subj := n.Subject()
	if cur, ok := m.currentMessage(); ok && cur.Subject == subj {
		msg = cur
	} else {
		msg = model.Message{Subject: subj}
	}
	if n.Own() == 0 && n.HasChildren() {
		note = fmt.Sprintf("no message was seen on %s itself: this asks about a message published on %s exactly; "+
			"select a subject below it for theirs", subj, subj)
	}
	return msg, note, true
}

// askPanel starts the panel's question unless one is running (it then
// starts when that one ends).
func (m *Model) askPanel() tea.Cmd {
	p := &m.panel
	if !p.want || p.asking {
		return nil
	}
	p.want = false
	tag, msg := p.tag, p.msg
	switch {
	case p.kind == panelWho && m.opts.Who != nil:
		asker := m.opts.Who
		p.asking = true
		return timed(askTimeout, func(ctx context.Context) tea.Msg {
			r, err := asker.Who(ctx, msg.Subject)
			return panelAnsweredMsg{tag: tag, who: r, err: err}
		})
	case p.kind == panelServers && m.opts.Servers != nil:
		lister := m.opts.Servers
		p.asking = true
		return timed(askTimeout, func(ctx context.Context) tea.Msg {
			r, err := lister.Servers(ctx)
			return panelAnsweredMsg{tag: tag, servers: r, err: err}
		})
	case p.kind == panelConns && m.opts.Conns != nil:
		lister := m.opts.Conns
		p.asking = true
		return timed(askTimeout, func(ctx context.Context) tea.Msg {
			r, err := lister.Connections(ctx)
			return panelAnsweredMsg{tag: tag, conns: r, err: err}
		})
	case p.kind == panelTrace && m.opts.Trace != nil:
		tracer := m.opts.Trace
		deliverer, deliver := tracer.(DeliverTracer)
		deliver = deliver && p.deliver
		p.asking, p.deliver = true, false
		return timed(askTimeout, func(ctx context.Context) tea.Msg {
			var r model.TraceReport
			var err error
			if deliver {
				r, err = deliverer.TraceDeliver(ctx, msg)
			} else {
				r, err = tracer.Trace(ctx, msg)
			}
			return panelAnsweredMsg{tag: tag, trace: &r, err: err}
		})
	}
	p.err, p.dirty = "not available here: natsx open plays a capture, there is no server to ask", true
	return nil
}

// panelAnswered takes an answer for the open panel and starts the question
// that waited for it, if any.
func (m *Model) panelAnswered(msg panelAnsweredMsg) tea.Cmd {
	p := &m.panel
	p.asking = false
	current := msg.tag == p.tag && m.mode == modePanel
	if current {
		p.answered, p.dirty = m.wall, true
		p.who, p.trace, p.servers, p.conns, p.err = nil, nil, nil, nil, ""
		if msg.err != nil {
			p.err = msg.err.Error()
		} else {
			p.who, p.trace, p.servers, p.conns = msg.who, msg.trace, msg.servers, msg.conns
		}
	}
	if m.mode != modePanel {
		return nil
	}
	if cmd := m.askPanel(); cmd != nil || !current || !p.kind.refreshes() || p.ticking {
		return cmd
	}
	// The servers and connections views refresh while open, one listing
	// at a time.
	p.ticking = true
	tag := p.tag
	return tea.Tick(ServersRefresh, func(time.Time) tea.Msg { return panelTickMsg{tag: tag} })
}

// panelTick starts the servers view's next listing if it is still open.
func (m *Model) panelTick(msg panelTickMsg) tea.Cmd {
	p := &m.panel
	if msg.tag != p.tag || m.mode != modePanel || !p.kind.refreshes() {
		return nil
	}
	p.ticking = false
	p.want = true
	return m.askPanel()
}

// panelKey handles a key while the panel is open.
func (m *Model) panelKey(msg tea.KeyPressMsg) tea.Cmd {
	k, p := m.keys, &m.panel
	if m.confirm.asking() {
		cmd := m.confirmKey(msg) // y publishes for real, anything else cancels
		if cmd == nil {
			m.setFlash("cancelled: nothing published", false)
		}
		return cmd
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case p.kind == panelTrace && key.Matches(msg, k.TraceDeliver):
		return m.askDeliver()
	case key.Matches(msg, k.Back):
		m.closePanel()
	case key.Matches(msg, k.Who), key.Matches(msg, k.Trace):
		kind := panelWho
		if key.Matches(msg, k.Trace) {
			kind = panelTrace
		}
		if kind == p.kind {
			m.closePanel()
			return nil
		}
		// The other question about the selection.
		return m.openPanel(kind)
	case key.Matches(msg, k.Again):
		if p.asking {
			m.setFlash("still asking…", false)
			return nil
		}
		p.want = true
		return m.askPanel()
	case p.kind == panelConns && key.Matches(msg, k.Sort):
		p.connSort, p.dirty = p.connSort.Next(), true
	case p.kind == panelConns && key.Matches(msg, k.Reverse):
		p.connSort, p.dirty = p.connSort.Reverse(), true
	case k.isMove(msg):
		p.top, _ = k.moveBy(msg, p.top, max(p.rows-1, 1), len(p.lines))
	}
	return nil
}

// closePanel goes back to browsing; a late answer is for an old opening.
func (m *Model) closePanel() {
	m.mode = modeBrowse
	m.panel.tag++
	m.panel.want = false
}

// panelHelp is the footer's hint while the panel of kind is open.
func (k KeyMap) panelHelp(kind panelKind) []key.Binding {
	scroll := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll"))
	other := key.NewBinding(key.WithKeys(append(k.Who.Keys(), k.Trace.Keys()...)...),
		key.WithHelp(k.Who.Help().Key+"/"+k.Trace.Help().Key, "who/trace"))
	back := hint(k.Back, "back")
	again := hint(k.Again, "ask again")
	if kind == panelConns {
		sort := key.NewBinding(key.WithKeys(append(k.Sort.Keys(), k.Reverse.Keys()...)...),
			key.WithHelp(k.Sort.Help().Key+"/"+k.Reverse.Help().Key, "sort/reverse"))
		return []key.Binding{scroll, sort, again, back, k.Quit}
	}
	if kind == panelTrace {
		deliver := hint(k.TraceDeliver, "deliver")
		return []key.Binding{scroll, again, deliver, other, back, k.Quit}
	}
	return []key.Binding{scroll, again, other, back, k.Quit}
}

// SetSize lays the answer out for width w and keeps the scroll within the
// h-1 lines under the title; Update calls it, so View only reads.
func (p *answerPanel) SetSize(w, h int) {
	if p.dirty || w != p.w {
		p.w, p.dirty = w, false
		p.lines = p.layout(w)
	}
	p.rows = max(h-1, 1)
	p.top = max(min(p.top, len(p.lines)-p.rows), 0)
}

// restyle lays the answer out again in new colours.
func (p *answerPanel) restyle() { p.dirty = true }

// layout is the answer as lines of width w at most (the title apart).
func (p *answerPanel) layout(w int) []string {
	st := p.st
	var out []string
	if p.note != "" {
		out = append(out, wrapStyled(st.Warn, model.Sanitize(p.note), w, "")...)
	}
	switch {
	case p.err != "":
		out = append(out, wrapStyled(st.Bad, model.Sanitize(firstLine(p.err)), w, "")...)
	case p.who != nil:
		out = append(out, p.whoLines(w)...)
	case p.trace != nil:
		out = append(out, p.traceLines(w)...)
	case p.servers != nil:
		out = append(out, p.serversLines(w)...)
	case p.conns != nil:
		out = append(out, p.connsLines(w)...)
	case p.asking || p.want:
		out = append(out, st.Muted.Render("asking the server…"))
	}
	return out
}

// table lays rows out in columns (the first row the titles, muted): each
// column as wide as its longest cell within its cap, the widest narrowed
// until a row fits w (one space between); columns from rightFrom on are
// right-aligned.
func table(st *Styles, rows [][]string, caps []int, rightFrom, w int) []string {
	widths := make([]int, len(rows[0]))
	for _, cells := range rows {
		for i, c := range cells {
			widths[i] = max(widths[i], min(ansi.StringWidth(c), caps[i]))
		}
	}
	total := len(widths) - 1
	for _, x := range widths {
		total += x
	}
	for ; total > w; total-- {
		widest := 0
		for i, x := range widths {
			if x > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= 4 {
			break // too narrow for the table: fit cuts the rows
		}
		widths[widest]--
	}
	out := make([]string, 0, len(rows))
	for r, cells := range rows {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(' ')
			}
			if i >= rightFrom {
				b.WriteString(fitLeft(c, widths[i]))
			} else {
				b.WriteString(fit(c, widths[i]))
			}
		}
		line := b.String()
		if r == 0 {
			line = st.Muted.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// limitLines say what an answer's source cannot see and why it may be
// partial (both from the wire: sanitized here).
func limitLines(st *Styles, blind string, problems []string, w int) []string {
	var out []string
	if blind != "" {
		out = append(out, wrapStyled(st.Muted, "cannot see: "+model.Sanitize(blind), w, "  ")...)
	}
	for _, pr := range problems {
		out = append(out, wrapStyled(st.Warn, "partial: "+model.Sanitize(pr), w, "  ")...)
	}
	return out
}

// wrapStyled wraps the sanitized text s at w cells (at spaces where it
// can), the lines after the first indented by indent, each line rendered
// in st.
func wrapStyled(st lipgloss.Style, s string, w int, indent string) []string {
	rows := strings.Split(ansi.Wrap(s, max(w-len(indent), 10), " "), "\n")
	for i, r := range rows {
		if i > 0 {
			r = indent + r
		}
		rows[i] = st.Render(r)
	}
	return rows
}

// View draws the panel w x h: a title with what was asked and when, then
// the answer from the scroll position.
func (p *answerPanel) View(w, h int) []string {
	st := p.st
	var title string
	switch p.kind {
	case panelWho:
		title = st.Title.Render("Who gets " + model.Sanitize(p.msg.Subject))
	case panelTrace:
		title = st.Title.Render("Trace of " + model.Sanitize(p.msg.Subject))
	case panelServers:
		title = st.Title.Render("Servers")
	case panelConns:
		title = st.Title.Render("Connections") + st.Muted.Render(" · sort "+p.connSort.String())
	}
	switch {
	case p.asking:
		title += st.Muted.Render("  asking…")
	case !p.answered.IsZero():
		about := "  at " + p.answered.Format("15:04:05")
		if p.kind.refreshes() {
			about += ", every " + ServersRefresh.String()
		}
		if p.kind == panelTrace && p.err == "" && p.trace != nil {
			about = "  trace only, nothing delivered or stored, at " + p.answered.Format("15:04:05")
			if !p.trace.TraceOnly {
				about = "  delivered for real, at " + p.answered.Format("15:04:05")
			}
		}
		title += st.Muted.Render(about)
	}
	lines := []string{title}
	end := min(p.top+max(h-1, 0), len(p.lines))
	lines = append(lines, p.lines[min(p.top, end):end]...)
	return block(lines, w, h)
}
