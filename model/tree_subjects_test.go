package model

import (
	"fmt"
	"strings"
	"testing"
)

// ownSubjects counts, by walking the tree, the nodes that received a
// message on exactly their subject: what Subjects must keep incrementally.
func ownSubjects(tr *Tree) int {
	n := 0
	for _, nd := range tr.Nodes() {
		if nd.Own() > 0 {
			n++
		}
	}
	return n
}

// TestTreeSubjects counts subjects, not nodes: a.b.c, a.b.d and e.f.g are
// three subjects over seven nodes, and an inner node becomes a subject of
// its own once a message arrives on exactly it.
func TestTreeSubjects(t *testing.T) {
	for _, c := range []struct {
		subjects    []string
		nodes, subs int
	}{
		{nil, 0, 0},
		{[]string{"a.b.c", "a.b.d", "e.f.g"}, 7, 3},
		{[]string{"a.b.c", "a.b.c", "a.b.c"}, 3, 1},
		{[]string{"a.b.c", "a.b", "a"}, 3, 3},
		{[]string{"a.b.c", "a.b.d", "a.b"}, 4, 3},
	} {
		tr := NewTree(DefaultTreeOptions(), treeT0)
		applySubjects(tr, treeT0, c.subjects...)
		if tr.Len() != c.nodes || tr.Subjects() != c.subs {
			t.Errorf("%q: Len %d Subjects %d, want %d and %d", c.subjects, tr.Len(), tr.Subjects(), c.nodes, c.subs)
		}
		rep := NewTreeReport(tr, treeT0+second, "", 0)
		if rep.Subjects != c.subs || rep.Nodes != c.nodes {
			t.Errorf("%q: report subjects %d nodes %d, want %d and %d", c.subjects, rep.Subjects, rep.Nodes, c.subs, c.nodes)
		}
	}
}

// TestTreeSubjectsPruned keeps the count exact while pruning removes idle
// subjects, inner subjects included once their children are gone.
func TestTreeSubjectsPruned(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0)
	for i := range 5000 {
		at := treeT0 + int64(i)*second/100
		applySubjects(tr, at, fmt.Sprintf("x.%d.y", i%1500), fmt.Sprintf("x.%d", i%700))
		if i%97 == 0 {
			if got, want := tr.Subjects(), ownSubjects(tr); got != want {
				t.Fatalf("after %d: Subjects %d, walk finds %d (Len %d, pruned %d)", i, got, want, tr.Len(), tr.Pruned)
			}
		}
	}
	if tr.Pruned == 0 {
		t.Fatal("nothing was pruned: the test proves nothing")
	}
	if got, want := tr.Subjects(), ownSubjects(tr); got != want {
		t.Fatalf("Subjects %d, walk finds %d", got, want)
	}
}

// TestTreeReportSubjectsText prints subjects and nodes apart.
func TestTreeReportSubjectsText(t *testing.T) {
	tr := NewTree(DefaultTreeOptions(), treeT0)
	applySubjects(tr, treeT0, "a.b.c", "a.b.d", "e.f.g")
	var b strings.Builder
	if err := NewTreeReport(tr, treeT0+second, "x", 0).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); !strings.Contains(first, "3 subjects (7 nodes)") {
		t.Errorf("first line %q, want 3 subjects (7 nodes)", first)
	}
}
