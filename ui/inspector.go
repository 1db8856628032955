package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// viewMode is how the inspector shows a payload, cycled with v.
type viewMode int

const (
	viewAuto viewMode = iota // JSON highlighted, text, or hex by content
	viewText
	viewHex
	viewHeaders
	viewModes
)

func (v viewMode) String() string {
	return [...]string{"auto", "text", "hex", "headers"}[v]
}

// inspectorCache keeps the formatted payload of the message on screen:
// indenting, highlighting or hex-dumping on every frame would cost far more
// than the rest of the view.
type inspectorCache struct {
	subject string
	seq     uint64
	data    []byte
	prev    []byte
	width   int
	height  int
	mode    viewMode
	diff    bool
	kind    model.PayloadKind
	lines   []string
	summary string
}

// inspectTarget is what the inspector shows: a list of messages (a
// subject's history or a pane's list) and the title lines above them.
type inspectTarget struct {
	title []string
	n     int
	at    func(i int) model.Message
	node  *model.Node
}

// target picks the inspector's subject: the last request's response, the
// focused pane's list, or the tree's selected subject.
func (m *Model) target() (inspectTarget, []string) {
	st := m.styles
	if m.reqResult != nil && m.showResp {
		r := m.reqResult
		t := inspectTarget{title: []string{st.Accent.Render("response to " + model.Sanitize(r.subject))}}
		if r.err != "" {
			return t, []string{st.Bad.Render(model.Sanitize(r.err))}
		}
		t.title = append(t.title, kv(st, "rtt", r.rtt.Round(time.Microsecond).String()))
		t.n, t.at = 1, func(int) model.Message { return r.msg }
		return t, nil
	}
	if m.inspFrom == focusPane && m.paneIdx >= 0 && m.paneIdx < len(m.ex.Panes()) {
		p := m.ex.Panes()[m.paneIdx]
		t := inspectTarget{title: []string{st.Panes[m.paneStyle(m.paneIdx)].Render(fmt.Sprintf("pane %d · ", m.paneIdx+1)) + st.Accent.Render(model.Sanitize(p.Name))}}
		if p.Len() == 0 {
			return t, []string{st.Muted.Render("no message in this pane yet")}
		}
		// The pane's selection is the newest message the history steps from.
		sel := p.Len() - 1
		if s := p.Selected(); s != nil {
			for i := p.Len() - 1; i >= 0; i-- {
				if p.At(i).Seq == s.Seq {
					sel = i
					break
				}
			}
		}
		t.n, t.at = sel+1, func(i int) model.Message { return *p.At(i) }
		return t, nil
	}
	n := m.ex.TreeView().Selected()
	if n == nil {
		return inspectTarget{}, []string{st.Muted.Render("no subject selected")}
	}
	t := inspectTarget{title: []string{st.Accent.Render(model.Sanitize(n.Subject))}, node: n}
	if n.HistoryLen() == 0 {
		now, since := m.ex.Now().UnixNano(), m.ex.Tree().Since()
		info := []string{
			kv(st, "messages", fmt.Sprintf("%d below, %d on this subject", n.Msgs, n.Own)),
			kv(st, "rate", model.HumanRate(n.Rate(now, since))+" msg/s"),
			kv(st, "children", fmt.Sprintf("%d", len(n.Children()))),
		}
		info = append(info, m.latencyLines(n.Subject)...)
		if n.Own > 0 {
			info = append(info, st.Warn.Render("messages evicted to stay within the memory budget"))
		} else {
			info = append(info, st.Muted.Render("no message on this exact subject: expand it ("+m.keys.Expand.Help().Key+") to see its subjects"))
		}
		return t, info
	}
	t.n, t.at = n.HistoryLen(), n.HistoryAt
	return t, nil
}

// inspectorView shows one message of the target: envelope, headers and
// payload (or its diff against the previous one), every byte from the
// wire sanitized.
func (m *Model) inspectorView(w, h int) []string {
	st := m.styles
	title := "Inspector"
	if m.focus == focusInspector {
		title += st.Muted.Render(" · ↑↓ scroll · / find")
	}
	lines := []string{st.PaneTitle.Render(title)}
	t, info := m.target()
	lines = append(lines, t.title...)
	if info != nil {
		return block(append(lines, info...), w, h)
	}
	idx := m.historyIndex(t)
	msg := t.at(idx)
	if t.node == nil {
		// A pane's messages (and a response) are on many subjects: say
		// which one this is, as the tree's title does for its subject.
		lines = append(lines, st.Accent.Render(model.Sanitize(msg.Subject)))
	}
	var prev *model.Message
	if idx > 0 {
		p := t.at(idx - 1)
		prev = &p
	}
	env := envelopeOf(&msg)
	if h < compactInspector {
		return m.compactInspector(lines, &msg, prev, fmt.Sprintf("%d/%d", idx+1, t.n), env, w, h)
	}
	pos := fmt.Sprintf("%d/%d", idx+1, t.n)
	if prev != nil {
		pos += fmt.Sprintf(" · +%s after previous", time.Duration(msg.Received-prev.Received).Round(time.Millisecond))
	}
	lines = append(lines,
		kv(st, "message", pos),
		kv(st, "reply", env.reply),
		kv(st, "received", fmt.Sprintf("%s (%s ago)", env.recv, ageString(m.ex.Now().UnixNano()-msg.Received))),
	)
	lines = append(lines, m.linkLines(&msg)...)
	used := len(lines) + 2
	showHdr := len(msg.Header) > 0 && m.inspView != viewHeaders
	if showHdr {
		used += 1 + len(msg.Header)
	}
	room := max(h-used, 1)
	c := m.formatPayload(&msg, prev, w, room+m.inspScroll)
	count := ""
	if t.node != nil {
		count = fmt.Sprintf(" · %d on subject", t.node.Own)
	}
	lines = append(lines, kv(st, "size", fmt.Sprintf("%s · %s · view %s%s", env.size, c.kind, m.inspView, count)))
	if showHdr {
		lines = append(lines, st.Muted.Render("headers"))
		lines = append(lines, headerRows(st, msg.Header)...)
	}
	if c.summary != "" {
		// The diff's summary is information, not decoration: not in the
		// faint rule colour.
		label := "── " + c.summary + " "
		lines = append(lines, fit(st.Accent.Render(label)+st.Border.Render(strings.Repeat("─", max(w-ansi.StringWidth(label), 0))), w))
	} else {
		lines = append(lines, st.Border.Render(strings.Repeat("─", w)))
	}
	return block(append(lines, m.scrolled(c.lines, room)...), w, h)
}

// scrolled is body from the inspector's scroll position, clamped so the
// last screenful (room lines) stays in view.
func (m *Model) scrolled(body []string, room int) []string {
	if m.inspScroll > 0 {
		m.inspScroll = min(m.inspScroll, max(len(body)-room, 0))
		body = body[m.inspScroll:]
	}
	return body
}

// envelope is a message's reply, size and receive time as shown.
type envelope struct{ reply, size, recv string }

func envelopeOf(msg *model.Message) envelope {
	e := envelope{reply: "—", size: model.HumanBytes(uint64(msg.Size)),
		recv: time.Unix(0, msg.Received).Format("15:04:05.000")}
	if msg.Reply != "" {
		e.reply = model.Sanitize(msg.Reply)
	}
	if msg.Truncated() {
		e.size += fmt.Sprintf(" (kept %s)", model.HumanBytes(uint64(len(msg.Data))))
	}
	return e
}

// compactInspector is the height below which the inspector puts the
// envelope on one line, so a short band (80x24 with filter panes) still
// shows the payload.
const compactInspector = 12

// compactInspector draws the envelope on one line and the payload under
// it; the headers are counted there (v shows them).
func (m *Model) compactInspector(lines []string, msg, prev *model.Message, pos string, env envelope, w, h int) []string {
	st := m.styles
	room := max(h-len(lines)-1, 1)
	c := m.formatPayload(msg, prev, w, room+m.inspScroll)
	meta := fmt.Sprintf("%s · %s · %s %s · view %s", pos, env.recv, env.size, c.kind, m.inspView)
	if msg.Reply != "" {
		meta += " · reply " + env.reply
	}
	if k := len(msg.Header); k > 0 && m.inspView != viewHeaders {
		meta += fmt.Sprintf(" · %d headers", k)
	}
	if c.summary != "" {
		meta += " · " + c.summary
	}
	lines = append(lines, st.Muted.Render(meta))
	return block(append(lines, m.scrolled(c.lines, room)...), w, h)
}

// headerRows renders headers as "Key: value" rows, sorted by key.
func headerRows(st Styles, hdr model.Header) []string {
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, "  "+st.JSONKey.Render(model.Sanitize(k))+": "+model.Sanitize(strings.Join(hdr[k], ", ")))
	}
	return out
}

// formatPayload returns the cached formatting of msg at this size and mode.
func (m *Model) formatPayload(msg, prev *model.Message, w, h int) *inspectorCache {
	c := &m.insp
	var prevData []byte
	if prev != nil {
		prevData = prev.Data
	}
	if c.subject == msg.Subject && c.seq == msg.Seq && sameBytes(c.data, msg.Data) && sameBytes(c.prev, prevData) &&
		c.width == w && c.height == h && c.mode == m.inspView && c.diff == m.inspDiff && c.lines != nil {
		return c
	}
	kind := model.DetectPayload(msg.Data)
	*c = inspectorCache{subject: msg.Subject, seq: msg.Seq, data: msg.Data, prev: prevData, width: w, height: h,
		kind: kind, mode: m.inspView, diff: m.inspDiff}
	st := m.styles
	switch {
	case m.inspDiff:
		c.lines, c.summary = m.diffLines(prev, msg, w, max(h, 1))
	case m.inspView == viewHeaders:
		c.lines = headerRows(st, msg.Header)
		if len(c.lines) == 0 {
			c.lines = []string{st.Muted.Render("(no headers)")}
		}
	case kind == model.KindEmpty:
		c.lines = []string{st.Muted.Render("(empty payload)")}
	case m.inspView == viewText:
		c.lines = model.FormatPayload(msg.Data, model.KindText, w, max(h, 1))
	case m.inspView == viewHex:
		c.lines = model.FormatPayload(msg.Data, model.KindBinary, w, max(h, 1))
	case kind == model.KindJSON:
		c.lines = m.highlightJSON(model.FormatPayload(msg.Data, kind, w, max(h, 1)))
	default:
		c.lines = model.FormatPayload(msg.Data, kind, w, max(h, 1))
	}
	return c
}

func kv(st Styles, k, v string) string {
	return st.Key.Render(fmt.Sprintf("%-9s", k)) + " " + st.Value.Render(v)
}

// sameBytes reports whether a and b are the same slice of the same array.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
