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

// FlightRecorder keeps the newest window of messages in memory, within a
// byte budget, so a capture can be saved after the bug happened. It is fed
// the batches the UI already reads and is not safe for concurrent use: the
// UI goroutine owns it.
//
// Its ring is model.Ring: values in one slice (no per-message
// allocation), O(1) eviction from the front, growth for a burst and
// Shrink after it.
type FlightRecorder struct {
	window   int64
	maxBytes int64

	ring    *model.Ring[flightSlot]
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
	// Every message costs at least a slot, so the budget bounds the slots.
	return &FlightRecorder{window: int64(window), maxBytes: maxBytes, ring: model.NewRing[flightSlot](int(maxBytes/slotSize) + 1)}
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
		for f.ring.Len() > 0 && f.ring.Oldest().msg.Received < f.newest-f.window {
			f.evict()
		}
		for f.ring.Len() > 0 && f.bytes+cost > f.maxBytes {
			f.evict()
			f.dropped++
		}
		f.ring.Push(flightSlot{msg: *m, cost: cost})
		f.bytes += cost
	}
	// After a burst the ring gives the memory back.
	f.ring.Shrink()
}

// Reset forgets what is kept (the dropped count stays): natsx open calls
// it when a seek back starts the explorer's counts over, since the
// messages played again are older than what the window holds.
func (f *FlightRecorder) Reset() {
	f.ring.Clear()
	f.bytes, f.newest = 0, 0
}

// evict drops the oldest message; the ring zeroes its slot, releasing the
// payload for the GC.
func (f *FlightRecorder) evict() {
	s, _ := f.ring.PopOldest()
	f.bytes -= s.cost
}

// Stats reports what is held: the messages, the bytes counted against the
// budget, how many the budget evicted before they left the window, and the
// time from the oldest to the newest message held.
func (f *FlightRecorder) Stats() (messages int, bytes int64, dropped uint64, span time.Duration) {
	if f.ring.Len() > 0 {
		span = time.Duration(f.ring.Newest().msg.Received - f.ring.Oldest().msg.Received)
	}
	return f.ring.Len(), f.bytes, f.dropped, max(span, 0)
}

// Snapshot returns the held messages, oldest first, in a new slice that
// stays valid while Add goes on (to be written in another goroutine).
func (f *FlightRecorder) Snapshot() []model.Message {
	out := make([]model.Message, f.ring.Len())
	for i := range out {
		out[i] = f.ring.At(i).msg
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
