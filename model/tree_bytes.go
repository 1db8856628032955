package model

// byteSlab keeps byte strings (token names too long to sit in their node,
// kept payloads) in 64 KiB chunks of plain bytes, which the GC allocates as
// noscan memory and never scans, as fastcache and VictoriaMetrics keep
// their values: a kept payload is a span of a chunk, not an object of its
// own for the GC to mark. A span is named by a uint64 (chunk << 32 |
// offset), so whatever refers to it stays pointer-free too.
//
// Freed spans go on a free list per size class and are reused by the next
// string of that class, so churn (pruning, evicting) does not grow the
// slab: classes are 8-byte steps up to 512 bytes and powers of two up to
// half a chunk; a longer string gets a chunk of its own, which is
// dropped (given back to the GC) when it is freed. What is not reclaimed
// (spans waiting on a free list, a chunk's tail too short for the string
// that came next) stays counted in held, which the budget charges.
type byteSlab struct {
	chunks     [][]byte
	cur        int // the chunk being filled; -1 before the first
	off        int // the next free byte in chunks[cur]
	free       [slabClasses][]uint64
	freeChunks []uint32 // indices of dropped dedicated chunks, for reuse
	held       int64    // bytes handed out, free-listed or abandoned, and dedicated chunks
	live       int64    // bytes of the live spans (class sizes)
	lists      int64    // bytes of chunks, freeChunks and free's backing arrays
}

const (
	slabChunk    = 64 << 10
	slabSmallMax = 512                // 8-byte classes up to here
	slabLargeMax = slabChunk / 2      // power-of-two classes up to here; longer: a chunk of its own
	slabClasses  = slabSmallMax/8 + 6 // 8..512, then 1K..32K
	spanOffMask  = uint64(1)<<32 - 1  // a span's offset bits
)

func newByteSlab() byteSlab { return byteSlab{cur: -1} }

// slabClass returns the class of a string of size bytes (size > 0, at most
// slabLargeMax) and the bytes the class hands out.
func slabClass(size int) (class, bytes int) {
	if size <= slabSmallMax {
		c := (size + 7) / 8
		return c - 1, c * 8
	}
	c, b := slabSmallMax/8, 1024
	for b < size {
		c++
		b *= 2
	}
	return c, b
}

// alloc returns a span of size bytes (size > 0).
func (s *byteSlab) alloc(size int) uint64 {
	if size > slabLargeMax {
		i := len(s.chunks)
		if k := len(s.freeChunks); k > 0 {
			i = int(s.freeChunks[k-1])
			s.freeChunks = s.freeChunks[:k-1]
			s.chunks[i] = make([]byte, size)
		} else {
			s.addChunk(make([]byte, size))
		}
		s.held += int64(size)
		s.live += int64(size)
		return uint64(i) << 32
	}
	c, b := slabClass(size)
	s.live += int64(b)
	if l := s.free[c]; len(l) > 0 {
		span := l[len(l)-1]
		s.free[c] = l[:len(l)-1]
		return span
	}
	if s.cur < 0 || s.off+b > slabChunk {
		if s.cur >= 0 {
			s.held += int64(slabChunk - s.off) // the tail is lost
		}
		s.cur, s.off = len(s.chunks), 0
		s.addChunk(make([]byte, slabChunk))
	}
	span := uint64(s.cur)<<32 | uint64(s.off)
	s.off += b
	s.held += int64(b)
	return span
}

// release frees span, which holds size bytes, for reuse.
func (s *byteSlab) release(span uint64, size int) {
	if size > slabLargeMax {
		i := uint32(span >> 32)
		s.chunks[i] = nil
		c0 := cap(s.freeChunks)
		s.freeChunks = append(s.freeChunks, i)
		s.lists += int64(cap(s.freeChunks)-c0) * 4
		s.held -= int64(size)
		s.live -= int64(size)
		return
	}
	c, b := slabClass(size)
	s.live -= int64(b)
	c0 := cap(s.free[c])
	s.free[c] = append(s.free[c], span)
	s.lists += int64(cap(s.free[c])-c0) * 8
}

// addChunk appends chunk c.
func (s *byteSlab) addChunk(c []byte) {
	c0 := cap(s.chunks)
	s.chunks = append(s.chunks, c)
	s.lists += int64(cap(s.chunks)-c0) * 24
}

// bytes returns the size bytes of span. They are the slab's: valid until
// the span is released, and then reused for another string.
func (s *byteSlab) bytes(span uint64, size int) []byte {
	off := int(span & spanOffMask)
	return s.chunks[span>>32][off : off+size : off+size]
}

// heldBytes is what the slab holds for the budget: every span handed out
// (live or waiting for reuse), abandoned tails, and its free lists.
func (s *byteSlab) heldBytes() int64 { return s.held + s.lists }

// slack is what the slab holds beyond its live spans.
func (s *byteSlab) slack() int64 { return s.heldBytes() - s.live }
