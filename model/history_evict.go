package model

import (
	"math"
	"slices"
)

// The budget evicts the idlest subjects' messages first: those whose
// newest kept message is the oldest. While the tree keeps few histories
// the evictor finds the idlest exactly (a scan of them all); beyond, it
// works as the prune does (tree_prune.go), with no list threading the
// histories (a doubly linked list cost 12 bytes a subject and two random
// writes a message to keep it in order): a hand sweeps the history slab
// and takes each history whose newest message is at or below a threshold,
// the 1/evictQuantile quantile of a sample of evictSample histories,
// drawn afresh every evictRefresh victims and whenever the hand finds
// none under it (a sample per victim was 7% of a 1M-subject flood's CPU:
// two cache misses per sampled history). A history stays the victim
// until it is empty (the hand does not move on while it is taken), so an
// idle subject loses all its messages before a busier one loses any.
const (
	// exactVictims is how many histories the evictor scans whole.
	exactVictims = 256
	evictSample  = 128
	// evictQuantile: the threshold is the 1/evictQuantile quantile.
	evictQuantile = 8
	// evictRefresh is the most victims one threshold picks: a small share
	// of the histories under it once the tree keeps many.
	evictRefresh = 1024
	// evictScan is the most slots the hand passes looking for a victim
	// under the threshold before it takes any.
	evictScan = 4096
)

// evictor is the eviction's state between victims.
type evictor struct {
	hand      int   // next history slot the hand looks at
	threshold int64 // newest-message time at or below which a history goes
	// left is how many more victims the threshold may give (see take);
	// at 0 the next victim draws a new one.
	left   int
	rng    uint64 // splitmix64 state for the sample
	sample []int64
	// sampled counts the histories every threshold sampled: what a test
	// bounds per victim instead of a time.
	sampled uint64
}

// newest is the receive time of h's newest kept message (MinInt64 when
// it keeps none: it goes first).
func (t *Tree) newest(h *history) int64 {
	if h.n == 0 {
		return math.MinInt64
	}
	return t.slot(h, (int(h.head)+int(h.n)-1)%h.slots()).received
}

// victim returns the history whose oldest message the budget evicts next:
// the idlest one not node skip's. False when skip's is the only one.
func (t *Tree) victim(skip uint32) (uint32, bool) {
	s := &t.hists
	if s.used <= exactVictims {
		best, at := -1, int64(math.MaxInt64)
		for i := range s.used {
			if h := s.at(uint32(i)); h.node != skip {
				if r := t.newest(h); best < 0 || r < at {
					best, at = i, r
				}
			}
		}
		return uint32(best), best >= 0
	}
	e := &t.evictor
	if e.left == 0 {
		e.threshold, e.left = t.evictThreshold(skip), evictRefresh
	}
	for attempt := range 3 {
		for range evictScan {
			if e.hand >= s.used {
				e.hand = 0
			}
			if h := s.at(uint32(e.hand)); h.node != skip && t.newest(h) <= e.threshold {
				return uint32(e.hand), true
			}
			e.hand++
		}
		if attempt == 0 {
			// Those under the threshold are gone where the hand looked:
			// a fresh one.
			e.threshold = t.evictThreshold(skip)
		} else {
			// Still none (a skewed sample): any history will do, so the
			// budget holds; for this victim only, the next draws afresh.
			e.threshold, e.left = math.MaxInt64, 0
		}
	}
	return 0, false // unreachable: over 256 histories, one is not skip's
}

// take evicts the oldest message of victim v. Only victims taken count
// towards the threshold's refresh: roomToGrow turns down most of those it
// is offered under a round-robin flood, and counting those drew a sample
// every evictRefresh messages (6% of such a flood's apply).
func (t *Tree) take(v uint32) {
	if e := &t.evictor; e.left > 0 {
		e.left--
	}
	t.evictOldest(v)
}

// evictThreshold samples histories at random slots and returns the
// newest-message time at or below which one counts as idle.
func (t *Tree) evictThreshold(skip uint32) int64 {
	e := &t.evictor
	s := e.sample[:0]
	for range evictSample {
		if h := t.hists.at(uint32(splitmix64(&e.rng) % uint64(t.hists.used))); h.node != skip {
			s = append(s, t.newest(h))
		}
	}
	e.sample = s
	e.sampled += evictSample
	if len(s) == 0 {
		return math.MaxInt64
	}
	slices.Sort(s)
	return s[len(s)/evictQuantile]
}
