package model

import (
	"math/rand/v2"
	"slices"
	"strings"
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
		"drivers.nyc.a", "drivers.nyc.b10", "drivers.nyc.b9",
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
		{"91", "129", -1}, // whole numbers by value
		// Tokens that are not numbers are plain bytewise: hex ids, versions.
		{"cam-140f", "cam-3a8f", -1},
		{"meter-62a1", "meter-9bdd", -1},
		{"v10", "v2", -1},
		{"node-10-a", "node-9-x", -1},
		// Numbers as one block where tokens starting with a digit sort.
		{"2", "1a", -1},
		{"10", "1a", -1},
		{"2", "10", -1},
		{"", "0", -1},
		{"$SYS", "1", -1},
		{"-x", "1", -1},
		{"99", "A", -1},
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
			for subj, n := range map[string]int{"x": 3, "y": 5, "z": 1, "10": 2, "9": 2} {
				for range n {
					tr.Apply(tmsg(subj, treeT0+second/10, ""))
				}
			}
			v := NewTreeView(tr)
			v.SetHeight(10)
			v.SetSort(mode)
			v.Refresh(treeT0 + second/2)
			// Ties fall back to the natural name order.
			if got, want := rowSubjects(t, v), []string{"y", "x", "9", "10", "z"}; !slices.Equal(got, want) {
				t.Fatalf("rows %v, want %v", got, want)
			}
			for range 10 {
				tr.Apply(tmsg("z", treeT0+second/2+1, ""))
			}
			v.Refresh(treeT0 + second) // less than a second since the sort: rows hold still
			if got, want := rowSubjects(t, v), []string{"y", "x", "9", "10", "z"}; !slices.Equal(got, want) {
				t.Fatalf("before the resort: rows %v, want %v", got, want)
			}
			v.Refresh(treeT0 + second + second/2)
			if got, want := rowSubjects(t, v), []string{"z", "y", "x", "9", "10"}; !slices.Equal(got, want) {
				t.Fatalf("after the resort: rows %v, want %v", got, want)
			}
			v.SetSort(SortName)
			v.Refresh(treeT0 + second + second/2)
			if got, want := rowSubjects(t, v), []string{"9", "10", "x", "y", "z"}; !slices.Equal(got, want) {
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
	for mode, want := range map[SortMode]string{
		SortName: "name ↑", SortRate: "rate ↓", SortCount: "count ↓", SortBytes: "bytes ↓", SortMode(9): "name ↑",
		SortName | SortReversed: "name ↓", SortRate | SortReversed: "rate ↑", SortBytes | SortReversed: "bytes ↑",
	} {
		if got := mode.String(); got != want {
			t.Errorf("SortMode(%d) = %q, want %q", mode, got, want)
		}
	}
}

// TestTreeViewSortHexIDs is the telemetry demo's devices: hex ids in plain
// order, numbered drivers by value.
func TestTreeViewSortHexIDs(t *testing.T) {
	tr, v := newTestView("t.cam-3a8f", "t.cam-140f", "t.meter-9bdd", "t.meter-62a1",
		"d.129", "d.91", "d.9")
	for _, s := range []string{"t.cam-3a8f", "d.9"} {
		v.Reveal(mustFind(t, tr, s), treeT0)
	}
	want := []string{"d", "d.9", "d.91", "d.129", "t", "t.cam-140f", "t.cam-3a8f", "t.meter-62a1", "t.meter-9bdd"}
	if got := rowSubjects(t, v); !slices.Equal(got, want) {
		t.Errorf("rows\n got %v\nwant %v", got, want)
	}
}

// TestTreeViewSortByBytesAndReversed sorts by wire bytes (not messages:
// one big message outweighs many small ones) and reverses each key, ties
// staying in name order.
func TestTreeViewSortByBytesAndReversed(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	at := treeT0 + second/10
	for range 5 {
		tr.Apply(tmsg("many", at, "x")) // 5 small messages
	}
	tr.Apply(tmsg("big", at, strings.Repeat("x", 400)))
	tr.Apply(tmsg("mid", at, strings.Repeat("x", 100)))
	tr.Apply(tmsg("tie-b", at, "y"))
	tr.Apply(tmsg("tie-a", at, "y"))
	v := NewTreeView(tr)
	v.SetHeight(10)
	for _, tc := range []struct {
		sort SortMode
		want []string
	}{
		{SortBytes, []string{"big", "mid", "many", "tie-a", "tie-b"}},
		{SortBytes | SortReversed, []string{"tie-a", "tie-b", "many", "mid", "big"}},
		{SortCount, []string{"many", "big", "mid", "tie-a", "tie-b"}},
		{SortCount | SortReversed, []string{"big", "mid", "tie-a", "tie-b", "many"}},
		{SortName | SortReversed, []string{"tie-b", "tie-a", "mid", "many", "big"}},
		{SortName, []string{"big", "many", "mid", "tie-a", "tie-b"}},
	} {
		v.SetSort(tc.sort)
		v.Refresh(treeT0 + second/2)
		if got := rowSubjects(t, v); !slices.Equal(got, tc.want) {
			t.Errorf("sort %v: rows %v, want %v", tc.sort, got, tc.want)
		}
	}
}

func TestSortModeCycle(t *testing.T) {
	var got []string
	for s := SortName | SortReversed; len(got) < 5; s = s.Next() {
		got = append(got, s.String())
	}
	if want := []string{"name ↓", "rate ↓", "count ↓", "bytes ↓", "name ↑"}; !slices.Equal(got, want) {
		t.Errorf("s cycles %v, want %v (each key in its natural direction)", got, want)
	}
	if s := SortBytes.Reverse(); s.Key() != SortBytes || !s.Reversed() || s.Reverse() != SortBytes {
		t.Errorf("SortBytes.Reverse() = %v, twice %v", s, s.Reverse())
	}
}
