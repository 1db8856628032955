package model

// Ring is a bounded FIFO: Push appends at the newest end and, when the ring
// holds Max values, drops the oldest and hands it back, so callers can count
// (and un-charge) what the bound threw away. Storage grows by doubling up to
// Max, so a ring that never fills costs what it holds; Shrink gives back
// memory after a burst. Dropped slots are zeroed so the ring never pins
// what its values point to. Not safe for concurrent use.
//
// The filter panes keep their messages in one. The reply tracker's links
// are not a Ring: they are addressed by a stable slot (bySeq, byReply),
// which a FIFO that hands out positions by age cannot give. The store, the
// flight recorder and the player's sent log (engine, recorder) are meant
// to move to it too.
type Ring[T any] struct {
	buf     []T
	head, n int
	max     int
}

// minRingSlots is the first allocation of a growing ring.
const minRingSlots = 16

// NewRing returns an empty ring that holds at most limit values (limit < 1 is
// taken as 1). Nothing is allocated until the first Push.
func NewRing[T any](limit int) *Ring[T] {
	return &Ring[T]{max: max(1, limit)}
}

// NewFullRing returns an empty ring with all limit slots allocated at once,
// for rings that fill quickly and must not pause to grow.
func NewFullRing[T any](limit int) *Ring[T] {
	r := NewRing[T](limit)
	r.buf = make([]T, r.max)
	return r
}

// Len is how many values the ring holds.
func (r *Ring[T]) Len() int { return r.n }

// Max is the most values the ring holds.
func (r *Ring[T]) Max() int { return r.max }

// Slots is how many values the ring's storage can hold now (≤ Max).
func (r *Ring[T]) Slots() int { return len(r.buf) }

// Full reports whether the next Push drops the oldest value.
func (r *Ring[T]) Full() bool { return r.n == r.max }

// At returns the i-th oldest value (0 is the oldest); i must be in [0, Len).
func (r *Ring[T]) At(i int) *T {
	if i < 0 || i >= r.n {
		panic("model: Ring.At out of range")
	}
	return &r.buf[r.slot(i)]
}

// Newest returns the newest value, or nil when the ring is empty.
func (r *Ring[T]) Newest() *T {
	if r.n == 0 {
		return nil
	}
	return &r.buf[r.slot(r.n-1)]
}

// Oldest returns the oldest value, or nil when the ring is empty.
func (r *Ring[T]) Oldest() *T {
	if r.n == 0 {
		return nil
	}
	return &r.buf[r.head]
}

func (r *Ring[T]) slot(i int) int {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return j
}

// Push appends v as the newest value. When the ring was full it drops the
// oldest and returns it with dropped set.
func (r *Ring[T]) Push(v T) (old T, dropped bool) {
	if r.n == len(r.buf) && len(r.buf) < r.max {
		r.resize(min(max(2*len(r.buf), minRingSlots), r.max))
	}
	if r.n == r.max {
		old, dropped = r.PopOldest()
	}
	r.buf[r.slot(r.n)] = v
	r.n++
	return old, dropped
}

// PopOldest removes and returns the oldest value; ok is false when empty.
func (r *Ring[T]) PopOldest() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v, r.buf[r.head] = r.buf[r.head], zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v, true
}

// Clear drops every value and releases the storage.
func (r *Ring[T]) Clear() { r.buf, r.head, r.n = nil, 0, 0 }

// Shrink halves the storage while a quarter or less of it is used (never
// below minRingSlots): a ring that grew for a burst gives the memory back.
func (r *Ring[T]) Shrink() {
	for len(r.buf) > minRingSlots && r.n <= len(r.buf)/4 {
		r.resize(len(r.buf) / 2)
	}
}

// resize moves the values, oldest first, into storage of n slots (n ≥ Len).
func (r *Ring[T]) resize(n int) {
	buf := make([]T, n)
	if r.n > 0 {
		k := copy(buf, r.buf[r.head:min(r.head+r.n, len(r.buf))])
		copy(buf[k:], r.buf[:r.n-k])
	}
	r.buf, r.head = buf, 0
}
