package model

import (
	"bytes"
	"strings"
	"testing"
)

// bigPayload is n bytes of text with the byte at flip changed (flip < 0:
// none): payloads that differ only past what the panes and the tree keep.
func bigPayload(n, flip int) []byte {
	b := bytes.Repeat([]byte("0123456789abcde\n"), n/16+1)[:n]
	if flip >= 0 {
		b[flip] = 'X'
	}
	return b
}

// paneKept is m as a pane keeps it (cut to KeptPayload where it is cut).
func paneKept(t *testing.T, ms ...*Message) []Message {
	t.Helper()
	p := NewPane(1, MustPattern(">"), 10, 1<<30)
	for _, m := range ms {
		p.Add(m)
	}
	out := make([]Message, p.Len())
	for i := range out {
		out[i] = *p.At(i)
	}
	return out
}

// TestDiffMessagesNeverClaimsUnchecked (issue 12 item 8): two payloads are
// called identical only when their sizes and the whole of their bytes (or
// a hash of the whole) were compared.
func TestDiffMessagesNeverClaimsUnchecked(t *testing.T) {
	const mb = 1_000_000
	msg := func(seq int, data []byte) *Message {
		return &Message{Seq: uint64(seq), Subject: "big", Data: data, Size: len(data)}
	}
	cut := func(m *Message) Message { // kept without a hash (the tree today)
		c := *m
		c.Data = c.Data[:KeptPayload]
		return c
	}
	storeCut := func(seq int, flip int) *Message { // the store kept 200 KB of 1 MB
		m := msg(seq, bigPayload(200_000, flip))
		m.Size = mb
		return m
	}
	late := paneKept(t, msg(1, bigPayload(mb, -1)), msg(2, bigPayload(mb, 900_000)))
	same := paneKept(t, msg(1, bigPayload(mb, -1)), msg(2, bigPayload(mb, -1)))
	sizes := paneKept(t, msg(1, bigPayload(mb, -1)), msg(2, bigPayload(mb+1, -1)))
	partial := paneKept(t, storeCut(1, -1), storeCut(2, 150_000))
	early := paneKept(t, msg(1, bigPayload(mb, -1)), msg(2, bigPayload(mb, 10)))
	tests := []struct {
		name      string
		prev, cur Message
		want, not string
	}{
		{"differ after the kept bytes", late[0], late[1], "differs after the kept 64 KiB", "identical"},
		{"identical whole payloads, by hash", same[0], same[1], "identical", "differ"},
		{"different sizes", sizes[0], sizes[1], "sizes differ", "identical"},
		{"cut without a hash", cut(msg(1, bigPayload(mb, -1))), cut(msg(2, bigPayload(mb, 900_000))), "not compared", "identical"},
		{"the store cut them: no whole to hash", partial[0], partial[1], "not compared", "identical"},
		{"differ within the kept bytes", early[0], early[1], "2 lines differ (+1 -1) (in the kept 64 KiB)", "identical"},
		{"small and equal", *msg(1, []byte("hello")), *msg(2, []byte("hello")), "identical", "differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, summary := DiffMessages(&tt.prev, &tt.cur, 80, 20)
			if !strings.Contains(summary, tt.want) || strings.Contains(summary, tt.not) {
				t.Errorf("summary %q: want %q, not %q", summary, tt.want, tt.not)
			}
		})
	}
}
