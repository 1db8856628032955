package model

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// SortMode orders siblings in the tree view: a key (name, rate, count or
// bytes) and a direction. One value holds both, so the tree's title and
// the flash read the whole order from Sort, and a rewind keeps it.
type SortMode int

// Sort keys, cycled by the sort key in their natural direction: names A to
// Z, the numbers largest first.
const (
	SortName SortMode = iota
	SortRate
	SortCount
	SortBytes
	sortKeys // how many keys there are
)

// SortReversed, or-ed into a key, sorts it the other way: names Z to A,
// the numbers smallest first. Ties stay in name order either way.
const SortReversed SortMode = 1 << 4

// Key is the mode without its direction.
func (s SortMode) Key() SortMode { return s &^ SortReversed }

// Reversed reports whether the key is sorted against its natural direction.
func (s SortMode) Reversed() bool { return s&SortReversed != 0 }

// Next is the next key in the cycle, in its natural direction.
func (s SortMode) Next() SortMode { return (s.Key() + 1) % sortKeys }

// Reverse is the same key sorted the other way.
func (s SortMode) Reverse() SortMode { return s ^ SortReversed }

// Descending reports whether the first row has the largest value (or the
// name last in order): the arrow the title shows.
func (s SortMode) Descending() bool {
	byNumber := s.Key() > SortName && s.Key() < sortKeys // anything else sorts by name
	return byNumber != s.Reversed()
}

// String is the label shown in the tree's title and the flash: the key and
// an arrow, ↓ largest (or Z) first, ↑ smallest (or A) first, as k9s marks
// its sorted column.
func (s SortMode) String() string {
	arrow := " ↑"
	if s.Descending() {
		arrow = " ↓"
	}
	switch s.Key() {
	case SortRate:
		return "rate" + arrow
	case SortCount:
		return "count" + arrow
	case SortBytes:
		return "bytes" + arrow
	default:
		return "name" + arrow
	}
}

// resortEvery is how often (ns) rate and count orders are recomputed: often
// enough to follow traffic, rarely enough that rows don't jump every frame.
const resortEvery = 1e9

// TreeView is the tree pane's state: which nodes are expanded, the flattened
// visible rows, the selection and the scroll offset. Rows are rebuilt only
// when the structure, expansion or order changes, so rendering costs only
// the rows on screen.
type TreeView struct {
	tree *Tree
	// Sort is the sibling order.
	Sort SortMode
	// ShowNoise shows _INBOX and $-prefixed roots.
	ShowNoise bool

	rows       []rowRef // node ids and generations: no pointer per row
	built      uint64   // tree structure the rows were built from
	builtSort  SortMode // Sort the rows were built with
	builtNoise bool     // ShowNoise the rows were built with
	dirty      bool
	resort     bool   // SetSort asked for a fresh sort
	sortGen    uint64 // bumped on every full resort; see appendRows
	sortedAt   int64
	// rebuildAfter is when (on clock) a rebuild that only follows new or
	// pruned subjects may run again: 0 unless the last laid out manyRows
	// rows or more. clock is a monotonic clock, swapped in tests. See
	// Refresh.
	rebuildAfter time.Duration
	clock        func() time.Duration
	sel          Node
	// selPath is sel and its ancestors, nearest first: once sel is pruned
	// (and its slot perhaps reused) the selection falls back to the
	// nearest of them still on a row.
	selPath []Node
	selSubj string // sel's subject, for a search from a pruned selection
	cursor  int
	offset  int
	height  int
}

// rowRef is a row: a node's id and the generation it had, so a row whose
// node was pruned since the rows were built is never read as the node a
// reused slot holds.
type rowRef struct{ id, gen uint32 }

// NewTreeView returns a view over t.
func NewTreeView(t *Tree) *TreeView {
	start := time.Now()
	return &TreeView{tree: t, dirty: true, height: 1, clock: func() time.Duration { return time.Since(start) }}
}

// A rebuild that only follows new or pruned subjects waits, when the
// last one laid out manyRows rows or more, until rebuildShare times its
// cost has passed since it: with a branch of 1M children expanded under a
// flood, a rebuild after every batch (sorting those children, laying out
// their rows) took most of the UI's CPU, and the flood's backlog
// overflowed the store. A change the user asked for (expand, sort,
// search) is shown at once, and smaller views rebuild every time: counted
// in rows, not time, so a slow machine does not change what is shown.
const (
	manyRows     = 50_000
	rebuildShare = 10 // the rebuild gets 1/rebuildShare of the time
)

// Tree returns the tree this view shows.
func (v *TreeView) Tree() *Tree { return v.tree }

// SetHeight sets how many rows fit on screen.
func (v *TreeView) SetHeight(h int) {
	if h < 1 {
		h = 1
	}
	v.height = h
	v.clamp()
}

// Height is how many rows fit on screen.
func (v *TreeView) Height() int { return v.height }

// Refresh rebuilds the rows if anything changed since the last call.
func (v *TreeView) Refresh(now int64) {
	// Sort and ShowNoise are exported: compare with what the rows were
	// built from rather than trusting the setters to have been used.
	if v.resort || v.Sort != v.builtSort || (v.Sort.Key() != SortName && now-v.sortedAt >= resortEvery) {
		v.sortGen++
		v.sortedAt = now
		v.builtSort = v.Sort
		v.resort = false
		v.dirty = true
	}
	if v.ShowNoise != v.builtNoise {
		v.dirty = true
	}
	if !v.dirty && v.built == v.tree.structure {
		return
	}
	start := v.clock()
	if !v.dirty && start < v.rebuildAfter {
		return
	}
	v.rows = v.rows[:0]
	v.appendRows(v.tree.nodes.at(rootID).branch, now)
	v.rebuildAfter = 0
	if len(v.rows) >= manyRows {
		end := v.clock()
		v.rebuildAfter = end + rebuildShare*(end-start)
	}
	v.built = v.tree.structure
	v.builtNoise = v.ShowNoise
	v.dirty = false
	// Keep the selection on the same node, or its nearest visible ancestor.
	if !v.sel.IsZero() && !v.visible(v.sel) {
		v.sel = Node{}
		for i, a := range v.selPath {
			if v.visible(a) {
				v.sel, v.selPath, v.selSubj = a, v.selPath[i:], a.Subject()
				break
			}
		}
	}
	if !v.sel.IsZero() {
		v.cursor = int(v.tree.nodes.at(v.sel.id).row)
	}
	v.clamp()
	if v.sel.IsZero() {
		v.setSel(v.Selected())
	}
}

// setSel selects n and remembers its ancestors.
func (v *TreeView) setSel(n Node) {
	v.sel = n
	v.selSubj = n.Subject()
	v.selPath = v.selPath[:0]
	for a := n; !a.IsZero(); a = a.Parent() {
		v.selPath = append(v.selPath, a)
	}
}

// appendRows appends the visible rows of branch bi's children and their
// expanded subtrees. A sibling list is sorted when it gained nodes (dirty)
// or was last sorted before the newest full resort (sortGen): collapsed
// branches are sorted when they are next shown, not left in the order of
// an earlier sort mode. Pruned children are dropped first (live), so no
// row is a removed node.
func (v *TreeView) appendRows(bi uint32, now int64) {
	t := v.tree
	b := t.branches.at(bi)
	order := t.live(b)
	if b.dirty || b.sortGen != v.sortGen {
		v.sortNodes(order, now)
		b.dirty = false
		b.sortGen = v.sortGen
	}
	for _, id := range order {
		n := t.nodes.at(id)
		if n.has(flagNoise) && !v.ShowNoise {
			t.hide(n)
			continue
		}
		n.row = int32(len(v.rows))
		v.rows = append(v.rows, rowRef{id, n.gen})
		switch {
		case n.branch != 0 && n.has(flagExpanded):
			n.set(flagShown, true)
			v.appendRows(n.branch, now) // appending rows never moves a branch
		case n.has(flagShown):
			t.hideChildren(n)
		}
	}
}

// visible reports whether n is on a current row.
func (v *TreeView) visible(n Node) bool {
	p := n.get()
	return p != nil && p.row >= 0 && int(p.row) < len(v.rows) && v.rows[p.row].id == n.id
}

// hide marks n and the rows below it that the last rebuild showed as not
// visible.
func (t *Tree) hide(n *node) {
	n.row = -1
	if n.has(flagShown) {
		t.hideChildren(n)
	}
}

// hideChildren marks the rows below n as not visible. It descends only
// where the last rebuild showed children, so a rebuild costs the rows shown
// then and now, not every child of every collapsed node on screen.
func (t *Tree) hideChildren(n *node) {
	n.set(flagShown, false)
	for _, id := range t.order0(n) {
		t.hide(t.nodes.at(id))
	}
}

// order0 is n's order (removed children included), nil for a leaf.
func (t *Tree) order0(n *node) []uint32 {
	if n.branch == 0 {
		return nil
	}
	return t.branches.at(n.branch).order
}

// sortNodes orders sibling ids by the view's sort: by name, or by a number
// (largest first unless reversed) with ties in name order.
func (v *TreeView) sortNodes(ids []uint32, now int64) {
	t := v.tree
	name := func(id uint32) string { return t.name(t.nodes.at(id)) }
	var by func(a, b uint32) int // ascending by the key's number
	switch v.Sort.Key() {
	case SortRate:
		since := t.since
		rate := func(id uint32) float64 { n := t.nodes.at(id); c := t.counts(n); return c.rate(n.lastSec(), now, since) }
		by = func(a, b uint32) int { return cmp.Compare(rate(a), rate(b)) }
	case SortCount:
		by = func(a, b uint32) int { return cmp.Compare(t.nodes.at(a).msgs, t.nodes.at(b).msgs) }
	case SortBytes:
		by = func(a, b uint32) int { return cmp.Compare(t.nodes.at(a).bytes, t.nodes.at(b).bytes) }
	default:
		dir := 1
		if v.Sort.Reversed() {
			dir = -1
		}
		slices.SortFunc(ids, func(a, b uint32) int { return dir * naturalCompare(name(a), name(b)) })
		return
	}
	dir := -1 // largest first
	if v.Sort.Reversed() {
		dir = 1
	}
	slices.SortStableFunc(ids, func(a, b uint32) int {
		if c := by(a, b); c != 0 {
			return dir * c
		}
		return naturalCompare(name(a), name(b))
	})
}

// naturalCompare orders sibling names: tokens that are whole numbers by
// value (drivers.paris.91 before drivers.paris.129), every other token
// bytewise, so ids keep their plain order (cam-140f before cam-3a8f,
// meter-62a1 before meter-9bdd): reading runs of digits inside a hex id
// as numbers sorts it by an accident of its digits.
//
// Numbers sit as one block where bytewise order puts the tokens that start
// with a digit: a token that is not a number comes before every number if
// it sorts before "0" bytewise ("", "-x", "$SYS") and after them otherwise
// ("1a", "A", "a"). That keeps the order transitive; comparing "1a" with
// numbers bytewise but numbers by value would give 2 < 10 < 1a < 2, and
// sorting with it arbitrary results. Equal values with different leading
// zeros fall back to bytewise.
func naturalCompare(a, b string) int {
	na, nb := isNumber(a), isNumber(b)
	switch {
	case na && nb:
		da, db := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if c := cmp.Compare(len(da), len(db)); c != 0 {
			return c
		}
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
	case na:
		return numberVersus(b)
	case nb:
		return -numberVersus(a)
	}
	return strings.Compare(a, b)
}

// numberVersus compares any number with tok, a token that is not one.
func numberVersus(tok string) int {
	if tok < "0" {
		return 1
	}
	return -1
}

// isNumber reports whether tok is a whole number: digits only, at least one.
func isNumber(tok string) bool {
	if tok == "" {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if !isDigit(tok[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// compareSubjects orders subjects as the tree shows them by name: token by
// token with naturalCompare, a parent before its children.
func compareSubjects(a, b string) int {
	// The tokens before the first differing byte are equal: start at the
	// token that holds it.
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return 0
	}
	start := strings.LastIndexByte(a[:i], '.') + 1
	a, b = a[start:], b[start:]
	for {
		ta, ra, moreA := cutToken(a)
		tb, rb, moreB := cutToken(b)
		if c := naturalCompare(ta, tb); c != 0 {
			return c
		}
		if !moreA || !moreB {
			return cmp.Compare(btoi(moreA), btoi(moreB))
		}
		a, b = ra, rb
	}
}

// cutToken is strings.Cut(s, ".") without its general substring search.
func cutToken(s string) (token, rest string, more bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Rows returns all visible rows, in a new slice (the view keeps ids, not
// handles): for tools and tests; a frame reads Window.
func (v *TreeView) Rows() []Node {
	out := make([]Node, len(v.rows))
	for i, r := range v.rows {
		out[i] = v.row(r)
	}
	return out
}

// NumRows is how many rows are visible.
func (v *TreeView) NumRows() int { return len(v.rows) }

// row is r's handle: its generation is the row's, so a node removed since
// the rows were built reads Removed.
func (v *TreeView) row(r rowRef) Node { return Node{t: v.tree, id: r.id, gen: r.gen} }

// Window returns the rows on screen and the index of the first.
func (v *TreeView) Window() ([]Node, int) {
	end := min(v.offset+v.height, len(v.rows))
	out := make([]Node, 0, end-v.offset)
	for _, r := range v.rows[v.offset:end] {
		out = append(out, v.row(r))
	}
	return out, v.offset
}

// Cursor is the index of the selected row.
func (v *TreeView) Cursor() int { return v.cursor }

// Selected returns the selected node, the zero Node when the tree is
// empty.
func (v *TreeView) Selected() Node {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return Node{}
	}
	return v.row(v.rows[v.cursor])
}

// Move moves the selection by delta rows, clamped to the list.
func (v *TreeView) Move(delta int) { v.MoveTo(v.cursor + delta) }

// MoveTo selects row i, clamped to the list.
func (v *TreeView) MoveTo(i int) {
	v.cursor = i
	v.clamp()
	v.setSel(v.Selected())
}

// Page moves the selection by whole screens.
func (v *TreeView) Page(pages int) { v.Move(pages * v.height) }

func (v *TreeView) clamp() {
	if v.cursor >= len(v.rows) {
		v.cursor = len(v.rows) - 1
	}
	if v.cursor < 0 {
		v.cursor = 0
	}
	if v.cursor < v.offset {
		v.offset = v.cursor
	}
	if v.cursor >= v.offset+v.height {
		v.offset = v.cursor - v.height + 1
	}
	if maxOff := max(len(v.rows)-v.height, 0); v.offset > maxOff {
		v.offset = maxOff
	}
	if v.offset < 0 {
		v.offset = 0
	}
}

// Expand shows the selected node's children; on an expanded node it moves to
// the first child, and on a leaf it does nothing.
func (v *TreeView) Expand() {
	n := v.Selected()
	if !n.HasChildren() {
		return
	}
	if n.Expanded() {
		v.Move(1)
		return
	}
	n.SetExpanded(true)
	v.dirty = true
}

// Collapse hides the selected node's children, or selects its parent.
func (v *TreeView) Collapse() {
	n := v.Selected()
	if n.get() == nil {
		return
	}
	if n.Expanded() && n.HasChildren() {
		n.SetExpanded(false)
		v.dirty = true
		return
	}
	if p := n.Parent(); v.visible(p) {
		v.MoveTo(int(p.get().row))
	}
}

// Toggle expands or collapses the selected node.
func (v *TreeView) Toggle() {
	if n := v.Selected(); n.HasChildren() {
		n.SetExpanded(!n.Expanded())
		v.dirty = true
	}
}

// SetSort changes the sibling order; rows are rebuilt on the next Refresh.
func (v *TreeView) SetSort(s SortMode) {
	v.Sort = s
	v.resort = true
}

// SetShowNoise shows or hides _INBOX and $-prefixed subjects.
func (v *TreeView) SetShowNoise(on bool) {
	v.ShowNoise = on
	v.dirty = true
}

// Reveal expands n's ancestors and selects it (rows rebuilt at once). A
// removed node is not revealed.
func (v *TreeView) Reveal(n Node, now int64) {
	p := n.get()
	if p == nil {
		return
	}
	if p.has(flagNoise) && !v.ShowNoise {
		v.ShowNoise = true
	}
	for a := p.parent; a != rootID; {
		an := v.tree.nodes.at(a)
		an.set(flagExpanded, true)
		a = an.parent
	}
	v.dirty = true
	v.Refresh(now)
	if p.row >= 0 {
		v.MoveTo(int(p.row))
		// Centre the match so its context is visible.
		v.offset = max(0, min(v.cursor-v.height/2, len(v.rows)-v.height))
	}
}
