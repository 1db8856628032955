package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
	"natsx/where"
)

// watchState is the watched field (W, :watch): an expression read with
// the where package's lazy JSON access (".lat", ".pos[0]"), the subjects
// it is read on, their recent values, and the panes' column for the rows
// on screen. The field is read only on messages whose subject the scope
// matches, never on every message the tree counts.
type watchState struct {
	field  *where.Filter // nil: nothing is watched
	scope  model.Pattern
	series *model.WatchSeries
	// cells are the column's values of the pane rows on screen, read in
	// Update (syncWatchCells) so that View only looks them up.
	cells map[watchCell]string
}

// watchCell names one kept message (the same one in two panes shares it).
type watchCell struct {
	subject  string
	seq      uint64
	received int64
}

// maxWatchCells bounds the column's cache: it is emptied past this and
// filled again with what is on screen (at most 9 panes of one screen).
const maxWatchCells = 4096

// on reports whether a field is watched.
func (w *watchState) on() bool { return w.field != nil }

// label is the watch as typed: ".lat on gps.*".
func (w *watchState) label() string {
	return w.field.String() + " on " + w.scope.String()
}

// memory is what the series hold against the budget.
func (w *watchState) memory() int64 {
	if !w.on() {
		return 0
	}
	return w.series.MemoryUsed()
}

// watchKey is W: watch a field of the message the inspector shows (the
// prompt offers its first number), or stop watching.
func (m *Model) watchKey() tea.Cmd {
	if m.watch.on() {
		m.stopWatch()
		return nil
	}
	msg, ok := m.currentMessage()
	if !ok {
		m.setFlash("no message to watch: select a subject with messages", true)
		return nil
	}
	field := suggestField(msg.Data)
	if field == "" {
		m.setFlash("the message is not a JSON object: type :watch EXPR on PATTERN", true)
		return nil
	}
	return m.offerPrompt(promptWatch, "watch> ", field+" on "+msg.Subject)
}

// watchCommand is :watch EXPR [on PATTERN], :watch off, and :watch alone
// (what is watched).
func (m *Model) watchCommand(arg string) (tea.Cmd, error) {
	switch arg {
	case "":
		if !m.watch.on() {
			return nil, errors.New("watch: nothing watched (:watch .field [on PATTERN], or W on a message)")
		}
		m.setFlash("watching "+m.watch.label(), false)
		return nil, nil
	case "off":
		if !m.watch.on() {
			return nil, errors.New("watch: nothing watched")
		}
		m.stopWatch()
		return nil, nil
	}
	src, pat, hasOn := arg, "", false
	if i := strings.LastIndex(arg, " on "); i >= 0 {
		if p := strings.TrimSpace(arg[i+4:]); p != "" && !strings.ContainsAny(p, " \t") {
			src, pat, hasOn = arg[:i], p, true
		}
	}
	if !hasOn {
		msg, ok := m.currentMessage()
		if !ok {
			return nil, errors.New("watch: on which subjects? add \"on PATTERN\"")
		}
		pat = msg.Subject
	}
	scope, err := model.ParsePattern(pat)
	if err != nil {
		return nil, fmt.Errorf("watch on: %w", err)
	}
	f, err := where.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	m.watch = watchState{field: f, scope: scope, series: model.NewWatchSeries(0, 0), cells: map[watchCell]string{}}
	m.setFlash("watching "+model.Sanitize(m.watch.label())+" (W or :watch off to stop)", false)
	return nil, nil
}

// reset forgets the values and keeps watching (a rewind).
func (w *watchState) reset() {
	if w.on() {
		w.series, w.cells = model.NewWatchSeries(0, 0), map[watchCell]string{}
	}
}

// stopWatch forgets the field, its values and its column.
func (m *Model) stopWatch() {
	m.setFlash("stopped watching "+model.Sanitize(m.watch.label()), false)
	m.watch = watchState{}
	m.ex.Reserve(0)
}

// suggestField is the field W offers for a payload: its first top-level
// number as the payload writes it, else its first field; "" when it is not
// a JSON object. Names that are not identifiers are offered as
// payload["…"].
func suggestField(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	first := ""
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		var raw json.RawMessage
		if err != nil || !ok || dec.Decode(&raw) != nil {
			break
		}
		if first == "" {
			first = name
		}
		if c := raw[0]; c == '-' || c >= '0' && c <= '9' {
			first = name
			break
		}
	}
	switch {
	case first == "":
		return ""
	case isIdent(first):
		return "." + first
	}
	return "payload[" + strconv.Quote(first) + "]"
}

// isIdent reports whether s can follow a dot in an expression.
func isIdent(s string) bool {
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return s != ""
}

// watchAdd reads the watched field on the messages of a batch whose
// subject the watch's scope matches, and keeps the values.
func (m *Model) watchAdd(msgs []model.Message) {
	w := &m.watch
	if !w.on() {
		return
	}
	for i := range msgs {
		msg := &msgs[i]
		if !w.scope.Match(msg.Subject) {
			continue
		}
		v, err := w.field.Value(msg)
		if err != nil {
			w.series.Miss(msg.Subject)
			continue
		}
		w.series.Add(msg.Subject, model.WatchValueOf(v))
	}
	// The series hold memory as the panes do: the tree keeps less of its
	// own for them.
	m.ex.Reserve(w.memory())
}

// syncWatchCells reads the watched field of the pane rows on screen that
// the column has no value for yet.
func (m *Model) syncWatchCells() {
	w := &m.watch
	if !w.on() {
		return
	}
	if len(w.cells) > maxWatchCells {
		clear(w.cells)
	}
	for _, p := range m.ex.Panes() {
		from, to, _ := p.Window()
		for j := from; j < to; j++ {
			msg := p.At(j)
			if !w.scope.Match(msg.Subject) {
				continue
			}
			k := watchCell{msg.Subject, msg.Seq, msg.Received}
			if _, ok := w.cells[k]; ok {
				continue
			}
			v, err := w.field.Value(msg)
			if err != nil {
				w.cells[k] = "–"
				continue
			}
			w.cells[k] = model.WatchValueOf(v).String()
		}
	}
}

// cell is the column's value for msg ("" when it is not on the watched
// subjects or not read yet).
func (w *watchState) cell(msg *model.Message) string {
	if !w.on() {
		return ""
	}
	return w.cells[watchCell{msg.Subject, msg.Seq, msg.Received}]
}

// watchColumn is the width of the panes' watch column in a pane w wide.
func watchColumn(w int) int { return min(12, max(w/8, 4)) }

// watchLines are the inspector's lines for the watched field on subject:
// a chart of its recent numbers with min, max and last, or its last
// distinct texts. compact gives one line.
func (m *Model) watchLines(subject string, w int, compact bool) []string {
	wt := &m.watch
	if !wt.on() {
		return nil
	}
	st := m.styles
	label := "watch " + model.Sanitize(wt.field.String()) + " "
	if !wt.scope.Match(subject) {
		return []string{fit(st.Muted.Render(label+"· on "+model.Sanitize(wt.scope.String())+", not this subject"), w)}
	}
	s := wt.series.Get(subject)
	if s == nil || s.Len() == 0 {
		note := "· no value yet"
		if s != nil && s.Misses > 0 {
			note = fmt.Sprintf("· %d messages without it", s.Misses)
		}
		return []string{fit(st.Muted.Render(label+note), w)}
	}
	last := s.At(s.Len() - 1)
	misses := ""
	if s.Misses > 0 {
		misses = fmt.Sprintf(" · %d without it", s.Misses)
	}
	if !last.Numeric {
		vals := strings.Join(s.Distinct(8), " ")
		line := st.Muted.Render(label) + st.Value.Render(vals)
		if compact {
			return []string{fit(line, w)}
		}
		return []string{fit(line, w), fit(st.Muted.Render(fmt.Sprintf("last distinct, newest first · %d values%s", s.Len(), misses)), w)}
	}
	nums := s.Numbers(make([]float64, 0, s.Len()))
	lo, hi := slices.Min(nums), slices.Max(nums)
	stats := fmt.Sprintf("min %s · max %s · last %s", num(lo), num(hi), last.String())
	room := max(w-ansi.StringWidth(label)-1, 1)
	if compact {
		room = max(room-ansi.StringWidth(stats)-1, 1)
	}
	chart := st.Spark.Render(valueSpark(nums[max(len(nums)-room, 0):]))
	if compact {
		return []string{fit(st.Muted.Render(label)+chart+" "+st.Value.Render(stats), w)}
	}
	return []string{fit(st.Muted.Render(label)+chart, w),
		fit(st.Value.Render(stats)+st.Muted.Render(fmt.Sprintf(" · %d values%s", s.Len(), misses)), w)}
}

// num formats a series' number as WatchValue does.
func num(v float64) string { return model.WatchValue{Num: v, Numeric: true}.String() }

// valueSpark draws values on a linear scale from their minimum to their
// maximum. The rate sparkline (sparkline) is for counts: never negative,
// on a square-root scale from zero; a field's values can be negative and
// their changes read in proportion.
func valueSpark(vals []float64) string {
	if len(vals) == 0 {
		return ""
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	var b strings.Builder
	top := len(sparkRunes) - 1
	for _, v := range vals {
		i := top / 2
		if span := hi - lo; span > 0 && !math.IsInf(span, 0) {
			i = int(math.Round((v - lo) / span * float64(top)))
		}
		b.WriteRune(sparkRunes[min(max(i, 0), top)])
	}
	return b.String()
}
