package ui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// inspectTarget is what the inspector shows: a list of messages (a
// subject's history or a pane's list) and the title lines above them.
type inspectTarget struct {
	title []string
	n     int
	at    func(i int) model.Message
	// seq is at(i).Seq without the message: finding a pinned message
	// reads every kept one's sequence, and at copies a subject's payload.
	seq   func(i int) uint64
	node  model.Node
	pane  *model.Pane // a pane's list: its selection is the position
	where string      // what keeps the list, for "no longer kept in …"
	key   string      // which list: the inspector's copy is only this list's
}

// target picks the inspector's subject: the last request's response, the
// focused pane's list, or the tree's selected subject.
func (m *Model) target() (inspectTarget, []string) {
	if t, ok := m.storedTarget(); ok {
		return t, nil
	}
	st := m.styles
	if m.insp.resp != nil && m.insp.showResp {
		r := m.insp.resp
		t := inspectTarget{title: []string{st.Accent.Render("response to " + model.Sanitize(r.subject))}}
		if r.err != "" {
			return t, []string{st.Bad.Render(model.Sanitize(r.err))}
		}
		t.title = append(t.title, kv(st, "rtt", model.HumanDuration(r.rtt)))
		t.n, t.at, t.seq = 1, func(int) model.Message { return r.msg }, func(int) uint64 { return r.msg.Seq }
		return t, nil
	}
	panes := m.ex.Panes()
	if m.insp.from == focusPane && m.paneIdx >= 0 && m.paneIdx < len(panes) {
		p := panes[m.paneIdx]
		t := inspectTarget{title: []string{st.Panes[m.band.style(m.paneIdx)].Render(fmt.Sprintf("pane %d · ", m.paneIdx+1)) + st.Accent.Render(model.Sanitize(p.Name))}}
		if p.Shown() == 0 {
			// Paused while empty (or cleared while paused): what arrived
			// since is kept below the frozen rows, none of it shown yet.
			if p.Len() > 0 {
				return t, []string{st.Muted.Render("nothing shown yet: the pane is paused (space resumes)")}
			}
			return t, []string{st.Muted.Render("no message in this pane yet")}
		}
		// The pane's selection is the position, and [ ] move it: the
		// whole list is the history, not the rows up to the selection.
		t.n, t.at, t.pane, t.where = p.Shown(), func(i int) model.Message { return *p.At(i) }, p, "this pane"
		t.seq = func(i int) uint64 { return p.At(i).Seq }
		t.key = fmt.Sprintf("pane %d", p.ID)
		return t, nil
	}
	n := m.ex.TreeView().Selected()
	if n.IsZero() || n.Removed() {
		return inspectTarget{}, []string{st.Muted.Render("no subject selected")}
	}
	subj := n.Subject()
	t := inspectTarget{title: []string{st.Accent.Render(model.Sanitize(subj))}, node: n}
	if n.HistoryLen() == 0 {
		now, since := m.ex.Now().UnixNano(), m.ex.Tree().Since()
		info := []string{
			kv(st, "messages", fmt.Sprintf("%d below, %d on this subject", n.Msgs(), n.Own())),
			kv(st, "rate", model.HumanRate(n.Rate(now, since))+" msg/s"),
			kv(st, "children", fmt.Sprintf("%d", n.NumChildren())),
		}
		info = append(info, m.latencyLines(subj)...)
		if n.Own() > 0 {
			info = append(info, st.Warn.Render("messages evicted to stay within the memory budget"))
		} else {
			info = append(info, st.Muted.Render("no message on this exact subject: expand it ("+m.keys.Expand.Help().Key+") to see its subjects"))
		}
		return t, info
	}
	t.n, t.at, t.seq, t.where = n.HistoryLen(), n.HistoryAt, n.HistorySeq, "this subject's history"
	t.key = "subject " + subj
	return t, nil
}

// position is the message the inspector shows of t: the pane's selection,
// the message pinned by [ ] or a scroll, or the newest. gone: the pinned
// or selected message is no longer kept, and msg is the inspector's copy
// of it, so nothing else is passed off under its position.
func (m *Model) position(t inspectTarget) (msg model.Message, idx int, gone bool) {
	held := m.insp.held
	if m.insp.heldFrom != t.key {
		held = nil // a copy from another list is not this one's message
	}
	if p := t.pane; p != nil {
		if p.SelectionGone() && held != nil {
			return *held, -1, true
		}
		idx = p.SelectedIndex()
		if idx < 0 || idx >= t.n {
			return model.Message{}, -1, true
		}
		return t.at(idx), idx, false
	}
	if pin := m.insp.pin; m.insp.pinned {
		for i := t.n - 1; i >= 0; i-- {
			if t.seq(i) == pin {
				return t.at(i), i, false
			}
		}
		if held != nil && held.Seq == pin {
			return *held, -1, true
		}
	}
	return t.at(t.n - 1), t.n - 1, false
}

// inspectorFrame lays out the inspector at w×h: the lines above the
// payload and the room left for it.
func (m *Model) inspectorFrame(w, h int) inspectFrame {
	t, info := m.target()
	var at shownAt
	if info == nil {
		at.msg, at.idx, at.gone = m.position(t)
	}
	return m.frameOf(w, h, t, info, at)
}

// shownAt is the message the inspector shows and where it is in its
// target (see position).
type shownAt struct {
	msg  model.Message
	idx  int
	gone bool
}

// frameOf is inspectorFrame for a target and position already found.
func (m *Model) frameOf(w, h int, t inspectTarget, info []string, at shownAt) inspectFrame {
	st := m.styles
	title := "Inspector"
	if m.focus == focusInspector {
		title += st.Muted.Render(" · ↑↓ scroll · / find")
	}
	f := inspectFrame{w: w, h: h, head: []string{st.PaneTitle.Render(title)}}
	f.head = append(f.head, t.title...)
	if info != nil {
		f.info = info
		return f
	}
	msg, idx, gone := at.msg, at.idx, at.gone
	f.msg, f.node = &msg, t.node
	if t.node.IsZero() {
		// A pane's messages (and a response) are on many subjects: say
		// which one this is, as the tree's title does for its subject.
		f.head = append(f.head, st.Accent.Render(model.Sanitize(msg.Subject)))
	}
	if idx > 0 {
		p := t.at(idx - 1)
		f.prev = &p
	}
	f.pos = fmt.Sprintf("%d/%d", idx+1, t.n)
	if !gone && t.pane != nil && t.pane.SelectionGone() {
		// Evicted while the inspector showed something else: no copy.
		f.pos += " · the selected message is no longer kept; this is the oldest kept"
	}
	if gone {
		// Another message now sits at its old position: say so rather
		// than show that one under a position that looks the same.
		f.pos = fmt.Sprintf("no longer kept in %s (%d newer kept; %s: the oldest)", t.where, t.n, m.keys.HistNext.Help().Key)
	}
	f.head = append(f.head, m.deliveryLines(&msg)...)
	if ev, ok := model.EventSummary(msg.Subject, msg.Data); ok {
		// One of the server's events: who, what, why, above the JSON.
		f.head = append(f.head, eventLines(st, model.Sanitize(ev), w)...)
	}
	f.head = append(f.head, m.watchLines(msg.Subject, w, h < compactInspector)...)
	f.head = append(f.head, m.shapeMark(&msg, w)...)
	if h < compactInspector {
		f.compact = true
		f.room = max(h-len(f.head)-1, 1)
		return f
	}
	env := envelopeOf(&msg)
	pos := f.pos
	if f.prev != nil {
		pos += " · " + sinceString(time.Duration(msg.Received-f.prev.Received)) + " after previous"
	}
	f.head = append(f.head,
		kv(st, "message", pos),
		kv(st, "reply", env.reply),
		kv(st, "received", fmt.Sprintf("%s (%s ago)", env.recv, ageString(m.ex.Now().UnixNano()-msg.Received))),
	)
	f.head = append(f.head, m.linkLines(&msg)...)
	if note := m.insp.listenNote(&msg, t.node); note != "" {
		f.head = append(f.head, st.Key.Render(fmt.Sprintf("%-9s", "listeners"))+" "+st.Warn.Render(note))
	}
	used := len(f.head) + 2 // the size line and the rule
	if m.insp.showHeaders(&msg) {
		f.hdrRows = headersAbove(len(msg.Header), h-used-1)
		used += 1 + f.hdrRows
		if f.hdrRows < len(msg.Header) {
			used++ // "… N more headers"
		}
	}
	f.room = max(h-used, 1)
	return f
}

// sinceString is the time from the previous message: +380µs, +1.2s; a
// message stamped before its predecessor (another connection's clock)
// reads -2ms rather than +-2ms.
func sinceString(d time.Duration) string {
	if d < 0 {
		return model.HumanDuration(d)
	}
	return "+" + model.HumanDuration(d)
}

// inspectorView shows one message of the target, every byte from the wire
// sanitized.
func (m *Model) inspectorView(w, h int) []string {
	return m.insp.View(m.inspectorFrame(w, h))
}

// syncInspector brings the inspector's position up to date after every
// Update: the history position follows the pinned message, the payload on
// screen is formatted (so View only reads the cache) and the scroll stops
// at the last screenful.
func (m *Model) syncInspector() {
	t, info := m.target()
	var at shownAt
	if info == nil {
		at.msg, at.idx, at.gone = m.position(t)
	}
	if info == nil && t.n > 0 {
		m.syncShape(&at.msg)
		msg, idx, gone := at.msg, at.idx, at.gone
		m.insp.back = 0
		if !gone {
			m.insp.back = t.n - 1 - idx
			// A copy of what is shown: if it leaves the ring while the
			// user reads it, the inspector still has it (the kept copy is
			// at most KeptPayload, and its bytes are never reused).
			if m.insp.held == nil || m.insp.held.Seq != msg.Seq || m.insp.heldFrom != t.key {
				m.insp.held, m.insp.heldFrom = &msg, t.key
			}
		}
	}
	l := m.bodyLayout()
	if m.mode == modeStreams {
		l.insp = m.streamsInspectorRect()
	}
	if l.insp.w <= 0 || l.insp.h <= 0 || m.mode == modeHelp || m.mode == modeForm {
		return
	}
	f := m.frameOf(l.insp.w, l.insp.h, t, info, at)
	if f.info != nil {
		return
	}
	m.insp.indexHeaders(f.msg)
	m.insp.fill(f)
	m.insp.clampScroll(f)
	m.insp.fill(f)
}

// latencyLines is the request/reply latency of a subject, when it has any.
func (m *Model) latencyLines(subject string) []string {
	s, ok := m.ex.Replies().Stats(subject)
	if !ok || s.Count == 0 {
		return nil
	}
	r := model.HumanDuration
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
		// A JetStream delivery's reply is where its ack goes, not a
		// request's inbox: the subject's request latencies say nothing
		// about it.
		if msg.Reply != "" && !model.IsProtocolReply(msg.Reply) {
			if lines := m.latencyLines(msg.Subject); lines != nil {
				return lines
			}
		}
		return nil
	}
	lat := model.HumanDuration(l.Latency)
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
	msg, _, _ := m.position(t)
	return msg, true
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
	if msg.Truncated() {
		// The clipboard gets what natsx kept; say it is not all of it.
		m.setFlash(fmt.Sprintf("copied the first %s of a %s payload (the rest was not kept)",
			model.HumanBytes(uint64(len(msg.Data))), model.HumanBytes(uint64(msg.Size))), true)
	} else {
		m.setFlash(fmt.Sprintf("copied %s of payload", model.HumanBytes(uint64(len(msg.Data)))), false)
	}
	return tea.SetClipboard(string(msg.Data))
}

// stepHistory moves back (+1) or forward (-1) in the target's history. A
// pane's selection moves; in a subject's history the message is pinned by
// sequence, so arrivals do not shift what is shown. From a message no
// longer kept, forward is the oldest kept one.
func (m *Model) stepHistory(delta int) {
	m.insp.scroll = 0
	t, info := m.target()
	if info != nil || t.n == 0 {
		return
	}
	_, idx, gone := m.position(t)
	if gone {
		if delta > 0 {
			m.setFlash("no older message is kept", false)
			return
		}
		idx, delta = 0, 0
	}
	if p := t.pane; p != nil {
		if gone {
			p.Top()
		} else {
			p.Move(-delta)
		}
		return
	}
	if delta < 0 && idx == t.n-1 && m.insp.pinned {
		// ] at the newest: follow the subject's newest message again.
		m.insp.pin, m.insp.pinned = 0, false
		m.setFlash("following the newest message", false)
		return
	}
	idx = min(max(idx-delta, 0), t.n-1)
	m.insp.pin, m.insp.pinned = t.seq(idx), true
}

// holdInspector keeps the message shown where it is: the user has started
// reading it (scrolled, searched), so arrivals must not replace it. A
// pane stops following; a subject's newest message is pinned.
func (m *Model) holdInspector() {
	t, info := m.target()
	if info != nil || t.n == 0 {
		return
	}
	if t.pane != nil {
		if !t.pane.SelectionGone() {
			t.pane.Hold()
		}
		return
	}
	if !m.insp.pinned {
		m.insp.pin, m.insp.pinned = t.seq(t.n-1), true
	}
}
