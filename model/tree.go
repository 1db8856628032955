package model

import (
	"strings"
	"unsafe"
)

// Node is one token of the subject hierarchy. Counters aggregate everything
// published at or below it; Own counts only its exact subject.
type Node struct {
	// Name is this node's token, stored once: a node does not copy its
	// parent's path (see Subject).
	Name string
	// Parent is nil for a root token.
	Parent *Node
	// Msgs and Bytes aggregate this node and all its descendants.
	Msgs, Bytes uint64
	// Own counts messages published on exactly this subject.
	Own uint64
	// LastSeen is the Unix-ns receive time of the newest message at or below.
	LastSeen int64

	branch *branch    // nil for leaves: most nodes are leaves
	hist   *history   // in the tree's history slab; nil until a message on this exact subject is kept
	rate   rateCounts // its newest second is LastSeen's
	row    int32      // index in the view's rows, -1 when not visible
	// Expanded is whether the tree view shows this node's children.
	Expanded bool
	noise    bool // under _INBOX or a $-prefixed root
	removed  bool // pruned: pointers held by the UI must not resurrect it
	shown    bool // the view's last rebuild put its children on rows
}

// branch is what only inner nodes need.
type branch struct {
	order []*Node // display order, re-sorted when dirty; may hold removed nodes (gone)
	dirty bool
	// gone counts the removed nodes order still holds: pruning one child
	// of 1.2M must not copy the other 1.2M, so order is compacted a few
	// entries per prune (scan is where; see dropChild) and wholly when it
	// is read (Children).
	gone, scan int32
	sortGen    uint64 // the view's sort generation order was sorted in
	// tree is the tree whose pinned count compacting gives back, so the
	// budget counts the removed nodes order still holds (Children compacts
	// without being given the tree).
	tree *Tree
}

// Subject is the full dotted path from the root to this node, built from
// the names on the path: nodes do not keep it, so a 10,000-token subject
// costs 10,000 tokens, not 10,000 prefixes of itself. It allocates; the
// tree's own paths (Apply, Find, search) compare names instead.
func (n *Node) Subject() string {
	size := -1
	for p := n; p != nil; p = p.Parent {
		size += len(p.Name) + 1
	}
	b := make([]byte, size)
	for p := n; p != nil; p = p.Parent {
		size -= len(p.Name)
		copy(b[size:], p.Name)
		if size > 0 {
			size--
			b[size] = '.'
		}
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is never written again
}

// is reports whether n's subject is subj, without building it.
func (n *Node) is(subj string) bool {
	for p := n; p != nil; p = p.Parent {
		name := p.Name
		if len(subj) < len(name) || subj[len(subj)-len(name):] != name {
			return false
		}
		subj = subj[:len(subj)-len(name)]
		if p.Parent != nil {
			if subj == "" || subj[len(subj)-1] != '.' {
				return false
			}
			subj = subj[:len(subj)-1]
		}
	}
	return subj == ""
}

// Depth is 0 for root tokens: the number of parents, counted (a node
// does not keep it: 8 bytes of 128).
func (n *Node) Depth() int {
	d := 0
	for p := n.Parent; p != nil; p = p.Parent {
		d++
	}
	return d
}

// lastSec is the newest second the rate counts hold.
func (n *Node) lastSec() int64 { return n.LastSeen / 1e9 }

// Children returns the node's children in the current display order (as
// the view last sorted it, new and compacted children not yet in place).
// It first drops the children pruned since the order was last compacted,
// in O(children): a tree that is not pruning never pays it, but a parent
// being pruned pays it at every call, so read it once per frame at most.
func (n *Node) Children() []*Node {
	if n.branch == nil {
		return nil
	}
	return n.branch.live()
}

// NumChildren is how many live children the node has, without clearing
// pruned ones out of its list (Children does, at O(children)): the
// inspector asks every frame, and a flooded parent can have a million.
func (n *Node) NumChildren() int {
	if n.branch == nil {
		return 0
	}
	return len(n.branch.order) - int(n.branch.gone)
}

// HasChildren reports whether the node is a branch. A branch whose last
// child is pruned is dropped, so a branch always has a live child.
func (n *Node) HasChildren() bool { return n.branch != nil && len(n.branch.order) > int(n.branch.gone) }

// Noise reports whether the node is under _INBOX or a $-prefixed root
// ($SYS, $JS, $KV…), which the tree hides unless asked.
func (n *Node) Noise() bool { return n.noise }

// Rate is msgs/s over the sliding window ending at now.
func (n *Node) Rate(now, since int64) float64 { return n.rate.rate(n.lastSec(), now, since) }

// Spark fills out with per-second message counts of the last complete seconds.
func (n *Node) Spark(now int64, out []float64) { n.rate.spark(n.lastSec(), now, out) }

// Removed reports whether the node was pruned from the tree.
func (n *Node) Removed() bool { return n.removed }

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

// nodeCost is what a node costs the heap before its name: the node
// (128 bytes, a size class) and a short name (strings under 16 bytes are
// packed together by the allocator; longer ones add nameCost). What grows
// with the tree around the nodes (branches and their order slices, the
// child index, the leaf cache) is counted as allocated; see MemoryUsed.
const nodeCost = int(unsafe.Sizeof(Node{})) + 8

// branchCost is what a branch struct costs (its size class: 56 bytes).
const branchCost = 64

// freeRoots is how many root slots are part of an empty tree's fixed
// overhead, with the index's and the leaf cache's first allocations (~45
// KiB in all, outside the budget), so a tiny budget still holds a few
// nodes.
const freeRoots = 64

// nameCost is what a copied name costs beyond the short one nodeCost
// includes.
func nameCost(name string) int64 { return max(int64(len(name)+7)&^7-8, 0) }

// Tree is the live subject tree: counts, bytes, rates and recent messages
// per subject, bounded by a memory budget.
type Tree struct {
	opts  TreeOptions
	roots branch // the root tokens, as a branch holds its children

	nodes nodeSet
	index childIndex
	since int64 // when observation began (Unix ns)

	// Totals over everything applied.
	Msgs, Bytes uint64
	// Evicted counts kept messages dropped to stay within the budget; the
	// counts and rates still include them.
	Evicted uint64
	// Pruned counts idle subjects removed to stay within the budget; their
	// counts stay in their parents' totals.
	Pruned uint64

	extra     int64 // bytes of names beyond nodeCost's, branches and their order slices
	subjects  int   // nodes with messages of their own: what the leaf cache caches
	kept      int64 // bytes of kept messages
	hists     histSlab
	lruHead   *history // subject with the least recently kept message
	lruTail   *history
	structure uint64 // bumped whenever nodes are added or removed
	maxNodes  int
	leaves    leafCache
	reserved  int64 // the budget others (filter panes) hold; see Reserve
	pruner    pruner
	// pinned is how many removed nodes the orders still hold (the sum of
	// their gone): the heap holds them until compacted, so the budget
	// counts them (nodeCost each; a pinned node's long name is not).
	pinned int
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
	o.HistoryDepth = min(o.HistoryDepth, maxHistoryDepth)
	// Nodes may take up to 3/4 of the budget; messages get the rest and
	// whatever the nodes leave unused.
	maxNodes := int(o.MaxMemory / int64(nodeCost) * 3 / 4)
	if maxNodes < 1024 {
		maxNodes = 1024
	}
	// The leaf cache takes at most 1/64 of the budget (4 MiB of 256).
	leafBuckets := uint64(minLeafBuckets)
	for leafBuckets*4*32 <= uint64(o.MaxMemory)/64 && leafBuckets*4 <= maxLeafBuckets {
		leafBuckets *= 4
	}
	t := &Tree{opts: o, since: since, maxNodes: maxNodes, leaves: newLeafCache(leafBuckets), index: newChildIndex()}
	t.roots.tree = t
	return t
}

// Since is when observation began, Unix ns.
func (t *Tree) Since() int64 { return t.since }

// Len is the number of nodes in the tree: every token of every path,
// which is more than the subjects seen (see Subjects).
func (t *Tree) Len() int { return t.nodes.live }

// Subjects is the number of subjects the tree holds: nodes that received a
// message on exactly their subject (leaves, and inner nodes with Own > 0).
// a.b.c, a.b.d and e.f.g are 3 subjects over 7 nodes. Kept as messages
// arrive and nodes are pruned, so the header can show it every frame.
func (t *Tree) Subjects() int { return t.subjects }

// Structure changes whenever nodes are added or removed, so views know when
// to rebuild their rows.
func (t *Tree) Structure() uint64 { return t.structure }

// Roots returns the root tokens in display order (compacted as Children
// is).
func (t *Tree) Roots() []*Node { return t.roots.live() }

// Nodes returns every node, depth first in no particular sibling order,
// in a new slice: the tree keeps no list of its nodes (8 bytes per node),
// so this walks it, for tools and tests rather than every frame.
func (t *Tree) Nodes() []*Node {
	out := make([]*Node, 0, t.nodes.live)
	t.each(func(n *Node) { out = append(out, n) })
	return out
}

// each calls f on every node, parents before children, with an explicit
// stack: a 10,000-token subject must not recurse 10,000 frames deep.
func (t *Tree) each(f func(n *Node)) {
	stack := append([]*Node(nil), t.roots.order...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.removed { // pruned, not compacted out of its order yet
			continue
		}
		f(n)
		if n.branch != nil {
			stack = append(stack, n.branch.order...)
		}
	}
}

// Reserve tells the tree that n bytes of its budget are held elsewhere
// (the filter panes' kept messages), so the next messages it keeps evict
// its own oldest until the two together fit the budget again.
func (t *Tree) Reserve(n int64) { t.reserved = max(n, 0) }

// MemoryUsed is the bytes the tree holds against its budget, as the Go
// heap holds them: its nodes and names, branches, child index, leaf cache
// and kept messages (TestTreeBudgetIsTheHeap checks it against the heap).
func (t *Tree) MemoryUsed() int64 {
	return t.structureBytes() + t.kept
}

// structureBytes is MemoryUsed without the kept messages.
func (t *Tree) structureBytes() int64 {
	return int64(t.nodes.live+t.pinned)*int64(nodeCost) + t.extra +
		int64(max(cap(t.roots.order)-freeRoots, 0))*8 + t.index.bytes() + t.leaves.bytes()
}

// Apply accounts one message: counters, bytes and rates on every node of its
// path, and keeps a copy in the subject's history. No allocation for a
// subject already seen, except the history's first slot.
func (t *Tree) Apply(m *Message) { t.apply(m, m.WireBytes()) }

// apply is Apply with the message's wire size, which the explorer works
// out once for the tree, the throughput and the panes.
func (t *Tree) apply(m *Message, wireBytes int) {
	wire := uint64(wireBytes)
	t.Msgs++
	t.Bytes += wire
	sec := m.Received / 1e9

	subj := m.Subject
	// A subject seen recently: its node and the Parent links replace one
	// index lookup per token (most of the cost of a message at high rates).
	leaf, h := t.leaves.get(subj)
	if leaf == nil {
		leaf = t.walk(subj)
		t.leaves.put(h, leaf, t.subjects)
	}
	for n := leaf; n != nil; n = n.Parent {
		n.Msgs++
		n.Bytes += wire
		n.rate.add(n.lastSec(), sec, 1) // before LastSeen moves: it is the rate's newest second
		if m.Received > n.LastSeen {
			n.LastSeen = m.Received
		}
	}
	if leaf.Own == 0 {
		t.subjects++
	}
	leaf.Own++
	t.keep(leaf, m)
}

// walk finds or creates the nodes of subj's path, token by token, and
// returns the last.
func (t *Tree) walk(subj string) *Node {
	var parent *Node
	for rest, more := subj, true; more; {
		var tok string
		tok, rest, more = cutToken(rest)
		n := t.index.find(parent, tok)
		if n == nil {
			n = t.add(parent, tok)
		}
		parent = n
	}
	return parent
}

// add creates the child of parent named tok.
func (t *Tree) add(parent *Node, tok string) *Node {
	n := t.nodes.alloc()
	// Copy the token so it does not pin the message's memory: only the
	// token, the path is the parents'.
	n.Name = strings.Clone(tok)
	n.Parent = parent
	n.row = -1
	t.extra += nameCost(n.Name)
	if parent == nil {
		n.noise = tok == "_INBOX" || strings.HasPrefix(tok, "$")
		t.roots.order = append(t.roots.order, n)
		t.roots.dirty = true
	} else {
		n.noise = parent.noise
		if parent.branch == nil {
			parent.branch = &branch{tree: t}
			t.extra += branchCost
		}
		c := cap(parent.branch.order)
		parent.branch.order = append(parent.branch.order, n)
		t.extra += int64(cap(parent.branch.order)-c) * 8
		parent.branch.dirty = true
	}
	t.index.insert(n)
	t.structure++
	// Prune at the node bound, or when the structure alone takes 3/4 of
	// the budget (deep subjects cost more than a node each): a bounded
	// step, so no message pays for the whole tree (see prune).
	if t.overBound() {
		t.prune(n)
	}
	return n
}

// Find returns the node for an exact subject, or nil.
func (t *Tree) Find(subject string) *Node {
	var n *Node
	for rest, more := subject, true; more; {
		var tok string
		tok, rest, more = cutToken(rest)
		if n = t.index.find(n, tok); n == nil {
			return nil
		}
	}
	return n
}
