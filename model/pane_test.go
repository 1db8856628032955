package model

import (
	"fmt"
	"slices"
	"testing"
)

// paneT0 and paneSecond are the pane tests' clock, kept apart from the tree
// tests' constants so each file reads on its own.
const (
	paneT0     = int64(1_700_000_000) * 1e9
	paneSecond = int64(1e9)
)

// pmsg is message number seq on subject s, received seq ms after paneT0,
// with a payload of size bytes.
func pmsg(seq int, size int) *Message {
	return &Message{
		Seq:      uint64(seq),
		Subject:  "s.x",
		Received: paneT0 + int64(seq)*1e6,
		Data:     make([]byte, size),
		Size:     size,
	}
}

// addSeq adds messages numbered from..to-1, each with a size-byte payload.
func addSeq(p *Pane, from, to, size int) {
	for i := from; i < to; i++ {
		p.Add(pmsg(i, size))
	}
}

// kept lists the Seq of every kept message, oldest first.
func kept(p *Pane) []uint64 {
	var out []uint64
	for i := range p.Len() {
		out = append(out, p.At(i).Seq)
	}
	return out
}

// seqs is from..to-1.
func seqs(from, to int) []uint64 {
	var out []uint64
	for i := from; i < to; i++ {
		out = append(out, uint64(i))
	}
	return out
}

// selSeq is the selected message's Seq, -1 when none.
func selSeq(p *Pane) int {
	if m := p.Selected(); m != nil {
		return int(m.Seq)
	}
	return -1
}

func newTestPane(depth int, maxBytes int64) *Pane {
	return NewPane(1, MustPattern("s.*"), depth, maxBytes)
}

func TestNewPaneDefaults(t *testing.T) {
	tests := []struct {
		depth     int
		maxBytes  int64
		wantDepth int
		wantBytes int64
	}{
		{0, 0, DefaultPaneDepth, 32 << 20},
		{-5, -1, DefaultPaneDepth, 32 << 20},
		{7, 1000, 7, 1000},
	}
	for _, tc := range tests {
		p := NewPane(3, MustPattern("a.>"), tc.depth, tc.maxBytes)
		if p.ring.Max() != tc.wantDepth || p.maxBytes != tc.wantBytes {
			t.Errorf("NewPane(%d, %d): depth %d maxBytes %d, want %d %d", tc.depth, tc.maxBytes, p.ring.Max(), p.maxBytes, tc.wantDepth, tc.wantBytes)
		}
		if p.ID != 3 || p.Name != "a.>" || p.Pattern.String() != "a.>" {
			t.Errorf("NewPane: id %d name %q pattern %q", p.ID, p.Name, p.Pattern)
		}
		if !p.Following() || p.Len() != 0 || p.Selected() != nil {
			t.Errorf("a new pane: following %v len %d selected %v, want following and empty", p.Following(), p.Len(), p.Selected())
		}
	}
}

// TestPaneRingDepth: the ring keeps the newest depth messages, in order,
// across many wrap-arounds, and counts exactly what it dropped.
func TestPaneRingDepth(t *testing.T) {
	tests := []struct {
		depth, adds int
	}{
		{1, 1}, {1, 5}, {3, 2}, {3, 3}, {3, 4}, {3, 10}, {4, 17}, {5, 100}, {64, 63}, {64, 1000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("depth%d_adds%d", tc.depth, tc.adds), func(t *testing.T) {
			p := newTestPane(tc.depth, 1<<30)
			addSeq(p, 0, tc.adds, 10)
			wantLen := min(tc.depth, tc.adds)
			if p.Len() != wantLen {
				t.Errorf("Len %d, want %d", p.Len(), wantLen)
			}
			if want := uint64(tc.adds - wantLen); p.Evicted != want {
				t.Errorf("Evicted %d, want %d", p.Evicted, want)
			}
			if got, want := kept(p), seqs(tc.adds-wantLen, tc.adds); !slices.Equal(got, want) {
				t.Errorf("kept %v, want %v", got, want)
			}
			if p.Msgs != uint64(tc.adds) {
				t.Errorf("Msgs %d, want every match (%d)", p.Msgs, tc.adds)
			}
			// Subject "s.x" (3) plus a 10-byte payload on the wire.
			if want := uint64(tc.adds * 13); p.Bytes != want {
				t.Errorf("Bytes %d, want %d", p.Bytes, want)
			}
			if p.ring.Slots() > tc.depth {
				t.Errorf("ring grew to %d slots past its depth %d", p.ring.Slots(), tc.depth)
			}
		})
	}
}

// TestPaneRingBytes: the payload budget evicts the oldest messages until
// the new one fits, and a message larger than the whole budget is kept
// alone rather than dropped.
func TestPaneRingBytes(t *testing.T) {
	cost := func(size int) int64 { return int64(len("s.x")+size) + messageCost } // the subject is the pane's copy too
	tests := []struct {
		name        string
		maxBytes    int64
		sizes       []int
		wantKept    []uint64
		wantEvicted uint64
	}{
		{"fits", 3 * cost(10), []int{10, 10, 10}, seqs(0, 3), 0},
		{"one over", 3 * cost(10), []int{10, 10, 10, 10}, seqs(1, 4), 1},
		{"one byte short", 3*cost(10) - 1, []int{10, 10, 10}, seqs(1, 3), 1},
		{"many over", 3 * cost(10), []int{10, 10, 10, 10, 10, 10, 10}, seqs(4, 7), 4},
		{"big one evicts several", 3 * cost(10), []int{10, 10, 10, 2*10 + messageCost}, seqs(2, 4), 2},
		{"bigger than the budget is kept alone", cost(10), []int{10, 500}, []uint64{1}, 1},
		{"and evicted by the next", cost(10), []int{10, 500, 10}, []uint64{2}, 2},
		{"empty payloads cost the fixed part and the subject", 2 * cost(0), []int{0, 0, 0}, seqs(1, 3), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPane(1000, tc.maxBytes)
			var wire uint64
			for i, size := range tc.sizes {
				p.Add(pmsg(i, size))
				wire += uint64(3 + size)
			}
			if got := kept(p); !slices.Equal(got, tc.wantKept) {
				t.Errorf("kept %v, want %v", got, tc.wantKept)
			}
			if p.Evicted != tc.wantEvicted {
				t.Errorf("Evicted %d, want %d", p.Evicted, tc.wantEvicted)
			}
			var want int64
			for i := range p.Len() {
				want += cost(len(p.At(i).Data))
			}
			if p.bytes != want {
				t.Errorf("accounted %d bytes, the kept messages cost %d", p.bytes, want)
			}
			if p.Len() > 1 && p.bytes > tc.maxBytes {
				t.Errorf("kept %d bytes over a budget of %d", p.bytes, tc.maxBytes)
			}
			if p.Msgs != uint64(len(tc.sizes)) || p.Bytes != wire {
				t.Errorf("Msgs %d Bytes %d, want %d %d", p.Msgs, p.Bytes, len(tc.sizes), wire)
			}
		})
	}
}

// TestPaneEvictionReleasesPayload: an evicted slot holds no reference to
// its payload, so the bound on memory is real.
func TestPaneEvictionReleasesPayload(t *testing.T) {
	p := newTestPane(3, 1<<30)
	addSeq(p, 0, 5, 10)
	addSeq(p, 5, 6, 10)
	p.Clear()
	if p.ring.buf != nil {
		t.Error("Clear kept the ring's buffer")
	}
	p = newTestPane(1000, 2*(messageCost+10))
	addSeq(p, 0, 5, 10)
	live := map[*byte]bool{}
	for i := range p.Len() {
		live[&p.At(i).Data[0]] = true
	}
	for i := range p.ring.buf {
		if d := p.ring.buf[i].Data; d != nil && !live[&d[0]] {
			t.Errorf("slot %d still holds an evicted payload", i)
		}
	}
}

// TestPaneKeepsAtMostKeptPayload: a large payload is kept cut to
// KeptPayload, in its own copy (a sub-slice would pin the whole payload);
// Size still says how big it was, so the inspector reports the cut.
func TestPaneKeepsAtMostKeptPayload(t *testing.T) {
	p := newTestPane(10, 1<<30)
	big := pmsg(0, 8<<20)
	big.Data[KeptPayload-1], big.Data[KeptPayload] = 7, 9
	p.Add(big)
	p.Add(pmsg(1, 100))
	got := p.At(0)
	if len(got.Data) != KeptPayload || cap(got.Data) > KeptPayload+64 || got.Size != 8<<20 || !got.Truncated() {
		t.Fatalf("kept %d bytes (cap %d), size %d", len(got.Data), cap(got.Data), got.Size)
	}
	if got.Data[KeptPayload-1] != 7 || &got.Data[0] == &big.Data[0] {
		t.Fatal("the kept bytes are not a copy of the payload's head")
	}
	if small := p.At(1); len(small.Data) != 100 || small.Truncated() {
		t.Fatalf("a small payload was cut: %d", len(small.Data))
	}
	if p.bytes != 2*(messageCost+int64(len("s.x")))+KeptPayload+100 {
		t.Fatalf("pane accounts %d bytes", p.bytes)
	}
}

// paneStep is one action on a pane and what must hold after it.
type paneStep struct {
	do        string // "add N", "move D", "follow", "top", "clear", "pause", "resume"
	following bool
	unseen    uint64
	sel       int // selected Seq, -1 for none
}
