package model

import (
	"bytes"
	"encoding/json"
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
