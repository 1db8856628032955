package model

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// JSON-aware diffs: a small order-keeping parser and a structural walk.

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
