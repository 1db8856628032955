package model

import (
	"hash/maphash"
	"strings"
)

// Node is one token of the subject hierarchy. Counters aggregate everything
// published at or below it; Own counts only its exact subject.
type Node struct {
	// Name is this node's token, a substring of Subject (no extra memory).
	Name string
	// Subject is the full dotted path from the root to this node.
	Subject string
	// Parent is nil for a root token.
	Parent *Node
	// Msgs and Bytes aggregate this node and all its descendants.
	Msgs, Bytes uint64
	// Own counts messages published on exactly this subject.
	Own uint64
	// LastSeen is the Unix-ns receive time of the newest message at or below.
	LastSeen int64
	// Expanded is whether the tree view shows this node's children.
	Expanded bool
	// Depth is 0 for root tokens.
	Depth int

	rate    rateRing
	branch  *branch  // nil for leaves: most nodes are leaves
	hist    *history // nil until a message on this exact subject is kept
	row     int32    // index in the view's rows, -1 when not visible
	noise   bool     // under _INBOX or a $-prefixed root
	removed bool     // pruned: pointers held by the UI must not resurrect it
	shown   bool     // the view's last rebuild put its children on rows
}

// branch is what only inner nodes need.
type branch struct {
	kids    map[string]*Node
	order   []*Node // display order, re-sorted when dirty
	dirty   bool
	sortGen uint64 // the view's sort generation order was sorted in
}

// Children returns the node's children in the current display order.
func (n *Node) Children() []*Node {
	if n.branch == nil {
		return nil
	}
	return n.branch.order
}

// HasChildren reports whether the node is a branch.
func (n *Node) HasChildren() bool { return n.branch != nil && len(n.branch.kids) > 0 }

// Noise reports whether the node is under _INBOX or a $-prefixed root
// ($SYS, $JS, $KV…), which the tree hides unless asked.
func (n *Node) Noise() bool { return n.noise }

// Rate is msgs/s over the sliding window ending at now.
func (n *Node) Rate(now, since int64) float64 { return n.rate.rate(now, since) }

// Spark fills out with per-second message counts of the last complete seconds.
func (n *Node) Spark(now int64, out []float64) { n.rate.spark(now, out) }

// Last returns the newest kept message on exactly this subject.
func (n *Node) Last() (Message, bool) {
	if n.hist == nil || n.hist.n == 0 {
		return Message{}, false
	}
	return n.hist.at(n.hist.n - 1), true
}

// HistoryLen is how many messages are kept on exactly this subject.
func (n *Node) HistoryLen() int {
	if n.hist == nil {
		return 0
	}
	return n.hist.n
}

// HistoryAt returns the i-th kept message, oldest first, without copying
// the whole history (the inspector asks for one or two per frame).
func (n *Node) HistoryAt(i int) Message { return n.hist.at(i) }

// History returns the kept messages on exactly this subject, oldest first.
func (n *Node) History() []Message {
	if n.hist == nil {
		return nil
	}
	out := make([]Message, n.hist.n)
	for i := range out {
		out[i] = n.hist.at(i)
	}
	return out
}

// TreeOptions bound the tree's memory.
type TreeOptions struct {
	// MaxMemory is the budget, in bytes, for nodes and kept messages.
	MaxMemory int64
	// HistoryDepth is how many recent messages each subject keeps.
	HistoryDepth int
	// MaxPayload caps the payload bytes kept per message.
	MaxPayload int
}

// KeptPayload is the most payload bytes the tree and the panes keep of a
// message for display; the size line says when a payload was cut.
const KeptPayload = 64 << 10

// DefaultTreeOptions is 256 MiB, 16 messages per subject, 64 KiB payloads.
func DefaultTreeOptions() TreeOptions {
	return TreeOptions{MaxMemory: 256 << 20, HistoryDepth: 16, MaxPayload: KeptPayload}
}

// Estimated costs used by the budget: a node with its string, map slot and
// index entries, and the fixed part of a kept message.
const (
	nodeCost    = 256
	messageCost = 112
)

// Tree is the live subject tree: counts, bytes, rates and recent messages
// per subject, bounded by a memory budget.
type Tree struct {
	opts    TreeOptions
	roots   map[string]*Node
	order   []*Node
	dirty   bool   // roots order
	sortGen uint64 // the view's sort generation roots were sorted in

	nodes []*Node // every live node, for search and pruning
	since int64   // when observation began (Unix ns)

	// Totals over everything applied.
	Msgs, Bytes uint64
	// Evicted counts kept messages dropped to stay within the budget; the
	// counts and rates still include them.
	Evicted uint64
	// Pruned counts idle subjects removed to stay within the budget; their
	// counts stay in their parents' totals.
	Pruned uint64

	kept      int64 // bytes of kept messages
	lruHead   *Node // subject with the least recently kept message
	lruTail   *Node
	structure uint64 // bumped whenever nodes are added or removed
	maxNodes  int
	leaves    leafCache
	reserved  int64 // the budget others (filter panes) hold; see Reserve
}

// NewTree returns an empty tree that began observing at since (Unix ns).
func NewTree(o TreeOptions, since int64) *Tree {
	d := DefaultTreeOptions()
	if o.MaxMemory <= 0 {
		o.MaxMemory = d.MaxMemory
	}
	if o.HistoryDepth <= 0 {
		o.HistoryDepth = d.HistoryDepth
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = d.MaxPayload
	}
	// Nodes may take up to 3/4 of the budget; messages get the rest and
	// whatever the nodes leave unused.
	maxNodes := int(o.MaxMemory / nodeCost * 3 / 4)
	if maxNodes < 1024 {
		maxNodes = 1024
	}
	return &Tree{opts: o, roots: map[string]*Node{}, since: since, maxNodes: maxNodes, leaves: newLeafCache()}
}

// Since is when observation began, Unix ns.
func (t *Tree) Since() int64 { return t.since }

// Len is the number of nodes in the tree.
func (t *Tree) Len() int { return len(t.nodes) }

// Structure changes whenever nodes are added or removed, so views know when
// to rebuild their rows.
func (t *Tree) Structure() uint64 { return t.structure }

// Roots returns the root tokens in display order.
func (t *Tree) Roots() []*Node { return t.order }

// Nodes returns every node (unordered); callers must not modify the slice.
func (t *Tree) Nodes() []*Node { return t.nodes }

// Reserve tells the tree that n bytes of its budget are held elsewhere
// (the filter panes' kept messages), so the next messages it keeps evict
// its own oldest until the two together fit the budget again.
func (t *Tree) Reserve(n int64) { t.reserved = max(n, 0) }

// MemoryUsed estimates the bytes the tree holds against its budget.
func (t *Tree) MemoryUsed() int64 { return int64(len(t.nodes))*nodeCost + t.kept }

// Apply accounts one message: counters, bytes and rates on every node of its
// path, and keeps a copy in the subject's history. No allocation for a
// subject already seen, except the history's first slot.
func (t *Tree) Apply(m *Message) {
	wire := uint64(m.WireBytes())
	t.Msgs++
	t.Bytes += wire
	sec := m.Received / 1e9

	subj := m.Subject
	// A subject seen recently: its node and the Parent links replace one map
	// lookup per token (most of the cost of a message at high rates).
	leaf, h := t.leaves.get(subj)
	if leaf == nil {
		leaf = t.walk(subj)
		t.leaves.put(h, leaf, len(t.nodes))
	}
	for n := leaf; n != nil; n = n.Parent {
		n.Msgs++
		n.Bytes += wire
		if m.Received > n.LastSeen {
			n.LastSeen = m.Received
		}
		n.rate.add(sec, 1)
	}
	leaf.Own++
	t.keep(leaf, m)
}

// walk finds or creates the nodes of subj's path, token by token, and
// returns the last.
func (t *Tree) walk(subj string) *Node {
	var parent *Node
	start := 0
	for start <= len(subj) {
		end := strings.IndexByte(subj[start:], '.')
		if end < 0 {
			end = len(subj)
		} else {
			end += start
		}
		parent = t.child(parent, subj, start, end)
		start = end + 1
	}
	return parent
}

// leafCache maps full subjects to their nodes: hashing the subject once and
// comparing it with the node's is several times cheaper than a map lookup
// per token. It is a bounded 2-way set-associative array rather than a map
// so it never grows with traffic and a miss costs one hash and two integer
// compares (the hash is kept beside the pointer so a miss never reads a
// node). It holds at most 2*maxLeafBuckets entries (4 MiB, outside the
// budget's estimate) and prune removes pruned nodes from it, so it never
// keeps them alive.
type leafCache struct {
	seed  maphash.Seed
	slots []leafSlot // bucket i is slots[2i] (most recent) and slots[2i+1]
	mask  uint64     // buckets - 1
}

type leafSlot struct {
	hash uint64
	node *Node
}

const (
	minLeafBuckets = 1 << 10
	maxLeafBuckets = 1 << 17
)

func newLeafCache() leafCache {
	return leafCache{seed: maphash.MakeSeed(), slots: make([]leafSlot, 2*minLeafBuckets), mask: minLeafBuckets - 1}
}

// get returns the node for subj, or nil and subj's hash for put.
func (c *leafCache) get(subj string) (*Node, uint64) {
	h := maphash.String(c.seed, subj)
	b := c.slots[(h&c.mask)*2:][:2]
	if b[0].hash == h && b[0].node != nil && b[0].node.Subject == subj {
		return b[0].node, h
	}
	if b[1].hash == h && b[1].node != nil && b[1].node.Subject == subj {
		b[0], b[1] = b[1], b[0]
		return b[0].node, h
	}
	return nil, h
}

// put caches n under hash h, evicting the bucket's older entry. nodes is
// the tree's size: the cache grows (empty, refilled by later misses) while
// it has fewer than two buckets per node, up to its bound. Subjects taking
// turns thrash a bucket that three of them share; at half a node per
// bucket that is rare (0.05% of buckets, against 2.5% at one per bucket).
func (c *leafCache) put(h uint64, n *Node, nodes int) {
	if buckets := c.mask + 1; 2*uint64(nodes) > buckets && buckets < maxLeafBuckets {
		buckets = min(buckets*4, maxLeafBuckets)
		c.slots = make([]leafSlot, 2*buckets)
		c.mask = buckets - 1
	}
	b := c.slots[(h&c.mask)*2:][:2]
	b[1] = b[0]
	b[0] = leafSlot{hash: h, node: n}
}

// forget drops n, being pruned, so the cache does not keep it alive.
func (c *leafCache) forget(n *Node) {
	h := maphash.String(c.seed, n.Subject)
	b := c.slots[(h&c.mask)*2:][:2]
	for i := range b {
		if b[i].node == n {
			b[i] = leafSlot{}
		}
	}
}

// child finds or creates the child of parent named subj[start:end].
func (t *Tree) child(parent *Node, subj string, start, end int) *Node {
	tok := subj[start:end]
	var kids map[string]*Node
	if parent == nil {
		kids = t.roots
	} else if parent.branch != nil {
		kids = parent.branch.kids
	}
	if n, ok := kids[tok]; ok {
		return n
	}
	// New node: copy the path once so it does not pin the message's memory.
	path := strings.Clone(subj[:end])
	n := &Node{Name: path[start:], Subject: path, Parent: parent, row: -1}
	if parent == nil {
		n.noise = tok == "_INBOX" || strings.HasPrefix(tok, "$")
		t.roots[n.Name] = n
		t.order = append(t.order, n)
		t.dirty = true
	} else {
		n.Depth = parent.Depth + 1
		n.noise = parent.noise
		if parent.branch == nil {
			parent.branch = &branch{kids: make(map[string]*Node, 4)}
		}
		parent.branch.kids[n.Name] = n
		parent.branch.order = append(parent.branch.order, n)
		parent.branch.dirty = true
	}
	t.nodes = append(t.nodes, n)
	t.structure++
	if len(t.nodes) > t.maxNodes {
		t.prune(n)
	}
	return n
}

// Find returns the node for an exact subject, or nil.
func (t *Tree) Find(subject string) *Node {
	kids := t.roots
	var n *Node
	for _, tok := range strings.Split(subject, ".") {
		if kids == nil {
			return nil
		}
		n = kids[tok]
		if n == nil {
			return nil
		}
		kids = nil
		if n.branch != nil {
			kids = n.branch.kids
		}
	}
	return n
}
