package model

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// DiffOp marks how a diff line relates the current payload to the previous one.
type DiffOp int

// Diff line marks.
const (
	// DiffSame is a line found in both payloads (or a note such as "… N more lines").
	DiffSame DiffOp = iota
	// DiffAdded is a line only in the current payload.
	DiffAdded
	// DiffRemoved is a line only in the previous payload.
	DiffRemoved
	// DiffChanged is a JSON value or byte range present in both but different.
	DiffChanged
)

// String returns the one-character gutter mark for the op: " ", "+", "-" or "~".
func (op DiffOp) String() string {
	switch op {
	case DiffAdded:
		return "+"
	case DiffRemoved:
		return "-"
	case DiffChanged:
		return "~"
	}
	return " "
}

// DiffLine is one display line of a diff.
type DiffLine struct {
	// Op is how the line relates the two payloads.
	Op DiffOp
	// Text is the sanitized line, without a gutter mark.
	Text string
}

const (
	// jsonDiffLimit bounds the JSON-aware diff, which builds a tree of each
	// side; larger documents get a line diff of their indented form.
	jsonDiffLimit = 1 << 20
	// maxDiffLines bounds the lines an exact line diff compares, after common
	// leading and trailing lines are set aside; beyond it the middle is shown
	// as removed then added.
	maxDiffLines = 2000
	// maxDiffEdits bounds Myers' search (and its O(D²) trace): more edits
	// than this and the middle is shown as removed then added.
	maxDiffEdits = 1000
	// maxInlineWas is the longest old value shown inline as "(was: old)";
	// longer ones are shown as a removed line above the added one.
	maxInlineWas = 48
	// maxRangeLines bounds the changed byte ranges listed for binary.
	maxRangeLines = 100
	// hexWindow is how many bytes of each side the binary diff dumps.
	hexWindow = 64
)

// Diff returns display lines comparing prev to cur and a one-line summary.
//
// Two JSON objects or arrays are compared structurally: the lines are the
// current document indented as FormatPayload shows it, with added members
// marked +, removed ones shown where they were with their old value and
// marked -, and a changed scalar marked ~ as `"key": new  (was: old)` (or as
// a -/+ pair when the old value is long or of another type). Key order and
// spacing are not changes; arrays are compared index by index; numbers are
// compared as written (json.Number strings), so 1 and 1.0 differ: a producer
// switching representation is worth seeing, and big integers stay exact.
// Strings are compared by value, so "\u0041" equals "A".
//
// Text, and JSON against non-JSON, get a Myers line diff of the displayed
// form (JSON indented), bounded to maxDiffLines lines after common leading
// and trailing lines; beyond that, a prefix/suffix diff. If either side is
// binary, the changed byte ranges are listed and the 64 bytes from the row of
// the first difference are dumped for each side.
//
// Lines are wrapped at width runes (no wrapping when width <= 0) and cut at
// maxLines (no limit when <= 0) with FormatPayload's "… N more lines", N
// counting diff lines not fully shown.
func Diff(prev, cur []byte, width, maxLines int) (lines []DiffLine, summary string) {
	if bytes.Equal(prev, cur) {
		for _, l := range FormatPayload(cur, KindEmpty, width, maxLines) {
			lines = append(lines, DiffLine{DiffSame, l})
		}
		return lines, "identical"
	}
	w := &diffWriter{width: width, maxLines: maxLines}
	kp, kc := DetectPayload(prev), DetectPayload(cur)
	switch {
	case kp == KindBinary || kc == KindBinary:
		summary = binaryDiff(w, prev, cur)
	case kp == KindJSON && kc == KindJSON && max(len(prev), len(cur)) <= jsonDiffLimit:
		var ok bool
		if summary, ok = jsonDiff(w, prev, cur); ok {
			break // else nothing was written: fall back to text
		}
		fallthrough
	default:
		summary = textDiff(w, diffDisplayForm(prev, kp), diffDisplayForm(cur, kc))
	}
	return w.result(), summary
}

// diffDisplayForm is the text FormatPayload shows for b: JSON indented.
func diffDisplayForm(b []byte, kind PayloadKind) []byte {
	if kind == KindJSON {
		var buf bytes.Buffer
		if json.Indent(&buf, b, "", "  ") == nil {
			return buf.Bytes()
		}
	}
	return b
}

// diffWriter collects display lines, sanitizing and wrapping only those that
// will be shown and merely counting the rest.
type diffWriter struct {
	width, maxLines int
	lines           []DiffLine
	complete        []bool // complete[i]: lines[i] is the last row of its diff line
	total           int    // diff lines added, shown or not
}

func (w *diffWriter) full() bool { return w.maxLines > 0 && len(w.lines) > w.maxLines }

// add appends one diff line (copying it), wrapped into rows.
func (w *diffWriter) add(op DiffOp, line []byte) {
	w.total++
	if w.full() {
		return
	}
	whole := true
	if w.maxLines > 0 && w.maxLines < 1<<20 && w.width > 0 && w.width < 1<<20 {
		// As in formatLines: each byte shows as at least one rune, so a
		// huge line is cut to what the rows still wanted can show.
		if budget := 4 * (w.maxLines + 1 - len(w.lines)) * w.width; len(line) > budget {
			line = cutAtRuneStart(line, budget+4)
			whole = false
		}
	}
	s := SanitizeBlock(string(line)) // expands tabs as FormatPayload does
	if strings.IndexByte(s, '\n') >= 0 {
		s = Sanitize(string(line)) // callers split on '\n'; never let one through
	}
	if w.width <= 0 || len(s) <= w.width { // one row: skip wrapRunes' slice
		w.lines = append(w.lines, DiffLine{op, s})
		w.complete = append(w.complete, whole)
		return
	}
	rows := wrapRunes(s, w.width)
	for i, r := range rows {
		w.lines = append(w.lines, DiffLine{op, r})
		w.complete = append(w.complete, whole && i == len(rows)-1)
	}
}

// result returns the lines, cut to maxLines with a "… N more lines" note.
func (w *diffWriter) result() []DiffLine {
	if !w.full() {
		return w.lines
	}
	keep := w.maxLines - 1
	shown := 0
	for _, c := range w.complete[:keep] {
		if c {
			shown++
		}
	}
	return append(w.lines[:keep], DiffLine{DiffSame, moreLines(w.total - shown)})
}

// countNoun returns "1 line" or "n lines" for unit "line".
func countNoun(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// textDiff writes a line diff of a and b and returns its summary.
func textDiff(w *diffWriter, a, b []byte) string {
	ta, tb := newTextLines(a), newTextLines(b)
	// Set common leading and trailing lines aside: a change in a long log
	// stays an exact diff of the few lines around it.
	pre, offA, offB := 0, 0, 0
	for pre < ta.n && pre < tb.n {
		la, na := ta.line(offA)
		lb, nb := tb.line(offB)
		if !bytes.Equal(la, lb) {
			break
		}
		pre, offA, offB = pre+1, na, nb
	}
	suf, endA, endB := 0, len(ta.b), len(tb.b)
	for suf < ta.n-pre && suf < tb.n-pre {
		la, sa := ta.lineBefore(endA)
		lb, sb := tb.lineBefore(endB)
		if !bytes.Equal(la, lb) {
			break
		}
		suf, endA, endB = suf+1, sa-1, sb-1
	}
	midA, midB := ta.n-pre-suf, tb.n-pre-suf

	tb.write(w, DiffSame, 0, pre)
	exact := false
	added, removed := midB, midA
	if midA <= maxDiffLines && midB <= maxDiffLines {
		ma, mb := ta.collect(offA, midA), tb.collect(offB, midB)
		var script []DiffOp
		if script, exact = myers(internLines(ma, mb)); exact {
			added, removed = 0, 0
			i, j := 0, 0
			for _, op := range script {
				switch op {
				case DiffSame:
					w.add(DiffSame, mb[j])
					i, j = i+1, j+1
				case DiffRemoved:
					w.add(DiffRemoved, ma[i])
					i, removed = i+1, removed+1
				case DiffAdded:
					w.add(DiffAdded, mb[j])
					j, added = j+1, added+1
				}
			}
		}
	}
	if !exact {
		ta.write(w, DiffRemoved, offA, midA)
		tb.write(w, DiffAdded, offB, midB)
	}
	tb.write(w, DiffSame, endB+1, suf)

	n := added + removed
	s := countNoun(n, "line") + " differ"
	if n == 1 {
		s += "s"
	}
	s += " (+" + strconv.Itoa(added) + " -" + strconv.Itoa(removed) + ")"
	if !exact {
		s += ", whole block replaced"
	}
	return s
}

// textLines is a payload's lines as formatLines counts them ("a\n" is one
// line, an empty payload has none), read in place: a large payload of short
// lines is never split into a slice.
type textLines struct {
	b []byte // the payload without its final '\n'
	n int
}

func newTextLines(b []byte) textLines {
	if len(b) == 0 {
		return textLines{}
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return textLines{b, bytes.Count(b, []byte{'\n'}) + 1}
}

// line returns the line starting at off and where the next one starts.
func (t textLines) line(off int) ([]byte, int) {
	end := bytes.IndexByte(t.b[off:], '\n')
	if end < 0 {
		return t.b[off:], len(t.b) + 1
	}
	return t.b[off : off+end], off + end + 1
}

// lineBefore returns the line ending at end and where it starts.
func (t textLines) lineBefore(end int) ([]byte, int) {
	start := bytes.LastIndexByte(t.b[:end], '\n') + 1
	return t.b[start:end], start
}

// collect returns the n lines from off.
func (t textLines) collect(off, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i], off = t.line(off)
	}
	return out
}

// write adds the n lines from off to w as op, only counting them once w is
// full.
func (t textLines) write(w *diffWriter, op DiffOp, off, n int) {
	for i := range n {
		if w.full() {
			w.total += n - i
			return
		}
		var l []byte
		l, off = t.line(off)
		w.add(op, l)
	}
}

// internLines numbers distinct lines so Myers compares ints, not bytes.
func internLines(a, b [][]byte) ([]int32, []int32) {
	ids := make(map[string]int32, len(a)+len(b))
	conv := func(ls [][]byte) []int32 {
		out := make([]int32, len(ls))
		for i, l := range ls {
			id, ok := ids[string(l)]
			if !ok {
				id = int32(len(ids))
				ids[string(l)] = id
			}
			out[i] = id
		}
		return out
	}
	return conv(a), conv(b)
}

// myers returns the shortest edit script turning a into b (DiffSame,
// DiffRemoved, DiffAdded per step), or false when it needs more than
// maxDiffEdits edits. Hand-written because model uses the standard library
// only; it is the greedy O((N+M)D) algorithm, keeping the frontier of every
// step (at most (D+1)² ints) to walk back the path.
func myers(a, b []int32) ([]DiffOp, bool) {
	n, m := len(a), len(b)
	off := n + m + 1
	v := make([]int32, 2*off+1)
	var trace [][]int32
	for d := 0; d <= n+m; d++ {
		if d > maxDiffEdits {
			return nil, false
		}
		trace = append(trace, append([]int32(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1])
			} else {
				x = int(v[off+k-1]) + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = int32(x)
			if x >= n && y >= m {
				return myersPath(trace, n, m), true
			}
		}
	}
	return nil, false // unreachable: d = n+m always reaches the end
}

// myersPath walks the recorded frontiers back from (n, m) to (0, 0).
func myersPath(trace [][]int32, n, m int) []DiffOp {
	var rev []DiffOp
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		v := trace[d] // frontier before step d, k from -d to d at v[k+d]
		k := x - y
		pk := k - 1
		if k == -d || (k != d && v[k-1+d] < v[k+1+d]) {
			pk = k + 1
		}
		px, py := 0, 0
		if d > 0 {
			px = int(v[pk+d])
			py = px - pk
		}
		for x > px && y > py {
			rev = append(rev, DiffSame)
			x, y = x-1, y-1
		}
		if d > 0 {
			if x == px {
				rev = append(rev, DiffAdded)
			} else {
				rev = append(rev, DiffRemoved)
			}
		}
		x, y = px, py
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// binaryDiff lists the changed byte ranges of a and b, then dumps the 64
// bytes from the row holding the first difference on each side.
func binaryDiff(w *diffWriter, a, b []byte) string {
	n := min(len(a), len(b))
	var ranges [][2]int // inclusive, at most maxRangeLines of them
	count, first := 0, n
	for i := nextDiff(a, b, 0, n); i < n; i = nextDiff(a, b, i, n) {
		j := i
		for j < n && a[j] != b[j] {
			j++
		}
		if count == 0 {
			first = i
		}
		if len(ranges) < maxRangeLines {
			ranges = append(ranges, [2]int{i, j - 1})
		}
		count++
		i = j
	}

	var parts []string
	if count > 0 {
		s := "byte "
		if count > 1 || ranges[0][0] != ranges[0][1] {
			s = "bytes "
		}
		for i, r := range ranges[:min(len(ranges), 3)] {
			if i > 0 {
				s += ", "
			}
			s += rangeText(r)
		}
		if count > 3 {
			s += " and " + countNoun(count-3, "more range")
		}
		parts = append(parts, s+" changed")
	}
	for _, t := range []struct {
		n    int
		verb string
	}{{len(b) - len(a), " added at end"}, {len(a) - len(b), " removed at end"}} {
		switch {
		case t.n > 0 && len(parts) == 0:
			parts = append(parts, countNoun(t.n, "byte")+t.verb)
		case t.n > 0:
			parts = append(parts, strconv.Itoa(t.n)+t.verb)
		}
	}

	for _, r := range ranges {
		w.add(DiffChanged, []byte(byteRangeText(r)+" changed ("+countNoun(r[1]-r[0]+1, "byte")+")"))
	}
	if count > len(ranges) {
		w.add(DiffChanged, []byte("and "+countNoun(count-len(ranges), "more changed range")))
	}
	if len(b) > n {
		w.add(DiffAdded, []byte(byteRangeText([2]int{n, len(b) - 1})+" added at end ("+countNoun(len(b)-n, "byte")+")"))
	}
	if len(a) > n {
		w.add(DiffRemoved, []byte(byteRangeText([2]int{n, len(a) - 1})+" removed at end ("+countNoun(len(a)-n, "byte")+")"))
	}
	perRow := 16
	if w.width > 0 && w.width < 78 {
		perRow = 8 // as hexDump does
	}
	start := first - first%perRow
	hexWindowRows(w, "previous", a, b, start, perRow, DiffRemoved)
	hexWindowRows(w, "current", b, a, start, perRow, DiffAdded)
	return strings.Join(parts, ", ")
}

// nextDiff returns the first index from i below n where a and b differ, or
// n; equal stretches are skipped a block at a time with bytes.Equal.
func nextDiff(a, b []byte, i, n int) int {
	const block = 64
	for i+block <= n && bytes.Equal(a[i:i+block], b[i:i+block]) {
		i += block
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// rangeText is "16–31", or "16" for a single byte.
func rangeText(r [2]int) string {
	if r[0] == r[1] {
		return strconv.Itoa(r[0])
	}
	return strconv.Itoa(r[0]) + "–" + strconv.Itoa(r[1])
}

// byteRangeText is "bytes 16–31", or "byte 16".
func byteRangeText(r [2]int) string {
	if r[0] == r[1] {
		return "byte " + rangeText(r)
	}
	return "bytes " + rangeText(r)
}

// hexWindowRows dumps side's hexWindow bytes from start under a title, rows
// equal to the other side's marked DiffSame and the others op.
func hexWindowRows(w *diffWriter, title string, side, other []byte, start, perRow int, op DiffOp) {
	if start >= len(side) {
		w.add(DiffSame, []byte(title+": ends at byte "+strconv.Itoa(len(side))))
		return
	}
	w.add(DiffSame, []byte(title+", from byte "+strconv.Itoa(start)+" (0x"+strconv.FormatInt(int64(start), 16)+"):"))
	row := make([]byte, 0, 96)
	for off := start; off < start+hexWindow && off < len(side); off += perRow {
		chunk := side[off:min(off+perRow, len(side))]
		rowOp := op
		if off < len(other) && bytes.Equal(chunk, other[off:min(off+perRow, len(other))]) {
			rowOp = DiffSame
		}
		row = appendHexRow(row[:0], off, chunk, perRow)
		w.add(rowOp, row)
	}
}

// jsonNode is a parsed JSON value keeping what the diff needs and decoding
// into maps drops: members in document order and scalars as written.
// Hand-written (over input json.Valid accepted) because json.Decoder.Token
// re-encodes strings, loses their escapes and allocates per token.
type jsonNode struct {
	open  byte       // '{' or '[' for a container, 0 for a scalar
	key   []byte     // an object member's name as written, quotes included
	lit   []byte     // a scalar as written, quotes included
	elems []jsonNode // a container's members or elements
}

// closer returns the bracket closing n.
func (n *jsonNode) closer() byte {
	if n.open == '[' {
		return ']'
	}
	return '}'
}

type jsonParser struct {
	b     []byte
	i     int
	stack []jsonNode // the children of the containers being parsed
}

// parseJSON parses b, reporting false for anything it does not understand.
func parseJSON(b []byte) (jsonNode, bool) {
	p := jsonParser{b: b}
	n, ok := p.value()
	return n, ok && p.peek() == 0
}

// peek skips whitespace and returns the next byte, 0 at the end.
func (p *jsonParser) peek() byte {
	for ; p.i < len(p.b); p.i++ {
		if c := p.b[p.i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

func (p *jsonParser) value() (jsonNode, bool) {
	switch c := p.peek(); c {
	case 0:
		return jsonNode{}, false
	case '"':
		s, ok := p.str()
		return jsonNode{lit: s}, ok
	case '{', '[':
		p.i++
		n := jsonNode{open: c}
		if p.peek() == n.closer() {
			p.i++
			return n, true
		}
		// Children collect on a shared stack and are copied out once, so
		// a container costs one exactly sized allocation.
		base := len(p.stack)
		for {
			var key []byte
			if c == '{' {
				k, ok := p.str()
				if !ok || p.peek() != ':' {
					return n, false
				}
				p.i++
				key = k
			}
			v, ok := p.value()
			if !ok {
				return n, false
			}
			v.key = key
			p.stack = append(p.stack, v)
			switch p.peek() {
			case ',':
				p.i++
			case n.closer():
				p.i++
				n.elems = slices.Clone(p.stack[base:])
				clear(p.stack[base:]) // do not pin what the clone now holds
				p.stack = p.stack[:base]
				return n, true
			default:
				return n, false
			}
		}
	}
	start := p.i
	for p.i < len(p.b) && strings.IndexByte(" \t\r\n,:]}", p.b[p.i]) < 0 {
		p.i++
	}
	return jsonNode{lit: p.b[start:p.i]}, p.i > start
}

func (p *jsonParser) str() ([]byte, bool) {
	if p.peek() != '"' {
		return nil, false
	}
	for j := p.i + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case '\\':
			j++
		case '"':
			s := p.b[p.i : j+1]
			p.i = j + 1
			return s, true
		}
	}
	return nil, false
}

// jsonString decodes a string literal so that differently escaped spellings
// of one string compare equal.
func jsonString(lit []byte) string {
	if bytes.IndexByte(lit, '\\') < 0 && len(lit) >= 2 {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return string(lit)
	}
	return s
}

// scalarEqual compares literals as written (json.Number semantics: 1 and
// 1.0 differ) except that strings are compared by value.
func scalarEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if len(a) == 0 || len(b) == 0 || a[0] != '"' || b[0] != '"' {
		return false
	}
	return jsonString(a) == jsonString(b)
}

// jsonDiffer writes the current document, indented as json.Indent does,
// with the differences from the previous one marked.
type jsonDiffer struct {
	w                       *diffWriter
	buf                     []byte
	changed, added, removed int
}

// jsonDiff writes the structural diff of two JSON documents and returns its
// summary, or false when either does not parse.
func jsonDiff(w *diffWriter, prev, cur []byte) (string, bool) {
	a, okA := parseJSON(prev)
	b, okB := parseJSON(cur)
	if !okA || !okB {
		return "", false
	}
	d := jsonDiffer{w: w}
	d.diff(0, nil, &a, &b, false)
	if d.changed+d.added+d.removed == 0 {
		return "identical values (key order or spacing differs)", true
	}
	return strconv.Itoa(d.changed) + " changed, " + strconv.Itoa(d.added) + " added, " +
		strconv.Itoa(d.removed) + " removed", true
}

// begin starts a line: indentation and the member's name, if any. Nothing is
// built once the listing is known to be cut; end still counts the line.
func (d *jsonDiffer) begin(depth int, key []byte) {
	d.buf = d.buf[:0]
	if d.w.full() {
		return
	}
	for range depth {
		d.buf = append(d.buf, ' ', ' ')
	}
	if key != nil {
		d.buf = append(append(d.buf, key...), ':', ' ')
	}
}

// end finishes and writes the line begun, with a comma and the old value.
func (d *jsonDiffer) end(op DiffOp, comma bool, was []byte) {
	if comma {
		d.buf = append(d.buf, ',')
	}
	if was != nil {
		d.buf = append(append(append(d.buf, "  (was: "...), was...), ')')
	}
	d.w.add(op, d.buf)
}

// write writes n and everything in it marked op.
func (d *jsonDiffer) write(op DiffOp, depth int, key []byte, n *jsonNode, comma bool) {
	d.begin(depth, key)
	switch {
	case n.open == 0:
		d.buf = append(d.buf, n.lit...)
	case len(n.elems) == 0:
		d.buf = append(d.buf, n.open, n.closer())
	default:
		d.buf = append(d.buf, n.open)
		d.end(op, false, nil)
		for i := range n.elems {
			d.write(op, depth+1, n.elems[i].key, &n.elems[i], i < len(n.elems)-1)
		}
		d.begin(depth, nil)
		d.buf = append(d.buf, n.closer())
	}
	d.end(op, comma, nil)
}

// diff writes cur (b) with its differences from prev (a) marked.
func (d *jsonDiffer) diff(depth int, key []byte, a, b *jsonNode, comma bool) {
	switch {
	case a.open == 0 && b.open == 0:
		if scalarEqual(a.lit, b.lit) {
			d.write(DiffSame, depth, key, b, comma)
			return
		}
		d.changed++
		if len(a.lit) <= maxInlineWas {
			d.begin(depth, key)
			d.buf = append(d.buf, b.lit...)
			d.end(DiffChanged, comma, a.lit)
			return
		}
	case a.open == b.open && (len(b.elems) > 0 || len(a.elems) == 0):
		d.begin(depth, key)
		if len(b.elems) == 0 {
			d.buf = append(d.buf, b.open, b.closer())
			d.end(DiffSame, comma, nil)
			return
		}
		d.buf = append(d.buf, b.open)
		d.end(DiffSame, false, nil)
		if b.open == '{' {
			d.members(depth+1, a, b)
		} else {
			d.elements(depth+1, a, b)
		}
		d.begin(depth, nil)
		d.buf = append(d.buf, b.closer())
		d.end(DiffSame, comma, nil)
		return
	case a.open == b.open:
		// Emptied: cur shows as "{}" on one line, so the old members are
		// shown as the old value rather than inside it.
		d.removed += len(a.elems)
	default:
		d.changed++
	}
	d.write(DiffRemoved, depth, key, a, comma)
	d.write(DiffAdded, depth, key, b, comma)
}

// members diffs two objects by member name, writing b's members in b's
// order and a's removed members after the member that preceded them in a.
func (d *jsonDiffer) members(depth int, a, b *jsonNode) {
	inA := newNameIndex(a, true) // the last of duplicates wins, as in encoding/json
	inB := newNameIndex(b, false)
	// removedAt[g] lists a's members gone from b that follow b's member g-1;
	// nil, and not allocated, when nothing was removed.
	var removedAt [][]int
	g := 0
	for i, name := range inA.names {
		if j, ok := inB.find(name); ok {
			g = j + 1
		} else if last, _ := inA.find(name); last == i {
			if removedAt == nil {
				removedAt = make([][]int, len(b.elems)+1)
			}
			removedAt[g] = append(removedAt[g], i)
		}
	}
	removedAfter := func(g int) []int {
		if removedAt == nil {
			return nil
		}
		return removedAt[g]
	}
	d.removedMembers(depth, a, removedAfter(0), len(b.elems) > 0)
	for j, name := range inB.names {
		comma := j < len(b.elems)-1
		if i, ok := inA.find(name); ok {
			d.diff(depth, b.elems[j].key, &a.elems[i], &b.elems[j], comma)
		} else {
			d.added++
			d.write(DiffAdded, depth, b.elems[j].key, &b.elems[j], comma)
		}
		d.removedMembers(depth, a, removedAfter(j+1), comma)
	}
}

// nameIndex finds an object's member by decoded name: a scan for the small
// objects most payloads are made of, a map for large ones.
type nameIndex struct {
	names []string
	byMap map[string]int
	last  bool // duplicates: find the last member of a name, else the first
}

// nameIndexMapAt is the size from which a map beats scanning the names.
const nameIndexMapAt = 16

func newNameIndex(n *jsonNode, last bool) nameIndex {
	x := nameIndex{names: make([]string, len(n.elems)), last: last}
	for i := range n.elems {
		x.names[i] = jsonString(n.elems[i].key)
	}
	if len(x.names) >= nameIndexMapAt {
		x.byMap = make(map[string]int, len(x.names))
		for i, name := range x.names {
			if _, dup := x.byMap[name]; !dup || last {
				x.byMap[name] = i
			}
		}
	}
	return x
}

func (x nameIndex) find(name string) (int, bool) {
	if x.byMap != nil {
		i, ok := x.byMap[name]
		return i, ok
	}
	for k := range x.names {
		i := k
		if x.last {
			i = len(x.names) - 1 - k
		}
		if x.names[i] == name {
			return i, true
		}
	}
	return 0, false
}

func (d *jsonDiffer) removedMembers(depth int, a *jsonNode, idx []int, more bool) {
	for n, i := range idx {
		d.removed++
		d.write(DiffRemoved, depth, a.elems[i].key, &a.elems[i], more || n < len(idx)-1)
	}
}

// elements diffs two arrays index by index.
func (d *jsonDiffer) elements(depth int, a, b *jsonNode) {
	for j := range b.elems {
		comma := j < len(b.elems)-1
		if j < len(a.elems) {
			d.diff(depth, nil, &a.elems[j], &b.elems[j], comma)
		} else {
			d.added++
			d.write(DiffAdded, depth, nil, &b.elems[j], comma)
		}
	}
	for i := len(b.elems); i < len(a.elems); i++ {
		d.removed++
		d.write(DiffRemoved, depth, nil, &a.elems[i], i < len(a.elems)-1)
	}
}
