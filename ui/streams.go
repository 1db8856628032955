package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// StreamLister lists the server's JetStream streams and a stream's
// consumers (engine.JetStream). The streams view asks it once on opening
// and then every StreamsRefresh while it stays open, one listing at a
// time: the streams, or the consumers of the stream whose board is open.
type StreamLister interface {
	Summaries(ctx context.Context) ([]model.StreamSummary, error)
	ConsumerSummaries(ctx context.Context, stream string) ([]model.ConsumerSummary, error)
	// Page reads one page of a stream's messages for the stream browser
	// (on demand, never on the tick).
	Page(ctx context.Context, stream string, q model.PageQuery) (model.StreamPage, error)
	// SubjectCounts counts what stream holds under each of rows (the
	// live tree's stored marks, stored.go), for the rows on screen only.
	SubjectCounts(ctx context.Context, stream, filter string, rows []string) (model.StoredCounts, error)
	// Keys lists up to max keys of a KV bucket matching filter (empty:
	// all); cut says there were more.
	Keys(ctx context.Context, bucket, filter string, max int) (keys []string, cut bool, err error)
	// WatchKeys follows a bucket's changes live until Stop.
	WatchKeys(ctx context.Context, bucket string) (model.KeyWatch, error)
}

// streamsPage is what the streams view shows: the list of streams, one
// stream's consumers board or its messages.
type streamsPage int

const (
	pageList streamsPage = iota
	pageConsumers
	pageMessages
	pageKeys // a KV bucket's keys (kv.go)
)

// StreamsRefresh is how long the streams view waits between listings.
const StreamsRefresh = 3 * time.Second

// streamsTimeout bounds one listing.
const streamsTimeout = 10 * time.Second

// streamsListedMsg is a listing's result; tag ties it to the view's
// opening that asked (a result for an earlier opening is dropped).
type streamsListedMsg struct {
	tag  int
	rows []model.StreamSummary
	err  error
}

// streamsTickMsg asks for the next listing of the opening tag.
type streamsTickMsg struct{ tag int }

// streamsView is the streams view: every stream with its subjects, size,
// age and shape, refreshed while it is open.
type streamsView struct {
	st     *Styles
	domain string // the JetStream domain asked, named in the title
	rows   []model.StreamSummary
	err    string
	sort   model.StreamSort
	sel    int
	top    int
	loaded bool
	// tag counts the openings; listing is true while a listing of the
	// current one runs, so there is never more than one.
	tag     int
	listing bool
	// page is the list or a stream's consumers board (cons).
	page   streamsPage
	cons   consumersView
	browse browseView
	kv     kvView
	// trends is each stream's message count over the listings, drawn
	// where the terminal is wide enough (streamTrendMinW).
	trends model.StreamTrends
}

// streamTrendW is the width of the message count's sparkline, shown from
// streamTrendMinW columns on (80 columns keep the notes instead).
const (
	streamTrendW    = 10
	streamTrendMinW = 120
)

// openStreams shows the streams view and starts listing.
func (m *Model) openStreams() tea.Cmd {
	m.mode = modeStreams
	v := &m.streams
	v.tag++
	v.page, v.cons = pageList, consumersView{}
	if m.opts.Streams == nil {
		v.err, v.loaded = "JetStream not available here: natsx open plays a capture", true
		return nil
	}
	v.listing = true
	return listStreams(m.opts.Streams, v.tag)
}

// listStreams asks lister for the streams off the UI's goroutine.
// timed runs f off the UI's goroutine with a context that ends after d:
// how every question to the server is asked.
func timed(d time.Duration, f func(context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return f(ctx)
	}
}

func listStreams(lister StreamLister, tag int) tea.Cmd {
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		rows, err := lister.Summaries(ctx)
		return streamsListedMsg{tag: tag, rows: rows, err: err}
	})
}

// streamsListed takes a listing and, while the view is open, asks for the
// next one after StreamsRefresh.
func (m *Model) streamsListed(msg streamsListedMsg) tea.Cmd {
	v := &m.streams
	if msg.tag != v.tag || v.page != pageList {
		return nil // for an earlier opening
	}
	v.listing, v.loaded = false, true
	if msg.err != nil {
		v.err = msg.err.Error()
	} else {
		v.err, v.rows = "", msg.rows
		v.trends.Update(msg.rows)
		m.stored.setStreams(msg.rows) // the tree's marks follow the same listing
		model.SortStreams(v.rows, v.sort)
	}
	if m.mode != modeStreams {
		return nil
	}
	tag := v.tag
	return streamsTickIn(StreamsRefresh, tag)
}

// streamsTick starts the next listing if the view is still open.
func (m *Model) streamsTick(msg streamsTickMsg) tea.Cmd {
	v := &m.streams
	if msg.tag != v.tag || m.mode != modeStreams || m.opts.Streams == nil {
		return nil
	}
	if v.page == pageMessages {
		return m.followTicked(msg.tag) // only while following the end
	}
	if v.listing || v.page == pageKeys { // the keys have their own tick (kv.go)
		return nil
	}
	v.listing = true
	if v.page == pageConsumers && v.cons.board != nil {
		return listConsumers(m.opts.Streams, v.tag, v.cons.board.Stream)
	}
	return listStreams(m.opts.Streams, v.tag)
}

// closeStreams goes back to the tree; the pending refresh is for this
// opening, so it is dropped.
func (m *Model) closeStreams() {
	v := &m.streams
	m.mode = modeBrowse
	v.tag++
	v.listing = false
	v.page, v.cons = pageList, consumersView{}
	m.dropKV()
	v.dropBrowse()
}

// streamsKey handles a key while the streams view is open.
func (m *Model) streamsKey(msg tea.KeyPressMsg) tea.Cmd {
	k, v := m.keys, &m.streams
	if m.confirm.asking() {
		return m.confirmKey(msg) // y runs the action, anything else cancels
	}
	if m.prompt.kind != promptNone {
		return m.promptInput(msg) // the browser's jump or filter prompt
	}
	switch v.page {
	case pageConsumers:
		return m.consumersKey(msg)
	case pageMessages:
		return m.browseStreamKey(msg)
	case pageKeys:
		return m.kvKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Back), key.Matches(msg, k.Streams):
		m.closeStreams()
	case key.Matches(msg, k.Consumers):
		return m.openConsumers()
	case key.Matches(msg, k.StreamBrowse):
		if v.sel >= 0 && v.sel < len(v.rows) && m.opts.Streams != nil {
			return m.openBrowse(v.rows[v.sel].Name, "")
		}
	case key.Matches(msg, k.KVKeys):
		return m.openKV()
	case k.isMove(msg):
		v.sel, _ = k.moveBy(msg, v.sel, 10, len(v.rows)-1)
	case boundTo(msg, k.StreamPurge):
		return m.streamAction(msg)
	case key.Matches(msg, k.Sort):
		v.sort = v.sort.Next()
		model.SortStreams(v.rows, v.sort)
		m.setFlash("streams by "+v.sort.String(), false)
	}
	return nil
}

// streamsHelp is the footer's hint while the view is open, for its page.
func (k KeyMap) streamsHelp(page streamsPage) []key.Binding {
	switch page {
	case pageConsumers:
		return k.consumersHelp()
	case pageMessages:
		return nil // the browser's hint is the model's (browseHelp)
	case pageKeys:
		return k.kvHelp()
	}
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/jk", "move"))
	sort := hint(k.Sort, "sort")
	back := hint(k.Back, "back")
	cons := hint(k.Consumers, "consumers")
	browse := hint(k.StreamBrowse, "messages")
	keys := hint(k.KVKeys, "keys")
	return []key.Binding{move, cons, browse, keys, sort, hint(k.StreamPurge, "purge"), back, k.Quit}
}

// streamColumn is one column of the table: a title, a width and how a row
// fills it (plain text; the view sanitizes and fits it).
type streamColumn struct {
	title string
	w     int
	right bool
	cell  func(r *model.StreamSummary, now time.Time) string
}

// streamColumns are the fixed-width columns after NAME and SUBJECTS.
var streamColumns = []streamColumn{
	{"MSGS", 7, true, func(r *model.StreamSummary, _ time.Time) string { return model.HumanCount(r.Messages) }},
	{"BYTES", 9, true, func(r *model.StreamSummary, _ time.Time) string { return model.HumanBytes(r.Bytes) }},
	{"FIRST", 5, true, func(r *model.StreamSummary, now time.Time) string { return model.Age(r.FirstTime, now) }},
	{"LAST", 5, true, func(r *model.StreamSummary, now time.Time) string { return model.Age(r.LastTime, now) }},
	{"CONS", 4, true, func(r *model.StreamSummary, _ time.Time) string { return strconv.Itoa(r.Consumers) }},
	{"RETENTION", 9, false, func(r *model.StreamSummary, _ time.Time) string { return r.Retention }},
	{"STORE", 6, false, func(r *model.StreamSummary, _ time.Time) string { return r.Storage }},
	{"R", 1, true, func(r *model.StreamSummary, _ time.Time) string { return strconv.Itoa(r.Replicas) }},
	{"LEADER / NOTES", 0, false, func(r *model.StreamSummary, _ time.Time) string {
		return strings.Trim(r.Leader+" "+r.Note, " ")
	}},
}

// View draws the view w x h at now (stream ages are relative to it).
func (v *streamsView) View(w, h int, now time.Time) []string {
	switch v.page {
	case pageConsumers:
		return v.cons.View(w, h, now)
	case pageKeys:
		return v.kv.View(w, h)
	}
	st := v.st
	title := st.Title.Render("JetStream streams")
	if v.domain != "" {
		title += st.Title.Render(" · domain " + model.Sanitize(v.domain))
	}
	switch {
	case !v.loaded:
		title += st.Muted.Render("  listing…")
	case v.err == "":
		title += st.Muted.Render(fmt.Sprintf("  %d, by %s, every %s", len(v.rows), v.sort, StreamsRefresh))
	}
	lines := []string{title}
	if v.err != "" {
		// One line, whatever the server said.
		lines = append(lines, st.Bad.Render(model.Sanitize(firstLine(v.err))))
		return block(lines, w, h)
	}
	if v.loaded && len(v.rows) == 0 {
		lines = append(lines, st.Muted.Render("no streams"))
		return block(lines, w, h)
	}
	// NAME and SUBJECTS take what their longest need, up to a bound;
	// SUBJECTS gives way to the notes (a lagging mirror matters more than
	// the end of a subject list), which take the rest.
	nameW, subjNeed, noteNeed := 4, 8, 0
	for i := range v.rows {
		r := &v.rows[i]
		nameW = max(nameW, min(ansi.StringWidth(model.Sanitize(r.Name)), 24))
		subjNeed = max(subjNeed, ansi.StringWidth(model.Sanitize(strings.Join(r.Subjects, ","))))
		noteNeed = max(noteNeed, ansi.StringWidth(model.Sanitize(strings.Trim(r.Leader+" "+r.Note, " "))))
	}
	fixed, trendW := 0, 0
	for _, c := range streamColumns {
		fixed += c.w + 1
	}
	if w >= streamTrendMinW {
		trendW = streamTrendW
		fixed += trendW + 1
	}
	free := w - nameW - 1 - fixed
	subjW := max(min(subjNeed, free-min(noteNeed, 32)), min(free, 12), 8)
	row := func(name, subjects, trend string, cells []string) string {
		var b strings.Builder
		b.WriteString(fit(name, nameW))
		b.WriteByte(' ')
		b.WriteString(fit(subjects, subjW))
		for i, c := range streamColumns {
			b.WriteByte(' ')
			switch {
			case c.w == 0:
				if trendW > 0 {
					b.WriteString(fit(trend, trendW) + " ")
				}
				b.WriteString(cells[i])
			case c.right:
				b.WriteString(fitLeft(cells[i], c.w))
			default:
				b.WriteString(fit(cells[i], c.w))
			}
		}
		return b.String()
	}
	titles := make([]string, len(streamColumns))
	for i, c := range streamColumns {
		titles[i] = c.title
	}
	lines = append(lines, st.Muted.Render(fit(row("NAME", "SUBJECTS", "MSGS TREND", titles), w)))
	body := max(h-len(lines), 1)
	cells := make([]string, len(streamColumns))
	for i := v.top; i < len(v.rows) && i < v.top+body; i++ {
		r := &v.rows[i]
		for j, c := range streamColumns {
			cells[j] = model.Sanitize(c.cell(r, now))
		}
		trend := ""
		if trendW > 0 {
			trend = countSpark(lastN(v.trends.Trend(r.Name), trendW))
		}
		line := fit(row(model.Sanitize(r.Name), model.Sanitize(strings.Join(r.Subjects, ",")), trend, cells), w)
		if i == v.sel {
			line = st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	return block(lines, w, h)
}

// streamsChrome is the title and column lines above the rows.
const streamsChrome = 2

// SetHeight keeps the selected row within h lines of body (the rows
// scroll under the title and the column line); Update calls it, so View
// only reads.
func (v *streamsView) SetHeight(h int) {
	v.cons.SetHeight(h)
	v.kv.SetHeight(h)
	rows := max(h-streamsChrome, 1)
	v.sel, v.top = keepInView(v.sel, v.top, rows, len(v.rows))
}

// keepInView clamps the selection sel to the n items and scrolls top so
// that it is among the rows shown, without leaving rows empty at the end.
func keepInView(sel, top, rows, n int) (int, int) {
	sel = min(max(sel, 0), max(n-1, 0))
	if sel < top {
		top = sel
	}
	if sel >= top+rows {
		top = sel - rows + 1
	}
	return sel, max(min(top, n-rows), 0)
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// countSpark draws a message count's trend from its lowest value in the
// window to its highest, so a stream growing by a fraction of a percent
// still shows its slope (sparkline's scale from zero would draw it flat);
// the lowest value is the lowest block, and a steady count a flat line of
// them.
func countSpark(vals []float64) string {
	if len(vals) == 0 {
		return ""
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	if hi == lo {
		return strings.Repeat(string(sparkRunes[0]), len(vals))
	}
	span := hi - lo
	shifted := make([]float64, len(vals))
	for i, v := range vals {
		shifted[i] = v - lo + span/64 // the lowest still draws ▁, not a blank
	}
	return sparklineOn(shifted, span)
}
