package model

import (
	"math"
	"strconv"
	"testing"
	"time"
)

// TestPrefetchUnderFlood: a round-robin over more subjects than the leaf
// cache holds, applied in blocks as the UI does, has prefetch load the
// index (it must not sit idle where it was built for), and odd subjects
// among them (empty tokens, one token, a missing parent) are counted
// exactly as without it.
func TestPrefetchUnderFlood(t *testing.T) {
	const spread = 300_000
	e := NewExplorer(ExplorerOptions{}, time.Unix(0, treeT0))
	plain := NewTree(DefaultTreeOptions(), treeT0)
	odd := []string{"", ".", "a.", ".a", "a..b", "x", "new.parent.leaf", "s"}
	batch := make([]Message, 0, 4096)
	flush := func() {
		e.ApplyUntil(batch, SourceStatus{}, time.Unix(0, treeT0), nil)
		batch = batch[:0]
	}
	for i := range 2*spread + len(odd)*100 {
		subj := "s." + strconv.Itoa(i/10%1000) + "." + strconv.Itoa(i%spread)
		if i >= 2*spread {
			subj = odd[i%len(odd)]
		}
		m := tmsg(subj, treeT0, "p")
		plain.Apply(m)
		if batch = append(batch, *m); len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	tr := e.Tree()
	if tr.hints.loaded == 0 || !tr.leaves.off {
		t.Fatalf("prefetch loaded nothing (leaf cache off: %v, %d index slots)", tr.leaves.off, len(tr.index.slots))
	}
	if tr.Msgs != plain.Msgs || tr.Subjects() != plain.Subjects() {
		t.Fatalf("%d msgs on %d subjects, want %d on %d", tr.Msgs, tr.Subjects(), plain.Msgs, plain.Subjects())
	}
	for _, s := range append(odd, "s.234.12345", "s.999.299999") {
		if got, want := tr.Find(s).Msgs(), plain.Find(s).Msgs(); got != want || got == 0 {
			t.Errorf("%q: %d msgs, want %d", s, got, want)
		}
	}
}

// TestHintsVoidAfterPrune: a prune between a block's prefetch and one of
// its messages (another message's new node may start one) can remove the
// parent a hint names; the message must then walk its subject afresh, or
// it would hang under a removed node, out of the tree's reach.
func TestHintsVoidAfterPrune(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 30}, treeT0)
	tr.Apply(tmsg("idle.parent.old", treeT0, "x"))
	// Enough subjects for the index to be prefetched.
	for i := range 110_000 {
		tr.Apply(tmsg("fill."+strconv.Itoa(i/10)+"."+strconv.Itoa(i), treeT0+int64(i+1), "x"))
	}
	tr.leaves.off = true // as over a spread flood
	block := []Message{*tmsg("idle.parent.new", treeT0+1e9, "x")}
	tr.prefetch(block)
	if tr.hints.n != 1 || !tr.hints.at[0].ok {
		t.Fatalf("setup: no hint (%d index slots)", len(tr.index.slots))
	}
	// The prune: idle.parent goes with its only leaf, as prune counts it.
	tr.Pruned += uint64(tr.pruneUp(tr.find("idle.parent.old"), math.MaxInt64, 2))
	if tr.find("idle.parent") != 0 {
		t.Fatal("setup: idle.parent was not pruned")
	}
	tr.hints.i = 0
	// Not one of the leaf cache's random probes (the LCG's next draw from
	// 0 has top bits 1), so the message takes the hint's path.
	tr.leaves.rng, tr.leaves.msgs = 0, 0
	// Under the removed parent, the counting walk up the path looped for
	// ever (the freed slot's parent links the free list).
	applyWithin(t, tr, &block[0])
	tr.dropHints()
	if n := tr.Find("idle.parent.new"); n.IsZero() || n.Msgs() != 1 {
		t.Fatalf("idle.parent.new: found %v, want it with 1 msg", !n.IsZero())
	}
}

// TestWalkFromLast: subjects in a row under the same parent are looked
// up from it; every subject still counts on its own node, whatever the
// order and however odd its tokens.
func TestWalkFromLast(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	subjects := []string{"a.b.c", "a.b.d", "a.b", "a.b.c.e", "a.b.c.f", ".x", ".y", "a..b", "a..c",
		"x", "y.z", "y.z", "a.b.d", "a.bb.d", "a.b.d", "", "."}
	want := map[string]uint64{}
	for r := range 3 {
		for i := range subjects {
			s := subjects[(i*(r+1))%len(subjects)]
			tr.Apply(tmsg(s, treeT0, ""))
			want[s]++
		}
	}
	for s, n := range want {
		if got := tr.Find(s).Own(); got != n {
			t.Errorf("%q: %d own msgs, want %d", s, got, n)
		}
	}
	if tr.Subjects() != len(want) {
		t.Errorf("%d subjects, want %d", tr.Subjects(), len(want))
	}
}

// TestWalkFromLastAfterPrune: a prune may remove the last subject's
// parent; the next subject under that path is walked afresh.
func TestWalkFromLastAfterPrune(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	tr.Apply(tmsg("idle.parent.old", treeT0, "x"))
	tr.Pruned += uint64(tr.pruneUp(tr.find("idle.parent.old"), math.MaxInt64, 2))
	if tr.find("idle.parent") != 0 {
		t.Fatal("setup: idle.parent was not pruned")
	}
	applyWithin(t, tr, tmsg("idle.parent.new", treeT0+1, "x"))
	if n := tr.Find("idle.parent.new"); n.IsZero() || n.Msgs() != 1 {
		t.Fatalf("idle.parent.new: found %v, want it with 1 msg", !n.IsZero())
	}
}

// TestPrefetchLeaves: over subjects the leaf cache holds, prefetch loads
// its buckets and hands apply the subjects' hashes, and the cache still
// finds the subjects.
func TestPrefetchLeaves(t *testing.T) {
	const spread = 20_000
	e := NewExplorer(ExplorerOptions{}, time.Unix(0, treeT0))
	plain := NewTree(DefaultTreeOptions(), treeT0)
	batch := make([]Message, 0, 4096)
	for i := range 10 * spread {
		m := tmsg("s."+strconv.Itoa(i%spread/10)+"."+strconv.Itoa(i%spread), treeT0, "p")
		plain.Apply(m)
		if batch = append(batch, *m); len(batch) == cap(batch) {
			e.ApplyUntil(batch, SourceStatus{}, time.Unix(0, treeT0), nil)
			batch = batch[:0]
		}
	}
	e.ApplyUntil(batch, SourceStatus{}, time.Unix(0, treeT0), nil)
	tr := e.Tree()
	if tr.leaves.off || !tr.hints.leaf || tr.hints.loaded == 0 || len(tr.leaves.slots) < prefetchLeafMinSlots {
		t.Fatalf("leaf cache off %v, leaf hints %v, loaded %d, %d slots", tr.leaves.off, tr.hints.leaf, tr.hints.loaded, len(tr.leaves.slots))
	}
	if tr.leaves.hits*2 < tr.leaves.tries {
		t.Errorf("%d hits in %d lookups, want most", tr.leaves.hits, tr.leaves.tries)
	}
	for _, s := range []string{"s.0.0", "s.1234.12345", "s.1999.19999"} {
		if got, want := tr.Find(s).Msgs(), plain.Find(s).Msgs(); got != want || got == 0 {
			t.Errorf("%q: %d msgs, want %d", s, got, want)
		}
	}
}

// applyWithin applies m, failing the test if Apply does not return in 10
// s: under a removed parent, the counting walk up the path loops for ever.
func applyWithin(t *testing.T, tr *Tree, m *Message) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Apply(m)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Apply did not return: the message hung under the removed parent")
	}
}
