package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// newTestView returns a tree with one message per subject and a view over
// it, refreshed at treeT0.
func newTestView(subjects ...string) (*Tree, *TreeView) {
	tr := NewTree(TreeOptions{}, treeT0)
	applySubjects(tr, treeT0, subjects...)
	v := NewTreeView(tr)
	v.SetHeight(100)
	v.Refresh(treeT0)
	return tr, v
}

// rowSubjects returns the subjects of the view's rows, checking that each
// node knows its row.
func rowSubjects(t *testing.T, v *TreeView) []string {
	t.Helper()
	rows := v.Rows()
	out := make([]string, len(rows))
	for i, n := range rows {
		out[i] = n.Subject()
		if int(nodeRow(n)) != i {
			t.Fatalf("row %d holds %q whose row is %d", i, n.Subject(), nodeRow(n))
		}
	}
	return out
}

// nodeRow is n's row in the view, -1 when it has none.
func nodeRow(n Node) int32 { return n.get().row }

// selectSubject reveals and selects subject.
func selectSubject(t *testing.T, tr *Tree, v *TreeView, subject string) {
	t.Helper()
	v.Reveal(mustFind(t, tr, subject), treeT0)
	if s := v.Selected(); s.IsZero() || s.Subject() != subject {
		t.Fatalf("selecting %q selected %v", subject, s)
	}
}

// selectedSubject is the selected node's subject, "" when none.
func selectedSubject(v *TreeView) string {
	if s := v.Selected(); !s.IsZero() {
		return s.Subject()
	}
	return ""
}

func TestTreeViewRowsFlattenExpanded(t *testing.T) {
	tr, v := newTestView("a.b.c", "a.b.d", "a.e", "f")
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"all collapsed", func() {}, []string{"a", "f"}},
		{"expand a", func() { v.MoveTo(0); v.Expand() }, []string{"a", "a.b", "a.e", "f"}},
		{"expand a.b", func() { v.MoveTo(1); v.Expand() }, []string{"a", "a.b", "a.b.c", "a.b.d", "a.e", "f"}},
		{"collapse a hides a.b's children too", func() { v.MoveTo(0); v.Collapse() }, []string{"a", "f"}},
		{"a.b stays expanded inside", func() { v.Expand() }, []string{"a", "a.b", "a.b.c", "a.b.d", "a.e", "f"}},
	}
	for _, st := range steps {
		st.do()
		v.Refresh(treeT0)
		if got := rowSubjects(t, v); !slices.Equal(got, st.want) {
			t.Fatalf("%s: rows %v, want %v", st.name, got, st.want)
		}
	}
	// Nodes in collapsed branches are marked as not on a row.
	v.MoveTo(0)
	v.Collapse()
	v.Refresh(treeT0)
	for _, s := range []string{"a.b", "a.b.c", "a.e"} {
		if n := mustFind(t, tr, s); nodeRow(n) != -1 || v.visible(n) {
			t.Errorf("%s: row %d after collapsing a", s, nodeRow(n))
		}
	}
}

// TestTreeViewExportedFields sets Sort and ShowNoise directly, without
// their setters: the next Refresh must still follow them.
func TestTreeViewExportedFields(t *testing.T) {
	_, v := newTestView("a", "b", "b", "_INBOX.x")
	v.ShowNoise = true
	v.Refresh(treeT0)
	if got, want := rowSubjects(t, v), []string{"_INBOX", "a", "b"}; !slices.Equal(got, want) {
		t.Fatalf("ShowNoise = true: rows %v, want %v", got, want)
	}
	v.Sort = SortCount
	v.Refresh(treeT0)
	if got, want := rowSubjects(t, v), []string{"b", "_INBOX", "a"}; !slices.Equal(got, want) {
		t.Fatalf("Sort = SortCount: rows %v, want %v", got, want)
	}
	v.Sort = SortName
	v.ShowNoise = false
	v.Refresh(treeT0)
	if got, want := rowSubjects(t, v), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Fatalf("back: rows %v, want %v", got, want)
	}
}

func TestTreeViewNoise(t *testing.T) {
	tr, v := newTestView("app.z", "_INBOX.abc", "$SYS.server")
	if got := rowSubjects(t, v); !slices.Equal(got, []string{"app"}) {
		t.Fatalf("hidden: rows %v", got)
	}
	v.SetShowNoise(true)
	v.Refresh(treeT0)
	if got := rowSubjects(t, v); !slices.Equal(got, []string{"$SYS", "_INBOX", "app"}) {
		t.Fatalf("shown: rows %v", got)
	}
	selectSubject(t, tr, v, "_INBOX.abc")
	if got := rowSubjects(t, v); !slices.Equal(got, []string{"$SYS", "_INBOX", "_INBOX.abc", "app"}) {
		t.Fatalf("expanded: rows %v", got)
	}
	v.SetShowNoise(false)
	v.Refresh(treeT0)
	if got := rowSubjects(t, v); !slices.Equal(got, []string{"app"}) {
		t.Fatalf("hidden again: rows %v", got)
	}
	// No ancestor of the selection is visible: the cursor is clamped.
	if got := selectedSubject(v); got != "app" {
		t.Errorf("selected %q, want app", got)
	}
	for _, s := range []string{"_INBOX", "_INBOX.abc", "$SYS"} {
		if nodeRow(mustFind(t, tr, s)) != -1 {
			t.Errorf("%s still has a row", s)
		}
	}
}

func TestTreeViewMove(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	for i := range 10 {
		applySubjects(tr, treeT0, fmt.Sprintf("r%d", i))
	}
	v := NewTreeView(tr)
	v.SetHeight(3)
	v.Refresh(treeT0)
	steps := []struct {
		name           string
		do             func()
		cursor, offset int
	}{
		{"start", func() {}, 0, 0},
		{"down", func() { v.Move(1) }, 1, 0},
		{"down to the last on screen", func() { v.Move(1) }, 2, 0},
		{"down scrolls", func() { v.Move(1) }, 3, 1},
		{"up stays on screen", func() { v.Move(-1) }, 2, 1},
		{"up past the top clamps", func() { v.Move(-10) }, 0, 0},
		{"down past the end clamps", func() { v.Move(100) }, 9, 7},
		{"page up", func() { v.Page(-1) }, 6, 6},
		{"page up again", func() { v.Page(-1) }, 3, 3},
		{"page down", func() { v.Page(1) }, 6, 4},
		{"page down past the end", func() { v.Page(5) }, 9, 7},
		{"move to before the start", func() { v.MoveTo(-5) }, 0, 0},
		{"move to the middle", func() { v.MoveTo(5) }, 5, 3},
		{"move past the end", func() { v.MoveTo(50) }, 9, 7},
		{"taller screen: no scroll needed", func() { v.MoveTo(5); v.SetHeight(20) }, 5, 0},
		{"height below 1 is 1", func() { v.SetHeight(0) }, 5, 5},
		{"height 4 keeps the cursor on screen", func() { v.SetHeight(4) }, 5, 5},
		{"height 4 scrolls back to fill the screen", func() { v.MoveTo(9); v.SetHeight(4) }, 9, 6},
	}
	for _, st := range steps {
		st.do()
		if v.Cursor() != st.cursor {
			t.Fatalf("%s: cursor %d, want %d", st.name, v.Cursor(), st.cursor)
		}
		win, off := v.Window()
		if off != st.offset {
			t.Fatalf("%s: offset %d, want %d", st.name, off, st.offset)
		}
		if len(win) != min(v.Height(), 10) || win[0] != v.Rows()[off] {
			t.Fatalf("%s: window of %d rows from %d", st.name, len(win), off)
		}
		if want := fmt.Sprintf("r%d", st.cursor); selectedSubject(v) != want {
			t.Fatalf("%s: selected %q, want %q", st.name, selectedSubject(v), want)
		}
	}
	if v.Height() != 4 {
		t.Errorf("Height = %d", v.Height())
	}
}

func TestTreeViewEmpty(t *testing.T) {
	tr, v := newTestView()
	for _, do := range []func(){
		func() { v.Move(1) }, func() { v.Move(-1) }, func() { v.Page(1) }, func() { v.MoveTo(3) },
		v.Expand, v.Collapse, v.Toggle, func() { v.SetHeight(5) },
	} {
		do()
		v.Refresh(treeT0)
		if !v.Selected().IsZero() || v.Cursor() != 0 {
			t.Fatalf("empty tree: selected %v, cursor %d", v.Selected(), v.Cursor())
		}
		if win, off := v.Window(); len(win) != 0 || off != 0 {
			t.Fatalf("empty tree: window %v from %d", win, off)
		}
	}
	if n := v.Search("x", true, true, treeT0); !n.IsZero() {
		t.Errorf("Search on an empty tree = %v", n)
	}
	// The first node to arrive becomes the selection.
	applySubjects(tr, treeT0, "first")
	v.Refresh(treeT0)
	if got := selectedSubject(v); got != "first" {
		t.Errorf("selected %q, want first", got)
	}
}

func TestTreeViewExpandCollapseToggle(t *testing.T) {
	all := []string{"a", "a.b", "a.b.c", "a.d", "e"}
	tests := []struct {
		name     string
		expanded []string
		sel      string
		op       func(v *TreeView)
		wantSel  string
		wantRows []string
	}{
		{"expand a collapsed branch", nil, "a", (*TreeView).Expand, "a", []string{"a", "a.b", "a.d", "e"}},
		{"expand an expanded branch moves to its first child", []string{"a"}, "a", (*TreeView).Expand, "a.b", []string{"a", "a.b", "a.d", "e"}},
		{"expand a leaf does nothing", []string{"a"}, "a.d", (*TreeView).Expand, "a.d", []string{"a", "a.b", "a.d", "e"}},
		{"collapse an expanded branch", []string{"a"}, "a", (*TreeView).Collapse, "a", []string{"a", "e"}},
		{"collapse a leaf selects its parent", []string{"a", "a.b"}, "a.b.c", (*TreeView).Collapse, "a.b", all},
		{"collapse a collapsed branch selects its parent", []string{"a"}, "a.b", (*TreeView).Collapse, "a", []string{"a", "a.b", "a.d", "e"}},
		{"collapse a root leaf does nothing", nil, "e", (*TreeView).Collapse, "e", []string{"a", "e"}},
		{"collapse a root branch that is collapsed does nothing", nil, "a", (*TreeView).Collapse, "a", []string{"a", "e"}},
		{"toggle expands", nil, "a", (*TreeView).Toggle, "a", []string{"a", "a.b", "a.d", "e"}},
		{"toggle collapses", []string{"a", "a.b"}, "a", (*TreeView).Toggle, "a", []string{"a", "e"}},
		{"toggle on a leaf does nothing", []string{"a", "a.b"}, "a.b.c", (*TreeView).Toggle, "a.b.c", all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTree(TreeOptions{}, treeT0)
			applySubjects(tr, treeT0, "a.b.c", "a.d", "e")
			for _, s := range tc.expanded {
				mustFind(t, tr, s).SetExpanded(true)
			}
			v := NewTreeView(tr)
			v.SetHeight(10)
			v.Refresh(treeT0)
			v.MoveTo(slices.Index(rowSubjects(t, v), tc.sel))
			tc.op(v)
			v.Refresh(treeT0)
			if got := selectedSubject(v); got != tc.wantSel {
				t.Errorf("selected %q, want %q", got, tc.wantSel)
			}
			if got := rowSubjects(t, v); !slices.Equal(got, tc.wantRows) {
				t.Errorf("rows %v, want %v", got, tc.wantRows)
			}
		})
	}
}

func TestTreeViewSelectionSticks(t *testing.T) {
	tr, v := newTestView("m.x", "m.y")
	v.SetHeight(3)
	selectSubject(t, tr, v, "m.y")
	sel := v.Selected()
	applySubjects(tr, treeT0+second, "a.q", "m.a", "m.b", "0", "z")
	v.Refresh(treeT0 + second)
	if v.Selected() != sel {
		t.Fatalf("selected %q, want m.y", selectedSubject(v))
	}
	if want := []string{"0", "a", "m", "m.a", "m.b", "m.x", "m.y", "z"}; !slices.Equal(rowSubjects(t, v), want) {
		t.Fatalf("rows %v, want %v", rowSubjects(t, v), want)
	}
	if _, off := v.Window(); v.Cursor() != 6 || off > 6 || off+3 <= 6 {
		t.Errorf("cursor %d offset %d: selection off screen", v.Cursor(), off)
	}
}

func TestTreeViewSelectionFallsBackToAncestor(t *testing.T) {
	t.Run("parent collapsed", func(t *testing.T) {
		tr, v := newTestView("a.b.c", "a.b.d")
		selectSubject(t, tr, v, "a.b.c")
		mustFind(t, tr, "a.b").SetExpanded(false)
		applySubjects(tr, treeT0, "z") // the next structure change rebuilds the rows
		v.Refresh(treeT0)
		if got := selectedSubject(v); got != "a.b" {
			t.Errorf("selected %q, want a.b", got)
		}
	})
	t.Run("grandparent collapsed", func(t *testing.T) {
		tr, v := newTestView("a.b.c", "a.b.d")
		selectSubject(t, tr, v, "a.b.c")
		mustFind(t, tr, "a").SetExpanded(false)
		applySubjects(tr, treeT0, "z")
		v.Refresh(treeT0)
		if got := selectedSubject(v); got != "a" {
			t.Errorf("selected %q, want a", got)
		}
	})
	t.Run("pruned", func(t *testing.T) {
		tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0) // 1024 nodes
		applySubjects(tr, treeT0, "keep.old", "keep.live")
		v := NewTreeView(tr)
		v.SetHeight(10)
		v.Refresh(treeT0)
		selectSubject(t, tr, v, "keep.old")
		old := v.Selected()
		for i := range 2000 {
			at := treeT0 + second + int64(i)*1e6
			applySubjects(tr, at, fmt.Sprintf("flood.%d", i))
			if i%100 == 0 {
				applySubjects(tr, at, "keep.live")
			}
		}
		v.Refresh(treeT0 + 3*second)
		if !old.Removed() {
			t.Fatal("keep.old was not pruned")
		}
		if got := selectedSubject(v); got != "keep" {
			t.Errorf("selected %q, want keep", got)
		}
		for _, n := range v.Rows() {
			if n.Removed() {
				t.Fatalf("pruned %s still on a row", n.Subject())
			}
		}
	})
}

// TestTreeViewRandomOps drives the view with random key presses, traffic
// (new subjects, pruning) and mode changes, and checks after every Refresh
// that the rows are exactly the expanded, non-hidden nodes in order, that
// every other node is marked as off screen, and that the selection is on
// screen.
func TestTreeViewRandomOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0) // prunes past 1024 nodes
	v := NewTreeView(tr)
	v.SetHeight(7)
	tokens := []string{"a", "b", "c", "1", "2", "10", "_INBOX", "$SYS"}
	now := treeT0
	for step := range 3000 {
		now += second / 10
		switch op := rng.IntN(14); op {
		case 0, 1, 2:
			parts := make([]string, 1+rng.IntN(4))
			for j := range parts {
				parts[j] = tokens[rng.IntN(len(tokens))]
			}
			parts = append(parts, fmt.Sprint(rng.IntN(100))) // enough distinct subjects to prune
			applySubjects(tr, now, strings.Join(parts, "."))
		case 3:
			v.Expand()
		case 4:
			v.Collapse()
		case 5:
			v.Toggle()
		case 6:
			v.Move(rng.IntN(9) - 4)
		case 7:
			v.Page(rng.IntN(3) - 1)
		case 8:
			v.SetShowNoise(!v.ShowNoise)
		case 9:
			v.SetSort(SortMode(rng.IntN(int(sortKeys))) | SortMode(rng.IntN(2))*SortReversed)
		case 10:
			v.Search(tokens[rng.IntN(len(tokens))], rng.IntN(2) == 0, rng.IntN(2) == 0, now)
		case 11:
			v.SetHeight(1 + rng.IntN(10))
		default:
			if nodes := tr.Nodes(); len(nodes) > 0 {
				v.Reveal(nodes[rng.IntN(len(nodes))], now)
			}
		}
		v.Refresh(now)
		checkRows(t, step, v)
	}
	if tr.Pruned == 0 {
		t.Error("never pruned: the test does not cover removed nodes")
	}
}

// checkRows compares the view's rows with a plain walk of the tree.
func checkRows(t *testing.T, step int, v *TreeView) {
	t.Helper()
	var want []Node
	var walk func([]Node)
	walk = func(order []Node) {
		if v.Sort.Key() == SortName && !slices.IsSortedFunc(order, func(a, b Node) int {
			if v.Sort.Reversed() {
				a, b = b, a
			}
			return naturalCompare(a.Name(), b.Name())
		}) {
			t.Fatalf("step %d: siblings %v not in %v order", step, names(order), v.Sort)
		}
		for _, n := range order {
			if n.Noise() && !v.ShowNoise {
				continue
			}
			want = append(want, n)
			if n.Expanded() {
				walk(n.Children())
			}
		}
	}
	walk(v.Tree().Roots())
	if !slices.Equal(v.Rows(), want) {
		t.Fatalf("step %d: rows %v, want %v", step, names(v.Rows()), names(want))
	}
	onRow := make(map[Node]bool, len(want))
	for i, n := range want {
		onRow[n] = true
		if int(nodeRow(n)) != i {
			t.Fatalf("step %d: %s on row %d has row %d", step, n.Subject(), i, nodeRow(n))
		}
	}
	for _, n := range v.Tree().Nodes() {
		if !onRow[n] && nodeRow(n) != -1 {
			t.Fatalf("step %d: %s is off screen with row %d", step, n.Subject(), nodeRow(n))
		}
	}
	if len(want) > 0 {
		if s := v.Selected(); s.IsZero() || !v.visible(s) {
			t.Fatalf("step %d: selection %v not on a row", step, s)
		}
		if _, off := v.Window(); v.Cursor() < off || v.Cursor() >= off+v.Height() {
			t.Fatalf("step %d: cursor %d outside the window at %d", step, v.Cursor(), off)
		}
	}
}

// TestRefreshSlowRebuildWaits: when the last rebuild laid out manyRows
// rows or more, new subjects wait for the next rebuild until rebuildShare
// times its cost has passed; a change the user asks for is shown at once.
func TestRefreshSlowRebuildWaits(t *testing.T) {
	many := make([]string, manyRows)
	for i := range many {
		many[i] = fmt.Sprintf("r%d", i)
	}
	tr, v := newTestView(append(many, "a.1", "a.2")...)
	var now time.Duration
	v.clock = func() time.Duration { now += 5 * time.Millisecond; return now } // each rebuild "takes" 5 ms
	v.SetSort(SortName)
	v.Refresh(treeT0) // the user's change: rebuilt, at a cost of 5 ms
	applySubjects(tr, treeT0, "b.1")
	v.Refresh(treeT0)
	if got := rowSubjects(t, v); slices.Contains(got, "b") {
		t.Fatalf("rows %q: rebuilt 5 ms after a 5 ms rebuild", got)
	}
	now += rebuildShare * 5 * time.Millisecond
	v.Refresh(treeT0)
	if got := rowSubjects(t, v); !slices.Contains(got, "b") {
		t.Fatalf("rows %q: no b after %d times the rebuild's cost", got, rebuildShare)
	}
	applySubjects(tr, treeT0, "c.1")
	v.Toggle() // the user's: expand or collapse the selection, shown at once
	v.Refresh(treeT0)
	if got := rowSubjects(t, v); !slices.Contains(got, "c") {
		t.Fatalf("rows %q: a toggle waited for the rebuild's share", got)
	}
}
