package model

import "strings"

// prefetchMinSlots is the child index's size from which prefetch pays: a
// smaller table (up to 2 MiB) stays in the CPU's caches anyway.
const prefetchMinSlots = 1 << 18

// prefetch loads, for each message of block, the child-index slot where
// the lookup of its subject's last token starts, so that applying the
// block finds those slots in the CPU's cache. Over 1M subjects round-robin
// the leaf cache is off (see leafCache's thrash guard) and that lookup is
// a cache miss in a table of 16 MiB, the biggest single cost of a
// message's apply (a quarter to a third of it), waited for one at a time. Here the slots' addresses are worked out
// first and loaded in a loop with nothing else to wait for, so the CPU
// has many misses in flight at once (memory-level parallelism; Go has no
// prefetch instruction, a plain load does the same). It changes nothing:
// a message whose parent does not exist yet is skipped, and a slot that
// moved before it is read costs what it did before.
func (t *Tree) prefetch(block []Message) {
	x := &t.index
	if len(x.slots) < prefetchMinSlots || !t.leaves.off {
		return // cached anyway, or the leaf cache finds the subjects
	}
	var hs [ApplyCheck]uint32
	n := 0
	var prefix string
	var parent uint32
	found := false
	for i := range block {
		if n == len(hs) {
			break
		}
		subj := block[i].Subject
		cut := strings.LastIndexByte(subj, '.')
		if cut < 0 {
			hs[n] = x.hash(rootID, subj)
			n++
			continue
		}
		// Consecutive messages often share their parent (the bench's
		// subjects ten at a time): walk a prefix once.
		if p := subj[:cut]; !found || p != prefix {
			prefix = p
			parent = t.find(p)
			found = parent != 0
		}
		if found {
			hs[n] = x.hash(parent, subj[cut+1:])
			n++
		}
	}
	mask := uint32(len(x.slots) - 1)
	var sum uint32
	for _, h := range hs[:n] {
		sum += x.slots[h&mask].id
	}
	t.prefetched += sum // kept, so the loads are not optimized away
}
