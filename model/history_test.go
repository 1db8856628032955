package model

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// historySeqs returns the Seq of each kept message of n, oldest first.
// It also checks that HistorySeq and HistoryAt agree with History.
func historySeqs(n Node) []uint64 {
	var out []uint64
	for i, m := range n.History() {
		if n.HistorySeq(i) != m.Seq || n.HistoryAt(i).Seq != m.Seq || !slices.Equal(n.HistoryAt(i).Data, m.Data) {
			panic(fmt.Sprintf("%s: message %d: HistorySeq %d, HistoryAt %d, History %d", n.Subject(), i, n.HistorySeq(i), n.HistoryAt(i).Seq, m.Seq))
		}
		out = append(out, m.Seq)
	}
	return out
}

func TestTreeHistory(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		n     int
		want  []uint64
	}{
		{"one", 4, 1, []uint64{1}},
		{"filling", 4, 3, []uint64{1, 2, 3}},
		{"full", 4, 4, []uint64{1, 2, 3, 4}},
		{"wrapped once", 4, 5, []uint64{2, 3, 4, 5}},
		{"wrapped many times", 4, 11, []uint64{8, 9, 10, 11}},
		{"depth one", 1, 3, []uint64{3}},
		{"odd depth", 5, 13, []uint64{9, 10, 11, 12, 13}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTree(TreeOptions{HistoryDepth: tc.depth}, treeT0)
			for i := 1; i <= tc.n; i++ {
				m := tmsg("a.b", treeT0+int64(i), fmt.Sprint(i))
				m.Seq = uint64(i)
				tr.Apply(m)
			}
			n := mustFind(t, tr, "a.b")
			if got := historySeqs(n); !slices.Equal(got, tc.want) {
				t.Errorf("History = %v, want %v", got, tc.want)
			}
			last, ok := n.Last()
			if !ok || last.Seq != uint64(tc.n) || string(last.Data) != fmt.Sprint(tc.n) {
				t.Errorf("Last = %+v, %v", last, ok)
			}
			if last.Subject != n.Subject() {
				t.Errorf("kept Subject = %q", last.Subject)
			}
			if tr.Evicted != 0 {
				t.Errorf("Evicted = %d: ring overwrites are not evictions", tr.Evicted)
			}
			// Only exact subjects keep messages.
			if _, ok := mustFind(t, tr, "a").Last(); ok || mustFind(t, tr, "a").History() != nil {
				t.Error("branch a has a history")
			}
		})
	}
}

// TestTreeHistoryGrowsAfterEviction walks one subject's ring through an
// eviction (head moves), refilling, growing with head != 0 (the ring must
// be put in order before it grows) and wrapping at full depth.
func TestTreeHistoryGrowsAfterEviction(t *testing.T) {
	// Two nodes, a's history with a ring of three slots and four 64-byte
	// messages: exactly a's full ring of four. b's message and history
	// take more than one of a's messages and less than two.
	msg := strings.Repeat("m", 64)
	budget := 2*int64(nodeCost) + keptCost + payloadCost(3*keptSize) + 4*payloadCost(len(msg))
	tr := NewTree(TreeOptions{HistoryDepth: 4, MaxMemory: budget}, treeT0)
	seq := uint64(0)
	apply := func(subj string, data string) {
		seq++
		m := tmsg(subj, treeT0+int64(seq)*second, data)
		m.Seq = seq
		tr.Apply(m)
	}
	apply("a", msg)
	apply("a", msg)
	apply("a", msg)
	apply("b", strings.Repeat("x", 60)) // over budget: a's oldest goes
	a := mustFind(t, tr, "a")
	if got := historySeqs(a); !slices.Equal(got, []uint64{2, 3}) || tr.Evicted != 1 {
		t.Fatalf("after b: a History = %v, Evicted = %d; want [2 3], 1", got, tr.Evicted)
	}
	apply("a", msg) // fills the freed slot; b is now least recently kept and goes
	if got := historySeqs(a); !slices.Equal(got, []uint64{2, 3, 5}) || tr.Evicted != 2 {
		t.Fatalf("after a5: a History = %v, Evicted = %d; want [2 3 5], 2", got, tr.Evicted)
	}
	if b := mustFind(t, tr, "b"); b.History() != nil {
		t.Fatalf("b History = %v, want evicted", historySeqs(b))
	}
	if a.hist().head == 0 || int(a.hist().n) != a.hist().slots() || a.hist().slots() >= 4 {
		t.Fatalf("setup: want a full ring shorter than depth with head != 0; head %d n %d len %d",
			a.hist().head, a.hist().n, a.hist().slots())
	}
	apply("a", msg) // the ring grows after an eviction
	if got := historySeqs(a); !slices.Equal(got, []uint64{2, 3, 5, 6}) {
		t.Fatalf("after growing: History = %v, want [2 3 5 6]", got)
	}
	apply("a", msg)
	apply("a", msg)
	if got := historySeqs(a); !slices.Equal(got, []uint64{5, 6, 7, 8}) {
		t.Fatalf("after wrapping: History = %v, want [5 6 7 8]", got)
	}
	if tr.Evicted != 2 || tr.MemoryUsed() > budget {
		t.Errorf("Evicted = %d, MemoryUsed = %d", tr.Evicted, tr.MemoryUsed())
	}
}

func TestTreeMaxPayload(t *testing.T) {
	tr := NewTree(TreeOptions{MaxPayload: 8}, treeT0)
	big := bytes.Repeat([]byte("0123456789"), 10)
	tr.Apply(&Message{Subject: "big", Received: treeT0, Data: big, Size: len(big)})
	tr.Apply(&Message{Subject: "small", Received: treeT0, Data: []byte("12345678"), Size: 8})

	kept, _ := mustFind(t, tr, "big").Last()
	if string(kept.Data) != "01234567" || kept.Size != 100 || !kept.Truncated() {
		t.Errorf("kept Data %q Size %d Truncated %v; want first 8 bytes, 100, true", kept.Data, kept.Size, kept.Truncated())
	}
	if cap(kept.Data) > 8 {
		t.Errorf("kept cap = %d: a sub-slice pins the whole payload", cap(kept.Data))
	}
	big[0] = 'X'
	if kept, _ := mustFind(t, tr, "big").Last(); kept.Data[0] != '0' {
		t.Error("kept Data aliases the original payload")
	}
	if n := mustFind(t, tr, "big"); n.Bytes() != 3+100 {
		t.Errorf("Bytes = %d: want the wire size, not the kept size", n.Bytes())
	}
	if small, _ := mustFind(t, tr, "small").Last(); string(small.Data) != "12345678" || small.Truncated() {
		t.Errorf("payload at the cap: Data %q Truncated %v", small.Data, small.Truncated())
	}
}

// TestTreeBudgetLRU checks that the least recently kept subject is evicted
// first, whole, before anyone else loses a message.
func TestTreeBudgetLRU(t *testing.T) {
	// Four nodes and room for three subjects' histories, each keeping one
	// empty message; b's ring growing past one slot (then two) takes the
	// room of one history, once what it evicts is older than b's own
	// oldest message; once b is alone its ring cannot grow to four.
	budget := 4*int64(nodeCost) + 3*keptCost
	tr := NewTree(TreeOptions{MaxMemory: budget}, treeT0)
	at := treeT0
	apply := func(subj string) {
		at += second
		tr.Apply(tmsg(subj, at, ""))
	}
	kept := func() (out []string) {
		for _, s := range []string{"a", "b", "c", "d"} {
			if n := tr.Find(s); !n.IsZero() {
				out = append(out, fmt.Sprintf("%s%d", s, len(n.History())))
			}
		}
		return out
	}
	apply("a")
	apply("b")
	apply("c")
	if got := kept(); !slices.Equal(got, []string{"a1", "b1", "c1"}) || tr.Evicted != 0 {
		t.Fatalf("kept %v Evicted %d", got, tr.Evicted)
	}
	apply("d") // a is least recently kept
	if got := kept(); !slices.Equal(got, []string{"a0", "b1", "c1", "d1"}) || tr.Evicted != 1 {
		t.Fatalf("after d: kept %v Evicted %d", got, tr.Evicted)
	}
	// b's message is older than c's and d's: its new one replaces it
	// rather than evict a busier subject's.
	apply("b")
	if got := kept(); !slices.Equal(got, []string{"a0", "b1", "c1", "d1"}) || tr.Evicted != 2 {
		t.Fatalf("after b: kept %v Evicted %d", got, tr.Evicted)
	}
	apply("b") // now c is the idlest, idler than b's oldest: c goes, not b
	if got := kept(); !slices.Equal(got, []string{"a0", "b2", "c0", "d1"}) || tr.Evicted != 3 {
		t.Fatalf("after 3×b: kept %v Evicted %d", got, tr.Evicted)
	}
	apply("b") // d goes next
	if got := kept(); !slices.Equal(got, []string{"a0", "b3", "c0", "d0"}) || tr.Evicted != 4 {
		t.Fatalf("after 4×b: kept %v Evicted %d", got, tr.Evicted)
	}
	apply("b") // only b is left: it loses its own oldest message
	apply("b")
	if got := kept(); !slices.Equal(got, []string{"a0", "b3", "c0", "d0"}) || tr.Evicted != 6 {
		t.Fatalf("after 6×b: kept %v Evicted %d", got, tr.Evicted)
	}
	if tr.MemoryUsed() > budget {
		t.Errorf("MemoryUsed = %d > %d", tr.MemoryUsed(), budget)
	}
	// Counts never lose what the budget evicted.
	if tr.Msgs != 9 || mustFind(t, tr, "b").Msgs() != 6 {
		t.Errorf("Msgs = %d, b.Msgs() = %d", tr.Msgs, mustFind(t, tr, "b").Msgs())
	}
}

// TestTreeBudgetInvariants publishes random traffic into a small budget and
// checks after every message: the budget holds (except for the single
// message just kept), every history is the newest suffix of its subject,
// Evicted counts exactly what left other than by ring overwrite, and the
// least-recently-kept list is consistent.
func TestTreeBudgetInvariants(t *testing.T) {
	const depth = 4
	budget := 12*int64(nodeCost) + 20*keptCost + 400
	tr := NewTree(TreeOptions{MaxMemory: budget, HistoryDepth: depth, MaxPayload: 64}, treeT0)
	rng := rand.New(rand.NewPCG(1, 2))
	subjects := []string{"a.x", "a.y", "b.x", "b.y", "c.x", "c.y"}
	published := map[string][]uint64{}
	for seq := uint64(1); seq <= 5000; seq++ {
		subj := subjects[rng.IntN(len(subjects))]
		before := map[string]int{}
		for _, s := range subjects {
			if n := tr.Find(s); !n.IsZero() {
				before[s] = len(n.History())
			}
		}
		evicted := tr.Evicted
		m := &Message{Seq: seq, Subject: subj, Received: treeT0 + int64(seq)*1e6, Size: rng.IntN(200)}
		m.Data = make([]byte, m.Size)
		if rng.IntN(4) == 0 {
			m.Header = Header{"Trace": {"abc"}}
		}
		tr.Apply(m)
		published[subj] = append(published[subj], seq)

		// What left, other than the ring overwriting its oldest, was evicted.
		left := uint64(0)
		total := 0
		for _, s := range subjects {
			n := tr.Find(s)
			if n.IsZero() {
				continue
			}
			h := historySeqs(n)
			total += len(h)
			if len(h) > depth {
				t.Fatalf("seq %d: %s keeps %d > depth", seq, s, len(h))
			}
			pub := published[s]
			if !slices.Equal(h, pub[len(pub)-len(h):]) {
				t.Fatalf("seq %d: %s History %v is not the newest of %v", seq, s, h, pub)
			}
			want := before[s]
			if s == subj {
				want = min(want+1, depth)
			}
			left += uint64(want - len(h))
		}
		if got := tr.Evicted - evicted; got != left {
			t.Fatalf("seq %d: Evicted grew by %d, %d messages left", seq, got, left)
		}
		if last, _ := tr.Find(subj).Last(); last.Seq != seq {
			t.Fatalf("seq %d: newest message not kept", seq)
		}
		if tr.MemoryUsed() > budget && total != 1 {
			t.Fatalf("seq %d: MemoryUsed %d > %d with %d messages kept", seq, tr.MemoryUsed(), budget, total)
		}
		checkLRU(t, tr)
	}
	if tr.Evicted == 0 {
		t.Error("budget never evicted: make it smaller")
	}
}

// checkLRU verifies the least-recently-kept list against the histories and
// the budget's byte count against the kept messages.
func checkLRU(t *testing.T, tr *Tree) {
	t.Helper()
	var kept int64
	withHist := 0
	for _, n := range tr.Nodes() {
		h := n.hist()
		if h == nil {
			continue
		}
		withHist++
		kept += keptCost + tr.ringBytes(h)
		for i := range int(h.n) {
			k := tr.slot(h, (int(h.head)+i)%h.slots())
			kept += tr.cost(k)
		}
	}
	if kept != tr.kept {
		t.Fatalf("kept bytes = %d, histories hold %d", tr.kept, kept)
	}

	// Every history in the slab is its live node's, and every node that
	// keeps messages has one.
	for i := range tr.hists.used {
		h := tr.hists.at(uint32(i))
		n := tr.handle(h.node)
		if n.Removed() || n.hist() != h {
			t.Fatalf("history %d: of another node (%s)", i, n.Subject())
		}
		if h.n == 0 {
			t.Fatalf("%s: an empty history in the slab", n.Subject())
		}
	}
	if tr.hists.used != withHist {
		t.Fatalf("the slab has %d histories, %d nodes have one", tr.hists.used, withHist)
	}
	checkPayloadOwners(t, tr)
}

// TestTreePrune floods a tree whose budget allows only the minimum 1024
// nodes: the tree stays bounded, Pruned counts what went, and the counts of
// what went stay in every ancestor.
func TestTreePrune(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0)
	if tr.maxNodes != 1024 {
		t.Fatalf("maxNodes = %d, want the 1024 minimum", tr.maxNodes)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	roots := []string{"orders", "drivers", "metrics", "logs"}
	perRoot := map[string]uint64{}
	var early []Node
	const n = 20000
	for i := range n {
		// Every root stays busy, so only idle leaves are pruned.
		root := roots[i%len(roots)]
		subj := fmt.Sprintf("%s.%d.%d", root, rng.IntN(50), rng.IntN(1000))
		tr.Apply(tmsg(subj, treeT0+int64(i)*1e6, "x"))
		perRoot[root]++
		if i < 10 {
			early = append(early, tr.Find(subj))
		}
		if tr.Len() > 1024 {
			t.Fatalf("message %d: Len = %d > 1024", i, tr.Len())
		}
	}
	if tr.Pruned == 0 {
		t.Fatal("Pruned = 0")
	}
	if tr.Msgs != n {
		t.Errorf("tree Msgs = %d, want %d", tr.Msgs, n)
	}
	var sum uint64
	for _, r := range tr.Roots() {
		sum += r.Msgs()
		if r.Msgs() != perRoot[r.Name()] {
			t.Errorf("root %s: Msgs = %d, published %d", r.Name(), r.Msgs(), perRoot[r.Name()])
		}
	}
	if sum != tr.Msgs || len(tr.Roots()) != len(roots) {
		t.Errorf("sum over %d roots = %d, tree Msgs = %d", len(tr.Roots()), sum, tr.Msgs)
	}
	// A parent holds at least its own and its children's counts; pruned
	// children's counts stay in it.
	for _, nd := range tr.Nodes() {
		if nd.Removed() {
			t.Fatalf("%s: removed node still listed", nd.Subject())
		}
		if tr.Find(nd.Subject()) != nd {
			t.Fatalf("%s: listed node not in the tree", nd.Subject())
		}
		kids := nd.Own()
		for _, k := range nd.Children() {
			kids += k.Msgs()
		}
		if nd.Msgs() < kids {
			t.Fatalf("%s: Msgs %d < own + children %d", nd.Subject(), nd.Msgs(), kids)
		}
	}
	// The first, long idle, leaves are gone; Find does not resurrect them.
	for _, e := range early {
		if !e.Removed() || tr.Find(e.Subject()) == e {
			t.Errorf("%s: idle early leaf not pruned", e.Subject())
		}
	}
	checkLRU(t, tr)
}

// TestTreeReserve: bytes reserved by others (the filter panes) come out of
// the tree's budget: the next message kept evicts the tree's oldest until
// both fit, and releasing the reservation lets the tree keep more again.
func TestTreeReserve(t *testing.T) {
	const budget = 1 << 20
	tr := NewTree(TreeOptions{MaxMemory: budget}, treeT0)
	payload := string(make([]byte, 1000))
	for i := range 2000 {
		tr.Apply(tmsg(fmt.Sprintf("r.%d", i%100), treeT0+int64(i)*1e6, payload))
	}
	full := tr.MemoryUsed()
	if full > budget || full < budget*9/10 {
		t.Fatalf("before: %d of %d used", full, budget)
	}
	tr.Reserve(budget / 2)
	tr.Apply(tmsg("r.0", treeT0+3e9, payload))
	if got := tr.MemoryUsed(); got+budget/2 > budget || got < budget/2-10_000 {
		t.Fatalf("with half reserved the tree uses %d (budget %d)", got, budget)
	}
	evicted := tr.Evicted
	tr.Reserve(0)
	for i := range 1000 {
		tr.Apply(tmsg(fmt.Sprintf("r.%d", i%100), treeT0+4e9+int64(i)*1e6, payload))
	}
	if got := tr.MemoryUsed(); got < budget*9/10 || got > budget {
		t.Fatalf("after release the tree uses %d of %d", got, budget)
	}
	if tr.Evicted <= evicted {
		t.Fatal("evictions not counted")
	}
}

// TestTreeBudgetRoundRobinKeepsEach: a flood going round more subjects
// than the budget keeps two messages of (the bench's 1M flood in small)
// keeps every subject's newest message. Each subject's second message
// used to grow its ring by evicting the next subject's only message,
// which then did the same to the one after it: a third of the apply's
// cost, for a tree no better kept.
func TestTreeBudgetRoundRobinKeepsEach(t *testing.T) {
	const n = 20_000
	subj := func(i int) string { return "rr." + strconv.Itoa(i/100) + "." + strconv.Itoa(i) }
	payload := "0123456789abcdef"
	round := func(tr *Tree, r int) {
		for i := range n {
			tr.Apply(tmsg(subj(i), treeT0+int64(r*n+i)*1e6, payload))
		}
	}
	probe := NewTree(TreeOptions{MaxMemory: 1 << 30, HistoryDepth: 4}, treeT0)
	round(probe, 0)
	// Room for one message a subject.
	budget := probe.MemoryUsed()
	tr := NewTree(TreeOptions{MaxMemory: budget, HistoryDepth: 4}, treeT0)
	round(tr, 0)
	if tr.Evicted != 0 || tr.hists.used != n {
		t.Fatalf("setup: %d evicted, %d histories, want 0 and %d", tr.Evicted, tr.hists.used, n)
	}
	for r := 1; r < 3; r++ {
		round(tr, r)
	}
	lost := 0
	for i := range n {
		if tr.Find(subj(i)).HistoryLen() == 0 {
			lost++
		}
	}
	if lost > 0 || tr.hists.used != n {
		t.Errorf("after 3 rounds %d of %d subjects keep no message (%d histories)", lost, n, tr.hists.used)
	}
	if tr.MemoryUsed() > budget {
		t.Errorf("MemoryUsed %d > budget %d", tr.MemoryUsed(), budget)
	}
}

// TestTreeVictimTurnedDown: roomToGrow may turn down the victim it is
// offered and ask again on the next message. Asking again must offer the
// same one without drawing another sample (128 histories, two cache
// misses each): only victims taken count towards a new sample. Counting
// those offered drew one every 1024 messages of a round-robin flood over
// 1M subjects, 6% of its apply.
func TestTreeVictimTurnedDown(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 1 << 30}, treeT0)
	for i := range 4 * exactVictims {
		tr.Apply(tmsg("v."+strconv.Itoa(i), treeT0+int64(i), "x"))
	}
	first, _ := tr.victim(0)
	for range 3 * evictRefresh {
		if v, ok := tr.victim(0); !ok || v != first {
			t.Fatalf("victim %d, %v: want %d again (none was taken)", v, ok, first)
		}
	}
	if tr.evictor.sampled != evictSample {
		t.Errorf("%d histories sampled for one threshold, want %d", tr.evictor.sampled, evictSample)
	}
}
