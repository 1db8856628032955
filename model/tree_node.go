package model

import (
	"strings"
	"unsafe"
)

// Node is a handle to one node of a Tree: one token of the subject
// hierarchy. Counters aggregate everything published at or below it; Own
// counts only its exact subject. It is a small value (the tree, the node's
// slot and the slot's generation), safe to keep: once its node is pruned
// it reports Removed and zero counts, even after the slot is reused for
// another subject, and never reads as that subject. The zero Node is no
// node (what Find returns for a subject the tree does not hold).
type Node struct {
	t   *Tree
	id  uint32
	gen uint32
}

// handle returns a handle to node id (0: the zero Node).
func (t *Tree) handle(id uint32) Node {
	if id == rootID {
		return Node{}
	}
	return Node{t: t, id: id, gen: t.nodes.at(id).gen}
}

// get is the node n refers to, nil if n is zero or its node was removed.
func (n Node) get() *node {
	if n.t == nil {
		return nil
	}
	c := n.t.nodes.chunks[n.id>>nodeChunkBits]
	if c == nil { // released since: its node is long gone
		return nil
	}
	p := &c[n.id&(nodeChunk-1)]
	if p.gen != n.gen {
		return nil
	}
	return p
}

// IsZero reports whether n is no node.
func (n Node) IsZero() bool { return n.t == nil }

// Removed reports whether the node was pruned from the tree. It stays
// true: a handle is never resurrected, not even when the subject comes
// back (as a new node) or the slot is reused.
func (n Node) Removed() bool { return n.t != nil && n.get() == nil }

// Name is this node's token (a copy: the tree stores it once, in place).
// Empty for a removed node.
func (n Node) Name() string {
	if p := n.get(); p != nil {
		return strings.Clone(n.t.name(p))
	}
	return ""
}

// Parent is the parent node, zero for a root token or a removed node.
func (n Node) Parent() Node {
	if p := n.get(); p != nil {
		return n.t.handle(p.parent)
	}
	return Node{}
}

// Msgs counts messages at or below this node.
func (n Node) Msgs() uint64 {
	if p := n.get(); p != nil {
		return p.msgs
	}
	return 0
}

// Bytes counts wire bytes at or below this node.
func (n Node) Bytes() uint64 {
	if p := n.get(); p != nil {
		return p.bytes
	}
	return 0
}

// Own counts messages published on exactly this subject.
func (n Node) Own() uint64 {
	if p := n.get(); p != nil {
		return n.t.own(p)
	}
	return 0
}

// LastSeen is the Unix-ns receive time of the newest message at or below.
func (n Node) LastSeen() int64 {
	if p := n.get(); p != nil {
		return p.lastSeen
	}
	return 0
}

// Expanded is whether the tree view shows this node's children.
func (n Node) Expanded() bool {
	p := n.get()
	return p != nil && p.has(flagExpanded)
}

// SetExpanded expands or collapses the node in the tree view (the view
// rebuilds its rows on its next Refresh); nothing for a removed node.
func (n Node) SetExpanded(on bool) {
	if p := n.get(); p != nil {
		p.set(flagExpanded, on)
	}
}

// Noise reports whether the node is under _INBOX or a $-prefixed root
// ($SYS, $JS, $KV…), which the tree hides unless asked.
func (n Node) Noise() bool {
	p := n.get()
	return p != nil && p.has(flagNoise)
}

// Subject is the full dotted path from the root to this node, built from
// the names on the path (it allocates). Empty for a removed node.
func (n Node) Subject() string {
	if n.get() == nil {
		return ""
	}
	return n.t.subject(n.id)
}

// Depth is 0 for root tokens: the number of parents, counted (a node
// does not keep it). 0 for a removed node.
func (n Node) Depth() int {
	p := n.get()
	if p == nil {
		return 0
	}
	d := 0
	for id := p.parent; id != rootID; id = n.t.nodes.at(id).parent {
		d++
	}
	return d
}

// Children returns the node's children in the current display order (as
// the view last sorted it, new and compacted children not yet in place),
// in a new slice. It first drops the children pruned since the order was
// last compacted, in O(children): read it once per frame at most.
func (n Node) Children() []Node {
	if n.get() == nil {
		return nil
	}
	return n.t.handles(n.t.children(n.id))
}

// NumChildren is how many live children the node has, without clearing
// pruned ones out of its list (Children does, at O(children)): the
// inspector asks every frame, and a flooded parent can have a million.
func (n Node) NumChildren() int {
	p := n.get()
	if p == nil || p.branch == 0 {
		return 0
	}
	b := n.t.branches.at(p.branch)
	return len(b.order) - int(b.gone)
}

// HasChildren reports whether the node has a live child.
func (n Node) HasChildren() bool {
	p := n.get()
	return p != nil && n.t.hasChildren(p)
}

// Rate is msgs/s over the sliding window ending at now.
func (n Node) Rate(now, since int64) float64 {
	p := n.get()
	if p == nil {
		return 0
	}
	c := n.t.counts(p)
	return c.rate(p.lastSec(), now, since)
}

// Spark fills out with per-second message counts of the last complete
// seconds (zeros for a removed node).
func (n Node) Spark(now int64, out []float64) {
	p := n.get()
	if p == nil {
		clear(out)
		return
	}
	c := n.t.counts(p)
	c.spark(p.lastSec(), now, out)
}

// branch is what only inner nodes need: the children's display order, as
// node ids. Branches live in the tree's branch slab, referred to by index:
// one slice header per branch, no pointer per child.
type branch struct {
	order []uint32 // display order, re-sorted when dirty; may hold removed nodes (gone)
	// gone counts the removed nodes order still holds: pruning one child
	// of 1.2M must not copy the other 1.2M, so order is compacted a few
	// entries per prune (scan is where; see dropChild) and wholly when it
	// is read (live).
	gone, scan int32
	dirty      bool
	// own counts the messages on exactly the node's subject (a leaf's are
	// its msgs: see Tree.own).
	own     uint64
	sortGen uint64 // the view's sort generation order was sorted in
}

// branchCost is what a branch costs: its slot in the slab.
const branchCost = int64(unsafe.Sizeof(branch{}))

// branchChunkBits sets how many branches a chunk holds (256: 12 KiB).
const branchChunkBits = 8

const branchChunk = 1 << branchChunkBits

// branchSlab holds the branches in fixed chunks (growing never copies
// them), by index; index 0 is none. Freed branches are reused.
type branchSlab struct {
	chunks []*[branchChunk]branch
	next   uint32 // slots handed out
	free   []uint32
}

func (s *branchSlab) at(i uint32) *branch {
	return &s.chunks[i>>branchChunkBits][i&(branchChunk-1)]
}

// alloc returns the index of an empty branch.
func (s *branchSlab) alloc() uint32 {
	if k := len(s.free); k > 0 {
		i := s.free[k-1]
		s.free = s.free[:k-1]
		return i
	}
	if s.next == 0 {
		s.next = 1 // index 0 is none
	}
	if int(s.next>>branchChunkBits) == len(s.chunks) {
		s.chunks = append(s.chunks, new([branchChunk]branch))
	}
	i := s.next
	s.next++
	return i
}

// release empties branch i (its order given back to the GC) for reuse.
func (s *branchSlab) release(i uint32) {
	*s.at(i) = branch{}
	s.free = append(s.free, i)
}

// bytes is what the branches hold beyond the root's: every slot handed out
// and the free list.
func (s *branchSlab) bytes() int64 {
	return int64(max(int(s.next)-2, 0))*branchCost + int64(cap(s.free))*4
}
