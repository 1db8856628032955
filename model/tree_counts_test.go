package model

import (
	"strconv"
	"testing"
	"unsafe"
)

// TestTreeNodeSize: a node is 80 bytes (issue 11's 160 per subject
// includes its share of the index, the order and the leaf cache), a kept
// message 32 and a history, which holds the first, 48.
func TestTreeNodeSize(t *testing.T) {
	if s := unsafe.Sizeof(node{}); s != 80 {
		t.Fatalf("node is %d bytes, want 80", s)
	}
	if s := unsafe.Sizeof(keptMsg{}); s != 32 {
		t.Fatalf("keptMsg is %d bytes, want 32", s)
	}
	if s := unsafe.Sizeof(history{}); s != 48 {
		t.Fatalf("history is %d bytes, want 48", s)
	}
}

// TestTreeHotRate: a node counts up to 65,535 messages a second in its
// own uint16 buckets; past that its counts move to the hot table, exact,
// and a removed node's entry is reused.
func TestTreeHotRate(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	at := treeT0
	for range 1<<16 - 1 {
		tr.Apply(tmsg("cold.x", at, ""))
	}
	if len(tr.hot) != 0 {
		t.Fatalf("65,535 messages in a second: %d hot nodes, want 0", len(tr.hot))
	}
	const burst = 70_000
	for range burst {
		tr.Apply(tmsg("hot.x", at, ""))
	}
	for range 7 {
		tr.Apply(tmsg("hot.x", at+1e9, ""))
	}
	if len(tr.hot) != 2 { // hot and hot.x
		t.Fatalf("%d hot nodes, want 2", len(tr.hot))
	}
	now := at + 2e9 + 5e8
	for _, s := range []string{"hot", "hot.x"} {
		n := tr.Find(s)
		spark := make([]float64, 3)
		n.Spark(now, spark)
		if want := []float64{0, burst, 7}; spark[0] != want[0] || spark[1] != want[1] || spark[2] != want[2] {
			t.Fatalf("%s: spark %v, want %v", s, spark, want)
		}
		if got, want := n.Rate(now, treeT0-100e9), float64(burst+7)/(RateWindow-1+0.5); got != want {
			t.Fatalf("%s: rate %v, want %v", s, got, want)
		}
	}
	cold := tr.Find("cold.x")
	spark := make([]float64, 3)
	cold.Spark(now, spark)
	if spark[1] != 1<<16-1 {
		t.Fatalf("cold.x: spark %v, want 65535 in its second", spark)
	}
	// Removed, a hot node gives its entry back; a new hot node takes it.
	tr.removeLeaf(tr.find("hot.x"))
	if len(tr.hotFree) != 1 {
		t.Fatalf("after removing hot.x: %d free hot entries, want 1", len(tr.hotFree))
	}
	for range burst {
		tr.Apply(tmsg("hot.y", at+3e9, ""))
	}
	if len(tr.hot) != 2 || len(tr.hotFree) != 0 {
		t.Fatalf("hot.y: %d hot entries, %d free; want 2, 0", len(tr.hot), len(tr.hotFree))
	}
	if c := tr.Find("hot.y").Msgs(); c != burst {
		t.Fatalf("hot.y: %d msgs, want %d", c, burst)
	}
}

// TestTreeOwnApart: a leaf's own messages are its msgs; once it has
// children its branch counts them, and keeps them apart from the pruned
// children's (still in msgs) when the last child goes.
func TestTreeOwnApart(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	for i := range 5 {
		tr.Apply(tmsg("a", treeT0+int64(i), ""))
	}
	for i := range 3 {
		tr.Apply(tmsg("a.x", treeT0+10+int64(i), ""))
	}
	tr.Apply(tmsg("a", treeT0+20, ""))
	a := tr.Find("a")
	if a.Own() != 6 || a.Msgs() != 9 || tr.Subjects() != 2 {
		t.Fatalf("a: own %d msgs %d, subjects %d; want 6, 9, 2", a.Own(), a.Msgs(), tr.Subjects())
	}
	tr.removeLeaf(tr.find("a.x"))
	if a.HasChildren() || a.Own() != 6 || a.Msgs() != 9 || tr.Subjects() != 1 {
		t.Fatalf("a.x pruned: children %v, own %d, msgs %d, subjects %d; want false, 6, 9, 1",
			a.HasChildren(), a.Own(), a.Msgs(), tr.Subjects())
	}
	if p := a.get(); p.branch == 0 || cap(tr.branches.at(p.branch).order) != 0 {
		t.Fatalf("a.x pruned: a keeps its branch for its own count, without an order (branch %d)", p.branch)
	}
	tr.Apply(tmsg("a", treeT0+30, ""))
	if a.Own() != 7 || a.Msgs() != 10 || tr.Subjects() != 1 {
		t.Fatalf("a again: own %d msgs %d subjects %d; want 7, 10, 1", a.Own(), a.Msgs(), tr.Subjects())
	}
	// A branch that only ever had children: no branch kept for it once
	// its last child goes and it is pruned itself.
	tr.Apply(tmsg("b.y", treeT0+40, ""))
	branches := tr.branches.next - uint32(len(tr.branches.free))
	tr.removeLeaf(tr.find("b.y"))
	tr.removeLeaf(tr.find("b"))
	if got := tr.branches.next - uint32(len(tr.branches.free)); got != branches-1 {
		t.Fatalf("b and b.y pruned: %d branches held, want %d", got, branches-1)
	}
	checkTreeRecount(t, tr)
}

// TestTreeEvictIdleFirst: over exactVictims histories the evictor is
// approximate, but what it evicts is the idle: a flood of new subjects
// into a full budget leaves the newest subjects' messages and a busy
// subject's, and evicts the oldest ones'.
func TestTreeEvictIdleFirst(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 20, HistoryDepth: 1}, treeT0)
	const n = 6000
	payload := string(make([]byte, 100))
	at := treeT0
	for i := range n {
		at += 1e6
		tr.Apply(tmsg("s"+strconv.Itoa(i), at, payload))
		if i%10 == 0 {
			tr.Apply(tmsg("busy", at, payload))
		}
	}
	if tr.Pruned != 0 || tr.Evicted == 0 || tr.hists.used <= 4*exactVictims {
		t.Fatalf("setup: pruned %d, evicted %d, %d histories: want evictions only, over %d histories",
			tr.Pruned, tr.Evicted, tr.hists.used, 4*exactVictims)
	}
	if tr.Find("busy").HistoryLen() != 1 {
		t.Fatalf("the busy subject lost its message")
	}
	kept := tr.hists.used - 1
	oldest, newest := 0, 0
	for i := range n {
		if tr.Find("s"+strconv.Itoa(i)).HistoryLen() == 0 {
			continue
		}
		switch {
		case i < n-kept:
			oldest++ // older than the kept count: exact LRU would have evicted it
		case i >= n-kept/2:
			newest++
		}
	}
	// Exact LRU keeps the newest `kept`; the approximation keeps at most
	// an eighth (evictQuantile) of its choice elsewhere.
	if oldest > kept/evictQuantile || newest < kept/2-kept/evictQuantile {
		t.Fatalf("%d kept: %d of them older than exact LRU keeps (want ≤ %d), %d of the newest %d kept",
			kept, oldest, kept/evictQuantile, newest, kept/2)
	}
	// Sampling is amortized over many victims: a sample per victim cost
	// 7% of a 1M-subject flood's CPU.
	if per := float64(tr.evictor.sampled) / float64(tr.Evicted); per > 1 {
		t.Errorf("%.2f histories sampled per eviction, want at most 1", per)
	}
	t.Logf("%d histories kept, %d older than exact LRU would keep, %d of the newest half; %d sampled for %d evictions",
		kept, oldest, newest, tr.evictor.sampled, tr.Evicted)
}

// TestLeafCacheThrashGuard: traffic spread over more subjects than the
// leaf cache holds turns it off (but for probes); traffic on few subjects
// turns it on again; counts are exact either way.
func TestLeafCacheThrashGuard(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	// Over twice the default cache's 262,144 entries, and a multiple of
	// leafProbe: probes taken every leafProbe-th message were then the
	// same subjects each round, and turned the cache on for 44% of the
	// messages, every one a miss. Probes drawn at random still find what
	// the last window the cache was on left in it, a round later: about
	// a window a round is on (20% here).
	const spread = 640_000
	on := 0
	for i := range 4 * spread {
		tr.Apply(tmsg("s."+strconv.Itoa(i%spread), treeT0, ""))
		if i >= 2*spread && !tr.leaves.off {
			on++
		}
	}
	if on > 2*spread/4 {
		t.Fatalf("round-robin over %d subjects: the cache was on for %d of the last %d messages, want at most a quarter", spread, on, 2*spread)
	}
	hot3 := uint64(0)
	for i := range 3 * leafWindow {
		tr.Apply(tmsg("hot."+strconv.Itoa(i%10), treeT0, ""))
		if i%10 == 3 {
			hot3++
		}
	}
	if tr.leaves.off {
		t.Fatal("10 busy subjects: the cache is off")
	}
	if n := tr.Find("s.12345").Msgs(); n != 4 {
		t.Fatalf("s.12345: %d msgs, want 4", n)
	}
	if n := tr.Find("hot.3").Msgs(); n != hot3 {
		t.Fatalf("hot.3: %d msgs, want %d", n, hot3)
	}
}
