package model

import (
	"slices"
	"unsafe"
)

// keptMsg is one kept message as the tree stores it: 32 bytes and no
// pointer, where a Message is 104 bytes and five. The payload is a span of
// the payload slab (named by class and index), the rarely used reply,
// headers and Via an entry of the tree's extras; the subject is the node's.
type keptMsg struct {
	seq      uint64
	received int64
	dataLen  uint32
	size     int32  // the payload's size on the wire
	span     uint32 // the payload's index in its class (see class)
	extra    uint32 // index + 1 in the tree's extras, 0 for none
}

// class is the payload's class in the payload slab, which its kept length
// decides: not kept, it would pad the slot to 40 bytes instead of 32.
func (k *keptMsg) class() uint8 {
	if k.dataLen > payloadSmallMax {
		return payloadBig
	}
	c, _ := payloadClass(int(k.dataLen))
	return c
}

// keptExtra is what most messages do not have.
type keptExtra struct {
	reply, via string
	header     Header
	// sum is Message.Sum of a payload cut to the kept bytes, so a diff
	// can tell two cut payloads apart (or equal) without their tails.
	sum uint64
}

// keptExtraCost is what a keptExtra costs the heap before its strings.
const keptExtraCost = int64(unsafe.Sizeof(keptExtra{}))

// history is a ring of the newest messages on one subject. Histories live
// in the tree's history slab, where the budget's evictor finds the idle
// ones (see victim): no list links them. Slot 0 of the ring is inline
// (first): a subject keeping one message costs one history slot; deeper
// rings put slots 1.. in a span of the ring slab (keptMsgs as bytes: they
// hold no pointer). A history holds no pointer either, so the history
// slab's chunks are noscan too.
type history struct {
	first     keptMsg
	node      uint32 // the node whose history this is
	ring      uint32 // slots 1.. : index of the span in the ring slab
	head, n   uint16
	ringLen   uint16 // slots in the ring span, 0 when there is none
	ringClass uint8  // the ring span's class
}

// keptCost is what a history costs the budget, counted while the subject
// keeps a message: its slot, which holds the first message. The ring span
// for the others is counted as it grows (ringBytes), each message's
// payload and extras as they are kept.
const keptCost = int64(unsafe.Sizeof(history{}))

// maxHistoryDepth bounds HistoryDepth to what history's counters hold.
const maxHistoryDepth = 1 << 15

// keptSize is a keptMsg's size in a ring span.
const keptSize = int(unsafe.Sizeof(keptMsg{}))

func (h *history) slots() int { return 1 + int(h.ringLen) }

// slot is ring slot i of h: valid until the ring slab next allocates or
// frees (another history's ring may move into this one's place).
func (t *Tree) slot(h *history, i int) *keptMsg {
	if i == 0 {
		return &h.first
	}
	b := t.rings.bytes(h.ringClass, h.ring, int(h.ringLen)*keptSize)
	return (*keptMsg)(unsafe.Pointer(&b[(i-1)*keptSize]))
}

// at returns the i-th kept message of h, oldest first, as a Message on
// subject. Its payload is a copy: spans move and are reused, and the UI
// keeps what it shows.
func (t *Tree) at(h *history, i int, subject string) Message {
	k := t.slot(h, (int(h.head)+i)%h.slots())
	m := Message{Seq: k.seq, Received: k.received, Subject: subject, Size: int(k.size)}
	if k.dataLen > 0 {
		m.Data = slices.Clone(t.payload(k.class(), k.span, int(k.dataLen)))
	}
	if k.extra != 0 {
		x := &t.extras[k.extra-1]
		m.Reply, m.Via, m.Header, m.Sum = x.reply, x.via, x.header, x.sum
	}
	return m
}

// hist is n's history, nil if it keeps none (or n was removed).
func (n Node) hist() *history {
	if p := n.get(); p != nil && p.hist != 0 {
		return n.t.hists.at(p.hist - 1)
	}
	return nil
}

// Last returns the newest kept message on exactly this subject.
func (n Node) Last() (Message, bool) {
	h := n.hist()
	if h == nil || h.n == 0 {
		return Message{}, false
	}
	return n.t.at(h, int(h.n)-1, n.Subject()), true
}

// HistoryLen is how many messages are kept on exactly this subject.
func (n Node) HistoryLen() int {
	if h := n.hist(); h != nil {
		return int(h.n)
	}
	return 0
}

// HistoryAt returns the i-th kept message, oldest first, without copying
// the whole history (the inspector asks for one or two per frame). The
// zero Message if i is not kept (any more).
func (n Node) HistoryAt(i int) Message {
	h := n.hist()
	if h == nil || i < 0 || i >= int(h.n) {
		return Message{}
	}
	return n.t.at(h, i, n.Subject())
}

// HistorySeq is HistoryAt(i).Seq without copying the message's payload
// (0 if i is not kept).
func (n Node) HistorySeq(i int) uint64 {
	h := n.hist()
	if h == nil || i < 0 || i >= int(h.n) {
		return 0
	}
	return n.t.slot(h, (int(h.head)+i)%h.slots()).seq
}

// History returns the kept messages on exactly this subject, oldest first.
func (n Node) History() []Message {
	h := n.hist()
	if h == nil {
		return nil
	}
	subj := n.Subject()
	out := make([]Message, h.n)
	for i := range out {
		out[i] = n.t.at(h, i, subj)
	}
	return out
}

// messageCost is the fixed part of what a Message kept in a pane's ring
// costs: the struct and its share of the ring.
const messageCost = 112

// messageBytes is what a kept Message costs a pane's budget.
// Its subject and payload are the pane's own copy (Message.Owned).
func messageBytes(m *Message) int64 {
	return messageCost + int64(len(m.Subject)+len(m.Data)) + extraBytes(m)
}

// extraBytes is what m's reply and headers cost beyond the fixed part.
func extraBytes(m *Message) int64 {
	c := int64(len(m.Reply))
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

// setKept stores m in k, ring slot slot of history hist, its payload cut
// to the kept bytes and copied into the payload slab (reusing k's span
// when it has one of the right class), and returns what k costs the
// budget: the payload's span and the extras.
func (t *Tree) setKept(k *keptMsg, m *Message, hist uint32, slot int) int64 {
	data, sum := cutPayload(m, t.opts.MaxPayload)
	reuse := k.dataLen > 0 && k.dataLen <= payloadSmallMax && len(data) > 0 && len(data) <= payloadSmallMax
	if reuse {
		if c, _ := payloadClass(len(data)); c != k.class() {
			reuse = false
		}
	}
	if !reuse && k.dataLen > 0 {
		t.freePayload(k.class(), k.span)
	}
	t.freeExtra(k)
	*k = keptMsg{seq: m.Seq, received: m.Received, dataLen: uint32(len(data)), size: int32(m.Size), span: k.span}
	switch {
	case reuse:
		copy(t.payload(k.class(), k.span, len(data)), data)
	case len(data) > 0:
		_, k.span = t.storePayload(data, hist, slot)
	}
	cost := payloadCost(len(data))
	if m.Reply != "" || m.Via != "" || len(m.Header) > 0 || sum != 0 {
		k.extra = t.newExtra(keptExtra{reply: m.Reply, via: m.Via, header: m.Header, sum: sum})
		cost += keptExtraCost + int64(len(m.Via)) + extraBytes(m)
	}
	return cost
}

// newExtra stores x in the extras and returns its index + 1.
func (t *Tree) newExtra(x keptExtra) uint32 {
	if k := len(t.extrasFree); k > 0 {
		i := t.extrasFree[k-1]
		t.extrasFree = t.extrasFree[:k-1]
		t.extras[i] = x
		return i + 1
	}
	t.extras = append(t.extras, x)
	return uint32(len(t.extras))
}

// freeExtra frees k's extras, if any.
func (t *Tree) freeExtra(k *keptMsg) {
	if k.extra == 0 {
		return
	}
	t.extras[k.extra-1] = keptExtra{} // do not pin its strings
	t.extrasFree = append(t.extrasFree, k.extra-1)
	k.extra = 0
	if len(t.extrasFree) == len(t.extras) && cap(t.extras) > 64 {
		t.extras, t.extrasFree = nil, nil // none left: give the table back
	}
}

// extrasSlack is what the extras table holds beyond its entries in use
// (counted in kept).
func (t *Tree) extrasSlack() int64 {
	return int64(cap(t.extras)-len(t.extras)+len(t.extrasFree))*keptExtraCost + int64(cap(t.extrasFree))*4
}

// dropKept frees what k holds (its payload's span, its extras) and
// returns what it cost.
func (t *Tree) dropKept(k *keptMsg) int64 {
	c := t.cost(k)
	if k.dataLen > 0 {
		t.freePayload(k.class(), k.span)
	}
	t.freeExtra(k)
	*k = keptMsg{}
	return c
}

// cost is what setKept returned for k.
func (t *Tree) cost(k *keptMsg) int64 {
	c := payloadCost(int(k.dataLen))
	if k.extra != 0 {
		x := &t.extras[k.extra-1]
		m := Message{Reply: x.reply, Header: x.header}
		c += keptExtraCost + int64(len(x.via)) + extraBytes(&m)
	}
	return c
}

// keep stores a copy of m in node id's history and enforces the budget.
func (t *Tree) keep(id uint32, m *Message) {
	n := t.nodes.at(id)
	if n.hist == 0 {
		n.hist = t.hists.alloc(id) + 1
		t.kept += keptCost
	}
	hid := n.hist - 1
	h := t.hists.at(hid)
	var cost int64
	switch size := h.slots(); {
	case int(h.n) < size:
		i := (int(h.head) + int(h.n)) % size
		cost = t.setKept(t.slot(h, i), m, hid, i)
		h.n++
	case size < t.opts.HistoryDepth && t.roomToGrow(id, m):
		// Still growing: put the ring in order first so the new slot lands
		// last. Growing is rare (a ring grows to its depth once).
		hid = n.hist - 1 // evicting may have moved it
		h = t.hists.at(hid)
		if h.head != 0 {
			ring := make([]keptMsg, size)
			for i := range ring {
				ring[i] = *t.slot(h, (int(h.head)+i)%size)
			}
			for i := range ring {
				*t.slot(h, i) = ring[i]
				t.moveOwner(&ring[i], hid, i)
			}
			h.head = 0
		}
		t.growRing(h, hid)
		cost = t.setKept(t.slot(h, size), m, hid, size)
		h.n++
	default:
		hid = n.hist - 1 // roomToGrow may have evicted
		h = t.hists.at(hid)
		if size < t.opts.HistoryDepth {
			t.Evicted++ // the budget did not let the ring grow: its oldest goes
		}
		old := t.slot(h, int(h.head))
		t.kept -= t.cost(old)
		cost = t.setKept(old, m, hid, int(h.head))
		h.head = uint16((int(h.head) + 1) % size)
	}
	t.kept += cost
	// Evict the idlest other subjects first, then n's own older messages:
	// only the message just kept may leave the tree over budget. Evicting
	// may move n's history in the slab: read n.hist afresh.
	for t.MemoryUsed()+t.reserved > t.opts.MaxMemory {
		v, ok := t.victim(id)
		if !ok {
			if v = n.hist - 1; t.hists.at(v).n <= 1 {
				break
			}
			t.evictOldest(v) // its own: not a victim
			continue
		}
		t.take(v)
	}
}

// roomToGrow reports whether node id's full ring may grow a slot for m:
// it evicts the idlest other subjects (see victim) until the larger ring
// and m fit the budget. It says no, and the ring overwrites its oldest,
// once only id's own history is left (evicting its own messages would not
// shrink the ring) or once the victim the evictor offers (the idlest
// other subject, approximately: see victim) has had a message since id's
// oldest: id is then about the idlest, and its oldest message is what
// goes. Growing there would evict a busier subject's messages for an
// idler one's older ones; under a flood round-robin over more subjects
// than the budget keeps two messages of (1M), every message did, taking
// the next subject's only message, a third of the apply's cost, for a
// tree no better kept.
func (t *Tree) roomToGrow(id uint32, m *Message) bool {
	h := t.hists.at(t.nodes.at(id).hist - 1)
	need := payloadCost(min(len(m.Data), t.opts.MaxPayload))
	if int(h.ringLen) == t.ringCap(h) {
		want := min(max(2*int(h.ringLen), 1), t.opts.HistoryDepth-1)
		need += payloadCost(want*keptSize) - t.ringBytes(h)
	}
	oldest := t.slot(h, int(h.head)).received // h may move below
	for t.MemoryUsed()+t.reserved+need > t.opts.MaxMemory {
		v, ok := t.victim(id)
		if !ok || t.newest(t.hists.at(v)) > oldest {
			return false
		}
		t.take(v)
	}
	return true
}

// evictOldest drops the oldest kept message of history hid, freeing the
// history when it is empty (which moves another history into its slot).
func (t *Tree) evictOldest(hid uint32) {
	h := t.hists.at(hid)
	if h.n > 0 {
		t.kept -= t.dropKept(t.slot(h, int(h.head)))
		h.head = uint16((int(h.head) + 1) % h.slots())
		h.n--
		t.Evicted++
	}
	if h.n == 0 {
		t.nodes.at(h.node).hist = 0
		t.releaseHist(hid)
	}
}

// histChunk is how many histories the slab allocates at once: 48 KiB,
// twelve whole pages.
const histChunk = 1024

// histSlab holds every history, densely: releasing one moves the last into
// its slot, so the slab holds as many slots as there are histories (and
// at most one spare chunk), and the budget's count of them stays true
// after a burst of subjects is evicted.
type histSlab struct {
	chunks [][]history
	used   int
}

func (s *histSlab) at(id uint32) *history { return &s.chunks[id/histChunk][id%histChunk] }

// alloc returns an empty history for node id.
func (s *histSlab) alloc(node uint32) uint32 {
	if s.used == len(s.chunks)*histChunk {
		s.chunks = append(s.chunks, make([]history, histChunk))
	}
	id := uint32(s.used)
	s.used++
	*s.at(id) = history{node: node}
	return id
}

// releaseHist frees h, unlinked, and its ring span, by moving the slab's
// last history into its slot: what refers to that history (its node's
// index, the list's ends, its neighbours' links, the owner entries of its
// payloads and ring span) follows it. Callers must not hold a *history
// across it.
func (t *Tree) releaseHist(id uint32) {
	s := &t.hists
	h := s.at(id)
	t.kept -= keptCost + t.ringBytes(h)
	if h.ringLen > 0 {
		t.freeRing(h) // first: the ring moved into its place may be last's
		h.ringLen = 0
	}
	last := s.at(uint32(s.used - 1))
	if last != h {
		*h = *last
		t.nodes.at(h.node).hist = id + 1
		if h.ringLen > 0 {
			t.rings.setOwner(h.ringClass, h.ring, uint64(id))
		}
		for i := range h.slots() {
			t.moveOwner(t.slot(h, i), id, i)
		}
	}
	*last = history{}
	s.used--
	// Free the last chunk once a whole spare one is left before it.
	if k := len(s.chunks); k >= 2 && s.used <= (k-2)*histChunk {
		s.chunks[k-1] = nil
		s.chunks = s.chunks[:k-1]
	}
}
