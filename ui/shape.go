package ui

import (
	"fmt"
	"slices"
	"time"

	"natsx/model"
)

// shapeState is the shape of the inspected subject's messages (the fields
// its kept messages have, with their types and how often) and how the
// shown message differs from it. Update works it out (syncShape) from the
// subject's kept history, only when the shown message changes or, while it
// stays, at most once a second as messages arrive (another message of
// the same subject within the second is compared with the shape already
// worked out); View only reads it.
type shapeState struct {
	subject string
	seq     uint64 // the shown message
	newest  uint64 // the subject's newest kept message when worked out
	at      time.Time
	shape   model.Shape
	diff    model.ShapeDiff
	// gen changes with every new shape, so the inspector's cached shape
	// view is formatted again.
	gen uint64
}

// shapeEvery is how often a shape is worked out again while the same
// message is shown and its subject keeps receiving.
const shapeEvery = time.Second

// holds reports whether the state is about msg.
func (s *shapeState) holds(msg *model.Message) bool {
	return msg != nil && s.subject == msg.Subject && s.seq == msg.Seq
}

// syncShape works out the shape of msg's subject from its kept messages,
// when msg or (after a second) the subject's history changed.
func (m *Model) syncShape(msg *model.Message) {
	s := &m.shape
	if msg == nil {
		return
	}
	node := m.ex.Tree().Find(msg.Subject)
	if node.IsZero() || node.Removed() {
		return
	}
	n := node.HistoryLen()
	if n == 0 {
		return
	}
	newest := node.HistorySeq(n - 1)
	if s.holds(msg) && s.newest == newest {
		return
	}
	if s.subject == msg.Subject && m.wall.Sub(s.at) < shapeEvery {
		// Following a busy subject shows a new message every batch: it is
		// compared with the shape worked out less than a second ago (one
		// payload read, not the history's).
		if s.seq != msg.Seq {
			s.seq, s.diff = msg.Seq, s.shape.Diff(msg.Data)
			s.gen++
		}
		return
	}
	hist := make([]model.Message, 0, min(n, model.ShapeMessages))
	for i := max(n-model.ShapeMessages, 0); i < n; i++ {
		hist = append(hist, node.HistoryAt(i))
	}
	*s = shapeState{subject: msg.Subject, seq: msg.Seq, newest: newest, at: m.wall, gen: s.gen + 1}
	s.shape = model.ShapeOf(hist)
	s.diff = s.shape.Diff(msg.Data)
}

// shapeMark is the inspector's line marking a message whose shape is not
// its subject's usual one.
func (m *Model) shapeMark(msg *model.Message, w int) []string {
	if !m.shape.holds(msg) || m.shape.diff.Empty() {
		return nil
	}
	return []string{fit(kv(m.styles, "shape", m.styles.Warn.Render(model.Sanitize(m.shape.diff.String()))), w)}
}

// shapeGen is the shape the inspector would show now.
func (in *inspector) shapeGen() uint64 {
	if in.shape == nil {
		return 0
	}
	return in.shape.gen
}

// shapeLines is the shape view (v): the subject's fields with their types
// and in how many of the messages read they are, the shown message's
// differences marked.
func (in *inspector) shapeLines(w int) []string {
	st := in.st
	s := in.shape
	if s == nil || s.shape.Messages == 0 {
		return []string{st.Muted.Render("no JSON object among this subject's kept messages")}
	}
	sh := s.shape
	head := fmt.Sprintf("shape of %d kept messages", sh.Messages)
	if sh.NotJSON > 0 {
		head += fmt.Sprintf(" · %d not JSON objects", sh.NotJSON)
	}
	if sh.Skipped > 0 {
		head += fmt.Sprintf(" · %d over %s, not read", sh.Skipped, model.HumanBytes(model.ShapePayload))
	}
	out := []string{fit(st.Muted.Render(head), w)}
	pathW := 0
	for _, f := range sh.Fields {
		pathW = max(pathW, len(f.Path))
	}
	pathW = min(pathW, max(w/2, 8))
	marked := func(p string) bool {
		return slices.Contains(s.diff.New, p) || slices.Contains(s.diff.Missing, p)
	}
	for _, f := range sh.Fields {
		line := fit(f.Path, pathW) + " " + fitLeft(fmt.Sprintf("%d/%d", f.Count, sh.Messages), 9) + "  " + f.Types()
		switch {
		case marked(f.Path):
			out = append(out, fit(st.Warn.Render(line), w))
		case 2*f.Count <= sh.Messages:
			out = append(out, fit(st.Muted.Render(line), w))
		default:
			out = append(out, fit(line, w))
		}
	}
	if sh.Cut > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("… %d more fields not listed (at most %d)", sh.Cut, model.ShapeFields)))
	}
	return out
}
