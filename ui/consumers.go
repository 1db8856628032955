package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// consumersListedMsg is a consumer listing's result for the opening tag.
type consumersListedMsg struct {
	tag    int
	stream string
	rows   []model.ConsumerSummary
	err    error
}

// consumersView is the consumers board of one stream: every consumer's
// numbers, their trend over the refreshes and what they say holds it
// back. It lives in the streams view (enter on a stream; esc goes back)
// and refreshes on the streams view's tick.
type consumersView struct {
	st     *Styles
	board  *model.ConsumerBoard
	err    string
	sel    int
	top    int
	loaded bool
}

// openConsumers shows the consumers board of the selected stream and
// starts listing its consumers.
func (m *Model) openConsumers() tea.Cmd {
	v := &m.streams
	if v.sel < 0 || v.sel >= len(v.rows) || m.opts.Streams == nil {
		return nil
	}
	name := v.rows[v.sel].Name
	v.page = pageConsumers
	v.cons = consumersView{st: v.st, board: model.NewConsumerBoard(name)}
	v.tag++ // the list's pending refresh is dropped; this page has its own
	v.listing = true
	return listConsumers(m.opts.Streams, v.tag, name)
}

// closeConsumers goes back to the streams list and lists the streams again.
func (m *Model) closeConsumers() tea.Cmd {
	v := &m.streams
	v.page, v.cons = pageList, consumersView{}
	v.dropBrowse()
	v.tag++
	v.listing = true
	return listStreams(m.opts.Streams, v.tag)
}

// listConsumers asks lister for stream's consumers off the UI's goroutine.
func listConsumers(lister StreamLister, tag int, stream string) tea.Cmd {
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		rows, err := lister.ConsumerSummaries(ctx, stream)
		return consumersListedMsg{tag: tag, stream: stream, rows: rows, err: err}
	})
}

// consumersListed takes a listing and arms the next refresh while the
// board stays open.
func (m *Model) consumersListed(msg consumersListedMsg) tea.Cmd {
	v := &m.streams
	c := &v.cons
	if msg.tag != v.tag || v.page != pageConsumers || c.board == nil || msg.stream != c.board.Stream {
		return nil // for an earlier opening
	}
	v.listing, c.loaded = false, true
	if msg.err != nil {
		c.err = msg.err.Error()
	} else {
		c.err = ""
		c.board.Update(msg.rows)
	}
	if m.mode != modeStreams {
		return nil
	}
	tag := v.tag
	return streamsTickIn(StreamsRefresh, tag)
}

// consumersKey handles a key while the board is open.
func (m *Model) consumersKey(msg tea.KeyPressMsg) tea.Cmd {
	k, c := m.keys, &m.streams.cons
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Back):
		return m.closeConsumers()
	case key.Matches(msg, k.Streams):
		m.closeStreams()
	case key.Matches(msg, k.StreamBrowse):
		if c.board != nil {
			return m.openBrowse(c.board.Stream, "")
		}
	case k.isMove(msg):
		c.sel, _ = k.moveBy(msg, c.sel, 10, len(c.rows())-1)
	}
	return nil
}

// consumersHelp is the footer's hint while the board is open.
func (k KeyMap) consumersHelp() []key.Binding {
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/jk", "move"))
	back := hint(k.Back, "streams")
	closeAll := hint(k.Streams, "close")
	browse := hint(k.StreamBrowse, "messages")
	return []key.Binding{move, browse, back, closeAll, k.Quit}
}

func (c *consumersView) rows() []model.ConsumerSummary {
	if c.board == nil {
		return nil
	}
	return c.board.Rows
}

// consumersChrome is the title, the column line above the rows and the
// two lines about the selected consumer below them.
const consumersChrome = 4

// SetHeight keeps the selection within the rows that fit in h lines.
func (c *consumersView) SetHeight(h int) {
	n := len(c.rows())
	rows := max(h-consumersChrome, 1)
	c.sel, c.top = keepInView(c.sel, c.top, rows, n)
}

// consumerColumn is one fixed column of the board.
type consumerColumn struct {
	title string
	w     int
	cell  func(r *model.ConsumerSummary, now time.Time) string
}

// consumerColumns are the numbers, right-aligned, after NAME and KIND.
// The ages are how long ago the consumer last delivered and last had an
// ack ("-": never).
var consumerColumns = []consumerColumn{
	{"PENDING", 7, func(r *model.ConsumerSummary, _ time.Time) string { return model.HumanCount(r.Pending) }},
	{"ACKPEND", 7, func(r *model.ConsumerSummary, _ time.Time) string {
		if r.AckNone {
			return "-"
		}
		return model.HumanCount(uint64(r.AckPending))
	}},
	{"REDELIV", 7, func(r *model.ConsumerSummary, _ time.Time) string { return model.HumanCount(uint64(r.Redelivered)) }},
	{"WAIT", 4, func(r *model.ConsumerSummary, _ time.Time) string {
		if !r.Pull {
			return "-"
		}
		return strconv.Itoa(r.Waiting)
	}},
	{"DELIV", 5, func(r *model.ConsumerSummary, now time.Time) string { return model.Age(r.LastDelivered, now) }},
	{"ACKED", 5, func(r *model.ConsumerSummary, now time.Time) string { return model.Age(r.LastAcked, now) }},
}

// consumerSpark is the width of each trend column (the last refreshes),
// shown when the board is wide enough for them beside the diagnosis.
const consumerSpark = 12

// View draws the board w x h at now.
func (c *consumersView) View(w, h int, now time.Time) []string {
	st := c.st
	name := ""
	if c.board != nil {
		name = model.Sanitize(c.board.Stream)
	}
	title := st.Title.Render(name + " · consumers")
	switch {
	case !c.loaded:
		title += st.Muted.Render("  listing…")
	case c.err == "":
		title += st.Muted.Render(fmt.Sprintf("  %d, every %s", len(c.rows()), StreamsRefresh))
	}
	lines := []string{title}
	if c.err != "" {
		lines = append(lines, st.Bad.Render(model.Sanitize(firstLine(c.err))))
		return block(lines, w, h)
	}
	rows := c.rows()
	if c.loaded && len(rows) == 0 {
		lines = append(lines, st.Muted.Render("no consumers on this stream"))
		return block(lines, w, h)
	}
	nameW := 4
	for i := range rows {
		nameW = max(nameW, min(ansi.StringWidth(model.Sanitize(rows[i].Name)), 20))
	}
	fixed := nameW + 5 // name and KIND
	for _, col := range consumerColumns {
		fixed += col.w + 1
	}
	sparks := w-fixed >= 2*(consumerSpark+1)+30 // room for both trends and a diagnosis
	line := func(name, kind string, cells []string, pend, ack, diag string) string {
		var b strings.Builder
		b.WriteString(fit(name, nameW))
		b.WriteByte(' ')
		b.WriteString(fit(kind, 4))
		for i, col := range consumerColumns {
			b.WriteByte(' ')
			b.WriteString(fitLeft(cells[i], col.w))
		}
		if sparks {
			b.WriteByte(' ')
			b.WriteString(fit(pend, consumerSpark))
			b.WriteByte(' ')
			b.WriteString(fit(ack, consumerSpark))
		}
		b.WriteByte(' ')
		b.WriteString(diag)
		return b.String()
	}
	titles := make([]string, len(consumerColumns))
	for i, col := range consumerColumns {
		titles[i] = col.title
	}
	lines = append(lines, st.Muted.Render(fit(line("NAME", "KIND", titles, "PENDING ~", "ACKPEND ~", "DIAGNOSIS"), w)))
	body := max(h-consumersChrome, 1)
	cells := make([]string, len(consumerColumns))
	for i := c.top; i < len(rows) && i < c.top+body; i++ {
		r := &rows[i]
		for j, col := range consumerColumns {
			cells[j] = col.cell(r, now)
		}
		var pend, ack string
		if sparks {
			p, a := c.board.Trend(r.Name)
			pend, ack = st.Spark.Render(sparkline(lastN(p, consumerSpark))), st.Spark.Render(sparkline(lastN(a, consumerSpark)))
		}
		diag := strings.Join(r.Diagnoses(now), "; ")
		if diag == "" {
			diag = st.Good.Render("ok")
		} else {
			diag = st.Warn.Render(model.Sanitize(diag))
		}
		l := fit(line(model.Sanitize(r.Name), r.Kind(), cells, pend, ack, diag), w)
		if i == c.sel {
			l = st.Selected.Render(ansi.Strip(l))
		}
		lines = append(lines, l)
	}
	lines = block(lines, w, h-2)
	if c.sel < len(rows) {
		lines = append(lines, c.details(&rows[c.sel], w, now)...)
	}
	return block(lines, w, h)
}

// details are the two lines about the selected consumer under the rows:
// its shape, and every diagnosis whole (the column cuts them).
func (c *consumersView) details(r *model.ConsumerSummary, w int, now time.Time) []string {
	st := c.st
	shape := []string{r.Kind()}
	if r.Filter != "" {
		shape = append(shape, "filter "+r.Filter)
	}
	switch {
	case r.AckNone:
		shape = append(shape, "no acks")
	case r.MaxAckPending > 0:
		shape = append(shape, fmt.Sprintf("max ack pending %d", r.MaxAckPending))
	}
	if !r.Pull {
		if r.PushBound {
			shape = append(shape, "subscriber bound")
		} else {
			shape = append(shape, "no subscriber")
		}
	}
	if r.Leader != "" {
		shape = append(shape, "leader "+r.Leader)
	}
	diag := r.Diagnoses(now)
	say := st.Good.Render("keeps up: nothing holds it back")
	if len(diag) > 0 {
		say = st.Warn.Render(model.Sanitize(strings.Join(diag, "; ")))
	}
	return []string{
		fit(st.Accent.Render(model.Sanitize(r.Name))+st.Muted.Render(" · "+model.Sanitize(strings.Join(shape, " · "))), w),
		fit(say, w),
	}
}

// lastN is the last n values of vals.
func lastN(vals []float64, n int) []float64 {
	return vals[max(len(vals)-n, 0):]
}
