package model

import (
	"fmt"
	"strings"
	"testing"
)

// TestNodeHandleSurvivesSlotReuse holds a handle to a subject that is
// pruned, then floods the tree until its slot holds another subject: the
// handle must stay Removed and read as nothing, never as the new node.
func TestNodeHandleSurvivesSlotReuse(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 20}, treeT0) // prunes past 5,782 nodes
	applySubjects(tr, treeT0, "keep.old.leaf")
	old := mustFind(t, tr, "keep.old.leaf")
	parent := old.Parent()
	var reused Node
	at := treeT0 + second
	for i := 0; i < 100_000 && reused.IsZero(); i++ {
		subj := fmt.Sprintf("flood.%d", i)
		at += 1e6
		applySubjects(tr, at, subj)
		if n := tr.Find(subj); n.id == old.id {
			reused = n
		}
	}
	if reused.IsZero() {
		t.Fatal("the old node's slot was never reused: the test proves nothing")
	}
	if !old.Removed() || reused.Removed() || old == reused {
		t.Fatalf("old Removed %v, new Removed %v, same handle %v", old.Removed(), reused.Removed(), old == reused)
	}
	if old.Subject() != "" || old.Name() != "" || old.Msgs() != 0 || old.Own() != 0 || old.LastSeen() != 0 ||
		!old.Parent().IsZero() || old.HistoryLen() != 0 || old.HasChildren() || old.Depth() != 0 {
		t.Fatalf("the removed handle reads as %q (msgs %d, history %d)", old.Subject(), old.Msgs(), old.HistoryLen())
	}
	if _, ok := old.Last(); ok {
		t.Fatal("the removed handle has a last message")
	}
	old.SetExpanded(true) // must not touch the new node
	if reused.Expanded() {
		t.Fatal("expanding the removed handle expanded the node in its slot")
	}
	// The idle parent goes with its child in the same step, or in a
	// later one when the child was the step's last within its batch
	// (pruneUp's budget): 2 runs in 200 saw the slot reused first.
	for i := 0; i < 100_000 && !parent.Removed(); i++ {
		at += 1e6
		applySubjects(tr, at, fmt.Sprintf("more.%d", i))
	}
	if !parent.Removed() {
		t.Fatal("the idle parent was never pruned after its only child")
	}
	if got := tr.Find("keep.old.leaf"); !got.IsZero() {
		t.Fatal("Find resurrected the pruned subject")
	}
	// The subject comes back as a new node: the old handle stays Removed.
	applySubjects(tr, at+second, "keep.old.leaf")
	if back := mustFind(t, tr, "keep.old.leaf"); back == old || !old.Removed() {
		t.Fatal("the old handle was resurrected by the subject coming back")
	}
	checkTreeRecount(t, tr)
}

// TestNodeChunkReleased: a burst of nodes pruned away (a 10,000-token
// subject over a bound of 5,782 nodes) gives its chunks back, so the tree
// shrinks to its bound again, and a chunk made again starts its
// generations above every one it had, so a handle into a released chunk
// stays Removed (and does not read a nil chunk).
func TestNodeChunkReleased(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 20}, treeT0)
	at := treeT0
	for i := range 6000 {
		at += 1e6
		applySubjects(tr, at, fmt.Sprintf("base.%d", i))
	}
	long := "long" + strings.Repeat(".x", 9_999)
	at += 1e6
	applySubjects(tr, at, long)
	var held []Node
	for n := mustFind(t, tr, long); !n.IsZero(); n = n.Parent() {
		held = append(held, n)
	}
	peak := tr.nodes.held()
	for i := 0; i < 100_000 && !mustFindOrZero(tr, long).IsZero(); i++ {
		at += 1e6
		applySubjects(tr, at, fmt.Sprintf("after.%d", i))
	}
	for i := range 20_000 {
		at += 1e6
		applySubjects(tr, at, fmt.Sprintf("later.%d", i))
	}
	if tr.nodes.nReleased == 0 || tr.nodes.held() > tr.maxNodes+2*nodeChunk+pruneBatch {
		t.Fatalf("%d chunks released; the slab holds %d slots (%d at the peak) for %d nodes",
			tr.nodes.nReleased, tr.nodes.held(), peak, tr.Len())
	}
	t.Logf("slots held: %d at the peak, %d after (%d chunks released) for %d nodes", peak, tr.nodes.held(), tr.nodes.nReleased, tr.Len())
	inReleased := 0
	for _, h := range held {
		if tr.nodes.chunks[h.id>>nodeChunkBits] == nil {
			inReleased++
			if !h.Removed() || h.Subject() != "" || h.Msgs() != 0 {
				t.Fatalf("a handle into a released chunk reads %q", h.Subject())
			}
		}
	}
	if inReleased == 0 {
		t.Fatal("no held handle is in a released chunk: the test proves nothing")
	}
	checkTreeRecount(t, tr)
	// Grow again (a larger budget): the released chunks are made again,
	// and no old handle matches the nodes in them.
	tr.opts.MaxMemory, tr.maxNodes = 1<<30, 1<<20
	for i := 0; tr.nodes.nReleased > 0 && i < 100_000; i++ {
		applySubjects(tr, at, fmt.Sprintf("again.%d", i), fmt.Sprintf("again.%d.x.y", i))
	}
	if tr.nodes.nReleased > 0 {
		t.Fatal("the released chunks were not made again: the test proves nothing")
	}
	for _, h := range held {
		if !h.Removed() {
			t.Fatalf("handle %d/%d matches the new node %q", h.id, h.gen, tr.subject(h.id))
		}
	}
	checkTreeRecount(t, tr)
}

// mustFindOrZero is Find, for loops that wait for a subject to go.
func mustFindOrZero(tr *Tree, subject string) Node { return tr.Find(subject) }
