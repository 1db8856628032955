package model

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTreeViewReveal(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	for i := range 50 {
		applySubjects(tr, treeT0, fmt.Sprintf("deep.%d.leaf", i))
	}
	v := NewTreeView(tr)
	v.SetHeight(10)
	v.Refresh(treeT0)
	n := mustFind(t, tr, "deep.30.leaf")
	v.Reveal(n, treeT0)
	if v.Selected() != n || !mustFind(t, tr, "deep").Expanded() || !mustFind(t, tr, "deep.30").Expanded() {
		t.Fatalf("selected %q", selectedSubject(v))
	}
	// Rows: deep, deep.0 .. deep.29, deep.30, deep.30.leaf, deep.31 ..
	if _, off := v.Window(); v.Cursor() != 32 || off != 32-5 {
		t.Errorf("cursor %d offset %d: want the match centred", v.Cursor(), off)
	}
}

func TestTreeViewSearch(t *testing.T) {
	subjects := []string{
		"orders.Created.1", "orders.created.2", "orders.shipped",
		"drivers.nyc.2", "drivers.nyc.10", "_INBOX.abc", "$SYS.server.orders",
	}
	type step struct {
		query         string
		forward, skip bool
		want          string // "" for no match
	}
	const fwd, back, skip, stay = true, false, true, false
	tests := []struct {
		name      string
		showNoise bool
		start     string
		steps     []step
	}{
		{"lower case matches either case, forward with wrap-around", false, "drivers", []step{
			{"created", fwd, stay, "orders.Created"},
			{"created", fwd, skip, "orders.Created.1"},
			{"created", fwd, skip, "orders.created"},
			{"created", fwd, skip, "orders.created.2"},
			{"created", fwd, skip, "orders.Created"},
		}},
		{"upper case matches exactly", false, "drivers", []step{
			{"Created", fwd, skip, "orders.Created"},
			{"Created", fwd, skip, "orders.Created.1"},
			{"Created", fwd, skip, "orders.Created"},
		}},
		{"backward with wrap-around", false, "drivers", []step{
			{"created", back, skip, "orders.created.2"},
			{"created", back, skip, "orders.created"},
			{"created", back, skip, "orders.Created.1"},
			{"created", back, stay, "orders.Created.1"},
		}},
		{"without skipCurrent the selection is a match", false, "orders.shipped", []step{
			{"ship", fwd, stay, "orders.shipped"},
			{"ship", back, stay, "orders.shipped"},
			{"ship", fwd, skip, "orders.shipped"}, // the only match wraps to itself
		}},
		{"in the order the tree shows", false, "drivers.nyc.2", []step{
			{"nyc", fwd, skip, "drivers.nyc.10"},
			{"nyc", fwd, skip, "drivers.nyc"},
			{"nyc", fwd, skip, "drivers.nyc.2"},
			{"nyc", back, skip, "drivers.nyc"},
		}},
		{"no match keeps the selection", false, "orders", []step{
			{"nope", fwd, skip, ""},
			{"", fwd, skip, ""},
		}},
		{"noise is skipped by plain queries", false, "drivers", []step{
			{"abc", fwd, skip, ""},
			{"server", fwd, skip, ""},
			{"orders", back, skip, "orders.shipped"},
		}},
		{"queries starting with _ or $ find noise", false, "drivers", []step{
			{"_inbox", fwd, skip, "_INBOX"},
			{"_INBOX.", fwd, skip, "_INBOX.abc"},
			{"$sys", fwd, skip, "$SYS"},
		}},
		{"ShowNoise finds noise for any query", true, "orders.shipped", []step{
			{"orders", fwd, skip, "$SYS.server.orders"},
			{"abc", fwd, skip, "_INBOX.abc"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, v := newTestView(subjects...)
			v.SetHeight(5)
			v.SetShowNoise(tc.showNoise)
			v.Refresh(treeT0)
			selectSubject(t, tr, v, tc.start)
			for i, st := range tc.steps {
				before := v.Selected()
				got := v.Search(st.query, st.forward, st.skip, treeT0)
				if st.want == "" {
					if !got.IsZero() || v.Selected() != before {
						t.Fatalf("step %d %q: found %v, selected %q; want nothing", i, st.query, got, selectedSubject(v))
					}
					continue
				}
				if got.IsZero() || got.Subject() != st.want {
					t.Fatalf("step %d %q: found %v, want %q", i, st.query, got, st.want)
				}
				// The match is revealed and selected, and on screen.
				if v.Selected() != got || !v.visible(got) {
					t.Fatalf("step %d %q: selected %q, match visible %v", i, st.query, selectedSubject(v), v.visible(got))
				}
				if _, off := v.Window(); v.Cursor() < off || v.Cursor() >= off+v.Height() {
					t.Fatalf("step %d %q: cursor %d off screen (offset %d)", i, st.query, v.Cursor(), off)
				}
			}
		})
	}
}

// TestTreeViewSearchWithoutSelection searches when nothing is on screen:
// forward finds the first match, backward the last.
func TestTreeViewSearchWithoutSelection(t *testing.T) {
	for _, tc := range []struct {
		forward bool
		want    string
	}{{true, "_INBOX.a"}, {false, "_INBOX.b"}} {
		_, v := newTestView("_INBOX.a", "_INBOX.b")
		if !v.Selected().IsZero() {
			t.Fatalf("selected %q", selectedSubject(v))
		}
		if got := v.Search("_INBOX.", tc.forward, true, treeT0); got.IsZero() || got.Subject() != tc.want {
			t.Errorf("forward %v: found %v, want %s", tc.forward, got, tc.want)
		}
		if !v.ShowNoise || selectedSubject(v) != tc.want {
			t.Errorf("forward %v: ShowNoise %v, selected %q", tc.forward, v.ShowNoise, selectedSubject(v))
		}
	}
}

// linearSearch is the definition Search must agree with: scan every node,
// keep the nearest match after the selection in compareSubjects order and
// the one to wrap around to. It was Search itself until that became a walk
// of the tree (it costs a compareSubjects call per match per key press).
func linearSearch(v *TreeView, query string, forward, skipCurrent bool) Node {
	if query == "" {
		return Node{}
	}
	fold := strings.ToLower(query) == query
	noise := v.ShowNoise || strings.HasPrefix(query, "_") || strings.HasPrefix(query, "$")
	sel := v.Selected()
	selSubj := ""
	if !sel.IsZero() {
		selSubj = v.selectedSubject(sel) // the selection may be pruned since
	}
	before := func(a, b string) bool {
		c := compareSubjects(a, b)
		return forward && c < 0 || !forward && c > 0
	}
	ahead := func(a, b Node) bool { return before(a.Subject(), b.Subject()) }
	var best, wrap Node
	for _, n := range v.tree.Nodes() {
		if n.Noise() && !noise {
			continue
		}
		if fold && !containsFold(n.Subject(), query) || !fold && !strings.Contains(n.Subject(), query) {
			continue
		}
		// The selection's position is its subject: a selected node pruned
		// since the rows were built and seen again is the same subject.
		at := !sel.IsZero() && n.Subject() == selSubj
		p := &wrap
		if !sel.IsZero() && !at && before(selSubj, n.Subject()) || at && !skipCurrent {
			p = &best
		}
		if p.IsZero() || ahead(n, *p) {
			*p = n
		}
	}
	if best.IsZero() {
		best = wrap
	}
	return best
}

// TestTreeViewSearchMatchesLinearScan checks Search against linearSearch on
// random trees: tokens that sort naturally (digits, leading zeros, case),
// queries that span tokens, match whole subtrees or nothing, noise, both
// directions, and selections that were pruned after the rows were built.
func TestTreeViewSearchMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 50))
	tokens := []string{"a", "B", "ab", "b1", "b01", "b10", "2", "10", "x", "_INBOX", "$SYS", "a.b", "1.a"}
	queries := []string{"a", "b", "B", "b1", ".", "a.b", "1.a", "2.", ".1", "b01.", "_inbox", "$sys", "x.x", "zzz", "ab.b1"}
	pruned, searches := 0, 0
	for round := range 40 {
		tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0) // prunes past 1024 nodes
		v := NewTreeView(tr)
		v.SetHeight(5)
		v.SetShowNoise(round%4 == 0)
		now := treeT0
		grow := func(n int) {
			for range n {
				now += second / 100
				parts := make([]string, 1+rng.IntN(4))
				for j := range parts {
					parts[j] = tokens[rng.IntN(len(tokens))]
				}
				if rng.IntN(3) == 0 {
					parts = append(parts, fmt.Sprint(rng.IntN(300)))
				}
				applySubjects(tr, now, strings.Join(parts, "."))
			}
		}
		grow(100 + rng.IntN(600))
		v.Refresh(now)
		for range 60 {
			if nodes := tr.Nodes(); rng.IntN(4) > 0 && len(nodes) > 0 {
				v.Reveal(nodes[rng.IntN(len(nodes))], now)
			}
			if rng.IntN(8) == 0 {
				// New traffic without a Refresh: the selection may be pruned.
				before := tr.Pruned
				grow(200)
				if tr.Pruned > before {
					pruned++
				}
			}
			for _, n := range tr.Nodes() {
				// hasChildren relies on it to skip reading leaves' branch pointers.
				if n.HasChildren() && n.Msgs() <= n.Own() {
					t.Fatalf("%s has children but Msgs %d <= Own %d", n.Subject(), n.Msgs(), n.Own())
				}
			}
			q := queries[rng.IntN(len(queries))]
			forward, skip := rng.IntN(2) == 0, rng.IntN(2) == 0
			sel := selectedSubject(v)
			want := linearSearch(v, q, forward, skip)
			got := v.Search(q, forward, skip, now)
			searches++
			if got != want {
				t.Fatalf("round %d: Search(%q, forward %v, skip %v) from %q = %v, linear scan %v",
					round, q, forward, skip, sel, subjectOf(got), subjectOf(want))
			}
			v.Refresh(now)
		}
	}
	if pruned == 0 {
		t.Errorf("no selection was pruned in %d searches: the test does not cover it", searches)
	}
}

func subjectOf(n Node) string {
	if n.IsZero() {
		return "<nil>"
	}
	return n.Subject()
}
