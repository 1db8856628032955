package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// paneBand draws the filter panes: tiles side by side, or tabs (one pane
// and a tab bar) when tiles would be too narrow to read; and the digits
// that mark in the tree which panes see a subject.
type paneBand struct {
	st    *Styles
	ex    *model.Explorer
	watch *watchState // the watched field's column, when one is watched
}

// style is pane i's colour, used for its title and its tree markers.
func (b paneBand) style(i int) int { return i % len(b.st.Panes) }

// markers returns the digits of the panes matching node n: bright when
// its own subject matches, dim when only something below it can.
func (b paneBand) markers(n model.Node) (string, int) {
	panes := b.ex.Panes()
	if len(panes) == 0 {
		return "", 0
	}
	subj := n.Subject() // built from the parents: once a row, not once a pane
	var sb strings.Builder
	w := 0
	for i, p := range panes {
		exact, below := p.Pattern.Covers(subj)
		digit := string(rune('1' + i)) // at most model.MaxPanes (9): one digit
		switch {
		case exact:
			sb.WriteString(b.st.Panes[b.style(i)].Bold(true).Render(digit))
		case below:
			sb.WriteString(b.st.Muted.Render(digit))
		default:
			continue
		}
		w++
	}
	return sb.String(), w
}

// pane renders pane i (focused: its title underlined, its selection
// bright): a title with its counters, then the rows.
func (b paneBand) pane(i int, focused bool, w, h int) []string {
	p := b.ex.Panes()[i]
	st := b.st
	now := b.ex.Now().UnixNano()
	title := fmt.Sprintf("%d %s", i+1, model.Sanitize(p.Name))
	if p.Name != p.Pattern.String() {
		title += st.Muted.Render(" " + model.Sanitize(p.Pattern.String()))
	}
	ts := st.Panes[b.style(i)].Bold(true)
	if focused {
		ts = ts.Underline(true)
	}
	info := fmt.Sprintf(" %s msgs %s/s", model.HumanCount(p.Msgs), model.HumanRate(p.Rate(now, max(p.Opened, b.ex.Tree().Since()))))
	spark := make([]float64, 8)
	p.Spark(now, spark)
	line := st.Muted.Render(info) + " " + st.Spark.Render(sparkline(spark))
	if p.Paused {
		paused := fmt.Sprintf("⏸ paused +%d", p.PausedNew)
		if p.PausedLost > 0 {
			paused += fmt.Sprintf(" (%s not kept: pane full)", model.HumanCount(p.PausedLost))
		}
		line += " " + st.Warn.Render(paused)
	}
	if u := p.Unseen(); u > 0 {
		line += " " + st.Accent.Render(fmt.Sprintf("↓%d new", u))
	}
	if b.watch != nil && b.watch.on() {
		// What the column before the preview shows.
		line += " " + st.Accent.Render("watch "+model.Sanitize(b.watch.field.String()))
	}
	if p.Evicted > 0 {
		line += " " + st.Muted.Render("evicted "+model.HumanCount(p.Evicted))
	}
	if p.Misses > 0 {
		// Messages the condition could not decide: not matches, but the
		// user should know the condition reads a field some lack.
		line += " " + st.Warn.Render(fmt.Sprintf("missed %s (%s)", model.HumanCount(p.Misses), model.Sanitize(p.LastMiss)))
	}
	if p.Deliveries > 0 {
		// Which of the msgs a consumer delivered: the server delivers a
		// stored message under its own subject, so a pane on a stream's
		// subjects takes it again at each delivery, and this tells the
		// publishes apart. After the pane's state (paused, new, misses),
		// which a narrow title keeps first.
		word := " deliveries"
		if p.Deliveries == 1 {
			word = " delivery"
		}
		line += st.Muted.Render(" · " + model.HumanCount(p.Deliveries) + word)
		if p.Redeliveries > 0 {
			line += " " + st.Warn.Render(model.HumanCount(p.Redeliveries)+" redelivered")
		}
	}
	if p.Where != nil {
		// The condition takes what the counters leave, at least a few
		// words: a long expression must not push the counts (and the
		// misses) off the line.
		cond := " where " + model.Sanitize(p.Where.String())
		room := max(w-ansi.StringWidth(title)-ansi.StringWidth(line), 16)
		title += st.Muted.Render(fitCut(cond, room))
	}
	line = ts.Render(title) + line
	lines := []string{fit(line, w)}
	if e := b.ex.Status().FilterErrors[p.Pattern.String()]; e != "" {
		lines = append(lines, st.Bad.Render(fit(model.Sanitize(e), w)))
	}
	from, to, sel := p.Window()
	subjects := make([]string, 0, to-from)
	for j := from; j < to; j++ {
		subjects = append(subjects, model.Sanitize(p.At(j).Subject))
	}
	subjW := subjectWidth(subjects, w)
	watchW := 0
	if b.watch != nil && b.watch.on() {
		watchW = watchColumn(w)
	}
	for j := from; j < to; j++ {
		msg := p.At(j)
		ts := time.Unix(0, msg.Received).Format("15:04:05.000")
		subj := fitSubject(subjects[j-from], subjW)
		size := fitLeft(model.HumanBytes(uint64(msg.Size)), colPaneSize)
		gap := ""
		if n := p.GapBefore(j); n > 0 {
			// Where a pause lost messages: the list is not continuous
			// here. In the preview's column, so the columns stay aligned.
			gap = fmt.Sprintf("⋯%s lost⋯ ", model.HumanCount(n))
		}
		val := ""
		if watchW > 0 {
			// The watched field, right-aligned as numbers read; sanitized
			// and cut to a rune when kept (model.WatchValueOf).
			val = fitLeft(b.watch.cell(msg), watchW) + " "
		}
		room := max(w-colPaneTime-subjW-colPaneSize-3-ansi.StringWidth(gap)-ansi.StringWidth(val), 0)
		// A JetStream delivery says so before its payload (jsdelivery.go),
		// leaving the preview its few cells while it can.
		dlv, dlvStyled := deliveryMark(st, msg.Reply, max(room-minRowPreview, min(room, minDeliveryMark)))
		preview := model.Preview(msg.Data, room-ansi.StringWidth(dlv))
		var row string
		switch plain := ts + " " + subj + " " + size + " " + val + gap + dlv + preview; {
		case j == sel && focused:
			row = st.Selected.Render(fit(plain, w))
		case j == sel:
			row = st.SelectedBlur.Render(fit(plain, w))
		default:
			row = st.Muted.Render(ts) + " " + st.Value.Render(subj) + " " + st.Muted.Render(size) + " " + styled(st.Accent, val) + st.Warn.Render(gap) + dlvStyled + preview
		}
		lines = append(lines, fit(row, w))
	}
	if p.Len() == 0 {
		lines = append(lines, st.Muted.Render("  waiting for "+model.Sanitize(p.Spec())+" …"))
	}
	return block(lines, w, h)
}

// styled renders s in st, and nothing when s is empty (a column that is
// off adds no escape codes to the row).
func styled(st lipgloss.Style, s string) string {
	if s == "" {
		return ""
	}
	return st.Render(s)
}

// A pane's rows are columns: the receive time, the subject padded to the
// widest on screen, the size right-aligned, then the preview in what is
// left; the rows read down as a table, not as a ragged list.
const (
	colPaneTime = len("15:04:05.000")
	// colPaneSize holds the widest HumanBytes short of EiB ("1023 KiB"),
	// so the column does not move with the sizes on screen.
	colPaneSize = len("1023 KiB")
)

// subjectWidth is the subject column of a pane w cells wide: the widest
// subject on screen, at most two thirds of what the time and the size
// leave, so a long subject leaves the preview a third.
func subjectWidth(subjects []string, w int) int {
	widest := 0
	for _, s := range subjects {
		widest = max(widest, ansi.StringWidth(s))
	}
	return min(widest, max((w-colPaneTime-colPaneSize-3)*2/3, 1))
}

// fitCut truncates s to at most w cells, without padding.
func fitCut(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// fitSubject pads s to w cells, or cuts it from the left: the last tokens
// are what tell apart the subjects one pattern matches.
func fitSubject(s string, w int) string {
	if sw := ansi.StringWidth(s); sw > w {
		s = ansi.TruncateLeft(s, sw-w+1, "…")
	}
	return fit(s, w)
}

// View lays the panes out at w×h. cur is the pane shown in tab mode and
// focused the pane with focus (-1: none).
func (b paneBand) View(w, h, cur, focused int) []string {
	n := len(b.ex.Panes())
	if n == 0 {
		return block(nil, w, h)
	}
	if b.tabs(w) {
		var tabs []string
		for i, p := range b.ex.Panes() {
			label := fmt.Sprintf(" %d %s ", i+1, model.Sanitize(p.Name))
			if i == cur {
				tabs = append(tabs, b.st.Selected.Render(label))
			} else {
				tabs = append(tabs, b.st.Panes[b.style(i)].Render(label))
			}
		}
		out := []string{fit(strings.Join(tabs, b.st.Border.Render("│")), w)}
		return append(out, b.pane(cur, cur == focused, w, h-1)...)
	}
	widths := tileWidths(w, n)
	cols := make([][]string, n)
	for i := range b.ex.Panes() {
		cols[i] = b.pane(i, i == focused, widths[i], h)
	}
	sep := b.st.Border.Render("│")
	out := make([]string, h)
	for r := range out {
		parts := make([]string, n)
		for i := range cols {
			parts[i] = cols[i][r]
		}
		out[r] = strings.Join(parts, sep)
	}
	return out
}

// SetSize sets each pane's list height for a band of w×h, as View lays
// it out: tabs take a line, a refused filter's error takes one under the
// title.
func (b paneBand) SetSize(w, h int) {
	if b.tabs(w) {
		h--
	}
	for _, p := range b.ex.Panes() {
		rows := h - 1 // the title
		if b.ex.Status().FilterErrors[p.Pattern.String()] != "" {
			rows--
		}
		p.SetHeight(rows)
	}
}

// tabs reports whether panes are shown as tabs at width w.
func (b paneBand) tabs(w int) bool {
	n := len(b.ex.Panes())
	return n > 1 && (w-(n-1))/n < minTileWidth
}

// minTileWidth is the narrowest readable tile: time, subject, size, some
// preview.
const minTileWidth = 40

// tileWidths splits w (minus separators) over n tiles.
func tileWidths(w, n int) []int {
	avail := w - (n - 1)
	out := make([]int, n)
	for i := range out {
		out[i] = avail / n
		if i < avail%n {
			out[i]++
		}
	}
	return out
}
