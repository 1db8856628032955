package model

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// node is one token of the subject hierarchy as the tree stores it. It holds
// no Go pointer: nodes live in chunks the garbage collector allocates as
// noscan memory and never reads, so a million nodes cost a GC cycle nothing
// (as *Node objects they were a million objects to mark, ~130 ms a forced
// GC). Everything a node refers to is a 32-bit index: its parent (another
// node), its branch (the tree's branch slab), its history (the history
// slab), and its name (inline when short, else in the name slab).
type node struct {
	msgs, bytes uint64
	lastSeen    int64
	// rate counts messages by second, its newest second lastSeen's; once
	// a second's count would pass a uint16 (flagHotRate) the counts live in
	// the tree's hot table and rate holds their index (see Tree.rateAdd).
	rate rateArr[uint16]
	// parent is the parent's id (0: a root token; the root itself has
	// none). On the free list it links to the next free slot.
	parent uint32
	// gen is bumped whenever the node is removed, so a Node handle taken
	// before (the UI's rows, its selection) sees Removed, and never the
	// node a reused slot holds later.
	gen    uint32
	branch uint32 // branch slab index, 0 for leaves: most nodes are leaves
	hist   uint32 // history slab id + 1, 0 until a message on this exact subject is kept
	row    int32  // index in the view's rows, -1 when not visible
	// meta is the name's length (low bits) and the flags.
	meta uint32
	// name is the name itself when it fits (nameInline), else its span
	// in the name slab.
	name [nameInline]byte
}

// nodeCost is what a node costs the heap before its name: its slot in a
// chunk. What grows with the tree around the nodes (branches and their
// orders, the child index, the leaf cache, long names) is counted as
// allocated; see MemoryUsed.
const nodeCost = int(unsafe.Sizeof(node{}))

// nameInline is the longest name a node holds itself: most tokens
// ("orders", "eu-west", "48213") are short, and an inline name needs no
// slab span, so churn in short names never fragments anything.
const nameInline = 8

const (
	nameLenMask  = 1<<27 - 1
	flagHotRate  = 1 << 27 // the rate counts are in the tree's hot table
	flagExpanded = 1 << 28 // the tree view shows its children
	flagNoise    = 1 << 29 // under _INBOX or a $-prefixed root
	flagRemoved  = 1 << 30 // pruned; gen was bumped
	flagShown    = 1 << 31 // the view's last rebuild put its children on rows
)

func (n *node) nameLen() int         { return int(n.meta & nameLenMask) }
func (n *node) has(flag uint32) bool { return n.meta&flag != 0 }
func (n *node) set(flag uint32, on bool) {
	if on {
		n.meta |= flag
	} else {
		n.meta &^= flag
	}
}

// lastSec is the newest second the rate counts hold.
func (n *node) lastSec() int64 { return n.lastSeen / 1e9 }

// span is where a long name lives in the name slab.
func (n *node) span() uint64 { return *(*uint64)(unsafe.Pointer(&n.name)) }

// nodeChunkBits sets the chunk size: 512 nodes (56 KiB) per allocation.
const nodeChunkBits = 9

const nodeChunk = 1 << nodeChunkBits

// nodeSlab holds every node in fixed chunks, by id (chunk << nodeChunkBits
// | slot). Id 0 is the tree's root, the parent of the root tokens. A
// removed node stays in its slot (Removed, its parent and name intact)
// while its parent's order still lists it; once compacted out of the
// order its slot goes on its chunk's free list and is reused.
//
// New nodes take the free slot of the lowest chunk that has one, so that
// after a burst (a 10,000-token subject, a flood pruned away) the chunks
// at the top drain as their nodes are pruned; a chunk whose slots are all
// free is given back to the GC, so the slab shrinks to what the tree
// holds. MemoryUsed counts every slot of the chunks held, free ones too.
type nodeSlab struct {
	chunks []*[nodeChunk]node // nil: released
	meta   []nodeChunkMeta
	// hasFree has bit c set when chunk c is held and has a free slot;
	// released when chunk c was given back.
	hasFree, released bitset
	next              uint32 // slots handed out from the top: ids below exist or existed
	freed             int    // free slots in held chunks
	nReleased         int    // chunks given back
	live              int    // nodes in the tree (the root not counted)
}

// nodeChunkMeta is a chunk's free list.
type nodeChunkMeta struct {
	free  uint32 // first free slot's id, 0 when none (id 0 is the root, never free)
	nfree uint32
	// gen is where the generations of a released chunk's slots start when
	// it is made again: above every generation its slots had, so no handle
	// taken before it was released matches a node in it.
	gen uint32
}

func (s *nodeSlab) at(id uint32) *node { return &s.chunks[id>>nodeChunkBits][id&(nodeChunk-1)] }

// held is how many slots the slab holds (free ones too, the root's too).
func (s *nodeSlab) held() int { return int(s.next) - s.nReleased*nodeChunk }

// alloc returns a fresh node's id: a free slot of the lowest chunk with
// one, else a slot of a chunk made again or a new one.
func (s *nodeSlab) alloc() uint32 {
	s.live++
	c, ok := -1, false
	if s.freed > 0 {
		c, ok = s.hasFree.first()
	}
	if !ok && s.nReleased > 0 {
		c, _ = s.released.first()
		s.remake(c)
	}
	if c >= 0 {
		m := &s.meta[c]
		id := m.free
		n := s.at(id)
		m.free = n.parent
		m.nfree--
		s.freed--
		if m.nfree == 0 {
			s.hasFree.set(c, false)
		}
		*n = node{gen: n.gen, row: -1}
		return id
	}
	if int(s.next>>nodeChunkBits) == len(s.chunks) {
		s.chunks = append(s.chunks, new([nodeChunk]node))
		s.meta = append(s.meta, nodeChunkMeta{})
	}
	id := s.next
	s.next++
	*s.at(id) = node{row: -1}
	return id
}

// remake makes released chunk c again, every slot free.
func (s *nodeSlab) remake(c int) {
	chunk := new([nodeChunk]node)
	m := &s.meta[c]
	for i := nodeChunk - 1; i >= 0; i-- {
		chunk[i] = node{gen: m.gen, parent: m.free, meta: flagRemoved}
		m.free = uint32(c)<<nodeChunkBits | uint32(i)
	}
	m.nfree = nodeChunk
	s.chunks[c] = chunk
	s.released.set(c, false)
	s.nReleased--
	s.hasFree.set(c, true)
	s.freed += nodeChunk
}

// release marks n removed: handles taken before see Removed from now on.
// Its slot is reused only after freeSlot, once no order lists it.
func (s *nodeSlab) release(n *node) {
	n.set(flagRemoved, true)
	n.gen++
	n.branch, n.hist = 0, 0
	s.live--
}

// freeSlot puts removed node id on its chunk's free list, and gives the
// chunk back to the GC when that frees its last slot.
func (s *nodeSlab) freeSlot(id uint32) {
	c := int(id >> nodeChunkBits)
	m := &s.meta[c]
	s.at(id).parent = m.free
	m.free = id
	m.nfree++
	s.freed++
	s.hasFree.set(c, true)
	if m.nfree < nodeChunk {
		return
	}
	gen := uint32(0)
	for i := range s.chunks[c] {
		gen = max(gen, s.chunks[c][i].gen)
	}
	*m = nodeChunkMeta{gen: gen + 1}
	s.chunks[c] = nil
	s.hasFree.set(c, false)
	s.released.set(c, true)
	s.nReleased++
	s.freed -= nodeChunk
}

// bitset is a set of small integers.
type bitset []uint64

func (b *bitset) set(i int, on bool) {
	for i>>6 >= len(*b) {
		*b = append(*b, 0)
	}
	if on {
		(*b)[i>>6] |= 1 << (i & 63)
	} else {
		(*b)[i>>6] &^= 1 << (i & 63)
	}
}

// first is the smallest member, if any.
func (b bitset) first() (int, bool) {
	for w, x := range b {
		if x != 0 {
			return w<<6 | bits.TrailingZeros64(x), true
		}
	}
	return -1, false
}

// childIndex finds a node by its parent and name: one open-addressing
// table for the whole tree, one 32-bit node id per slot, in place of a map
// per branch (a map costs ~40 bytes per entry and a header per branch).
// Linear probing, at most 3/4 full, with backward-shift deletion so pruning
// leaves no tombstones. Beside each slot's id it keeps its 32-bit hash:
// a lookup reads a node only when the hashes match (a new subject's lookup
// probes ~8 slots at 3/4 full, and reading each of those nodes was a cache
// miss: 0.9 µs), and growing or deleting moves hashes without reading
// nodes or hashing names again (that was a third of a new subject's cost).
// Ids and hashes are integers: the GC never scans the table.
//
// It grows incrementally, as Redis's dict does: a full table becomes old,
// a table twice its size takes inserts, and each insert moves a few of the
// old slots over. Moving 786,432 entries at once took one message 36-214
// ms, a frame the UI could not answer keys in; spread, it adds ~0.1 µs to
// the inserts while it lasts. The old table is only read while it drains
// (lookups try it after the new one misses), so its probe sequences stay
// whole; a removal leaves a tombstone there (see remove).
type childIndex struct {
	seed  maphash.Seed
	slots []indexSlot
	n     int // entries, in both tables

	old     []indexSlot // the table being drained into slots; nil when none
	drained int         // old[:drained] has been moved
}

// indexSlot is a node id (0 for an empty slot: id 0 is the root, never a
// child) and its hash, side by side: a probe reads one cache line, not
// one in an id array and one in a hash array.
type indexSlot struct {
	id, hash uint32
}

const minIndexSlots = 1 << 10

// drainStep is how many old slots each insert moves: the old table (S
// slots, 3/4 full) is drained in S/drainStep inserts, long before the new
// one (2S slots, 3/8 full) fills to 3/4 and must grow again.
const drainStep = 8

// tombstone marks a removed entry in the table being drained: no node has
// this id, so no lookup matches it, and drain skips it.
const tombstone = ^uint32(0)

// bytes is what the index holds beyond its first allocation, the table
// being drained included.
func (x *childIndex) bytes() int64 { return int64(len(x.slots)+len(x.old)-minIndexSlots) * 8 }

func newChildIndex() childIndex {
	return childIndex{seed: maphash.MakeSeed(), slots: make([]indexSlot, minIndexSlots)}
}

// hash mixes the token's hash with its parent's id.
func (x *childIndex) hash(parent uint32, tok string) uint32 {
	h := maphash.String(x.seed, tok)
	h ^= uint64(parent+1) * 0x9E3779B97F4A7C15
	return uint32(h ^ h>>32)
}

// find returns parent's child named tok (parent 0: a root), or 0.
func (t *Tree) findChild(parent uint32, tok string) uint32 {
	return t.findChildHashed(parent, tok, t.index.hash(parent, tok))
}

// findChildHashed is findChild with the hash of (parent, tok).
func (t *Tree) findChildHashed(parent uint32, tok string, h uint32) uint32 {
	x := &t.index
	if id := t.probe(x.slots, h, parent, tok); id != 0 || x.old == nil {
		return id
	}
	// Not moved yet (a moved entry is found above; the old table keeps a
	// copy until it is dropped).
	return t.probe(x.old, h, parent, tok)
}

// probe looks for parent's child tok, whose hash is h, in one table.
func (t *Tree) probe(slots []indexSlot, h uint32, parent uint32, tok string) uint32 {
	mask := uint32(len(slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		id := slots[i].id
		if id == 0 {
			return 0
		}
		if slots[i].hash == h && id != tombstone {
			if n := t.nodes.at(id); n.parent == parent && t.name(n) == tok {
				return id
			}
		}
	}
}

// insert adds id, whose hash is h and which find does not hold yet.
func (x *childIndex) insert(id, h uint32) {
	if x.old != nil {
		x.drain(drainStep)
	}
	if 4*(x.n+1) > 3*len(x.slots) {
		x.drain(len(x.old)) // never two old tables (drainStep makes it rare)
		x.old, x.drained = x.slots, 0
		x.slots = make([]indexSlot, 2*len(x.old))
		x.drain(drainStep)
	}
	x.place(id, h)
	x.n++
}

// drain moves up to k old slots into the table, and drops the old table
// once all are moved.
func (x *childIndex) drain(k int) {
	end := min(x.drained+k, len(x.old))
	for i := x.drained; i < end; i++ {
		if s := x.old[i]; s.id != 0 && s.id != tombstone {
			x.place(s.id, s.hash)
		}
	}
	x.drained = end
	if x.drained == len(x.old) {
		x.old, x.drained = nil, 0
	}
}

// place puts id, whose hash is h, in the first free slot from its home.
func (x *childIndex) place(id, h uint32) {
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i].id != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = indexSlot{id, h}
}

// remove deletes id, whose hash is h, from both tables. In the table, it
// shifts back the entries after it whose probe sequence passed its slot,
// so lookups never stop early at the hole. In the old table, being
// drained, a shift could move an entry into the part already drained and
// lose it, so it becomes a tombstone there instead (the old table is
// dropped once drained): pruning a leaf costs a probe in each, never the
// 36-214 ms of draining the rest.
func (x *childIndex) remove(id, h uint32) {
	found := false
	if x.old != nil {
		mask := uint32(len(x.old) - 1)
		for i := h & mask; x.old[i].id != 0; i = (i + 1) & mask {
			if x.old[i].id == id {
				x.old[i] = indexSlot{id: tombstone}
				found = true
				break
			}
		}
	}
	if x.removeSlot(id, h) || found {
		x.n--
	}
}

// removeSlot deletes id, whose hash is h, from the table (not the old
// one) with backward-shift deletion, and reports whether it was there.
func (x *childIndex) removeSlot(id, h uint32) bool {
	mask := uint32(len(x.slots) - 1)
	i := h & mask
	for x.slots[i].id != id {
		if x.slots[i].id == 0 {
			return false
		}
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		k := x.slots[j]
		if k.id == 0 {
			break
		}
		home := k.hash & mask
		// Move k back into the hole at i unless its home lies in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			x.slots[i] = k
			i = j
		}
	}
	x.slots[i] = indexSlot{}
	return true
}

// leafCache maps full subjects to their nodes: hashing the subject once and
// comparing it with the node's path is several times cheaper than an index
// lookup per token. It is a bounded 2-way set-associative array rather than
// a map so it never grows with traffic and a miss costs one hash and two
// integer compares (the hash is kept beside the id so a miss never reads a
// node). It holds at most 2*maxLeafBuckets entries (2 MiB, counted in the
// budget) and prune removes pruned nodes from it, so it never finds a
// reused slot under its old subject.
type leafCache struct {
	seed  maphash.Seed
	slots []leafSlot // bucket i is slots[2i] (most recent) and slots[2i+1]
	mask  uint64     // buckets - 1
	max   uint64     // most buckets: a share of the budget, ≤ maxLeafBuckets
	// The thrash guard: traffic spread over more subjects than the cache
	// holds (a flood over 1M subjects, round-robin) misses every time, and
	// a miss costs a hash and a cache miss for nothing (5-8% of such a
	// flood's CPU). Over each window of leafWindow messages, a hit rate
	// below 1/leafMinHit turns the cache off for the next window but for
	// about one message in leafProbe, drawn at random, whose hits decide
	// the window after. Drawn every leafProbe-th, the probes of a
	// round-robin over a multiple of leafProbe subjects were the same
	// subjects each round, few enough for the cache to keep: they all hit,
	// and turned it on for over a third of a 1M-subject flood's messages,
	// every one a miss.
	msgs, tries, hits uint32
	off               bool
	rng               uint64
}

const (
	leafWindow = 1 << 16
	// leafMinHit: a hit saves the walk (a lookup per token), a miss costs
	// a hash and a load (a cache miss of its own). At one hit in 32, the
	// hits that stale entries give a round later kept a round-robin over
	// 640k subjects on for 36% of its messages (TestLeafCacheThrashGuard);
	// at one in four, 20%.
	leafMinHit = 4
	// 1 message in leafProbe is a probe while the cache is off.
	leafProbeBits = 4
	leafProbe     = 1 << leafProbeBits
)

// use reports whether this message looks in the cache (see the guard).
func (c *leafCache) use() bool {
	if c.msgs++; c.msgs == leafWindow {
		c.off = c.hits*leafMinHit < c.tries
		c.msgs, c.tries, c.hits = 0, 0, 0
	}
	if c.off {
		if splitmix64(&c.rng)>>(64-leafProbeBits) != 0 {
			return false
		}
	}
	c.tries++
	return true
}

// leafSlot is a cached leaf: the top half of its subject's hash (the
// bottom half picked the bucket) and its id, 0 when empty.
type leafSlot struct {
	hash uint32
	id   uint32
}

const leafSlotSize = int64(unsafe.Sizeof(leafSlot{}))

const (
	minLeafBuckets = 1 << 10
	maxLeafBuckets = 1 << 17
)

func newLeafCache(maxBuckets uint64) leafCache {
	return leafCache{seed: maphash.MakeSeed(), slots: make([]leafSlot, 2*minLeafBuckets), mask: minLeafBuckets - 1, max: maxBuckets}
}

// bytes is what the cache holds beyond its first allocation.
func (c *leafCache) bytes() int64 { return int64(len(c.slots)-2*minLeafBuckets) * leafSlotSize }

// getLeaf returns the node id for subj, or 0 and subj's hash for putLeaf.
func (t *Tree) getLeaf(subj string) (uint32, uint64) {
	return t.getLeafHashed(subj, maphash.String(t.leaves.seed, subj))
}

// getLeafHashed is getLeaf with subj's hash h.
func (t *Tree) getLeafHashed(subj string, h uint64) (uint32, uint64) {
	c := &t.leaves
	top := uint32(h >> 32)
	b := c.slots[(h&c.mask)*2:][:2]
	if b[0].hash == top && b[0].id != 0 && t.is(b[0].id, subj) {
		c.hits++
		return b[0].id, h
	}
	if b[1].hash == top && b[1].id != 0 && t.is(b[1].id, subj) {
		c.hits++
		b[0], b[1] = b[1], b[0]
		return b[0].id, h
	}
	return 0, h
}

// put caches id under hash h, evicting the bucket's older entry. subjects
// is how many the tree holds: the cache grows (empty, refilled by later
// misses) while it has fewer than two buckets per subject, up to its bound. Subjects taking
// turns thrash a bucket that three of them share; at half a node per
// bucket that is rare (0.05% of buckets, against 2.5% at one per bucket).
func (c *leafCache) put(h uint64, id uint32, subjects int) {
	if buckets := c.mask + 1; 2*uint64(subjects) > buckets && buckets < c.max {
		buckets = min(buckets*4, c.max)
		c.slots = make([]leafSlot, 2*buckets)
		c.mask = buckets - 1
	}
	b := c.slots[(h&c.mask)*2:][:2]
	b[1] = b[0]
	b[0] = leafSlot{hash: uint32(h >> 32), id: id}
}

// forget drops id, whose subject is subj, being pruned, so the cache never
// finds a reused slot under its old subject.
func (c *leafCache) forget(id uint32, subj []byte) {
	h := maphash.Bytes(c.seed, subj)
	b := c.slots[(h&c.mask)*2:][:2]
	for i := range b {
		if b[i].id == id {
			b[i] = leafSlot{}
		}
	}
}

// has reports whether i is a member.
func (b bitset) has(i int) bool { return i>>6 < len(b) && b[i>>6]&(1<<(i&63)) != 0 }
