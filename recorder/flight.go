package recorder

import (
	"errors"
	"os"
	"time"
	"unsafe"

	"natsx/model"
)

// Flight recorder defaults: a minute of traffic, within 64 MiB.
const (
	DefaultFlightWindow = 60 * time.Second
	DefaultFlightBytes  = 64 << 20
)

// flightSlot is one ring entry; cost is what the message counts against
// the byte budget, kept so eviction does not walk the headers again.
type flightSlot struct {
	msg  model.Message
	cost int64
}

// slotSize is counted for every message so that many tiny messages cannot
// grow the ring's own memory past the budget.
const slotSize = int64(unsafe.Sizeof(flightSlot{}))

// minRing is the smallest ring allocated and the size below which it never
// shrinks.
const minRing = 1024

// FlightRecorder keeps the newest window of messages in memory, within a
// byte budget, so a capture can be saved after the bug happened. It is fed
// the batches the UI already reads and is not safe for concurrent use: the
// UI goroutine owns it.
//
// The ring is hand-written rather than container/ring because it stores
// values in one slice (no per-message allocation) and evicts from the
// front in O(1).
type FlightRecorder struct {
	window   int64
	maxBytes int64
	maxSlots int

	ring    []flightSlot
	head, n int
	bytes   int64
	dropped uint64
	newest  int64
}

// NewFlightRecorder keeps the last window of messages (by receive time)
// within maxBytes; zero or negative values take the defaults.
func NewFlightRecorder(window time.Duration, maxBytes int64) *FlightRecorder {
	if window <= 0 {
		window = DefaultFlightWindow
	}
	if maxBytes <= 0 {
		maxBytes = DefaultFlightBytes
	}
	return &FlightRecorder{window: int64(window), maxBytes: maxBytes, maxSlots: int(maxBytes/slotSize) + 1}
}

// Add appends copies of msgs (payloads and headers are shared: they are
// immutable once received) and evicts what fell out of the window, then
// the oldest while over the byte budget, counting the latter as dropped.
// Amortized O(1) per message; it allocates only when the ring grows.
func (f *FlightRecorder) Add(msgs []model.Message) {
	for i := range msgs {
		m := &msgs[i]
		cost := messageCost(m)
		if cost > f.maxBytes {
			f.dropped++ // it would evict everything and still not fit
			continue
		}
		f.newest = max(f.newest, m.Received)
		for f.n > 0 && f.ring[f.head].msg.Received < f.newest-f.window {
			f.evict()
		}
		for f.n > 0 && f.bytes+cost > f.maxBytes {
			f.evict()
			f.dropped++
		}
		if f.n == len(f.ring) {
			f.resize(min(max(2*len(f.ring), minRing), f.maxSlots))
		}
		s := &f.ring[f.slot(f.n)]
		s.msg, s.cost = *m, cost
		f.n++
		f.bytes += cost
	}
	// After a burst the ring shrinks back, a halving at a time.
	if len(f.ring) > minRing && f.n < len(f.ring)/4 {
		f.resize(len(f.ring) / 2)
	}
}

// Reset forgets what is kept (the dropped count stays): natsx open calls
// it when a seek back starts the explorer's counts over, since the
// messages played again are older than what the window holds.
func (f *FlightRecorder) Reset() {
	f.ring, f.head, f.n, f.bytes, f.newest = nil, 0, 0, 0, 0
}

// slot is the ring index of the i-th oldest message.
func (f *FlightRecorder) slot(i int) int {
	j := f.head + i
	if j >= len(f.ring) {
		j -= len(f.ring)
	}
	return j
}

func (f *FlightRecorder) evict() {
	s := &f.ring[f.head]
	f.bytes -= s.cost
	*s = flightSlot{} // release the payload for the GC
	f.head++
	if f.head == len(f.ring) {
		f.head = 0
	}
	f.n--
}

// resize moves the messages, oldest first, into a ring of size c ≥ n.
func (f *FlightRecorder) resize(c int) {
	ring := make([]flightSlot, c)
	f.copyTo(ring)
	f.ring, f.head = ring, 0
}

// copyTo copies the slots oldest first into dst, which holds at least n.
func (f *FlightRecorder) copyTo(dst []flightSlot) {
	k := copy(dst[:f.n], f.ring[f.head:min(f.head+f.n, len(f.ring))])
	copy(dst[k:f.n], f.ring[:f.n-k])
}

// Stats reports what is held: the messages, the bytes counted against the
// budget, how many the budget evicted before they left the window, and the
// time from the oldest to the newest message held.
func (f *FlightRecorder) Stats() (messages int, bytes int64, dropped uint64, span time.Duration) {
	if f.n > 0 {
		span = time.Duration(f.ring[f.slot(f.n-1)].msg.Received - f.ring[f.head].msg.Received)
	}
	return f.n, f.bytes, f.dropped, max(span, 0)
}

// Snapshot returns the held messages, oldest first, in a new slice that
// stays valid while Add goes on (to be written in another goroutine).
func (f *FlightRecorder) Snapshot() []model.Message {
	out := make([]model.Message, f.n)
	for i := range out {
		out[i] = f.ring[f.slot(i)].msg
	}
	return out
}

// messageCost is what a message counts against the budget: its slot plus
// the bytes it references.
func messageCost(m *model.Message) int64 {
	n := slotSize + int64(len(m.Subject)+len(m.Reply)+len(m.Data))
	for k, vs := range m.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 16) // a string header per value
		}
	}
	return n
}

// SaveMessages writes msgs to a new, complete capture at path (0600; an
// existing file is refused unless it is empty) and returns how many it
// wrote. The header's creation time is the first message's. On failure the
// file it created is removed.
func SaveMessages(path string, msgs []model.Message, hdr HeaderInfo) (n int, err error) {
	created := time.Now()
	if len(msgs) > 0 && msgs[0].Received > 0 {
		created = time.Unix(0, msgs[0].Received)
	}
	w, made, err := createNew(path, hdr.writerOptions(created))
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil && made {
			err = errors.Join(err, removeQuiet(path))
			n = 0
		}
	}()
	for i := range msgs {
		if err := w.WriteMessage(&msgs[i]); err != nil {
			return i, err
		}
	}
	return len(msgs), nil
}

// removeQuiet removes a partial file; a file already gone is no error.
func removeQuiet(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
