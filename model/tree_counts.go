package model

import "unsafe"

// A node carries what every subject needs and nothing that only some do:
// the messages on exactly its subject (Own) are its msgs while it is a
// leaf, and its branch keeps them once it has children; its rate counts
// are uint16 until a second's count would overflow one, and then uint32
// in the tree's hot table. Both keep a node at 80 bytes instead of 112.

// hotRateCost is what a hot table entry costs.
const hotRateCost = int64(unsafe.Sizeof(rateCounts{}))

// own is how many messages were published on exactly n's subject.
func (t *Tree) own(n *node) uint64 {
	if n.branch != 0 {
		return t.branches.at(n.branch).own
	}
	return n.msgs
}

// rateAdd counts a message of Unix second sec in n's rate, before
// lastSeen moves (its second is the counts' newest).
func (t *Tree) rateAdd(n *node, sec int64) {
	if !n.has(flagHotRate) {
		i := n.rate.bucket(n.lastSec(), sec)
		if n.rate[i] < 1<<16-1 {
			n.rate[i]++
			return
		}
		t.heat(n)
	}
	t.hot[n.hotIndex()].add(n.lastSec(), sec, 1)
}

// hotIndex is the hot table index a hot node keeps in its rate.
func (n *node) hotIndex() uint32 { return uint32(n.rate[0]) | uint32(n.rate[1])<<16 }

// heat moves n's counts to the hot table. A node stays hot until it is
// removed: at most one node in 65,536 messages a second ever gets hot.
func (t *Tree) heat(n *node) {
	c := t.counts(n)
	var i uint32
	if k := len(t.hotFree); k > 0 {
		i = t.hotFree[k-1]
		t.hotFree = t.hotFree[:k-1]
		t.hot[i] = c
	} else {
		i = uint32(len(t.hot))
		t.hot = append(t.hot, c)
	}
	n.rate = rateArr[uint16]{uint16(i), uint16(i >> 16)}
	n.set(flagHotRate, true)
}

// cool gives a removed node's hot entry back.
func (t *Tree) cool(n *node) {
	if n.has(flagHotRate) {
		t.hotFree = append(t.hotFree, n.hotIndex())
		n.set(flagHotRate, false)
	}
}

// counts is n's rate counts.
func (t *Tree) counts(n *node) rateCounts {
	if n.has(flagHotRate) {
		return t.hot[n.hotIndex()]
	}
	var c rateCounts
	for i, v := range n.rate {
		c[i] = uint32(v)
	}
	return c
}

// hotBytes is what the hot table holds.
func (t *Tree) hotBytes() int64 {
	return int64(cap(t.hot))*hotRateCost + int64(cap(t.hotFree))*4
}
