package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// held is the bytes class c holds in spare spans and their owner entries
// past the two chunks the slab leaves uncounted (payloadSlab.slack): 0
// while the slab keeps its bound.
func (s *spanClass) held(c uint8) int64 {
	per := int64(classSize(c)) + ownerCost
	slack := int64(len(s.chunks)<<spanShifts[c]-s.n) * per
	return max(slack-2*per<<spanShifts[c], 0)
}

// checkPayloadOwners checks that every span of the payload slab's classes
// is owned by the history slot whose message names it, and that the
// classes keep their bound on spare spans, which slack() does not count.
func checkPayloadOwners(t *testing.T, tr *Tree) {
	t.Helper()
	p := &tr.payloads
	slack := int64(cap(p.big))*24 + int64(cap(p.bigFree))*4
	for c := range p.classes {
		s := &p.classes[c]
		if len(s.chunks) > 0 {
			slack += s.held(uint8(c))
		}
		for i := range s.n {
			o := *s.owner(uint8(c), uint32(i))
			h := uint32(o >> 16)
			if int(h) >= tr.hists.used {
				t.Fatalf("class %d span %d: owner history %d of %d", c, i, h, tr.hists.used)
			}
			k := tr.slot(tr.hists.at(h), int(o&0xffff))
			if k.dataLen == 0 || int(k.class()) != c || int(k.span) != i {
				t.Fatalf("class %d span %d: its owner's message names class %d span %d (%d bytes)", c, i, k.class(), k.span, k.dataLen)
			}
		}
	}
	if slack != p.slack() {
		t.Fatalf("payload slack recounted %d, kept %d", slack, p.slack())
	}
	for c := range tr.rings.classes {
		s := &tr.rings.classes[c]
		for i := range s.n {
			h := tr.hists.at(uint32(*s.owner(uint8(c), uint32(i))))
			if h.ringLen == 0 || int(h.ringClass) != c || int(h.ring) != i {
				t.Fatalf("ring class %d span %d: its history names class %d span %d (%d slots)", c, i, h.ringClass, h.ring, h.ringLen)
			}
		}
	}
	rings := 0
	for id := range tr.hists.used {
		if h := tr.hists.at(uint32(id)); h.ringLen > 0 && h.ringClass != payloadBig {
			rings++
		}
	}
	n := 0
	for c := range tr.rings.classes {
		n += tr.rings.classes[c].n
	}
	if n != rings {
		t.Fatalf("the ring slab holds %d spans, %d histories have one", n, rings)
	}
}

// TestTreePayloadsRandom keeps payloads of random sizes (empty, in every
// kind of class, and over the largest) on random subjects under a small
// budget, so spans are evicted, moved into each other's places, rings grow
// and histories move in their slab: every kept message must still read
// back its own bytes.
func TestTreePayloadsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	tr := NewTree(TreeOptions{MaxMemory: 2 << 20, HistoryDepth: 6}, treeT0)
	payload := func(seq uint64, size int) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(seq*31 + uint64(i)*7)
		}
		return b
	}
	sizes := map[uint64]int{}
	for seq := uint64(1); seq <= 30_000; seq++ {
		var size int
		switch rng.IntN(6) {
		case 0:
			size = 0
		case 1:
			size = 1 + rng.IntN(8)
		case 2:
			size = 1 + rng.IntN(512)
		case 3:
			size = 513 + rng.IntN(payloadSmallMax-512)
		case 4:
			size = payloadSmallMax + 1 + rng.IntN(3000)
		default:
			size = 16
		}
		sizes[seq] = size
		m := &Message{Seq: seq, Subject: fmt.Sprintf("p.%d.%d", rng.IntN(20), rng.IntN(40)), Received: treeT0 + int64(seq)*1e6,
			Data: payload(seq, size), Size: size}
		tr.Apply(m)
		if seq%1000 == 0 || seq > 29_990 {
			checkLRU(t, tr)
			for _, n := range tr.Nodes() {
				for _, k := range n.History() {
					if want := payload(k.Seq, sizes[k.Seq]); !slices.Equal(k.Data, want) {
						t.Fatalf("message %d on %s: %d bytes read back wrong (want %d)", k.Seq, n.Subject(), len(k.Data), len(want))
					}
				}
			}
		}
	}
	if tr.Evicted == 0 {
		t.Fatal("nothing evicted: the test proves nothing")
	}
}

// A class's spans and owner entries across chunk edges: spans filled past
// three chunks, freed in random order (the last moving into each freed
// place, its owner and bytes with it), then taken and given back at a
// chunk's edge. The owners' chunks follow the spans' one for one, and at
// most one spare chunk is kept.
func TestSpanClassChunkEdges(t *testing.T) {
	for _, c := range []uint8{0, 1, 2, 63, 64, 66} {
		t.Run(fmt.Sprint("class ", c), func(t *testing.T) {
			var p payloadSlab
			per := 1 << spanShifts[c]
			size := classSize(c)
			// owners[i] is who owns span i; its first byte says so too.
			var owners []uint64
			check := func() {
				t.Helper()
				s := &p.classes[c]
				if s.n != len(owners) {
					t.Fatalf("class holds %d spans, want %d", s.n, len(owners))
				}
				if len(s.chunks) != len(s.owners) {
					t.Fatalf("%d span chunks, %d owner chunks", len(s.chunks), len(s.owners))
				}
				if spare := len(s.chunks)*per - s.n; spare >= 2*per {
					t.Fatalf("%d spans spare in %d chunks of %d", spare, len(s.chunks), per)
				}
				for i, o := range owners {
					if got := *s.owner(c, uint32(i)); got != o {
						t.Fatalf("span %d: owner %d, want %d", i, got, o)
					}
					if b := p.bytes(c, uint32(i), size); b[0] != byte(o) || b[size-1] != byte(o>>8) {
						t.Fatalf("span %d: bytes %d %d, want its owner %d's", i, b[0], b[size-1], o)
					}
				}
			}
			next := uint64(1)
			alloc := func() {
				o := next
				next++
				_, i := p.alloc(size, o)
				if int(i) != len(owners) {
					t.Fatalf("alloc gave span %d, want %d", i, len(owners))
				}
				b := p.bytes(c, i, size)
				b[0], b[size-1] = byte(o), byte(o>>8)
				owners = append(owners, o)
			}
			free := func(i int) {
				o, moved := p.free(c, uint32(i))
				last := len(owners) - 1
				if moved != (i != last) || (moved && o != owners[last]) {
					t.Fatalf("free %d of %d: moved %v owner %d, want the last's %d", i, len(owners), moved, o, owners[last])
				}
				owners[i] = owners[last]
				owners = owners[:last]
			}
			for range 3*per + per/2 + 1 {
				alloc()
			}
			check()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for len(owners) > per/2 {
				free(rng.IntN(len(owners)))
				if len(owners)%per == 0 || len(owners)%per == 1 {
					check()
				}
			}
			check()
			// At a chunk's edge: over it and back, many times.
			for len(owners) < per {
				alloc()
			}
			for range 50 {
				alloc()
				check()
				free(rng.IntN(len(owners)))
				check()
			}
			for len(owners) > 0 {
				free(len(owners) - 1)
			}
			check()
			if s := &p.classes[c]; len(s.chunks) > 1 {
				t.Fatalf("%d chunks kept for no span", len(s.chunks))
			}
		})
	}
}
