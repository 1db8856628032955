package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTreeViewNaturalSort(t *testing.T) {
	tr, v := newTestView(
		"drivers.nyc.10", "drivers.nyc.2", "drivers.nyc.b10", "drivers.nyc.1",
		"drivers.nyc.b9", "drivers.nyc.a", "drivers.nyc.02",
		"b", "a", "A", "10", "9",
	)
	v.Reveal(mustFind(t, tr, "drivers.nyc.1"), treeT0)
	want := []string{
		"9", "10", "A", "a", "b", "drivers", "drivers.nyc",
		"drivers.nyc.1", "drivers.nyc.02", "drivers.nyc.2", "drivers.nyc.10",
		"drivers.nyc.a", "drivers.nyc.b9", "drivers.nyc.b10",
	}
	if got := rowSubjects(t, v); !slices.Equal(got, want) {
		t.Errorf("rows\n got %v\nwant %v", got, want)
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2", "10", -1},
		{"10", "2", 1},
		{"10", "10", 0},
		{"02", "2", -1}, // equal value: bytewise decides
		{"1", "02", -1},
		{"v2", "v10", -1},
		{"node-9-x", "node-10-a", -1},
		{"1a", "2", -1},
		{"2", "10", -1},
		{"1a", "10", -1},
		{"a", "b", -1},
		{"a", "a1", -1},
		{"", "a", -1},
		{"", "", 0},
		{"9", "a", -1},
		{"99999999999999999999999", "100000000000000000000000", -1}, // longer than int64
	}
	for _, tc := range tests {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestNaturalCompareIsAnOrder checks antisymmetry and transitivity over
// mixed tokens: sorting with a comparator that is not an order gives
// arbitrary results.
func TestNaturalCompareIsAnOrder(t *testing.T) {
	tokens := []string{"", "0", "00", "1", "01", "1a", "1b", "2", "10", "a", "a1", "a01", "a2", "a10", "b", "-", "x-1", "x-01", "Z", "~"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 40 {
		b := make([]byte, 1+rng.IntN(4))
		for i := range b {
			b[i] = "0123ab-"[rng.IntN(7)]
		}
		tokens = append(tokens, string(b))
	}
	for _, a := range tokens {
		for _, b := range tokens {
			ab, ba := naturalCompare(a, b), naturalCompare(b, a)
			if ab != -ba || (ab == 0) != (a == b) {
				t.Fatalf("naturalCompare(%q, %q) = %d, reversed %d", a, b, ab, ba)
			}
			for _, c := range tokens {
				if ab < 0 && naturalCompare(b, c) < 0 && naturalCompare(a, c) >= 0 {
					t.Fatalf("not transitive: %q < %q < %q but not %q < %q", a, b, c, a, c)
				}
			}
		}
	}
}

func TestCompareSubjects(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "a.b", -1}, // a parent before its children
		{"a.b", "a-c", -1},
		{"a.z", "a-c", -1}, // the whole subtree of a before a-c
		{"d.nyc.2", "d.nyc.10", -1},
		{"d.2.z", "d.10.a", -1},
		{"a.b", "a.b", 0},
		{"a.", "a", 1},
		{"a..b", "a.", 1},
	}
	for _, tc := range tests {
		if got := compareSubjects(tc.a, tc.b); got != tc.want {
			t.Errorf("compareSubjects(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareSubjects(tc.b, tc.a); got != -tc.want {
			t.Errorf("compareSubjects(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestTreeViewSortByCountAndRate(t *testing.T) {
	for _, mode := range []SortMode{SortCount, SortRate} {
		t.Run(mode.String(), func(t *testing.T) {
			tr := NewTree(TreeOptions{}, treeT0)
			for subj, n := range map[string]int{"x": 3, "y": 5, "z": 1, "n10": 2, "n9": 2} {
				for range n {
					tr.Apply(tmsg(subj, treeT0+second/10, ""))
				}
			}
			v := NewTreeView(tr)
			v.SetHeight(10)
			v.SetSort(mode)
			v.Refresh(treeT0 + second/2)
			// Ties fall back to the natural name order.
			if got, want := rowSubjects(t, v), []string{"y", "x", "n9", "n10", "z"}; !slices.Equal(got, want) {
				t.Fatalf("rows %v, want %v", got, want)
			}
			for range 10 {
				tr.Apply(tmsg("z", treeT0+second/2+1, ""))
			}
			v.Refresh(treeT0 + second) // less than a second since the sort: rows hold still
			if got, want := rowSubjects(t, v), []string{"y", "x", "n9", "n10", "z"}; !slices.Equal(got, want) {
				t.Fatalf("before the resort: rows %v, want %v", got, want)
			}
			v.Refresh(treeT0 + second + second/2)
			if got, want := rowSubjects(t, v), []string{"z", "y", "x", "n9", "n10"}; !slices.Equal(got, want) {
				t.Fatalf("after the resort: rows %v, want %v", got, want)
			}
			v.SetSort(SortName)
			v.Refresh(treeT0 + second + second/2)
			if got, want := rowSubjects(t, v), []string{"n9", "n10", "x", "y", "z"}; !slices.Equal(got, want) {
				t.Fatalf("by name: rows %v, want %v", got, want)
			}
		})
	}
}

// TestTreeViewSortReachesCollapsedBranches changes the sort mode while a
// branch is collapsed: expanding it later must show the new order.
func TestTreeViewSortReachesCollapsedBranches(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	applySubjects(tr, treeT0, "p.a", "p.b", "p.b", "p.b")
	v := NewTreeView(tr)
	v.SetHeight(10)
	v.SetSort(SortCount)
	v.Refresh(treeT0)
	v.Expand()
	v.Refresh(treeT0)
	if got, want := rowSubjects(t, v), []string{"p", "p.b", "p.a"}; !slices.Equal(got, want) {
		t.Fatalf("by count: rows %v, want %v", got, want)
	}
	v.Collapse()
	v.SetSort(SortName)
	v.Refresh(treeT0)
	v.Expand()
	v.Refresh(treeT0)
	if got, want := rowSubjects(t, v), []string{"p", "p.a", "p.b"}; !slices.Equal(got, want) {
		t.Fatalf("by name after expanding: rows %v, want %v", got, want)
	}
}

func TestSortModeString(t *testing.T) {
	for mode, want := range map[SortMode]string{SortName: "name", SortRate: "rate", SortCount: "count", SortMode(9): "name"} {
		if got := mode.String(); got != want {
			t.Errorf("SortMode(%d) = %q, want %q", mode, got, want)
		}
	}
}
