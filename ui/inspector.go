package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"natsx/model"
)

// inspectorCache keeps the formatted payload of the message on screen:
// indenting JSON or hex-dumping on every frame would cost far more than the
// rest of the view.
type inspectorCache struct {
	subject string
	seq     uint64
	data    []byte // the payload formatted: Seq alone may repeat (Apply, a restarted feed)
	width   int
	height  int
	kind    model.PayloadKind
	lines   []string
}

// inspectorView shows the selected subject's newest message: envelope,
// headers and payload, every byte from the wire sanitized.
func (m *Model) inspectorView(w, h int) []string {
	st := m.styles
	n := m.view.Selected()
	title := "Inspector"
	if m.focus == focusInspector {
		title += st.Muted.Render(" · ↑↓ scroll")
	}
	lines := []string{st.PaneTitle.Render(title)}
	if m.inspFrom == focusPane && m.paneIdx >= 0 && m.paneIdx < len(m.panes) {
		p := m.panes[m.paneIdx]
		lines = append(lines, st.Panes[m.paneStyle(m.paneIdx)].Render(fmt.Sprintf("pane %d · ", m.paneIdx+1))+st.Accent.Render(model.Sanitize(p.Name)))
		if msg := p.Selected(); msg != nil {
			return m.messageView(lines, *msg, m.tree.Find(msg.Subject), w, h)
		}
		return block(append(lines, st.Muted.Render("no message in this pane yet")), w, h)
	}
	if n == nil {
		return block(append(lines, st.Muted.Render("no subject selected")), w, h)
	}
	lines = append(lines, st.Accent.Render(model.Sanitize(n.Subject)))
	msg, ok := n.Last()
	now := m.now.UnixNano()
	if !ok {
		since := m.tree.Since()
		lines = append(lines,
			kv(st, "messages", fmt.Sprintf("%d below, %d on this subject", n.Msgs, n.Own)),
			kv(st, "rate", model.HumanRate(n.Rate(now, since))+" msg/s"),
			kv(st, "children", fmt.Sprintf("%d", len(n.Children()))),
		)
		if n.Own > 0 {
			lines = append(lines, st.Warn.Render("messages evicted to stay within the memory budget"))
		} else {
			lines = append(lines, st.Muted.Render("no message on this exact subject: expand it (→) to see its subjects"))
		}
		return block(lines, w, h)
	}
	return m.messageView(lines, msg, n, w, h)
}

// messageView renders one message under the given title lines; n is its
// subject's node when known (for the per-subject count).
func (m *Model) messageView(lines []string, msg model.Message, n *model.Node, w, h int) []string {
	st := m.styles
	now := m.now.UnixNano()
	if len(lines) < 2 || n == nil || m.inspFrom == focusPane {
		lines = append(lines, st.Accent.Render(model.Sanitize(msg.Subject)))
	}
	reply := "—"
	if msg.Reply != "" {
		reply = model.Sanitize(msg.Reply)
	}
	size := model.HumanBytes(uint64(msg.Size))
	if msg.Truncated() {
		size += fmt.Sprintf(" (kept %s)", model.HumanBytes(uint64(len(msg.Data))))
	}
	recv := time.Unix(0, msg.Received).Format("15:04:05.000")
	lines = append(lines,
		kv(st, "reply", reply),
		kv(st, "received", fmt.Sprintf("%s (%s ago)", recv, ageString(now-msg.Received))),
	)
	// The kind comes from the cached formatting below; compute it once.
	// The payload gets what the size line, headers and rule leave.
	used := len(lines) + 2
	if len(msg.Header) > 0 {
		used += 1 + len(msg.Header)
	}
	room := max(h-used, 1)
	c := m.formatPayload(msg.Subject, &msg, w, room+m.inspScroll)
	count := ""
	if n != nil {
		count = fmt.Sprintf(" · %d on subject", n.Own)
	}
	lines = append(lines, kv(st, "size", fmt.Sprintf("%s · %s%s", size, c.kind, count)))
	if len(msg.Header) > 0 {
		keys := make([]string, 0, len(msg.Header))
		for k := range msg.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		lines = append(lines, st.Muted.Render("headers"))
		for _, k := range keys {
			lines = append(lines, "  "+st.JSONKey.Render(model.Sanitize(k))+": "+model.Sanitize(strings.Join(msg.Header[k], ", ")))
		}
	}
	lines = append(lines, st.Border.Render(strings.Repeat("─", w)))
	body := c.lines
	if m.inspScroll > 0 {
		// Clamp so the last screenful stays in view.
		m.inspScroll = min(m.inspScroll, max(len(body)-room, 0))
		body = body[m.inspScroll:]
	}
	lines = append(lines, body...)
	return block(lines, w, h)
}

// formatPayload returns the cached formatting of msg at this size.
func (m *Model) formatPayload(subject string, msg *model.Message, w, h int) *inspectorCache {
	c := &m.insp
	if c.subject == subject && c.seq == msg.Seq && sameBytes(c.data, msg.Data) && c.width == w && c.height == h && c.lines != nil {
		return c
	}
	kind := model.DetectPayload(msg.Data)
	*c = inspectorCache{subject: subject, seq: msg.Seq, data: msg.Data, width: w, height: h, kind: kind}
	c.lines = model.FormatPayload(msg.Data, kind, w, max(h, 1))
	if kind == model.KindEmpty {
		c.lines = []string{m.styles.Muted.Render("(empty payload)")}
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
