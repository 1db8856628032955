package model

import (
	"cmp"
	"slices"
	"strings"
)

// SortMode orders siblings in the tree view.
type SortMode int

// Sort modes, cycled by the sort key.
const (
	SortName SortMode = iota
	SortRate
	SortCount
)

// String is the label shown in the tree's title.
func (s SortMode) String() string {
	switch s {
	case SortRate:
		return "rate"
	case SortCount:
		return "count"
	default:
		return "name"
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

	rows       []*Node
	built      uint64   // tree structure the rows were built from
	builtSort  SortMode // Sort the rows were built with
	builtNoise bool     // ShowNoise the rows were built with
	dirty      bool
	resort     bool   // SetSort asked for a fresh sort
	sortGen    uint64 // bumped on every full resort; see appendRows
	sortedAt   int64
	sel        *Node
	cursor     int
	offset     int
	height     int
}

// NewTreeView returns a view over t.
func NewTreeView(t *Tree) *TreeView {
	return &TreeView{tree: t, dirty: true, height: 1}
}

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
	if v.resort || v.Sort != v.builtSort || (v.Sort != SortName && now-v.sortedAt >= resortEvery) {
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
	old := len(v.rows)
	v.rows = v.rows[:0]
	v.appendRows(&v.tree.roots, now)
	if len(v.rows) < old {
		clear(v.rows[len(v.rows):old]) // don't pin pruned nodes
	}
	v.built = v.tree.structure
	v.builtNoise = v.ShowNoise
	v.dirty = false
	// Keep the selection on the same node, or its nearest visible ancestor.
	for v.sel != nil && !v.visible(v.sel) {
		v.sel = v.sel.Parent
	}
	if v.sel != nil {
		v.cursor = int(v.sel.row)
	}
	v.clamp()
	if v.sel == nil {
		v.sel = v.Selected()
	}
}

// appendRows appends the visible rows of b's children and their expanded
// subtrees. A sibling list is sorted when it gained nodes (dirty) or was
// last sorted before the newest full resort (sortGen): collapsed branches
// are sorted when they are next shown, not left in the order of an earlier
// sort mode. Pruned children are dropped first (live), so no row is a
// removed node.
func (v *TreeView) appendRows(b *branch, now int64) {
	order := b.live()
	if b.dirty || b.sortGen != v.sortGen {
		v.sortNodes(order, now)
		b.dirty = false
		b.sortGen = v.sortGen
	}
	for _, n := range order {
		if n.noise && !v.ShowNoise {
			hide(n)
			continue
		}
		n.row = int32(len(v.rows))
		v.rows = append(v.rows, n)
		switch {
		case n.branch != nil && n.Expanded:
			n.shown = true
			v.appendRows(n.branch, now)
		case n.shown:
			hideChildren(n)
		}
	}
}

// visible reports whether n is on a current row.
func (v *TreeView) visible(n *Node) bool {
	return !n.removed && n.row >= 0 && int(n.row) < len(v.rows) && v.rows[n.row] == n
}

// hide marks n and the rows below it that the last rebuild showed as not
// visible.
func hide(n *Node) {
	n.row = -1
	if n.shown {
		hideChildren(n)
	}
}

// hideChildren marks the rows below n as not visible. It descends only
// where the last rebuild showed children, so a rebuild costs the rows shown
// then and now, not every child of every collapsed node on screen.
func hideChildren(n *Node) {
	n.shown = false
	if n.branch == nil {
		return
	}
	for _, k := range n.branch.order {
		hide(k)
	}
}

func (v *TreeView) sortNodes(nodes []*Node, now int64) {
	switch v.Sort {
	case SortRate:
		since := v.tree.since
		slices.SortStableFunc(nodes, func(a, b *Node) int {
			if c := cmp.Compare(b.Rate(now, since), a.Rate(now, since)); c != 0 {
				return c
			}
			return naturalCompare(a.Name, b.Name)
		})
	case SortCount:
		slices.SortStableFunc(nodes, func(a, b *Node) int {
			if c := cmp.Compare(b.Msgs, a.Msgs); c != 0 {
				return c
			}
			return naturalCompare(a.Name, b.Name)
		})
	default:
		slices.SortFunc(nodes, func(a, b *Node) int { return naturalCompare(a.Name, b.Name) })
	}
}

// naturalCompare orders runs of digits by value (drivers.nyc.2 before
// drivers.nyc.10, v2 before v10) and everything else bytewise. Comparing
// runs inside tokens, not only all-digit tokens, keeps the order transitive:
// with whole tokens only, 1a < 2 < 10 < 1a, and sorting gives arbitrary
// results. Equal values with different leading zeros fall back to bytewise.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if !isDigit(ca) || !isDigit(cb) {
			if ca != cb {
				return cmp.Compare(ca, cb)
			}
			i++
			j++
			continue
		}
		si, sj := i, j
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		da, db := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
		if c := cmp.Compare(len(da), len(db)); c != 0 {
			return c
		}
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c // one is a prefix of the other
	}
	return strings.Compare(a, b)
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

// Rows returns all visible rows; callers must not modify the slice.
func (v *TreeView) Rows() []*Node { return v.rows }

// Window returns the rows on screen and the index of the first.
func (v *TreeView) Window() ([]*Node, int) {
	end := min(v.offset+v.height, len(v.rows))
	return v.rows[v.offset:end], v.offset
}

// Cursor is the index of the selected row.
func (v *TreeView) Cursor() int { return v.cursor }

// Selected returns the selected node, nil when the tree is empty.
func (v *TreeView) Selected() *Node {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return nil
	}
	return v.rows[v.cursor]
}

// Move moves the selection by delta rows, clamped to the list.
func (v *TreeView) Move(delta int) { v.MoveTo(v.cursor + delta) }

// MoveTo selects row i, clamped to the list.
func (v *TreeView) MoveTo(i int) {
	v.cursor = i
	v.clamp()
	v.sel = v.Selected()
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
	if n == nil || !n.HasChildren() {
		return
	}
	if n.Expanded {
		v.Move(1)
		return
	}
	n.Expanded = true
	v.dirty = true
}

// Collapse hides the selected node's children, or selects its parent.
func (v *TreeView) Collapse() {
	n := v.Selected()
	if n == nil {
		return
	}
	if n.Expanded && n.HasChildren() {
		n.Expanded = false
		v.dirty = true
		return
	}
	if n.Parent != nil && n.Parent.row >= 0 {
		v.MoveTo(int(n.Parent.row))
	}
}

// Toggle expands or collapses the selected node.
func (v *TreeView) Toggle() {
	if n := v.Selected(); n != nil && n.HasChildren() {
		n.Expanded = !n.Expanded
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

// Reveal expands n's ancestors and selects it (rows rebuilt at once).
func (v *TreeView) Reveal(n *Node, now int64) {
	if n.noise && !v.ShowNoise {
		v.ShowNoise = true
	}
	for p := n.Parent; p != nil; p = p.Parent {
		p.Expanded = true
	}
	v.dirty = true
	v.Refresh(now)
	if n.row >= 0 {
		v.MoveTo(int(n.row))
		// Centre the match so its context is visible.
		v.offset = max(0, min(v.cursor-v.height/2, len(v.rows)-v.height))
	}
}
