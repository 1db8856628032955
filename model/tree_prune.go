package model

import (
	"math"
	"slices"
)

// Pruning is incremental. Once a new node takes the tree past its bound,
// each new node pays one bounded step: a hand sweeps the child index's slot
// array (it holds every node, in hash order, so any stretch of it is a
// random sample of the tree) and removes the idle leaves it passes, up to a
// batch, then stops until the bound is crossed again. "Idle" is an
// approximate LRU: a leaf whose LastSeen is at or below a threshold, the
// 1/pruneQuantile quantile of LastSeen over a sample of pruneSample
// leaves, drawn afresh at every step. Over a lap of the hand every leaf
// under the threshold goes, as a CLOCK's hand takes every page not used
// since its last pass. The whole-tree walk and sort this replaces took
// 0.1-1 s inside one message's Apply above 1.2M subjects.
//
// A removed node's parent keeps it in its order until a few entries are
// compacted per prune (dropChild): deleting one of 1.2M children must not
// copy the other 1.2M. Until then its slot is not reused (Tree.pinned
// counts them) and the budget counts it as every slot held: in a flood
// under one parent about an eighth of the order is such holes.
const (
	// pruneBatch is the most nodes one step removes (fewer in a small
	// tree: a tenth of it, as the whole-tree prune did). In
	// BenchmarkTreePruneFlood a step of 256 took a median 0.2 ms (p99
	// 0.4), of 64 0.05 ms (0.12), but a tenth of a 1,024-node tree is
	// 102, and TestTreeStructure expects a small tree to prune in one step.
	pruneBatch = 128
	// pruneScan is the most index slots one step looks at: at 3/8 to 3/4
	// full with an eighth of the leaves under the threshold, a batch needs
	// ~1,400-2,700 slots; past this the step stops and the next node
	// continues from the hand.
	pruneScan = 32 * pruneBatch
	// pruneSample is how many leaves set the threshold (drawn from twice
	// as many random slots): its 1/8 quantile is its 16th value.
	pruneSample = 128
	// pruneQuantile: the threshold is the 1/pruneQuantile quantile, so a
	// step removes leaves among the idlest eighth.
	pruneQuantile = 8
	// compactStep is how many order entries each pruned child lets its
	// parent compact once an eighth of its order is gone: at that density
	// eight entries hold one hole, as many as the removal added, so the
	// holes stay near an eighth (150k of 1.2M in BenchmarkTreePruneFlood).
	compactStep = 8
)

// pruner is the incremental prune's state between steps.
type pruner struct {
	hand    int     // next index slot the sweep looks at
	rng     uint64  // splitmix64 state for the sample
	sample  []int64 // LastSeen of the sampled leaves, reused
	starved bool    // the last step removed nothing: take any leaf next
	// skip is how many more new nodes go without a step: when even any
	// leaf would do and none was found (a subject deeper than the bound,
	// all of it the new node's ancestors), looking again at every token
	// would cost a scan per token for nothing.
	skip int
	// scanned counts the index slots every step has looked at: what a
	// test bounds instead of a time.
	scanned uint64
}

// overBound reports whether the tree holds more nodes than the budget
// allows, or its structure alone takes 3/4 of the budget (deep subjects
// cost more than a node each). Free node slots and free name spans are
// not counted here (they are in MemoryUsed): new nodes reuse them, so
// counting them would make every new node prune down to a tree that
// leaves them unused.
func (t *Tree) overBound() bool {
	return t.nodes.live > t.maxNodes || t.nodes.live > 1024 &&
		t.structureBytes()-int64(t.nodes.freed)*int64(nodeCost)-t.names.slack() > t.opts.MaxMemory/4*3
}

// prune is one step of the incremental prune: it removes up to a batch of
// idle leaves (a parent left without children goes too, when idle) from
// where the hand stands. Their counts stay in their parents' totals; keep,
// being created, is never pruned (its lastSeen is not set yet).
func (t *Tree) prune(keep uint32) {
	if t.pruner.skip > 0 {
		t.pruner.skip--
		return
	}
	want := min(max(t.nodes.live/10, 1), pruneBatch)
	threshold := t.pruneThreshold(keep)
	x := &t.index
	mask := len(x.slots) - 1
	hand := t.pruner.hand & mask
	removed := 0
	scanned := 0
	for ; scanned < pruneScan && removed < want; scanned++ {
		if id := x.slots[hand].id; id != 0 && id != keep {
			if n := t.nodes.at(id); n.lastSeen <= threshold && !t.hasChildren(n) {
				removed += t.pruneUp(id, threshold, want-removed)
				continue // the backward shift may have moved a node into this slot
			}
		}
		hand = (hand + 1) & mask
	}
	t.pruner.hand = hand
	t.pruner.scanned += uint64(scanned)
	switch {
	case removed > 0:
		t.pruner.starved = false
	case threshold == math.MaxInt64:
		t.pruner.starved = false
		t.pruner.skip = pruneBatch
	default:
		t.pruner.starved = true
	}
	if removed > 0 {
		t.Pruned += uint64(removed)
		t.structure++
	}
}

// splitmix64 advances state and returns its next random number
// (SplitMix64: every bit of it usable, low ones too): the samples of the
// pruner, the evictor and the leaf cache's probes.
func splitmix64(state *uint64) uint64 {
	*state += 0x9E3779B97F4A7C15
	z := *state
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// pruneThreshold samples leaves at random index slots and returns the
// lastSeen at or below which a leaf counts as idle this step.
func (t *Tree) pruneThreshold(keep uint32) int64 {
	p := &t.pruner
	if p.starved {
		// Nothing was under the last threshold where the hand looked
		// (few leaves, or a skewed sample): any leaf will do, so the
		// bound holds.
		p.starved = false
		return math.MaxInt64
	}
	slots := t.index.slots
	mask := uint64(len(slots) - 1)
	s := p.sample[:0]
	for range 2 * pruneSample {
		if id := slots[splitmix64(&p.rng)&mask].id; id != 0 && id != keep {
			if n := t.nodes.at(id); !t.hasChildren(n) {
				if s = append(s, n.lastSeen); len(s) == pruneSample {
					break
				}
			}
		}
	}
	p.sample = s
	if len(s) == 0 {
		return math.MaxInt64
	}
	slices.Sort(s)
	return s[len(s)/pruneQuantile]
}

// pruneUp removes leaf id, then its parent while the parent is left a leaf
// and idle too (a deep idle chain goes in one step, not one level per
// step), up to budget nodes. It returns how many it removed.
func (t *Tree) pruneUp(id uint32, threshold int64, budget int) int {
	removed := 0
	for id != rootID && removed < budget {
		n := t.nodes.at(id)
		if n.lastSeen > threshold || t.hasChildren(n) {
			break
		}
		p := n.parent
		t.removeLeaf(id)
		removed++
		id = p
	}
	return removed
}

// removeLeaf takes leaf id out of the tree: its kept messages (counted as
// evicted), its leaf cache entry, its index entry, its long name and its
// accounting. Handles to it see Removed at once; its slot stays in its
// parent's order (pinned) until compacted, and is reused only then.
func (t *Tree) removeLeaf(id uint32) {
	n := t.nodes.at(id)
	for n.hist != 0 {
		t.evictOldest(n.hist - 1)
	}
	name := t.name(n)
	t.index.remove(id, t.index.hash(n.parent, name))
	if t.own(n) > 0 {
		t.subjects--
		// Only a node with messages of its own was ever cached (Apply
		// caches the leaf it counts).
		t.subjBuf = t.appendSubject(t.subjBuf[:0], id)
		t.leaves.forget(id, t.subjBuf)
	}
	if n.branch != 0 {
		// A leaf whose children were pruned: its branch kept its own count.
		t.releaseBranch(n)
	}
	t.cool(n)
	parent := n.parent // dropChild may free n's slot, which reuses parent
	t.freeName(n)
	t.nodes.release(n)
	t.pinned++
	p := t.nodes.at(parent)
	b := t.branches.at(p.branch)
	// The branch of a node left without children goes, unless it keeps
	// the node's own count apart from its pruned children's (msgs): then
	// only its order goes (a parent of 1M children held 4 MB of it).
	if t.dropChild(b) && parent != rootID {
		if b.own == p.msgs {
			t.releaseBranch(p)
		} else {
			t.extra -= int64(cap(b.order)) * 4
			b.order = nil
		}
	}
}

// releaseBranch gives n's branch, which has no live child, back.
func (t *Tree) releaseBranch(n *node) {
	t.extra -= int64(cap(t.branches.at(n.branch).order)) * 4
	t.branches.release(n.branch)
	n.branch = 0
}

// dropChild counts one of b's children as removed and compacts a few
// entries of its order, and reports whether b has no live child left
// (its parent then frees it; the roots' branch stays).
func (t *Tree) dropChild(b *branch) bool {
	b.gone++
	if int(b.gone) == len(b.order) {
		for _, id := range b.order {
			t.nodes.freeSlot(id)
		}
		t.pinned -= len(b.order)
		b.order, b.gone, b.scan = b.order[:0], 0, 0
		return true
	}
	if int(b.gone)*8 > len(b.order) {
		t.compact(b, compactStep)
	}
	return false
}

// compact looks at up to k entries of b's order from scan and fills each
// removed one with the last entry (popping removed ones there), freeing
// the removed nodes' slots: O(1) per entry, where keeping the order would
// move all that follow. The view re-sorts the order (dirty), which it
// does whenever children are added.
func (t *Tree) compact(b *branch, k int) {
	for ; k > 0 && b.gone > 0; k-- {
		if int(b.scan) >= len(b.order) {
			b.scan = 0
		}
		i, last := int(b.scan), len(b.order)-1
		switch {
		case !t.nodes.at(b.order[i]).has(flagRemoved):
			b.scan++
		case t.nodes.at(b.order[last]).has(flagRemoved):
			t.nodes.freeSlot(b.order[last])
			b.order = b.order[:last]
			b.gone--
			t.pinned--
		default:
			t.nodes.freeSlot(b.order[i])
			b.order[i] = b.order[last]
			b.order = b.order[:last]
			b.gone--
			t.pinned--
			b.dirty = true
			b.scan++
		}
	}
}

// live returns b's order without removed nodes, compacting it if a prune
// left any (in O(len), keeping the display order) and freeing their slots.
func (t *Tree) live(b *branch) []uint32 {
	if b.gone > 0 {
		b.order = slices.DeleteFunc(b.order, func(id uint32) bool {
			if t.nodes.at(id).has(flagRemoved) {
				t.nodes.freeSlot(id)
				return true
			}
			return false
		})
		t.pinned -= int(b.gone)
		b.gone, b.scan = 0, 0
	}
	return b.order
}
