package model

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// checkTreeRecount walks tr and compares everything the tree keeps as it
// goes (Len, Subjects, the structure bytes behind MemoryUsed, the child
// index's count, the removed nodes the orders still hold) with a full
// recount, and checks that no removed node is listed by Children or held
// by the child index or the leaf cache.
func checkTreeRecount(t *testing.T, tr *Tree) {
	t.Helper()
	nodes := tr.Nodes()
	// Before Children compacts the orders: the removed nodes they hold
	// are what the tree counts as pinned.
	pinned := 0
	extra := int64(0)
	for _, id := range append([]uint32{rootID}, ids(nodes)...) {
		n := tr.nodes.at(id)
		if n.branch == 0 {
			continue
		}
		b := tr.branches.at(n.branch)
		pinned += int(b.gone)
		gone := 0
		for _, k := range b.order {
			if tr.nodes.at(k).has(flagRemoved) {
				gone++
			} else if tr.nodes.at(k).parent != id {
				t.Fatalf("%s: order lists %d, whose parent is %d", tr.subject(id), k, tr.nodes.at(k).parent)
			}
		}
		if gone != int(b.gone) {
			t.Fatalf("%s: order holds %d removed, gone %d", tr.subject(id), gone, b.gone)
		}
		if id != rootID {
			extra += int64(cap(b.order)) * 4
		}
	}
	if pinned != tr.pinned {
		t.Fatalf("orders hold %d removed nodes, pinned %d", pinned, tr.pinned)
	}
	// Every slot handed out is live, pinned in an order, or free.
	free, released := 0, 0
	for c, chunk := range tr.nodes.chunks {
		if chunk == nil {
			released++
			continue
		}
		k := 0
		for id := tr.nodes.meta[c].free; id != 0; id = tr.nodes.at(id).parent {
			if !tr.nodes.at(id).has(flagRemoved) || int(id>>nodeChunkBits) != c {
				t.Fatalf("free slot %d of chunk %d is not a removed node of it", id, c)
			}
			k++
		}
		if k != int(tr.nodes.meta[c].nfree) || (k > 0) != tr.nodes.hasFree.has(c) {
			t.Fatalf("chunk %d: %d free, counted %d", c, k, tr.nodes.meta[c].nfree)
		}
		free += k
	}
	if free != tr.nodes.freed || released != tr.nodes.nReleased ||
		int(tr.nodes.next)-1 != tr.Len()+pinned+free+released*nodeChunk {
		t.Fatalf("%d slots: %d live, %d pinned, %d free (counted %d), %d chunks released",
			tr.nodes.next-1, tr.Len(), pinned, free, tr.nodes.freed, released)
	}
	subjects := 0
	for _, n := range nodes {
		if n.Removed() {
			t.Fatalf("%s: removed node in the walk", n.Subject())
		}
		if tr.Find(n.Subject()) != n {
			t.Fatalf("%s: live node not in the index", n.Subject())
		}
		if n.Own() > 0 {
			subjects++
		}
		if n.get().branch != 0 {
			if p := n.get(); !n.HasChildren() && tr.own(p) == p.msgs {
				t.Fatalf("%s: a branch without a live child, keeping no own count apart", n.Subject())
			}
			sum := n.Own()
			for _, k := range n.Children() {
				if k.Removed() || k.Parent() != n {
					t.Fatalf("%s: Children lists %s (removed %v)", n.Subject(), k.Subject(), k.Removed())
				}
				sum += k.Msgs()
			}
			if n.Msgs() < sum {
				t.Fatalf("%s: Msgs %d < own + children %d", n.Subject(), n.Msgs(), sum)
			}
		}
	}
	if len(nodes) != tr.Len() || tr.index.n != tr.Len() {
		t.Fatalf("walk finds %d nodes, Len %d, index holds %d", len(nodes), tr.Len(), tr.index.n)
	}
	if subjects != tr.Subjects() {
		t.Fatalf("walk finds %d subjects, Subjects %d", subjects, tr.Subjects())
	}
	if extra != tr.extra {
		t.Fatalf("orders recounted: %d bytes, the tree counts %d", extra, tr.extra)
	}
	for _, s := range [][]indexSlot{tr.index.slots, tr.index.old} {
		for _, slot := range s {
			if id := slot.id; id != 0 && id != tombstone && tr.nodes.at(id).has(flagRemoved) {
				t.Fatalf("%d: removed node in the child index", id)
			}
		}
	}
	for _, s := range tr.leaves.slots {
		if s.id != 0 && tr.nodes.at(s.id).has(flagRemoved) {
			t.Fatalf("%d: removed node in the leaf cache", s.id)
		}
	}
	if used := tr.MemoryUsed(); used > tr.opts.MaxMemory {
		t.Fatalf("MemoryUsed %d over the budget %d", used, tr.opts.MaxMemory)
	}
}

// ids is the node ids of nodes.
func ids(nodes []Node) []uint32 {
	out := make([]uint32, len(nodes))
	for i, n := range nodes {
		out[i] = n.id
	}
	return out
}

// TestTreePruneIdleFirst floods a tree of ~5,800 nodes (1 MiB) with new
// subjects under one parent, as nats bench does, while 500 busy subjects
// get a message every 1,000: pruning must take the idle flood, oldest
// first, and never a busy subject. The LRU is approximate (leaves under
// the 1/8 quantile of a sample of LastSeen, where the hand passes), so the
// tolerance is: no busy subject pruned; every flood subject older than the
// newest 20,000 messages pruned; the newest 700 (an eighth of the tree)
// all kept. Pruned nodes stay Removed and Find never returns them.
func TestTreePruneIdleFirst(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 20}, treeT0)
	v := NewTreeView(tr)
	v.SetHeight(50)
	const n = 100_000
	var flood []Node // flood[k] is the subject of message 2k+1
	for i := range n {
		subj := "busy." + strconv.Itoa(i/2%500)
		if i%2 == 1 {
			subj = "flood." + strconv.Itoa(i)
		}
		at := treeT0 + int64(i)*1e6
		tr.Apply(tmsg(subj, at, "x"))
		if i%2 == 1 {
			flood = append(flood, tr.Find(subj))
		}
		if i%9973 == 0 {
			checkTreeRecount(t, tr)
		}
		if i == 30_000 { // the view shows the flooded parent's children
			v.Reveal(tr.Find("flood"), at)
		}
		if i > 30_000 && i%101 == 0 {
			v.Refresh(at)
			for _, r := range v.Rows() {
				if r.Removed() {
					t.Fatalf("message %d: the view lists removed %s", i, r.Subject())
				}
			}
		}
	}
	checkTreeRecount(t, tr)
	if tr.Pruned < n/4 {
		t.Fatalf("Pruned %d: the flood should have pruned most of itself", tr.Pruned)
	}
	for i := range 500 {
		if b := tr.Find("busy." + strconv.Itoa(i)); b.IsZero() || b.Msgs() != n/1000 {
			t.Fatalf("busy.%d pruned (or lost counts): %v", i, b)
		}
	}
	kept := 0
	for k, f := range flood {
		i := 2*k + 1
		switch {
		case i < n-20_000 && !f.Removed():
			t.Errorf("%s (message %d of %d) still held", f.Subject(), i, n)
		case k >= len(flood)-700 && f.Removed():
			t.Errorf("%s (message %d of %d) pruned among the newest", f.Subject(), i, n)
		case f.Removed() && tr.Find(f.Subject()) == f:
			t.Errorf("%s: Find returns a removed node", f.Subject())
		case !f.Removed():
			kept++
		}
	}
	// How approximate the LRU is: the pruned flood subjects newer than the
	// oldest one kept, which an exact LRU would not have pruned.
	oldestKept, early := -1, 0
	for k, f := range flood {
		if !f.Removed() && oldestKept < 0 {
			oldestKept = k
		}
		if f.Removed() && oldestKept >= 0 {
			early++
		}
	}
	t.Logf("pruned %d; oldest flood subject kept: message %d of %d; %d of the %d after it pruned before it",
		tr.Pruned, 2*oldestKept+1, n, early, len(flood)-oldestKept)
	fl := tr.Find("flood")
	if fl.Msgs() != n/2 || len(fl.Children()) != kept {
		t.Errorf("flood: Msgs %d (want %d), %d children, %d flood nodes live", fl.Msgs(), n/2, len(fl.Children()), kept)
	}
}

// TestTreePruneStepBounded: past the bound each Apply prunes at most a
// batch (256), however large the tree; the whole-tree prune removed a
// tenth of it (9,000 nodes of a 16 MiB tree) inside one Apply. The bound
// still holds: the tree never exceeds its nodes by more than a batch, and
// MemoryUsed never its budget.
func TestTreePruneStepBounded(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 16 << 20}, treeT0)
	for i := range 200_000 {
		pruned := tr.Pruned
		tr.Apply(tmsg("sub."+strconv.Itoa(i), treeT0+int64(i)*1e3, "0123456789abcdef"))
		if d := tr.Pruned - pruned; d > 256 {
			t.Fatalf("message %d: one Apply pruned %d nodes", i, d)
		}
		if tr.Len() > tr.maxNodes+256 || tr.MemoryUsed() > tr.opts.MaxMemory {
			t.Fatalf("message %d: Len %d (bound %d), MemoryUsed %d of %d", i, tr.Len(), tr.maxNodes, tr.MemoryUsed(), tr.opts.MaxMemory)
		}
	}
	if tr.Pruned == 0 {
		t.Fatal("nothing pruned: the test proves nothing")
	}
	checkTreeRecount(t, tr)
}

// TestChildIndexRemoveWhileDraining removes entries while the index is
// moving them to its larger table: a removed entry must not come back
// from the old table, and every other entry stays found, before and after
// the old table is dropped.
func TestChildIndexRemoveWhileDraining(t *testing.T) {
	tr := NewTree(TreeOptions{}, 0)
	x := &tr.index
	parent := indexNode(tr, rootID, "p")
	var nodes []uint32
	for i := 0; x.old == nil || len(nodes) < 800; i++ {
		n := indexNode(tr, parent, strconv.Itoa(i))
		indexInsert(tr, n)
		nodes = append(nodes, n)
	}
	if x.old == nil {
		t.Fatal("the index is not draining: the test proves nothing")
	}
	for i := 0; i < len(nodes); i += 3 { // moved and not yet moved alike
		indexRemove(tr, nodes[i])
	}
	check := func(when string) {
		for i, n := range nodes {
			_, name := indexKey(tr, n)
			got := tr.findChild(parent, name)
			if want := n; i%3 == 0 {
				if got != 0 {
					t.Fatalf("%s: removed %s found", when, name)
				}
			} else if got != want {
				t.Fatalf("%s: %s not found", when, name)
			}
		}
		if want := len(nodes) - (len(nodes)+2)/3; x.n != want {
			t.Fatalf("%s: n = %d, want %d", when, x.n, want)
		}
	}
	check("draining")
	x.drain(len(x.old))
	check("drained")
}

// TestTreePruneDeepSubjects: deep subjects are mostly inner nodes, which
// pruning reaches only once their children are gone; an idle chain goes
// bottom up in the same step (pruneUp), so the tree stays bounded. A
// subject deeper than the whole bound cannot be pruned while it is being
// created (every node of it is the new node's ancestor): the tree holds it
// over the bound, without a scan per token, and prunes it once idle.
func TestTreePruneDeepSubjects(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 20}, treeT0)
	deep := strings.Repeat(".t", 28)
	at := treeT0
	for i := range 3000 {
		at += 1e6
		tr.Apply(tmsg("deep."+strconv.Itoa(i)+deep, at, "x"))
		if tr.Len() > tr.maxNodes+pruneBatch || tr.MemoryUsed() > tr.opts.MaxMemory {
			t.Fatalf("subject %d: Len %d (bound %d), MemoryUsed %d", i, tr.Len(), tr.maxNodes, tr.MemoryUsed())
		}
	}
	checkTreeRecount(t, tr)
	long := "long" + strings.Repeat(".x", 9_999)
	scanned := tr.pruner.scanned
	tr.Apply(tmsg(long, at+1e6, "x"))
	// Counted, not timed: a scan per token would look at 10,000 ×
	// pruneScan slots; skipping pruneBatch tokens after a fruitless scan
	// looks at about 10,000/pruneBatch scans' worth.
	n := tr.pruner.scanned - scanned
	t.Logf("a 10,000-token subject over a bound of %d nodes: %d index slots scanned", tr.maxNodes, n)
	if limit := uint64(2 * (10_000/pruneBatch + 1) * pruneScan); n > limit {
		t.Errorf("it scanned %d slots, want at most %d (no scan per token)", n, limit)
	}
	if tr.Find(long).IsZero() {
		t.Fatal("the long subject is not held")
	}
	for i := range 20_000 {
		tr.Apply(tmsg("after."+strconv.Itoa(i), at+2e6+int64(i)*1e6, "x"))
	}
	if tr.Len() > tr.maxNodes+pruneBatch {
		t.Errorf("Len %d after the long subject went idle (bound %d)", tr.Len(), tr.maxNodes)
	}
	checkTreeRecount(t, tr)
}

// TestNumChildrenIsLiveChildren: NumChildren counts what Children lists,
// before and after pruning left removed children in a parent's list.
func TestNumChildrenIsLiveChildren(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 16 << 20, HistoryDepth: 1}, 0)
	parent := func() Node { return tr.Find("sub") }
	for i := range 200_000 {
		m := Message{Subject: fmt.Sprintf("sub.%d", i), Received: int64(i) * 1e3, Size: 1}
		tr.Apply(&m)
		if i%50_000 == 49_999 {
			if n := parent().NumChildren(); n != len(parent().Children()) {
				t.Fatalf("after %d: NumChildren %d, Children %d", i+1, n, len(parent().Children()))
			}
		}
	}
	if tr.Pruned == 0 {
		t.Fatal("nothing pruned: the test does not test the removed children")
	}
	if leaf := tr.Find("sub.199999"); leaf.IsZero() || leaf.NumChildren() != 0 {
		t.Fatalf("a leaf has children")
	}
}
