package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// diffLines renders the diff of msg against the previous message in the
// same list, marking changed, added and removed parts.
func (m *Model) diffLines(prev, msg *model.Message, w, maxLines int) ([]string, string) {
	st := m.styles
	if prev == nil {
		return []string{st.Muted.Render("no previous message to compare with")}, "diff"
	}
	dl, summary := model.Diff(prev.Data, msg.Data, w-2, maxLines)
	out := make([]string, 0, len(dl))
	for _, l := range dl {
		switch l.Op {
		case model.DiffAdded:
			out = append(out, st.DiffAdd.Render("+ "+l.Text))
		case model.DiffRemoved:
			out = append(out, st.DiffDel.Render("- "+l.Text))
		case model.DiffChanged:
			out = append(out, st.DiffChange.Render("~ "+l.Text))
		default:
			out = append(out, "  "+l.Text)
		}
	}
	return out, "diff vs previous: " + summary
}

// latencyLines is the request/reply latency of a subject, when it has any.
func (m *Model) latencyLines(subject string) []string {
	s, ok := m.ex.Replies().Stats(subject)
	if !ok || s.Count == 0 {
		return nil
	}
	r := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	line := fmt.Sprintf("%d answered · p50 %s · p99 %s · max %s", s.Count, r(s.P50), r(s.P99), r(s.Max))
	if s.Unanswered > 0 {
		line += fmt.Sprintf(" · %d unanswered", s.Unanswered)
	}
	return []string{kv(m.styles, "replies", line)}
}

// linkLines says which request a reply answered, or which reply answered a
// request, with the latency.
func (m *Model) linkLines(msg *model.Message) []string {
	l, ok := m.ex.Replies().LinkFor(msg.Seq)
	if !ok {
		if msg.Reply != "" {
			if lines := m.latencyLines(msg.Subject); lines != nil {
				return lines
			}
		}
		return nil
	}
	lat := l.Latency.Round(10 * time.Microsecond)
	if l.ReplySeq == msg.Seq {
		return []string{kv(m.styles, "answers", fmt.Sprintf("%s (%s)", model.Sanitize(l.RequestSubject), lat))}
	}
	out := []string{kv(m.styles, "answered", fmt.Sprintf("in %s", lat))}
	return append(out, m.latencyLines(msg.Subject)...)
}

// currentMessage is the message the inspector shows, for copy and edit.
func (m *Model) currentMessage() (model.Message, bool) {
	t, info := m.target()
	if info != nil || t.n == 0 {
		return model.Message{}, false
	}
	return t.at(m.historyIndex(t)), true
}

// copyCmd puts the payload (or the subject) on the clipboard with OSC 52,
// which works over SSH too.
func (m *Model) copyCmd(subject bool) tea.Cmd {
	msg, ok := m.currentMessage()
	if !ok {
		m.setFlash("nothing to copy", true)
		return nil
	}
	if subject {
		m.setFlash("copied subject "+model.Sanitize(msg.Subject), false)
		return tea.SetClipboard(msg.Subject)
	}
	m.setFlash(fmt.Sprintf("copied %s of payload", model.HumanBytes(uint64(len(msg.Data)))), false)
	return tea.SetClipboard(string(msg.Data))
}

// findInPayload moves the inspector to the next line containing q.
func (m *Model) findInPayload(q string, forward bool, skipCurrent bool) {
	if q == "" {
		return
	}
	msg, ok := m.currentMessage()
	if !ok {
		return
	}
	kind := model.DetectPayload(msg.Data)
	switch m.inspView {
	case viewText:
		kind = model.KindText
	case viewHex:
		kind = model.KindBinary
	}
	// Search the plain formatted lines (no colour codes), bounded.
	lines := model.FormatPayload(msg.Data, kind, max(m.width-2, 20), 100000)
	fold := strings.ToLower(q) == q
	match := func(s string) bool {
		if fold {
			return strings.Contains(strings.ToLower(s), q)
		}
		return strings.Contains(s, q)
	}
	start := m.inspScroll
	n := len(lines)
	for k := 0; k < n; k++ {
		step := k
		if skipCurrent {
			step = k + 1
		}
		i := start + step
		if !forward {
			i = start - step
		}
		i = ((i % n) + n) % n
		if match(lines[i]) {
			m.inspScroll = i
			m.setFlash(fmt.Sprintf("%q: line %d of %d", q, i+1, n), false)
			return
		}
	}
	m.setFlash(fmt.Sprintf("%q not in this payload", q), true)
}

// stepHistory moves back (+1) or forward (-1) in the target's history and
// pins the message by sequence, so new arrivals do not shift what is shown.
func (m *Model) stepHistory(delta int) {
	m.inspScroll = 0
	t, info := m.target()
	if info != nil || t.n == 0 {
		return
	}
	idx := m.historyIndex(t) - delta
	idx = min(max(idx, 0), t.n-1)
	m.inspBack = t.n - 1 - idx
	m.inspPin = 0
	if m.inspBack > 0 {
		m.inspPin = t.at(idx).Seq
	}
}

// historyIndex is the index of the message shown: the pinned one while it
// is still kept, otherwise inspBack messages back from the newest.
func (m *Model) historyIndex(t inspectTarget) int {
	if m.inspPin != 0 {
		for i := t.n - 1; i >= 0; i-- {
			if t.at(i).Seq == m.inspPin {
				m.inspBack = t.n - 1 - i
				return i
			}
		}
	}
	m.inspBack = min(m.inspBack, t.n-1)
	return t.n - 1 - m.inspBack
}
