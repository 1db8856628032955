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
// copy the other 1.2M. Until then the heap holds it, so the budget counts
// it (Tree.pinned): in a flood under one parent about an eighth of the
// order is such holes.
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
}

// overBound reports whether the tree holds more nodes than the budget
// allows, or its structure alone takes 3/4 of the budget (deep subjects
// cost more than a node each).
func (t *Tree) overBound() bool {
	return t.nodes.live > t.maxNodes || t.nodes.live > 1024 && t.structureBytes() > t.opts.MaxMemory/4*3
}

// prune is one step of the incremental prune: it removes up to a batch of
// idle leaves (a parent left without children goes too, when idle) from
// where the hand stands. Their counts stay in their parents' totals; keep,
// being created, is never pruned (its LastSeen is not set yet).
func (t *Tree) prune(keep *Node) {
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
	for scanned := 0; scanned < pruneScan && removed < want; scanned++ {
		if n := x.slots[hand]; n != nil && n != keep && n.LastSeen <= threshold && !n.HasChildren() {
			removed += t.pruneUp(n, threshold, want-removed)
			continue // the backward shift may have moved a node into this slot
		}
		hand = (hand + 1) & mask
	}
	t.pruner.hand = hand
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

// pruneThreshold samples leaves at random index slots and returns the
// LastSeen at or below which a leaf counts as idle this step.
func (t *Tree) pruneThreshold(keep *Node) int64 {
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
		p.rng += 0x9E3779B97F4A7C15
		z := p.rng
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		z ^= z >> 31
		if n := slots[z&mask]; n != nil && n != keep && !n.HasChildren() {
			if s = append(s, n.LastSeen); len(s) == pruneSample {
				break
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

// pruneUp removes leaf n, then its parent while the parent is left a leaf
// and idle too (a deep idle chain goes in one step, not one level per
// step), up to budget nodes. It returns how many it removed.
func (t *Tree) pruneUp(n *Node, threshold int64, budget int) int {
	removed := 0
	for n != nil && removed < budget && n.LastSeen <= threshold && !n.HasChildren() {
		p := n.Parent
		t.removeLeaf(n)
		removed++
		n = p
	}
	return removed
}

// removeLeaf takes leaf n out of the tree: its kept messages (counted as
// evicted), its leaf cache entry, its index entry and its accounting. It
// stays in its parent's order until compacted; pointers to it held by the
// UI see Removed.
func (t *Tree) removeLeaf(n *Node) {
	for n.hist != nil {
		t.evictOldest(n.hist)
	}
	t.index.remove(n)
	t.extra -= nameCost(n.Name)
	if n.Own > 0 {
		t.subjects--
		// Only a node with messages of its own was ever cached (Apply
		// caches the leaf it counts), and forget builds the subject.
		t.leaves.forget(n)
	}
	t.nodes.release(n)
	t.pinned++
	if p := n.Parent; p != nil {
		if p.branch.dropChild() {
			t.extra -= branchCost + int64(cap(p.branch.order))*8
			p.branch = nil
		}
	} else {
		t.roots.dropChild()
	}
}

// dropChild counts one of b's children as removed and compacts a few
// entries of its order, and reports whether b has no live child left
// (its parent then frees it).
func (b *branch) dropChild() bool {
	b.gone++
	if int(b.gone) == len(b.order) {
		b.tree.pinned -= len(b.order)
		clear(b.order)
		b.order, b.gone, b.scan = b.order[:0], 0, 0
		return true
	}
	if int(b.gone)*8 > len(b.order) {
		b.compact(compactStep)
	}
	return false
}

// compact looks at up to k entries of order from scan and fills each
// removed one with the last entry (popping removed ones there): O(1) per
// entry, where keeping the order would move all that follow. The view
// re-sorts the order (dirty), which it does whenever children are added.
func (b *branch) compact(k int) {
	for ; k > 0 && b.gone > 0; k-- {
		if int(b.scan) >= len(b.order) {
			b.scan = 0
		}
		i, last := int(b.scan), len(b.order)-1
		switch {
		case !b.order[i].removed:
			b.scan++
		case b.order[last].removed:
			b.order[last] = nil
			b.order = b.order[:last]
			b.gone--
			b.tree.pinned--
		default:
			b.order[i] = b.order[last]
			b.order[last] = nil
			b.order = b.order[:last]
			b.gone--
			b.tree.pinned--
			b.dirty = true
			b.scan++
		}
	}
}

// live returns b's order without removed nodes, compacting it if a prune
// left any (in O(len), keeping the display order).
func (b *branch) live() []*Node {
	if b.gone > 0 {
		b.order = compactOrder(b.order)
		b.tree.pinned -= int(b.gone)
		b.gone, b.scan = 0, 0
	}
	return b.order
}

// compactOrder deletes removed nodes from order in place, keeping the
// order of the rest; the tail is cleared so it pins nothing.
func compactOrder(order []*Node) []*Node {
	return slices.DeleteFunc(order, func(n *Node) bool { return n.removed })
}
