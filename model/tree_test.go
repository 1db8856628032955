package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// treeT0 is a realistic receive time (Unix ns) that tests start from.
const treeT0 = int64(1_700_000_000) * 1e9

// second is one second in Unix ns.
const second = int64(1e9)

// tmsg builds a message with payload data received at Unix ns at.
func tmsg(subject string, at int64, data string) *Message {
	return &Message{Subject: subject, Received: at, Data: []byte(data), Size: len(data)}
}

// applySubjects applies one empty message per subject, all received at at.
func applySubjects(tr *Tree, at int64, subjects ...string) {
	for _, s := range subjects {
		tr.Apply(tmsg(s, at, ""))
	}
}

// mustFind returns the node for subject or fails the test.
func mustFind(t *testing.T, tr *Tree, subject string) Node {
	t.Helper()
	n := tr.Find(subject)
	if n.IsZero() {
		t.Fatalf("Find(%q) = nil", subject)
	}
	return n
}

// names returns the Name of each node.
func names(nodes []Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name()
	}
	return out
}

func TestTreeApplyCounts(t *testing.T) {
	type counts struct{ msgs, own uint64 }
	tests := []struct {
		name     string
		subjects []string
		want     map[string]counts
		nodes    int
	}{
		{
			name:     "siblings aggregate up the branch",
			subjects: []string{"a.b.c", "a.b.d"},
			want:     map[string]counts{"a": {2, 0}, "a.b": {2, 0}, "a.b.c": {1, 1}, "a.b.d": {1, 1}},
			nodes:    4,
		},
		{
			name:     "own counts only the exact subject",
			subjects: []string{"a", "a.b", "a.b", "a"},
			want:     map[string]counts{"a": {4, 2}, "a.b": {2, 2}},
			nodes:    2,
		},
		{
			name:     "repeated leaf",
			subjects: []string{"x.y", "x.y", "x.y"},
			want:     map[string]counts{"x": {3, 0}, "x.y": {3, 3}},
			nodes:    2,
		},
		{
			name:     "separate roots",
			subjects: []string{"a.b", "c.d", "c.e"},
			want:     map[string]counts{"a": {1, 0}, "a.b": {1, 1}, "c": {2, 0}, "c.d": {1, 1}, "c.e": {1, 1}},
			nodes:    5,
		},
		{
			name:     "empty tokens are nodes too",
			subjects: []string{"a..b", "a."},
			want:     map[string]counts{"a": {2, 0}, "a.": {2, 1}, "a..b": {1, 1}},
			nodes:    3,
		},
		{
			name:     "single token",
			subjects: []string{"solo"},
			want:     map[string]counts{"solo": {1, 1}},
			nodes:    1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTree(TreeOptions{}, treeT0)
			applySubjects(tr, treeT0, tc.subjects...)
			if tr.Msgs != uint64(len(tc.subjects)) {
				t.Errorf("tree Msgs = %d, want %d", tr.Msgs, len(tc.subjects))
			}
			if tr.Len() != tc.nodes {
				t.Errorf("Len = %d, want %d", tr.Len(), tc.nodes)
			}
			for subj, w := range tc.want {
				n := mustFind(t, tr, subj)
				if n.Msgs() != w.msgs || n.Own() != w.own {
					t.Errorf("%q: Msgs, Own = %d, %d; want %d, %d", subj, n.Msgs(), n.Own(), w.msgs, w.own)
				}
				if n.Subject() != subj {
					t.Errorf("%q: Subject = %q", subj, n.Subject())
				}
			}
		})
	}
}

func TestMessageWireBytes(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		want int
	}{
		{"subject only", Message{Subject: "a.b"}, 3},
		{"payload", Message{Subject: "a.b", Data: []byte("hello"), Size: 5}, 8},
		{"reply", Message{Subject: "a.b", Reply: "r.1", Data: []byte("hello"), Size: 5}, 11},
		// Each header value costs name + ": " + value + CRLF.
		{"headers", Message{Subject: "a.b", Header: Header{"K": {"v1", "v2"}}, Data: []byte("hello"), Size: 5}, 8 + 2*(1+2+4)},
		{"truncated counts the wire size", Message{Subject: "a.b", Data: []byte("0123"), Size: 100}, 103},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.msg.WireBytes(); got != tc.want {
				t.Errorf("WireBytes = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTreeBytes(t *testing.T) {
	tr := NewTree(TreeOptions{MaxPayload: 4}, treeT0)
	withHeaders := &Message{Subject: "a.b", Reply: "r.1", Header: Header{"K": {"v1", "v2"}}, Data: []byte("hello"), Size: 5, Received: treeT0}
	big := &Message{Subject: "a.c", Data: []byte("0123456789"), Size: 10, Received: treeT0}
	tr.Apply(withHeaders)
	tr.Apply(big)
	wh, wb := uint64(withHeaders.WireBytes()), uint64(big.WireBytes())
	if wh != 25 || wb != 13 {
		t.Fatalf("WireBytes = %d, %d; want 25, 13", wh, wb)
	}
	for subj, want := range map[string]uint64{"a": wh + wb, "a.b": wh, "a.c": wb} {
		if got := mustFind(t, tr, subj).Bytes(); got != want {
			t.Errorf("%q: Bytes = %d, want %d", subj, got, want)
		}
	}
	if tr.Bytes != wh+wb {
		t.Errorf("tree Bytes = %d, want %d", tr.Bytes, wh+wb)
	}
}

func TestTreeLastSeen(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	tr.Apply(tmsg("a.b", treeT0+5*second, ""))
	tr.Apply(tmsg("a.b", treeT0+2*second, "")) // out of order: LastSeen keeps the newest
	tr.Apply(tmsg("a.c", treeT0+3*second, ""))
	for subj, want := range map[string]int64{"a": treeT0 + 5*second, "a.b": treeT0 + 5*second, "a.c": treeT0 + 3*second} {
		if got := mustFind(t, tr, subj).LastSeen(); got != want {
			t.Errorf("%q: LastSeen = %d, want %d", subj, got-treeT0, want-treeT0)
		}
	}
}

func TestTreeFind(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	applySubjects(tr, treeT0, "a.b.c", "x")
	tests := []struct {
		subject string
		found   bool
	}{
		{"a.b.c", true},
		{"a.b", true},
		{"a", true},
		{"x", true},
		{"a.x", false},
		{"a.b.c.d", false},
		{"a.b.c.", false},
		{"x.y", false},
		{"b", false},
		{"", false},
	}
	for _, tc := range tests {
		n := tr.Find(tc.subject)
		if (!n.IsZero()) != tc.found {
			t.Errorf("Find(%q) = %v, want found %v", tc.subject, n, tc.found)
		}
		if !n.IsZero() && n.Subject() != tc.subject {
			t.Errorf("Find(%q).Subject = %q", tc.subject, n.Subject())
		}
	}
}

func TestTreeRootsChildren(t *testing.T) {
	tr := NewTree(TreeOptions{}, treeT0)
	applySubjects(tr, treeT0, "b.x", "a.y", "a.z", "c", "a.y.deep")
	// Before a view sorts them, roots and children are in arrival order.
	if got := names(tr.Roots()); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("Roots = %v", got)
	}
	a := mustFind(t, tr, "a")
	if got := names(a.Children()); !slices.Equal(got, []string{"y", "z"}) {
		t.Errorf("a.Children = %v", got)
	}
	c := mustFind(t, tr, "c")
	if c.Children() != nil || c.HasChildren() {
		t.Errorf("leaf c: Children = %v, HasChildren = %v", c.Children(), c.HasChildren())
	}
	if !a.HasChildren() {
		t.Error("a.HasChildren = false")
	}
	deep := mustFind(t, tr, "a.y.deep")
	if deep.Depth() != 2 || deep.Name() != "deep" || deep.Parent() != mustFind(t, tr, "a.y") || deep.Parent().Parent() != a || !a.Parent().IsZero() {
		t.Errorf("deep: Depth %d Name %q Parent %v", deep.Depth(), deep.Name(), deep.Parent())
	}
	if got := len(tr.Nodes()); got != 7 || tr.Len() != 7 {
		t.Errorf("Nodes = %d, Len = %d, want 7", got, tr.Len())
	}
}

func TestTreeNoise(t *testing.T) {
	tests := []struct {
		subject string
		noise   bool
	}{
		{"_INBOX.x", true},
		{"_INBOX.x.y", true},
		{"$SYS.y", true},
		{"$JS.API.STREAM.INFO", true},
		{"$KV.bucket.key", true},
		{"$", true},
		{"inbox.x", false},
		{"_inbox.x", false},
		{"_INBOXES.x", false},
		{"app._INBOX.x", false},
		{"app.$SYS", false},
	}
	for _, tc := range tests {
		tr := NewTree(TreeOptions{}, treeT0)
		applySubjects(tr, treeT0, tc.subject)
		// Every node on the path inherits the root's flag.
		for n := mustFind(t, tr, tc.subject); !n.IsZero(); n = n.Parent() {
			if n.Noise() != tc.noise {
				t.Errorf("%q: node %q Noise = %v, want %v", tc.subject, n.Subject(), n.Noise(), tc.noise)
			}
		}
	}
}

// TestTreeTotalProperty publishes random subjects and checks that every
// count adds up exactly: the tree's total, the sum over roots, and each
// node's own count plus its children's.
func TestTreeTotalProperty(t *testing.T) {
	for _, budget := range []int64{0, 3 << 18} { // default, and one that evicts but never prunes
		t.Run(fmt.Sprint("budget ", budget), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			tokens := []string{"a", "b", "c", "1", "2", "10", "_INBOX", "$SYS", ""}
			tr := NewTree(TreeOptions{MaxMemory: budget, HistoryDepth: 3}, treeT0)
			own := map[string]uint64{}
			var bytesTotal uint64
			const n = 5000
			for range n {
				parts := make([]string, 1+rng.IntN(4))
				for j := range parts {
					parts[j] = tokens[rng.IntN(len(tokens))]
				}
				m := tmsg(strings.Join(parts, "."), treeT0+int64(rng.IntN(30))*second, strings.Repeat("p", rng.IntN(500)))
				tr.Apply(m)
				own[m.Subject]++
				bytesTotal += uint64(m.WireBytes())
			}
			if tr.Msgs != n || tr.Bytes != bytesTotal {
				t.Fatalf("tree Msgs, Bytes = %d, %d; want %d, %d", tr.Msgs, tr.Bytes, n, bytesTotal)
			}
			var sum uint64
			for _, r := range tr.Roots() {
				sum += r.Msgs()
			}
			if sum != n {
				t.Errorf("sum over roots = %d, want %d", sum, n)
			}
			for _, nd := range tr.Nodes() {
				want := nd.Own()
				for _, k := range nd.Children() {
					want += k.Msgs()
				}
				if nd.Msgs() != want {
					t.Errorf("%q: Msgs %d != own + children %d", nd.Subject(), nd.Msgs(), want)
				}
				if nd.Own() != own[nd.Subject()] {
					t.Errorf("%q: Own %d, published %d", nd.Subject(), nd.Own(), own[nd.Subject()])
				}
			}
			if budget > 0 && (tr.Evicted == 0 || tr.Pruned != 0) {
				t.Errorf("Evicted = %d, Pruned = %d, Len %d, Mem %d: want evictions only", tr.Evicted, tr.Pruned, tr.Len(), tr.MemoryUsed())
			}
		})
	}
}

// TestTreeBadTimestamps checks that timestamps from a corrupt capture file
// (zero, negative, far in the past) are counted and never panic.
func TestTreeBadTimestamps(t *testing.T) {
	tr := NewTree(TreeOptions{}, 0)
	for _, at := range []int64{0, -1, -5 * second, -20 * second, -1 << 62, treeT0, treeT0 - 3600*second, 1} {
		tr.Apply(tmsg("a.b", at, ""))
		_ = tr.Find("a.b").Rate(at, 0)
	}
	if tr.Msgs != 8 || tr.Find("a").Msgs() != 8 {
		t.Errorf("Msgs = %d", tr.Msgs)
	}
}

// TestTreeStructure checks that Structure changes exactly when nodes are
// added or removed, which is when views rebuild their rows.
func TestTreeStructure(t *testing.T) {
	tr := NewTree(TreeOptions{MaxMemory: 64 << 10}, treeT0)
	s0 := tr.Structure()
	applySubjects(tr, treeT0, "a.b")
	s1 := tr.Structure()
	if s1 == s0 {
		t.Fatal("new subject did not change Structure")
	}
	applySubjects(tr, treeT0, "a.b", "a")
	if tr.Structure() != s1 {
		t.Fatal("known subjects changed Structure")
	}
	for i := range 1100 {
		applySubjects(tr, treeT0+second, fmt.Sprintf("x.%d", i))
	}
	if tr.Pruned == 0 || tr.Structure() != s1+1100+1+1 { // 1100 leaves, x, one prune
		t.Errorf("Structure %d after %d prunes, want %d", tr.Structure(), tr.Pruned, s1+1102)
	}
}
