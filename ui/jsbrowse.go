package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// browsePage is how many messages one read of the stream browser asks
// for: a few screens, never the stream.
const browsePage = 100

// storedSeqBit marks the sequences the inspector is given for stored
// messages: the inspector keys its cache and position by Seq, and the
// reply tracker links live messages by the engine's Seq, which never
// reaches 2^63, so a stream sequence is never taken for a live message.
const storedSeqBit = 1 << 63

// place is where the selection goes on a page that arrives.
type place int

const (
	placeFirst place = iota
	placeLast
)

// pageReadMsg is a page's result; tag ties it to the read that asked.
type pageReadMsg struct {
	tag    int
	stream string
	q      model.PageQuery
	page   model.StreamPage
	err    error
	place  place
	// why is what is said when nothing is there; edge: that is the start
	// or the end of the stream, not a miss.
	why  string
	edge bool
	// follow: a read of the followed end (jsfollow.go).
	follow bool
}

// browseView is the stream browser: one page of a stream's messages,
// read on demand (never the stream), and the inspector borrowed for the
// selected one.
type browseView struct {
	st      *Styles
	stream  string
	filter  string
	page    model.StreamPage
	loaded  bool
	sel     int
	top     int
	rows    int // rows that fit, set in Update
	err     string
	reading bool
	tag     int
	// open: the inspector shows the selected message and has the keys;
	// saved is the main inspector's state while the browser borrows it.
	open  bool
	saved inspector
	// follow keeps the selection on the newest message, read again on the
	// tick (jsfollow.go); followRead: its read is the one running;
	// followLast: the next follow read takes the end, not what follows.
	follow, followRead, followLast bool
}

// openBrowse shows the stream browser on name from its newest messages,
// those on filter only when it is not empty (a KV key's history).
func (m *Model) openBrowse(name, filter string) tea.Cmd {
	v := &m.streams
	v.tag++ // no refresh while browsing: the page is read on demand
	v.listing = false
	v.page = pageMessages
	v.browse = browseView{st: v.st, stream: name, tag: v.browse.tag, filter: filter}
	return m.readPage(model.PageQuery{Last: true}, placeLast, "", false)
}

// closeBrowse goes back to the bucket's keys when it shows a key's
// history, otherwise to the streams list, listed again.
func (m *Model) closeBrowse() tea.Cmd {
	m.closeBrowseInspector()
	if m.streams.kv.bucket != "" {
		m.streams.page = pageKeys
		m.streams.dropBrowse()
		return nil
	}
	return m.closeConsumers() // the same way back: list page, a fresh listing
}

// dropBrowse lets the page go; the tag goes on counting, so a read still
// running for this opening is dropped by the next one.
func (v *streamsView) dropBrowse() {
	v.browse = browseView{st: v.st, tag: v.browse.tag}
}

// readPage asks for a page off the UI's goroutine, one read at a time,
// with the browser's filter.
func (m *Model) readPage(q model.PageQuery, at place, why string, edge bool) tea.Cmd {
	q.Filter = m.streams.browse.filter
	return m.readFiltered(q, at, why, edge)
}

// readFiltered is readPage with q's own filter: the browser takes it when
// the page arrives.
func (m *Model) readFiltered(q model.PageQuery, at place, why string, edge bool) tea.Cmd {
	b := &m.streams.browse
	if b.reading || m.opts.Streams == nil {
		return nil
	}
	q.Size = browsePage
	b.reading = true
	b.tag++
	lister, tag, stream := m.opts.Streams, b.tag, b.stream
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		page, err := lister.Page(ctx, stream, q)
		return pageReadMsg{tag: tag, stream: stream, q: q, page: page, err: err, place: at, why: why, edge: edge}
	})
}

// pageRead takes a page. An empty one leaves the page shown as it was and
// says why (the start or the end of the stream, nothing at that time).
func (m *Model) pageRead(msg pageReadMsg) {
	b := &m.streams.browse
	if msg.tag != b.tag || msg.stream != b.stream || m.streams.page != pageMessages {
		return // for an earlier read or opening
	}
	b.reading = false
	if msg.follow {
		m.followed(msg)
		return
	}
	if msg.err != nil {
		b.err = firstLine(msg.err.Error())
		return
	}
	b.err = ""
	if len(msg.page.Msgs) == 0 && b.loaded && len(b.page.Msgs) > 0 {
		// Nothing there: the page shown stays, and says why.
		why := msg.why
		if why == "" {
			why = "nothing there"
		}
		m.setFlash(why, !msg.edge)
		return
	}
	b.page, b.loaded, b.filter = msg.page, true, msg.q.Filter
	b.sel, b.top = 0, 0
	if msg.place == placeLast {
		b.sel = len(b.page.Msgs) - 1
	}
	m.pinBrowsed()
}

// browseKey handles a key while the stream browser is shown.
func (m *Model) browseStreamKey(msg tea.KeyPressMsg) tea.Cmd {
	k, b := m.keys, &m.streams.browse
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Streams):
		m.closeBrowseInspector()
		m.closeStreams()
		return nil
	case boundTo(msg, k.StreamPurge), boundTo(msg, k.StreamDelete):
		return m.streamAction(msg)
	case key.Matches(msg, k.StreamFollow):
		return m.toggleFollow()
	}
	if b.open {
		return m.browseInspectorKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return m.closeBrowse()
	case key.Matches(msg, k.Up):
		return m.moveBrowse(-1)
	case key.Matches(msg, k.Down):
		return m.moveBrowse(1)
	case key.Matches(msg, k.PageUp):
		return m.moveBrowse(-max(b.rows-1, 1))
	case key.Matches(msg, k.PageDown):
		return m.moveBrowse(max(b.rows-1, 1))
	case key.Matches(msg, k.Top):
		m.stopFollow()
		return m.readPage(model.PageQuery{}, placeFirst, "", false)
	case key.Matches(msg, k.Bottom):
		return m.readPage(model.PageQuery{Last: true}, placeLast, "", false)
	case key.Matches(msg, k.StreamJump):
		return m.streamsPrompt(promptStreamJump, "jump to> ", "1234 · @15:04 · -10m")
	case key.Matches(msg, k.StreamFilter):
		cmd := m.offerPrompt(promptStreamFilter, "subjects> ", b.filter)
		m.prompt.input.Placeholder = "orders.* (empty: all)"
		m.mode = modeStreams
		return cmd
	case key.Matches(msg, k.StreamInspect):
		if len(b.page.Msgs) > 0 {
			b.saved, b.open = m.insp, true
			m.insp = inspector{st: &m.styles, view: m.insp.view}
			m.pinBrowsed()
		}
	}
	return nil
}

// browseInspectorKey handles a key while the inspector shows a stored
// message: scroll, step, diff, view, copy; esc goes back to the list.
func (m *Model) browseInspectorKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.closeBrowseInspector()
	case key.Matches(msg, k.HistPrev):
		return m.moveBrowse(-1)
	case key.Matches(msg, k.HistNext):
		return m.moveBrowse(1)
	case key.Matches(msg, k.Diff):
		m.insp.toggleDiff()
	case key.Matches(msg, k.View):
		m.insp.nextView()
		m.setFlash("view: "+m.insp.view.String(), false)
	case key.Matches(msg, k.Copy), key.Matches(msg, k.CopySubject):
		return m.copyCmd(key.Matches(msg, k.CopySubject))
	default:
		m.insp.Key(msg, k)
	}
	return nil
}

// closeBrowseInspector gives the main inspector its state back.
func (m *Model) closeBrowseInspector() {
	b := &m.streams.browse
	if b.open {
		m.insp, b.open = b.saved, false
		b.saved = inspector{}
	}
}

// moveBrowse moves the selection by d rows; past the page's edge it reads
// the page before or after (the stream is never read whole).
func (m *Model) moveBrowse(d int) tea.Cmd {
	b := &m.streams.browse
	n := len(b.page.Msgs)
	if n == 0 {
		return nil
	}
	if d < 0 {
		m.stopFollow() // towards older messages: away from the end
	}
	to := b.sel + d
	switch {
	case to < 0 && b.sel == 0:
		return m.readPage(model.PageQuery{Before: b.page.Msgs[0].Seq}, placeLast, "the start of the stream", true)
	case to >= n && b.sel == n-1:
		return m.readPage(model.PageQuery{From: b.page.Msgs[n-1].Seq + 1}, placeFirst, "the end of the stream", true)
	}
	b.sel = min(max(to, 0), n-1)
	m.pinBrowsed()
	return nil
}

// pinBrowsed points the borrowed inspector at the selected message.
func (m *Model) pinBrowsed() {
	b := &m.streams.browse
	if !b.open || b.sel >= len(b.page.Msgs) {
		return
	}
	m.insp.pin, m.insp.pinned, m.insp.scroll = b.page.Msgs[b.sel].Seq|storedSeqBit, true, 0
}

// submitBrowsePrompt acts on the jump and filter prompts; an error keeps
// the prompt open with the reason.
func (m *Model) submitBrowsePrompt(kind promptKind, v string) (tea.Cmd, error) {
	b := &m.streams.browse
	if kind == promptStreamFilter {
		if v != "" {
			if _, err := model.ParsePattern(v); err != nil {
				return nil, err
			}
		}
		b.reading = false // a read still running is dropped by its tag
		return m.readFiltered(model.PageQuery{Last: true, Filter: v}, placeLast, "no message matches "+v, false), nil
	}
	seq, at, err := parseStreamJump(v, m.wall)
	if err != nil {
		return nil, err
	}
	m.stopFollow()
	b.reading = false
	if seq > 0 {
		return m.readPage(model.PageQuery{From: seq}, placeFirst, fmt.Sprintf("nothing stored at or after sequence %d", seq), false), nil
	}
	return m.readPage(model.PageQuery{At: at}, placeFirst, "nothing stored since "+at.Format("Jan 2 15:04:05"), false), nil
}

// parseStreamJump reads the jump prompt: a sequence (1234 or #1234), a
// time of day in the last 24 hours (@15:04, @15:04:05) or an age (-10m,
// -1h30m, -90s).
func parseStreamJump(s string, now time.Time) (seq uint64, at time.Time, err error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, time.Time{}, errors.New("type a sequence (1234), a time (@15:04) or an age (-10m)")
	case s[0] == '@':
		at, err = parseClock(s[1:], now.Add(-24*time.Hour))
		return 0, at, err
	case s[0] == '-':
		d, err := parseOffset(s[1:])
		if err != nil {
			return 0, time.Time{}, err
		}
		return 0, now.Add(-d), nil
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n == 0 || n >= storedSeqBit {
		return 0, time.Time{}, fmt.Errorf("%q: want a sequence (1234), a time (@15:04) or an age (-10m)", s)
	}
	return n, time.Time{}, nil
}

// storedTarget is the inspector's target while the stream browser shows
// a message: the page, its messages keyed by storedSeqBit|sequence.
func (m *Model) storedTarget() (inspectTarget, bool) {
	b := &m.streams.browse
	if m.mode != modeStreams || m.streams.page != pageMessages || !b.open || len(b.page.Msgs) == 0 {
		return inspectTarget{}, false
	}
	msgs := b.page.Msgs
	sel := msgs[min(b.sel, len(msgs)-1)]
	title := fmt.Sprintf("%s · sequence %d · stored %s", model.Sanitize(b.stream), sel.Seq, sel.Time().Format("2006-01-02 15:04:05.000"))
	return inspectTarget{
		title: []string{m.styles.Accent.Render(title)},
		n:     len(msgs),
		at: func(i int) model.Message {
			msg := msgs[i].Msg
			msg.Seq = msgs[i].Seq | storedSeqBit
			return msg
		},
		seq:   func(i int) uint64 { return msgs[i].Seq | storedSeqBit },
		where: "this page",
		key:   "stream " + b.stream,
	}, true
}

// browseLayout is where the list and the inspector go in the body.
func (m *Model) browseLayout(w, h int) (list, insp rect, wide bool) {
	b := &m.streams.browse
	if !b.open {
		return rect{0, headerLines, w, h}, rect{}, false
	}
	if w >= 160 { // beside the list only where both keep room for a payload
		lw := w * 45 / 100
		return rect{0, headerLines, lw, h}, rect{lw + 1, headerLines, w - lw - 1, h}, true
	}
	lh := min(max(h*30/100, 5), h) // a short terminal: the list, no room below
	return rect{0, headerLines, w, lh}, rect{0, headerLines + lh + 1, w, max(h-lh-1, 0)}, false
}

// browseChrome is the title and the column line above the rows.
const browseChrome = 2

// syncBrowse keeps the selection in view for the list's height (Update's
// side of the view).
func (m *Model) syncBrowse(w, h int) {
	b := &m.streams.browse
	list, _, _ := m.browseLayout(w, h)
	b.rows = max(list.h-browseChrome, 1)
	n := len(b.page.Msgs)
	b.sel, b.top = keepInView(b.sel, b.top, b.rows, n)
}

// browseBody draws the browser: the list, and the inspector beside or
// under it when a message is open.
func (m *Model) browseBody(w, h int) []string {
	b := &m.streams.browse
	list, insp, wide := m.browseLayout(w, h)
	rows := b.View(list.w, list.h, m.wall)
	if insp.h <= 0 || insp.w <= 0 {
		return block(rows, w, h)
	}
	right := m.inspectorView(insp.w, insp.h)
	if wide {
		sep := m.styles.Border.Render("│")
		out := make([]string, len(rows))
		for i := range rows {
			out[i] = rows[i] + sep + right[i]
		}
		return out
	}
	out := append(rows, m.styles.Border.Render(strings.Repeat("─", w)))
	return block(append(out, right...), w, h)
}

// View draws the list of the page w x h; ages and days are relative to now.
func (b *browseView) View(w, h int, now time.Time) []string {
	st := b.st
	title := st.Title.Render(model.Sanitize(b.stream) + " · messages")
	if b.follow { // before the counts: a long title is cut at its end
		title += st.Accent.Render(" · following")
	}
	p := &b.page
	if len(p.Msgs) > 0 {
		title += st.Muted.Render(fmt.Sprintf("  #%d-#%d · stream %d-%d, %s", p.Msgs[0].Seq, p.Msgs[len(p.Msgs)-1].Seq,
			p.FirstSeq, p.LastSeq, model.Plural(p.Total, "message", "messages")))
	}
	if b.filter != "" {
		title += st.Accent.Render(" · " + model.Sanitize(b.filter))
	}
	if b.reading {
		title += st.Muted.Render("  reading…")
	}
	lines := []string{title}
	if b.err != "" {
		lines = append(lines, st.Bad.Render(model.Sanitize(b.err)))
	}
	if b.loaded && len(p.Msgs) == 0 {
		what := "no messages in this stream"
		if b.filter != "" {
			what = "no message matches " + model.Sanitize(b.filter)
		}
		return block(append(lines, st.Muted.Render(what)), w, h)
	}
	seqW := max(len(strconv.FormatUint(p.LastSeq, 10)), 3)
	const timeW, sizeW = 14, 7
	subjW := 7
	for i := b.top; i < len(p.Msgs) && i < b.top+b.rows; i++ {
		subjW = max(subjW, ansi.StringWidth(model.Sanitize(p.Msgs[i].Msg.Subject)))
	}
	subjW = min(subjW, max((w-seqW-timeW-sizeW-4)*45/100, 7))
	prevW := max(w-seqW-timeW-subjW-sizeW-4, 0)
	row := func(seq, at, subj, size, preview string) string {
		return fitLeft(seq, seqW) + " " + fit(at, timeW) + " " + fit(subj, subjW) + " " + fitLeft(size, sizeW) + " " + preview
	}
	lines = append(lines, st.Muted.Render(fit(row("SEQ", "STORED", "SUBJECT", "SIZE", "PAYLOAD"), w)))
	for i := b.top; i < len(p.Msgs) && len(lines) < h; i++ {
		sm := &p.Msgs[i]
		at := sm.Time().Format("01-02 15:04:05")
		if y, mo, d := sm.Time().Date(); y == now.Year() && mo == now.Month() && d == now.Day() {
			at = sm.Time().Format("15:04:05.000")
		}
		preview := kvMarker(sm.Msg.Header)
		if preview == "" {
			preview = model.Preview(sm.Msg.Data, prevW)
		}
		l := fit(row(strconv.FormatUint(sm.Seq, 10), at, model.Sanitize(sm.Msg.Subject),
			model.HumanBytes(uint64(sm.Msg.Size)), preview), w)
		if i == b.sel {
			style := st.Selected
			if b.open {
				style = st.SelectedBlur
			}
			l = style.Render(l)
		}
		lines = append(lines, l)
	}
	return block(lines, w, h)
}

// browseHelp is the footer's hint while the browser is shown.
func (k KeyMap) browseHelp(open bool) []key.Binding {
	if open {
		hist := key.NewBinding(key.WithKeys(append(k.HistPrev.Keys(), k.HistNext.Keys()...)...),
			key.WithHelp(k.HistPrev.Help().Key+k.HistNext.Help().Key, "older/newer"))
		return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")), hist,
			hint(k.Diff, "diff"), hint(k.View, "view"), hint(k.Copy, "copy"), hint(k.Back, "list")}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "move")),
		key.NewBinding(key.WithKeys("g", "G"), key.WithHelp("g/G", "start/end")),
		hint(k.StreamJump, "jump"), hint(k.StreamFilter, "subjects"), hint(k.StreamInspect, "inspect"),
		hint(k.Back, "streams"), hint(k.StreamFollow, "follow"), hint(k.StreamDelete, "del"),
		hint(k.StreamPurge, "purge subj")}
}

// streamsBody draws the streams view's page.
func (m *Model) streamsBody(w, h int) []string {
	if m.streams.page == pageMessages {
		return m.browseBody(w, h)
	}
	return m.streams.View(w, h, m.wall)
}

// streamsHelp is the footer's hint for the streams view's page.
func (m *Model) streamsHelp() []key.Binding {
	k := m.actionKeys()
	if m.streams.page == pageMessages {
		h := k.browseHelp(m.streams.browse.open)
		if !m.streams.browse.open && m.streams.kv.bucket != "" {
			for i := range h {
				if h[i].Help().Key == k.Back.Help().Key {
					h[i].SetHelp(k.Back.Help().Key, "keys") // esc goes back to the bucket's keys
				}
			}
		}
		return h
	}
	return k.streamsHelp(m.streams.page)
}

// streamsInspectorRect is where the inspector is drawn in the streams
// view: beside or under the browser's list when a message is open, nowhere
// otherwise.
func (m *Model) streamsInspectorRect() rect {
	if m.streams.page != pageMessages {
		return rect{}
	}
	w, h := max(m.width, 20), max(m.height, 6)
	_, insp, _ := m.browseLayout(w, m.bodyHeight(headerLines, h))
	return insp
}
