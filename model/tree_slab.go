package model

import (
	"hash/maphash"
	"unsafe"
)

// nodeSet counts and identifies the tree's nodes. Nodes are allocated one
// by one (144 bytes, exactly a size class: a slab would save nothing) and
// freed by the GC once nothing points to them, so a pruned node held by the
// UI stays what it was, Removed, and is never reused for another subject.
type nodeSet struct {
	live int
}

// alloc returns a new node.
func (s *nodeSet) alloc() *Node {
	s.live++
	return &Node{}
}

// release marks n removed. Its name and parent stay, so a view holding n
// can still find its nearest live ancestor; what it kept is dropped.
func (s *nodeSet) release(n *Node) {
	n.removed = true
	n.branch, n.hist = nil, nil
	s.live--
}

// childIndex finds a node by its parent and name: one open-addressing
// table for the whole tree, one pointer per slot, in place of a map per
// branch (a map costs ~40 bytes per entry and a header per branch). Linear
// probing, at most 3/4 full, with backward-shift deletion so pruning
// leaves no tombstones. Beside each slot it keeps the slot's 32-bit hash:
// a lookup reads a node only when the hashes match (a new subject's lookup
// probes ~8 slots at 3/4 full, and reading each of those nodes was a cache
// miss: 0.9 µs), and growing or deleting moves hashes without reading
// nodes or hashing names again (that was a third of a new subject's cost).
//
// It grows incrementally, as Redis's dict does: a full table becomes old,
// a table twice its size takes inserts, and each insert moves a few of the
// old slots over. Moving 786,432 entries at once took one message 36-214
// ms, a frame the UI could not answer keys in; spread, it adds ~0.1 µs to
// the inserts while it lasts. The old table is only read while it drains
// (lookups try it after the new one misses), so its probe sequences stay
// whole; a removal leaves a tombstone there (see remove).
type childIndex struct {
	seed   maphash.Seed
	slots  []*Node
	hashes []uint32
	n      int // entries, in both tables

	old       []*Node  // the table being drained into slots; nil when none
	oldHashes []uint32 // its hashes
	drained   int      // old[:drained] has been moved
}

const minIndexSlots = 1 << 10

// drainStep is how many old slots each insert moves: the old table (S
// slots, 3/4 full) is drained in S/drainStep inserts, long before the new
// one (2S slots, 3/8 full) fills to 3/4 and must grow again.
const drainStep = 8

// bytes is what the index holds beyond its first allocation, the table
// being drained included.
func (x *childIndex) bytes() int64 { return int64(len(x.slots)+len(x.old)-minIndexSlots) * 12 }

func newChildIndex() childIndex {
	return childIndex{seed: maphash.MakeSeed(), slots: make([]*Node, minIndexSlots), hashes: make([]uint32, minIndexSlots)}
}

// hash mixes the token's hash with its parent's address (the GC does not
// move heap objects; maps of pointers hash them the same way).
func (x *childIndex) hash(parent *Node, tok string) uint32 {
	h := maphash.String(x.seed, tok)
	h ^= uint64(uintptr(unsafe.Pointer(parent))) * 0x9E3779B97F4A7C15
	return uint32(h ^ h>>32)
}

// find returns parent's child named tok (parent nil: a root), or nil.
func (x *childIndex) find(parent *Node, tok string) *Node {
	h := x.hash(parent, tok)
	if n := probe(x.slots, x.hashes, h, parent, tok); n != nil || x.old == nil {
		return n
	}
	// Not moved yet (a moved entry is found above; the old table keeps a
	// copy until it is dropped).
	return probe(x.old, x.oldHashes, h, parent, tok)
}

// probe looks for parent's child tok, whose hash is h, in one table.
func probe(slots []*Node, hashes []uint32, h uint32, parent *Node, tok string) *Node {
	mask := uint32(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		n := slots[i]
		if n == nil || hashes[i] == h && n.Parent == parent && n.Name == tok {
			return n
		}
	}
}

// insert adds n, which find does not hold yet.
func (x *childIndex) insert(n *Node) {
	if x.old != nil {
		x.drain(drainStep)
	}
	if 4*(x.n+1) > 3*len(x.slots) {
		x.drain(len(x.old)) // never two old tables (drainStep makes it rare)
		x.old, x.oldHashes, x.drained = x.slots, x.hashes, 0
		x.slots = make([]*Node, 2*len(x.old))
		x.hashes = make([]uint32, 2*len(x.old))
		x.drain(drainStep)
	}
	x.place(n, x.hash(n.Parent, n.Name))
	x.n++
}

// drain moves up to k old slots into the table, and drops the old table
// once all are moved.
func (x *childIndex) drain(k int) {
	end := min(x.drained+k, len(x.old))
	for i := x.drained; i < end; i++ {
		if n := x.old[i]; n != nil && n != tombstone {
			x.place(n, x.oldHashes[i])
		}
	}
	x.drained = end
	if x.drained == len(x.old) {
		x.old, x.oldHashes, x.drained = nil, nil, 0
	}
}

// place puts n, whose hash is h, in the first free slot from its home.
func (x *childIndex) place(n *Node, h uint32) {
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i] != nil {
		i = (i + 1) & mask
	}
	x.slots[i], x.hashes[i] = n, h
}

// tombstone marks a removed entry in the table being drained. It is its
// own parent, so no lookup's parent matches it, and drain skips it.
var tombstone = func() *Node {
	n := &Node{Name: "\x00removed", removed: true}
	n.Parent = n
	return n
}()

// remove deletes n from both tables. In the table, it shifts back the
// entries after n whose probe sequence passed its slot, so lookups never
// stop early at the hole. In the old table, being drained, a shift could
// move an entry into the part already drained and lose it, so n becomes a
// tombstone there instead (the old table is dropped once drained): pruning
// a leaf costs a probe in each, never the 36-214 ms of draining the rest.
func (x *childIndex) remove(n *Node) {
	h := x.hash(n.Parent, n.Name)
	found := false
	if x.old != nil {
		mask := uint32(len(x.old) - 1)
		for i := h & mask; x.old[i] != nil; i = (i + 1) & mask {
			if x.old[i] == n {
				x.old[i], x.oldHashes[i] = tombstone, 0
				found = true
				break
			}
		}
	}
	if x.removeSlot(n, h) || found {
		x.n--
	}
}

// removeSlot deletes n, whose hash is h, from the table (not the old one)
// with backward-shift deletion, and reports whether it was there.
func (x *childIndex) removeSlot(n *Node, h uint32) bool {
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i] != n {
		if x.slots[i] == nil {
			return false
		}
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		k := x.slots[j]
		if k == nil {
			break
		}
		home := x.hashes[j] & mask
		// Move k back into the hole at i unless its home lies in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			x.slots[i], x.hashes[i] = k, x.hashes[j]
			i = j
		}
	}
	x.slots[i], x.hashes[i] = nil, 0
	return true
}

// leafCache maps full subjects to their nodes: hashing the subject once and
// comparing it with the node's path is several times cheaper than an index
// lookup per token. It is a bounded 2-way set-associative array rather than
// a map so it never grows with traffic and a miss costs one hash and two
// integer compares (the hash is kept beside the pointer so a miss never
// reads a node). It holds at most 2*maxLeafBuckets entries (4 MiB, counted
// in the budget) and prune removes pruned nodes from it, so it never keeps
// them alive.
type leafCache struct {
	seed  maphash.Seed
	slots []leafSlot // bucket i is slots[2i] (most recent) and slots[2i+1]
	mask  uint64     // buckets - 1
	max   uint64     // most buckets: a share of the budget, ≤ maxLeafBuckets
}

type leafSlot struct {
	hash uint64
	node *Node
}

const (
	minLeafBuckets = 1 << 10
	maxLeafBuckets = 1 << 17
)

func newLeafCache(maxBuckets uint64) leafCache {
	return leafCache{seed: maphash.MakeSeed(), slots: make([]leafSlot, 2*minLeafBuckets), mask: minLeafBuckets - 1, max: maxBuckets}
}

// bytes is what the cache holds beyond its first allocation.
func (c *leafCache) bytes() int64 { return int64(len(c.slots)-2*minLeafBuckets) * 16 }

// get returns the node for subj, or nil and subj's hash for put.
func (c *leafCache) get(subj string) (*Node, uint64) {
	h := maphash.String(c.seed, subj)
	b := c.slots[(h&c.mask)*2:][:2]
	if b[0].hash == h && b[0].node != nil && b[0].node.is(subj) {
		return b[0].node, h
	}
	if b[1].hash == h && b[1].node != nil && b[1].node.is(subj) {
		b[0], b[1] = b[1], b[0]
		return b[0].node, h
	}
	return nil, h
}

// put caches n under hash h, evicting the bucket's older entry. subjects
// is how many the tree holds: the cache grows (empty, refilled by later
// misses) while it has fewer than two buckets per subject, up to its bound. Subjects taking
// turns thrash a bucket that three of them share; at half a node per
// bucket that is rare (0.05% of buckets, against 2.5% at one per bucket).
func (c *leafCache) put(h uint64, n *Node, subjects int) {
	if buckets := c.mask + 1; 2*uint64(subjects) > buckets && buckets < c.max {
		buckets = min(buckets*4, c.max)
		c.slots = make([]leafSlot, 2*buckets)
		c.mask = buckets - 1
	}
	b := c.slots[(h&c.mask)*2:][:2]
	b[1] = b[0]
	b[0] = leafSlot{hash: h, node: n}
}

// forget drops n, being pruned, so the cache does not keep it alive (nor
// find a reused slot under its old subject).
func (c *leafCache) forget(n *Node) {
	h := maphash.String(c.seed, n.Subject())
	b := c.slots[(h&c.mask)*2:][:2]
	for i := range b {
		if b[i].node == n {
			b[i] = leafSlot{}
		}
	}
}
