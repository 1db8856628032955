package ui

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
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
	viewShape // the subject's fields, types and how often (shape.go)
	viewModes
)

// String is the mode's name in the inspector and the flash.
func (v viewMode) String() string {
	return [...]string{"auto", "text", "hex", "headers", "shape"}[v]
}

// inspector shows one message of a list (a subject's history, a pane's
// list, or the last response): envelope, headers and payload or its diff.
// Which list is the root's business (inspectorFrame); the inspector keeps
// how it is looked at: scroll, history position, view mode, find.
type inspector struct {
	st *Styles
	// listen says whether anybody but natsx listened (nil: not checked).
	listen *listener
	shape  *shapeState // the shape view's (the root keeps it up to date)

	cache  inspectorCache
	scroll int
	from   focusKind // what it shows: the tree's or a pane's selection
	back   int       // history position: messages back from the newest
	pin    uint64    // Seq of the message stepped to, so arrivals don't shift it
	pinned bool      // pin is set (Seq 0 is a message too)
	// held is a copy of the message last shown, kept so that a pinned or
	// selected message that leaves its ring can still be shown as itself.
	held     *model.Message
	heldFrom string // the list held was shown from (inspectTarget.key)
	// hdrIndex is the shown message's sorted header names.
	hdrIndex headerIndex
	view     viewMode
	diff     bool
	query    string     // the last find in the payload
	match    matchPlace // where that find landed, highlighted while it shows
	// showResp shows resp (the last request's reply) instead of the list.
	showResp bool
	resp     *requestResult
}

// matchPlace is a find's hit: a line of one message's formatting.
type matchPlace struct {
	seq     uint64
	subject string
	width   int
	view    viewMode
	diff    bool
	line    int
	query   string
}

// inspectorCache keeps the formatted payload of the message on screen:
// indenting, highlighting or hex-dumping on every frame would cost far more
// than the rest of the view. Update fills it (syncInspector); View only
// reads it.
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
	// shapeGen is the shape the shape view was formatted from.
	shapeGen uint64
}

// Key scrolls the payload; it reports whether it used the key.
func (in *inspector) Key(msg tea.KeyPressMsg, k KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		in.scroll = max(in.scroll-1, 0)
	case key.Matches(msg, k.Down):
		in.scroll++
	case key.Matches(msg, k.PageUp):
		in.scroll = max(in.scroll-10, 0)
	case key.Matches(msg, k.PageDown):
		in.scroll += 10
	case key.Matches(msg, k.Top):
		in.scroll = 0
	default:
		return false
	}
	return true
}

// reset forgets the position and the response (a rewind).
func (in *inspector) reset() {
	in.cache = inspectorCache{}
	in.back, in.pin, in.pinned, in.scroll, in.held = 0, 0, false, 0, nil
	in.resp, in.showResp = nil, false
}

// toggleDiff switches between the payload and its diff.
func (in *inspector) toggleDiff() {
	in.diff = !in.diff
	in.scroll = 0
}

// nextView cycles auto, text, hex and headers.
func (in *inspector) nextView() {
	in.view = (in.view + 1) % viewModes
	in.diff = false
	in.scroll = 0
}

// inspectFrame is everything the inspector draws for one message at one
// size, computed the same way for View and for Update (which fills the
// cache, clamps the scroll and finds in the same lines).
type inspectFrame struct {
	head    []string // title, envelope, links, headers: the lines above the payload
	info    []string // no message to show: these lines instead
	msg     *model.Message
	prev    *model.Message
	node    model.Node
	compact bool
	pos     string
	room    int // payload lines that fit
	hdrRows int // header rows listed above the payload
	w, h    int
}

// View draws the frame with the payload lines from the cache (or formats
// them, without keeping them, when Update has not seen this frame).
func (in *inspector) View(f inspectFrame) []string {
	st := in.st
	if f.info != nil {
		return block(append(f.head, f.info...), f.w, f.h)
	}
	c := in.cached(f)
	env := envelopeOf(f.msg)
	lines := f.head
	if f.compact {
		meta := fmt.Sprintf("%s · %s · %s %s · view %s", f.pos, env.recv, env.size, c.kind, in.view)
		if f.msg.Reply != "" {
			meta += " · reply " + env.reply
		}
		if k := len(f.msg.Header); k > 0 && in.view != viewHeaders {
			meta += fmt.Sprintf(" · %d headers", k)
		}
		if c.summary != "" {
			meta += " · " + c.summary
		}
		if note := in.listenNote(f.msg, f.node); note != "" {
			meta += " · " + note
		}
		lines = append(lines, st.Muted.Render(meta))
		return block(append(lines, in.scrolled(f, c.lines)...), f.w, f.h)
	}
	count := ""
	if !f.node.IsZero() {
		count = fmt.Sprintf(" · %d on subject", f.node.Own())
	}
	lines = append(lines, kv(*st, "size", fmt.Sprintf("%s · %s · view %s%s", env.size, c.kind, in.view, count)))
	if in.showHeaders(f.msg) {
		lines = append(lines, st.Muted.Render("headers"))
		lines = append(lines, headerRows(*st, f.msg.Header, in.headerKeys(f.msg), f.hdrRows, f.w)...)
	}
	if c.summary != "" {
		// The diff's summary is information, not decoration: not in the
		// faint rule colour.
		label := "── " + c.summary + " "
		lines = append(lines, fit(st.Accent.Render(label)+st.Border.Render(strings.Repeat("─", max(f.w-ansi.StringWidth(label), 0))), f.w))
	} else {
		lines = append(lines, st.Border.Render(strings.Repeat("─", f.w)))
	}
	return block(append(lines, in.scrolled(f, c.lines)...), f.w, f.h)
}

// listenNote is what the no-listener checker knows of msg on node (zero
// for a pane's message): nobody but natsx listened on its subject when it
// arrived (by the subject's latest check before it), and how many
// messages on the subject went nowhere so far. "" when nothing is known.
func (in *inspector) listenNote(msg *model.Message, node model.Node) string {
	if in.listen == nil || in.listen.rec == nil {
		return ""
	}
	rec := in.listen.rec
	var parts []string
	if alone, known := rec.WhenReceived(msg.Subject, msg.Received); known && alone {
		parts = append(parts, noListenerMark+" no listener when received")
	}
	if !node.IsZero() {
		if n := rec.Unheard(msg.Subject, node.Own()); n > 0 {
			// "unheard": the subject's messages that went nowhere so far.
			parts = append(parts, model.HumanCount(n)+" unheard")
		}
	}
	return strings.Join(parts, " · ")
}

// maxEventLines bounds the lines an event's summary takes above the
// payload.
const maxEventLines = 3

// eventLines is a server event's summary (sanitized) labelled "event",
// wrapped under the label at width w, at most maxEventLines.
func eventLines(st Styles, summary string, w int) []string {
	label := fmt.Sprintf("%-9s ", "event")
	rows := strings.Split(ansi.Wrap(summary, max(w-len(label), 10), " "), "\n")
	if len(rows) > maxEventLines {
		rows = rows[:maxEventLines]
		rows[maxEventLines-1] += "…"
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		if i == 0 {
			out[i] = st.Key.Render(label) + st.Accent.Render(r)
		} else {
			out[i] = strings.Repeat(" ", len(label)) + st.Accent.Render(r)
		}
	}
	return out
}

// showHeaders reports whether the headers are listed above the payload.
func (in *inspector) showHeaders(msg *model.Message) bool {
	return len(msg.Header) > 0 && in.view != viewHeaders
}

// scrolled is body from the scroll position (Update keeps it in range),
// with a find's match highlighted.
func (in *inspector) scrolled(f inspectFrame, body []string) []string {
	from := min(in.scroll, len(body))
	body = body[from:min(len(body), from+f.room)]
	mp := in.match
	if mp.query == "" || mp.seq != f.msg.Seq || mp.subject != f.msg.Subject || mp.width != f.w ||
		mp.view != in.view || mp.diff != in.diff || mp.line < from || mp.line >= from+len(body) {
		return body
	}
	out := slices.Clone(body)
	out[mp.line-from] = highlightMatch(*in.st, out[mp.line-from], mp.query)
	return out
}

// highlightMatch shows line plain with the first occurrence of q (case
// folded when q is lower case, as find matches) in the match style.
func highlightMatch(st Styles, line, q string) string {
	plain := ansi.Strip(line)
	i := matchIndex(plain, q)
	if i < 0 {
		return line
	}
	return plain[:i] + st.Match.Render(plain[i:i+len(q)]) + plain[i+len(q):]
}

// clampScroll keeps the last screenful in view: scrolling past the end
// stops there.
func (in *inspector) clampScroll(f inspectFrame) {
	if f.info != nil || in.scroll == 0 {
		return
	}
	c := in.cached(f)
	in.scroll = min(in.scroll, max(len(c.lines)-f.room, 0))
}

// cached returns the cache when it holds f's formatting, and a fresh
// formatting (not kept) when it does not.
func (in *inspector) cached(f inspectFrame) *inspectorCache {
	if in.cacheHolds(f) {
		return &in.cache
	}
	c := in.format(f.msg, f.prev, f.w, f.room+in.scroll)
	return &c
}

// fill formats f's payload into the cache (Update's side of cached).
func (in *inspector) fill(f inspectFrame) {
	if f.info != nil || in.cacheHolds(f) {
		return
	}
	in.cache = in.format(f.msg, f.prev, f.w, f.room+in.scroll)
}

// cacheHolds reports whether the cache holds f's formatting (the shape
// view's, of the shape shown now).
func (in *inspector) cacheHolds(f inspectFrame) bool {
	return in.cache.holds(f.msg, f.prev, f.w, f.room+in.scroll, in.view, in.diff) &&
		(in.view != viewShape || in.cache.shapeGen == in.shapeGen())
}

func (c *inspectorCache) holds(msg, prev *model.Message, w, h int, mode viewMode, diff bool) bool {
	var prevData []byte
	if prev != nil {
		prevData = prev.Data
	}
	return c.subject == msg.Subject && c.seq == msg.Seq && sameBytes(c.data, msg.Data) && sameBytes(c.prev, prevData) &&
		c.width == w && c.height == h && c.mode == mode && c.diff == diff && c.lines != nil
}

// format lays out msg's payload (or its diff against prev) at width w, at
// most h lines, in the inspector's mode.
func (in *inspector) format(msg, prev *model.Message, w, h int) inspectorCache {
	var prevData []byte
	if prev != nil {
		prevData = prev.Data
	}
	kind := model.DetectPayload(msg.Data)
	c := inspectorCache{subject: msg.Subject, seq: msg.Seq, data: msg.Data, prev: prevData, width: w, height: h,
		kind: kind, mode: in.view, diff: in.diff}
	st := in.st
	switch {
	case in.diff:
		c.lines, c.summary = diffLines(*st, prev, msg, w, max(h, 1))
	case in.view == viewShape:
		c.lines, c.shapeGen = in.shapeLines(w), in.shapeGen()
	case in.view == viewHeaders:
		c.lines = headerRows(*st, msg.Header, in.headerKeys(msg), max(h, 1), w)
		if len(c.lines) == 0 {
			c.lines = []string{st.Muted.Render("(no headers)")}
		}
	case kind == model.KindEmpty:
		c.lines = []string{st.Muted.Render("(empty payload)")}
	case in.view == viewText:
		c.lines = model.FormatPayload(msg.Data, model.KindText, w, max(h, 1))
	case in.view == viewHex:
		c.lines = model.FormatPayload(msg.Data, model.KindBinary, w, max(h, 1))
	case kind == model.KindJSON:
		c.lines = highlightJSON(st, model.FormatPayload(msg.Data, kind, w, max(h, 1)))
	default:
		c.lines = model.FormatPayload(msg.Data, kind, w, max(h, 1))
	}
	return c
}

// diffLines renders the diff of msg against the previous message in the
// same list, marking changed, added and removed parts.
func diffLines(st Styles, prev, msg *model.Message, w, maxLines int) ([]string, string) {
	if prev == nil {
		return []string{st.Muted.Render("no previous message to compare with")}, "diff"
	}
	dl, summary := model.DiffMessages(prev, msg, w-2, maxLines)
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

// headerRows renders the first n headers, by sorted name (keys), as
// "Key: value" rows, then how many more there are. Only rows shown are
// formatted, and a value only as far as the width shows: a message with
// 200,000 header keys costs a screenful per frame.
func headerRows(st Styles, hdr model.Header, keys []string, n, w int) []string {
	out := make([]string, 0, min(n, len(keys))+1)
	for _, k := range keys[:min(n, len(keys))] {
		v := clipBytes(strings.Join(hdr[k], ", "), 4*max(w, 1))
		out = append(out, fit("  "+st.JSONKey.Render(model.Sanitize(clipBytes(k, 4*max(w, 1))))+": "+model.Sanitize(v), w))
	}
	if more := len(keys) - n; more > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("  … %d more headers", more)))
	}
	return out
}

// clipBytes cuts s to at most n bytes at a rune boundary: enough for any
// row of n/4 cells, whatever it is made of.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// headerIndex is one message's header names, sorted: sorting 200,000
// keys on every frame was the cost of a key press.
type headerIndex struct {
	seq     uint64
	subject string
	n       int
	keys    []string
}

func (x *headerIndex) holds(msg *model.Message) bool {
	return x.keys != nil && x.seq == msg.Seq && x.subject == msg.Subject && x.n == len(msg.Header)
}

// headerKeys is msg's sorted header names: from the index Update keeps,
// or sorted now (not kept) for a message Update has not seen.
func (in *inspector) headerKeys(msg *model.Message) []string {
	if in.hdrIndex.holds(msg) {
		return in.hdrIndex.keys
	}
	return sortedKeys(msg.Header)
}

// indexHeaders keeps msg's sorted header names (Update's side of
// headerKeys): once per message, not per frame.
func (in *inspector) indexHeaders(msg *model.Message) {
	if len(msg.Header) == 0 || in.hdrIndex.holds(msg) {
		return
	}
	in.hdrIndex = headerIndex{seq: msg.Seq, subject: msg.Subject, n: len(msg.Header), keys: sortedKeys(msg.Header)}
}

func sortedKeys(hdr model.Header) []string {
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// headersAbove is how many header rows fit above the payload when room
// lines are left: all of them when they fit in half, else half (at least
// 3), so the payload keeps its place.
func headersAbove(n, room int) int {
	if n <= max(room/2, 3) {
		return n
	}
	return max(room/2, 3) - 1 // and a line saying how many more
}

func kv(st Styles, k, v string) string {
	return st.Key.Render(fmt.Sprintf("%-9s", k)) + " " + st.Value.Render(v)
}

// sameBytes reports whether a and b hold the same bytes. The tree hands
// out a copy of a kept payload at every read (its slab moves and reuses
// spans), so the same message is not the same array from one frame to the
// next; comparing at most two kept payloads (64 KiB each) costs
// microseconds, formatting them again milliseconds.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0] || bytes.Equal(a, b))
}
