package engine

import (
	"slices"
	"sync"

	"natsx/model"
)

// StoreOptions bound the store.
type StoreOptions struct {
	// Capacity is the number of messages held; rounded up to a power of two.
	Capacity int
	// MaxBytes bounds the payload bytes held.
	MaxBytes int
	// MaxPayload caps the payload bytes kept per message (Size keeps the
	// wire size).
	MaxPayload int
}

// DefaultStoreOptions holds ~0.2 s of a 1M msg/s flood: the UI drains it
// 20 times a second, so only a stalled reader loses messages. Payloads are
// held whole up to 8 MiB (the embedded broker's limit), so a recording
// started in the explorer (R) gets them intact; the tree and the panes keep
// at most model.KeptPayload of each for display.
func DefaultStoreOptions() StoreOptions {
	return StoreOptions{Capacity: 1 << 18, MaxBytes: 64 << 20, MaxPayload: 8 << 20}
}

// Store is a bounded ring of the newest messages, written by the tap's NATS
// callback and read by any number of readers (the UI, the recorder), each
// with its own cursor. When full it drops the oldest; a reader whose cursor
// fell behind learns how many it missed.
type Store struct {
	mu         sync.Mutex
	buf        []model.Message
	mask       uint64
	start      uint64 // sequence of the oldest message held
	head       uint64 // sequence the next message gets
	bytes      int
	maxBytes   int
	maxPayload int
}

// NewStore returns an empty store.
func NewStore(o StoreOptions) *Store {
	d := DefaultStoreOptions()
	if o.Capacity <= 0 {
		o.Capacity = d.Capacity
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = d.MaxPayload
	}
	// A message bigger than MaxBytes would be held alone and break the bound.
	o.MaxPayload = min(o.MaxPayload, o.MaxBytes)
	c := 1
	for c < o.Capacity {
		c <<= 1
	}
	return &Store{buf: make([]model.Message, c), mask: uint64(c - 1), maxBytes: o.MaxBytes, maxPayload: o.MaxPayload}
}

// Append adds m, assigning its sequence number, and returns it. It never
// blocks for long: the lock covers a few assignments.
func (s *Store) Append(m model.Message) uint64 {
	// Size is the wire size: never less than what we were handed, or a
	// truncated payload would not report itself as truncated.
	m.Size = max(m.Size, len(m.Data))
	if len(m.Data) > s.maxPayload {
		m.Data = slices.Clone(m.Data[:s.maxPayload])
	}
	s.mu.Lock()
	for s.head > s.start && (s.head-s.start > s.mask || s.bytes+len(m.Data) > s.maxBytes) {
		old := &s.buf[s.start&s.mask]
		s.bytes -= len(old.Data)
		*old = model.Message{} // release references for the GC
		s.start++
	}
	m.Seq = s.head
	s.buf[s.head&s.mask] = m
	s.bytes += len(m.Data)
	s.head++
	s.mu.Unlock()
	return m.Seq
}

// Read copies messages from cursor on into buf and returns how many, the
// cursor to read from next, and how many messages between cursor and the
// oldest one held were dropped before this reader saw them.
func (s *Store) Read(cursor uint64, buf []model.Message) (n int, next, missed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cursor < s.start {
		missed = s.start - cursor
		cursor = s.start
	}
	if cursor > s.head {
		cursor = s.head
	}
	for n < len(buf) && cursor < s.head {
		// Copy in contiguous runs; the lock is held for a memmove, not a loop.
		i := cursor & s.mask
		run := min(uint64(len(buf)-n), s.head-cursor, uint64(len(s.buf))-i)
		copy(buf[n:], s.buf[i:i+run])
		n += int(run)
		cursor += run
	}
	return n, cursor, missed
}

// Head is the sequence number the next message will get; a new reader that
// wants only new traffic starts there.
func (s *Store) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}
