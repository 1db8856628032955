package model

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestByteSlabReuse allocates and frees random strings (short, in every
// class, and longer than a class): every live span keeps its bytes, freed
// spans are reused by the next string of their class, so churn at a
// steady mix does not grow the slab, and long strings' chunks are given
// back.
func TestByteSlabReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	s := newByteSlab()
	type live struct {
		span uint64
		data []byte
	}
	var spans []live
	size := func() int {
		switch rng.IntN(10) {
		case 0:
			return slabLargeMax + 1 + rng.IntN(50_000)
		case 1, 2:
			return 513 + rng.IntN(slabLargeMax-512)
		default:
			return 9 + rng.IntN(100)
		}
	}
	var heldAfterWarmup int64
	for step := range 40_000 {
		if len(spans) > 0 && (len(spans) > 500 || rng.IntN(2) == 0) {
			i := rng.IntN(len(spans))
			l := spans[i]
			if got := s.bytes(l.span, len(l.data)); !bytes.Equal(got, l.data) {
				t.Fatalf("step %d: a %d-byte span holds other bytes", step, len(l.data))
			}
			s.release(l.span, len(l.data))
			spans[i] = spans[len(spans)-1]
			spans = spans[:len(spans)-1]
			continue
		}
		n := size()
		d := []byte(fmt.Sprintf("%d:", step))
		for len(d) < n {
			d = append(d, byte(step+len(d)))
		}
		sp := s.alloc(n)
		copy(s.bytes(sp, n), d)
		spans = append(spans, live{sp, d})
		if step >= 20_000 && heldAfterWarmup == 0 {
			heldAfterWarmup = s.heldBytes()
		}
	}
	for _, l := range spans {
		if got := s.bytes(l.span, len(l.data)); !bytes.Equal(got, l.data) {
			t.Fatalf("a %d-byte span holds other bytes", len(l.data))
		}
	}
	// The mix is steady after the warm-up: the second half reuses spans.
	if held := s.heldBytes(); held > heldAfterWarmup*3/2 {
		t.Errorf("held %d bytes after the warm-up, %d at the end: freed spans are not reused", heldAfterWarmup, held)
	}
	for _, l := range spans {
		s.release(l.span, len(l.data))
	}
	if s.live != 0 {
		t.Errorf("live %d after freeing everything", s.live)
	}
	for i, c := range s.chunks {
		if c != nil && len(c) != slabChunk {
			t.Errorf("chunk %d: a long string's chunk (%d bytes) was not given back", i, len(c))
		}
	}
}
