package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// Column widths of the tree pane; narrow terminals drop the right-most
// optional columns first.
const (
	colMsgs  = 7
	colRate  = 8
	colBytes = 10
	colSpark = 11
	colAge   = 5
)

// treePane draws the subject tree with the panes' markers.
type treePane struct {
	st   *Styles
	ex   *model.Explorer
	band paneBand
	keys *KeyMap // for the key the scoped-mode hint names
	// listen marks the subjects nobody but natsx listened on (∅).
	listen *listener
	// stored marks the rows a JetStream stream keeps (stored.go).
	stored *storedState
}

// View renders the subject tree: a title with the column names, then only
// the rows on screen. focused marks the title when panes share the focus.
func (tp treePane) View(w, h int, focused bool) []string {
	st := tp.st
	v := tp.ex.TreeView()
	showBytes, showSpark := w >= 50, w >= 62
	nameW := w - colMsgs - colRate - colAge
	if showBytes {
		nameW -= colBytes
	}
	if showSpark {
		nameW -= colSpark
	}
	title := fmt.Sprintf("Subjects · sort %s", v.Sort)
	if v.ShowNoise {
		title += " · all"
	}
	if ansi.StringWidth(title)+2 > nameW {
		// Narrow: the sort and "all" say more than the word Subjects.
		title = strings.TrimPrefix(title, "Subjects · ")
	}
	title = tp.storedNote() + title
	if focused && len(tp.ex.Panes()) > 0 {
		title = "▶ " + title
	}
	cols := fitLeft("MSGS", colMsgs) + fitLeft("RATE/s", colRate)
	if showBytes {
		cols += fitLeft("BYTES", colBytes)
	}
	if showSpark {
		cols += fitLeft("LAST 10s", colSpark)
	}
	cols += fitLeft("AGE", colAge)
	lines := []string{st.PaneTitle.Render(fit(title, nameW)) + st.Muted.Render(cols)}

	rows, first := v.Window()
	now := tp.ex.Now().UnixNano()
	since := tp.ex.Tree().Since()
	// Every visible row's sparkline on one scale (see sparkTop).
	var sparks [][]float64
	var top float64
	if showSpark {
		sparks = make([][]float64, len(rows))
		flat := make([]float64, len(rows)*(colSpark-1))
		for i, n := range rows {
			sparks[i] = flat[i*(colSpark-1) : (i+1)*(colSpark-1)]
			n.Spark(now, sparks[i])
		}
		top = sparkTop(sparks...)
	}
	for i, n := range rows {
		marker := "  "
		if n.HasChildren() {
			marker = "▸ "
			if n.Expanded() {
				marker = "▾ "
			}
		}
		name := strings.Repeat("  ", n.Depth()) + marker + model.Sanitize(n.Name())
		stored, storedW := tp.storedSuffix(n, nameW, first+i == v.Cursor())
		nameW := nameW - storedW
		nameCol := fit(name, nameW)
		suffix, sw := "", 0
		if len(tp.ex.Panes()) > 0 {
			// Which panes see this node: digits after the name.
			if marks, mw := tp.band.markers(n); mw > 0 && nameW > mw+4 {
				suffix, sw = " "+marks, mw+1
			}
		}
		if tp.listen != nil && nameW > sw+6 {
			// Nobody but natsx listened at the latest check: its
			// messages went nowhere (muted: on a subject below).
			switch alone, below := tp.listen.mark(n); {
			case alone:
				suffix, sw = " "+tp.st.Warn.Render(noListenerMark)+suffix, sw+2
			case below:
				suffix, sw = " "+tp.st.Muted.Render(noListenerMark)+suffix, sw+2
			}
		}
		if sw > 0 {
			if first+i == v.Cursor() {
				// The selection's background spans the row: a styled
				// mark's reset would end it at the mark.
				suffix = ansi.Strip(suffix)
			}
			nameCol = fit(name, nameW-sw) + suffix
		}
		row := nameCol + stored +
			fitLeft(model.HumanCount(n.Msgs()), colMsgs) +
			fitLeft(model.HumanRate(n.Rate(now, since)), colRate)
		if showBytes {
			row += fitLeft(model.HumanBytes(n.Bytes()), colBytes)
		}
		sparkStr := ""
		if showSpark {
			sparkStr = " " + sparklineOn(sparks[i], top)
		}
		age := fitLeft(ageString(now-n.LastSeen()), colAge)
		switch {
		case first+i == v.Cursor():
			row = st.Selected.Render(fit(row+sparkStr+age, w))
		case showSpark:
			row += st.Spark.Render(sparkStr) + st.Muted.Render(age)
		default:
			row += st.Muted.Render(age)
		}
		lines = append(lines, row)
	}
	switch {
	case tp.ex.Status().Scoped && tp.ex.ScopeCount() == 0:
		// Scoped mode subscribes per filter pane: with none, nothing
		// will ever arrive, so say what brings traffic in.
		lines = append(lines, st.Warn.Render(fit(tp.scopedHint(), w)))
	case v.NumRows() == 0:
		lines = append(lines, st.Muted.Render("  waiting for messages…"))
	}
	return block(lines, w, h)
}

// scopedHint is the tree's line in scoped mode without a filter.
func (tp treePane) scopedHint() string {
	return fmt.Sprintf("  press %s to open a filter pane: scoped mode (--no-tap) subscribes per pane", tp.keys.Filter.Help().Key)
}

// noListenerMark marks a subject nobody but natsx listened on at its latest
// check, in the tree and the header.
const noListenerMark = "∅"

// ageString is a compact "last seen" age: 0s, 42s, 5m, 3h, 2d.
func ageString(d int64) string {
	s := d / 1e9
	switch {
	case d < 0:
		return "0s"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm", s/60)
	case s < 86400:
		return fmt.Sprintf("%dh", s/3600)
	default:
		return fmt.Sprintf("%dd", s/86400)
	}
}
