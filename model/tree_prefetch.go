package model

import (
	"hash/maphash"
	"strings"
)

// prefetchMinSlots is the child index's size from which prefetch pays: a
// smaller table (1 MiB or less) stays in the CPU's caches anyway.
const prefetchMinSlots = 1 << 18

// hint is what prefetch found out about one message of a block: the node
// its subject's last token hangs under, the token's offset, and its hash
// in the child index. Applying the message then looks up one token, not
// all of them.
type hint struct {
	parent, hash, cut uint32
	ok                bool // the parent existed when prefetch looked
	// leaf is the subject's hash in the leaf cache, when the block's
	// hints are for it (hints.leaf).
	leaf uint64
}

// hints are the current block's.
type hints struct {
	at     [ApplyCheck]hint
	n      int    // hints held (0: none)
	i      int    // the message being applied, by its index in the block
	pruned uint64 // Pruned when they were made: a prune since voids them
	// leaf: the hints are leaf-cache hashes (the cache is on), not
	// parents; a hash holds whatever the tree does since.
	leaf bool
	// loaded sums what prefetch loaded, so its loads are kept.
	loaded uint32
}

// prefetch works out, for each message of block, the child-index slot
// where the lookup of its subject's last token starts, loads those slots
// so that applying the block finds them in the CPU's cache, and leaves
// what it found as hints for apply. Over 1M subjects round-robin the
// leaf cache is off (see leafCache's thrash guard) and that lookup is a
// cache miss in a table of 16 MiB, the biggest single cost of a
// message's apply (a quarter to a third of it), waited for one at a
// time. Here the slots' addresses are worked out first and loaded in a
// loop with nothing else to wait for, so the CPU has many misses in
// flight at once (memory-level parallelism; Go has no prefetch
// instruction, a plain load does the same). Consecutive messages often
// share their parent (the bench's subjects ten at a time), so a parent
// is looked up once for them, where the walk looked up every token of
// every message. The caller says which message it applies (hints.i) and
// drops the hints after the block (dropHints).
func (t *Tree) prefetch(block []Message) {
	t.hints.n = 0
	if !t.leaves.off {
		t.prefetchLeaves(block)
		return
	}
	x := &t.index
	if len(x.slots) < prefetchMinSlots {
		return // cached anyway
	}
	hs := &t.hints
	hs.pruned, hs.leaf = t.Pruned, false
	// The last prefix looked up, and its node (0: none, which holds for
	// the whole block: prefetch makes no node). The walk's last parent
	// starts it: a block often goes on where the last one stopped.
	prefix, parent, looked := t.lastParentOf() // no walk before apply
	n := min(len(block), len(hs.at))
	for i := range n {
		subj := block[i].Subject
		cut := strings.LastIndexByte(subj, '.')
		if cut < 0 {
			hs.at[i] = hint{parent: rootID, hash: x.hash(rootID, subj), ok: true}
			continue
		}
		if p := subj[:cut]; !looked || p != prefix {
			prefix, looked = p, true
			parent = t.find(p)
		}
		hs.at[i] = hint{parent: parent, cut: uint32(cut + 1), ok: parent != 0}
		if parent != 0 {
			hs.at[i].hash = x.hash(parent, subj[cut+1:])
		}
	}
	mask := uint32(len(x.slots) - 1)
	var sum uint32
	for i := range n {
		if hs.at[i].ok {
			sum += x.slots[hs.at[i].hash&mask].id
		}
	}
	hs.loaded += sum
	hs.n = n
}

// prefetchLeafMinSlots is the leaf cache's size from which prefetch
// pays: 512 KiB, a quarter of a core's L2 here, where the rest of a
// message's work (the client's buffers, the store, the nodes) also is.
const prefetchLeafMinSlots = 1 << 16

// prefetchLeaves is prefetch while the leaf cache is on: it hashes the
// block's subjects, loads their buckets, then the nodes of the buckets'
// newest entries,
// each in a loop of its own (over 10k subjects round-robin the bucket
// loads were a sixth of natsx's CPU), and leaves the hashes as hints.
func (t *Tree) prefetchLeaves(block []Message) {
	c := &t.leaves
	if len(c.slots) < prefetchLeafMinSlots {
		return
	}
	hs := &t.hints
	hs.leaf = true
	n := min(len(block), len(hs.at))
	for i := range n {
		hs.at[i].leaf = maphash.String(c.seed, block[i].Subject)
	}
	var sum uint32
	for i := range n {
		sum += c.slots[(hs.at[i].leaf&c.mask)*2].id
	}
	for i := range n {
		if id := c.slots[(hs.at[i].leaf&c.mask)*2].id; id != 0 {
			sum += t.nodes.at(id).meta
		}
	}
	hs.loaded += sum
	hs.n = n
}

// leafHint is the leaf cache's hash of the message being applied's
// subject, if prefetch left it.
func (t *Tree) leafHint() (uint64, bool) {
	hs := &t.hints
	if hs.i >= hs.n || !hs.leaf {
		return 0, false
	}
	return hs.at[hs.i].leaf, true
}

// dropHints voids the block's hints: Apply outside a block has none.
func (t *Tree) dropHints() { t.hints.n = 0 }

// hinted returns the node of subj's path, made if need be, from the hint
// for the message being applied; false when there is none, or the tree
// pruned since it was made (its parent may be gone).
func (t *Tree) hinted(subj string) (uint32, bool) {
	hs := &t.hints
	if hs.i >= hs.n || hs.leaf || !hs.at[hs.i].ok || hs.pruned != t.Pruned {
		return 0, false
	}
	h := hs.at[hs.i]
	return t.child(h.parent, subj[h.cut:], h.hash), true
}
