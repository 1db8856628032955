package model

import (
	"fmt"
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
	if v.Selected() != n || !mustFind(t, tr, "deep").Expanded || !mustFind(t, tr, "deep.30").Expanded {
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
					if got != nil || v.Selected() != before {
						t.Fatalf("step %d %q: found %v, selected %q; want nothing", i, st.query, got, selectedSubject(v))
					}
					continue
				}
				if got == nil || got.Subject != st.want {
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
		if v.Selected() != nil {
			t.Fatalf("selected %q", selectedSubject(v))
		}
		if got := v.Search("_INBOX.", tc.forward, true, treeT0); got == nil || got.Subject != tc.want {
			t.Errorf("forward %v: found %v, want %s", tc.forward, got, tc.want)
		}
		if !v.ShowNoise || selectedSubject(v) != tc.want {
			t.Errorf("forward %v: ShowNoise %v, selected %q", tc.forward, v.ShowNoise, selectedSubject(v))
		}
	}
}
