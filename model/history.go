package model

import (
	"slices"
)

// history is a ring of the newest messages on one subject, linked into the
// tree's least-recently-kept list so the budget evicts idle subjects first.
type history struct {
	buf []Message
	// cost[i] is what buf[i] costs the budget, kept so that overwriting or
	// evicting a slot does not read the old message: at high rates with many
	// subjects that read is a cache miss, the largest single cost of Apply.
	cost       []int32
	head, n    int
	prev, next *Node
	// prevH and nextH are prev.hist and next.hist: relinking touches only
	// the neighbours' histories, not their nodes as well (each a cache miss
	// when thousands of subjects take turns).
	prevH, nextH *history
}

func (h *history) at(i int) Message { return h.buf[(h.head+i)%len(h.buf)] }

// messageBytes is what a kept message costs the budget.
func messageBytes(m *Message) int64 {
	c := int64(messageCost + len(m.Data) + len(m.Reply))
	if len(m.Header) == 0 {
		return c // skips starting a map iteration: this runs twice per message
	}
	for k, vs := range m.Header {
		c += int64(len(k)) + 16
		for _, v := range vs {
			c += int64(len(v)) + 16
		}
	}
	return c
}

// keptCopy is m as the tree and the panes keep it: the payload cut to max
// bytes, in a copy (a sub-slice would pin the whole large payload).
func keptCopy(m *Message, max int) Message {
	c := *m
	if len(c.Data) > max {
		c.Data = slices.Clone(c.Data[:max])
	}
	return c
}

// keep stores a copy of m in n's history and enforces the budget.
func (t *Tree) keep(n *Node, m *Message) {
	c := keptCopy(m, t.opts.MaxPayload)
	c.Subject = n.Subject // share the node's string instead of the wire's
	h := n.hist
	if h == nil {
		h = &history{}
		n.hist = h
	}
	depth := t.opts.HistoryDepth
	cost := int32(messageBytes(&c)) // at most MaxPayload plus headers (< 2 GiB)
	switch {
	case h.n < len(h.buf):
		i := (h.head + h.n) % len(h.buf)
		h.buf[i], h.cost[i] = c, cost
		h.n++
	case len(h.buf) < depth:
		// Still growing: put the ring in order first so append lands last.
		// Rotate in place: appending h.buf[:head] to h.buf[head:] would
		// leave stale copies before the new start, pinning old payloads.
		if h.head != 0 {
			rotate(h.buf, h.head)
			rotate(h.cost, h.head)
			h.head = 0
		}
		h.buf = append(h.buf, c)
		h.cost = append(h.cost, cost)
		h.n++
	default:
		t.kept -= int64(h.cost[h.head])
		h.buf[h.head], h.cost[h.head] = c, cost
		h.head = (h.head + 1) % len(h.buf)
	}
	t.kept += int64(cost)
	t.touch(n)
	// Evict least recently kept subjects first, then n's own older messages:
	// only the message just kept may leave the tree over budget.
	for t.MemoryUsed()+t.reserved > t.opts.MaxMemory {
		old := t.lruHead
		if old == nil || (old == n && h.n <= 1) {
			break
		}
		t.evictOldest(old)
	}
}

// rotate moves s[k:] to the front of s in place.
func rotate[T any](s []T, k int) {
	slices.Reverse(s[:k])
	slices.Reverse(s[k:])
	slices.Reverse(s)
}

// evictOldest drops the oldest kept message of n, freeing the ring when empty.
func (t *Tree) evictOldest(n *Node) {
	h := n.hist
	if h == nil || h.n == 0 {
		t.unlink(n)
		n.hist = nil // callers loop until hist is nil
		return
	}
	t.kept -= int64(h.cost[h.head])
	h.buf[h.head], h.cost[h.head] = Message{}, 0
	h.head = (h.head + 1) % len(h.buf)
	h.n--
	t.Evicted++
	if h.n == 0 {
		t.unlink(n)
		n.hist = nil
	}
}

// touch moves n to the most-recently-kept end of the list.
func (t *Tree) touch(n *Node) {
	if t.lruTail == n {
		return
	}
	t.unlink(n)
	h := n.hist
	h.prev = t.lruTail
	if t.lruTail != nil {
		th := t.lruTail.hist
		th.next, th.nextH = n, h
		h.prevH = th
	}
	t.lruTail = n
	if t.lruHead == nil {
		t.lruHead = n
	}
}

func (t *Tree) unlink(n *Node) {
	h := n.hist
	if h == nil {
		return
	}
	if h.prevH != nil {
		h.prevH.next, h.prevH.nextH = h.next, h.nextH
	} else if t.lruHead == n {
		t.lruHead = h.next
	}
	if h.nextH != nil {
		h.nextH.prev, h.nextH.prevH = h.prev, h.prevH
	} else if t.lruTail == n {
		t.lruTail = h.prev
	}
	h.prev, h.next, h.prevH, h.nextH = nil, nil, nil, nil
}

// prune removes the least recently seen tenth of the leaves once the tree
// holds more nodes than the budget allows. Their counts stay in their
// parents' totals; keep is never pruned (it is being created).
func (t *Tree) prune(keep *Node) {
	var seen []int64
	step := len(t.nodes)/4096 + 1
	for i := 0; i < len(t.nodes); i += step {
		if n := t.nodes[i]; !n.HasChildren() && n != keep {
			seen = append(seen, n.LastSeen)
		}
	}
	if len(seen) == 0 {
		return
	}
	slices.Sort(seen)
	threshold := seen[len(seen)/10]
	target := len(t.nodes) / 10
	removed := 0
	parents := map[*Node]bool{}
	for _, n := range t.nodes {
		if removed >= target {
			break
		}
		if n == keep || n.HasChildren() || n.LastSeen > threshold {
			continue
		}
		for n.hist != nil {
			t.evictOldest(n)
		}
		n.removed = true
		t.leaves.forget(n)
		removed++
		if p := n.Parent; p != nil {
			delete(p.branch.kids, n.Name)
			parents[p] = true
		} else {
			delete(t.roots, n.Name)
			t.dirty = true
		}
	}
	isRemoved := func(n *Node) bool { return n.removed }
	t.nodes = slices.DeleteFunc(t.nodes, isRemoved)
	t.order = slices.DeleteFunc(t.order, isRemoved)
	for p := range parents {
		p.branch.order = slices.DeleteFunc(p.branch.order, isRemoved)
		if len(p.branch.kids) == 0 {
			p.branch = nil
		}
	}
	t.Pruned += uint64(removed)
	t.structure++
}

// Removed reports whether the node was pruned from the tree.
func (n *Node) Removed() bool { return n.removed }
