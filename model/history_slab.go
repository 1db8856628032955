package model

import "unsafe"

// payloadSlab keeps the kept messages' payloads as spans of plain byte
// chunks, which the GC allocates as noscan memory and never scans, as
// fastcache keeps its values: a million kept payloads are not a million
// objects for the GC to mark. A keptMsg names its payload's span by class
// and index, no pointer.
//
// Each size class is dense, as the history slab is: freeing a span moves
// the class's last span into its place (the span's owner, a history slot
// recorded beside it, learns its new index), so a class holds exactly its
// live spans, evicting gives memory back at once (a chunk at a time), and
// nothing fragments: what the budget counts is what is held, whatever the
// mix of sizes that came and went. Payloads longer than the largest class
// get an allocation of their own (few: a 256 MiB budget holds at most 64k
// of them), listed in big.
type payloadSlab struct {
	classes [payloadClasses]spanClass
	big     [][]byte // payloads over payloadSmallMax; nil entries are free
	bigFree []uint32
}

// slack is the big lists' own bytes (see payloadSlack). A class's spare
// spans are not counted: a class adds a chunk only when it is full and
// drops its last chunk once a whole spare one is left before it, so it
// never holds two chunks' worth of spare spans with their owner entries
// (at most ~1.8 MiB over all the classes, 64 KiB in class 0;
// checkPayloadOwners recounts it).
func (p *payloadSlab) slack() int64 {
	return int64(cap(p.big))*24 + int64(cap(p.bigFree))*4
}

// spanClass is one size class: n spans of size bytes, perChunk to a chunk.
type spanClass struct {
	chunks [][]byte
	// owners are each span's owner (history id << 16 | ring slot), a
	// chunk of them beside each chunk of spans: they come and go with
	// their spans, with no slice grown by copying (at 1M kept payloads of
	// one class a grown slice copied 8 MiB at a time into memory never
	// touched before, 5% of natsx's CPU in a flood on a machine whose
	// first touch of a page is dear).
	owners [][]uint64
	n      int
}

const (
	payloadSmallMax = 4 << 10  // the largest class
	payloadChunk    = 16 << 10 // at most this many bytes per chunk (see spanShift)
	payloadSteps    = 512 / 8  // 8-byte classes up to 512 bytes
	payloadClasses  = payloadSteps + 3
	// payloadBig marks a payload in big.
	payloadBig = 0xff
	// ownerCost is what a span's owner entry costs.
	ownerCost = int64(unsafe.Sizeof(uint64(0)))
)

// payloadClass is the class of a payload of size bytes (0 < size ≤
// payloadSmallMax) and its span's size.
func payloadClass(size int) (class uint8, span int) {
	if size <= 512 {
		c := (size + 7) / 8
		return uint8(c - 1), c * 8
	}
	c, b := payloadSteps, 1024
	for b < size {
		c++
		b *= 2
	}
	return uint8(c), b
}

// classSize is class c's span size.
func classSize(c uint8) int {
	if int(c) < payloadSteps {
		return (int(c) + 1) * 8
	}
	return 1024 << (int(c) - payloadSteps)
}

// payloadCost is what a payload of size bytes costs the budget: its span
// (or its own allocation, rounded as the allocator does) and its owner
// entry.
func payloadCost(size int) int64 {
	switch {
	case size == 0:
		return 0
	case size > payloadSmallMax:
		return int64(size+7) &^ 7
	}
	_, span := payloadClass(size)
	return int64(span) + ownerCost
}

// spanShift is log2 of how many spans of class c a chunk holds: the most
// that fit payloadChunk, rounded down to a power of two, so that finding
// a span is a shift and a mask (this is on every kept message's path),
// not two divisions.
func spanShift(c uint8) uint {
	size := classSize(c)
	k := uint(0)
	for size<<(k+1) <= payloadChunk {
		k++
	}
	return k
}

// spanShifts is spanShift of every class.
var spanShifts = func() (s [payloadClasses]uint8) {
	for c := range s {
		s[c] = uint8(spanShift(uint8(c)))
	}
	return s
}()

// chunkBytes is the size of class c's chunks.
func chunkBytes(c uint8) int { return classSize(c) << spanShifts[c] }

// span returns span i of class c.
func (s *spanClass) span(c uint8, i uint32) []byte {
	size := classSize(c)
	sh := spanShifts[c]
	off := int(i&(1<<sh-1)) * size
	return s.chunks[i>>sh][off : off+size : off+size]
}

// owner returns the owner entry of span i of class c.
func (s *spanClass) owner(c uint8, i uint32) *uint64 {
	sh := spanShifts[c]
	return &s.owners[i>>sh][i&(1<<sh-1)]
}

// alloc returns a span of class c for owner, at the end of the class.
func (s *spanClass) alloc(c uint8, owner uint64) uint32 {
	if s.n == len(s.chunks)<<spanShifts[c] {
		s.chunks = append(s.chunks, make([]byte, chunkBytes(c)))
		s.owners = append(s.owners, make([]uint64, 1<<spanShifts[c]))
	}
	i := uint32(s.n)
	s.n++
	*s.owner(c, i) = owner
	return i
}

// alloc returns a span of size bytes (0 < size) for owner: its class and
// index. Its bytes are zero for a new chunk, else what was there.
func (p *payloadSlab) alloc(size int, owner uint64) (uint8, uint32) {
	if size > payloadSmallMax {
		b := make([]byte, size)
		if k := len(p.bigFree); k > 0 {
			i := p.bigFree[k-1]
			p.bigFree = p.bigFree[:k-1]
			p.big[i] = b
			return payloadBig, i
		}
		p.big = append(p.big, b)
		return payloadBig, uint32(len(p.big) - 1)
	}
	c, _ := payloadClass(size)
	return c, p.classes[c].alloc(c, owner)
}

// bytes returns the n bytes of span (c, i): the slab's, valid until the
// next alloc or free.
func (p *payloadSlab) bytes(c uint8, i uint32, n int) []byte {
	if c == payloadBig {
		return p.big[i][:n]
	}
	return p.classes[c].span(c, i)[:n]
}

// free frees span (c, i). The class's last span moves into its place: free
// returns its owner, whom the caller tells (moved false when none moved).
func (p *payloadSlab) free(c uint8, i uint32) (owner uint64, moved bool) {
	if c == payloadBig {
		p.big[i] = nil
		p.bigFree = append(p.bigFree, i)
		return 0, false
	}
	s := &p.classes[c]
	last := uint32(s.n - 1)
	if i != last {
		copy(s.span(c, i), s.span(c, last))
		owner, moved = *s.owner(c, last), true
		*s.owner(c, i) = owner
	}
	s.n--
	// Give back the last chunk once a whole spare one is left before it.
	if k := len(s.chunks); k >= 2 && s.n <= (k-2)<<spanShifts[c] {
		s.chunks[k-1], s.owners[k-1] = nil, nil
		s.chunks, s.owners = s.chunks[:k-1], s.owners[:k-1]
	}
	return owner, moved
}

// setOwner records that span (c, i) is now owner's.
func (p *payloadSlab) setOwner(c uint8, i uint32, owner uint64) {
	if c != payloadBig {
		*p.classes[c].owner(c, i) = owner
	}
}

// storePayload copies data into a span for the message in ring slot slot
// of history hist, and returns the span's class and index.
func (t *Tree) storePayload(data []byte, hist uint32, slot int) (uint8, uint32) {
	c, i := t.payloads.alloc(len(data), uint64(hist)<<16|uint64(slot))
	copy(t.payloads.bytes(c, i, len(data)), data)
	return c, i
}

// payload returns the n bytes of span (c, i).
func (t *Tree) payload(c uint8, i uint32, n int) []byte { return t.payloads.bytes(c, i, n) }

// freePayload frees span (c, i), telling the owner of the span that moved
// into its place.
func (t *Tree) freePayload(c uint8, i uint32) {
	if o, moved := t.payloads.free(c, i); moved {
		t.slot(t.hists.at(uint32(o>>16)), int(o&0xffff)).span = i
	}
}

// moveOwner tells the payload of ring slot slot of history hist, k, that
// its owner moved (the history slab moved the history, or its ring was
// put in order).
func (t *Tree) moveOwner(k *keptMsg, hist uint32, slot int) {
	if k.dataLen > 0 {
		t.payloads.setOwner(k.class(), k.span, uint64(hist)<<16|uint64(slot))
	}
}

// payloadSlack is what the payload and ring slabs hold beyond the kept
// messages (counted in kept): the big lists' entries.
func (t *Tree) payloadSlack() int64 { return t.payloads.slack() + t.rings.slack() }

// ringBytes is what h's ring span costs: the span and its owner entry.
func (t *Tree) ringBytes(h *history) int64 {
	if h.ringLen == 0 {
		return 0
	}
	if h.ringClass == payloadBig {
		return payloadCost(len(t.rings.big[h.ring]))
	}
	return int64(classSize(h.ringClass)) + ownerCost
}

// ringCap is how many slots h's ring span holds.
func (t *Tree) ringCap(h *history) int {
	if h.ringLen == 0 {
		return 0
	}
	if h.ringClass == payloadBig {
		return len(t.rings.big[h.ring]) / keptSize
	}
	return classSize(h.ringClass) / keptSize
}

// growRing makes room for one more slot in h's ring, moving it to a span
// twice as large (up to the depth) when it is full.
func (t *Tree) growRing(h *history, hid uint32) {
	if int(h.ringLen) < t.ringCap(h) {
		h.ringLen++
		*t.slot(h, int(h.ringLen)) = keptMsg{}
		return
	}
	t.kept -= t.ringBytes(h)
	defer func() { t.kept += t.ringBytes(h) }()
	want := min(max(2*int(h.ringLen), 1), t.opts.HistoryDepth-1)
	c, i := t.rings.alloc(want*keptSize, uint64(hid))
	if h.ringLen > 0 {
		copy(t.rings.bytes(c, i, int(h.ringLen)*keptSize), t.rings.bytes(h.ringClass, h.ring, int(h.ringLen)*keptSize))
		t.freeRing(h)
	}
	h.ringClass, h.ring = c, i
	h.ringLen++
	*t.slot(h, int(h.ringLen)) = keptMsg{}
}

// freeRing frees h's ring span, telling the history whose ring moved into
// its place.
func (t *Tree) freeRing(h *history) {
	if o, moved := t.rings.free(h.ringClass, h.ring); moved {
		t.hists.at(uint32(o)).ring = h.ring
	}
}
