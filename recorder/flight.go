package recorder

import (
	"bytes"
	"errors"
	"iter"
	"os"
	"slices"
	"time"

	"natsx/model"
)

// Flight recorder defaults: a minute of traffic, within 64 MiB.
const (
	DefaultFlightWindow = 60 * time.Second
	DefaultFlightBytes  = 64 << 20
)

// Chunk sizes: a chunk is a 64th of the budget, so the slack (the
// evicted head of the oldest chunk, the unused tail of the newest and one
// spare) stays a few percent of it, within these bounds. A chunk also
// wastes the room at its end that the next record did not fit in; big
// payloads are kept out of line so that room is at most a small record.
const (
	minFlightChunk = 4 << 10
	maxFlightChunk = 1 << 20
)

// FlightRecorder keeps the newest window of messages in memory, within a
// byte budget, so a capture can be saved after the bug happened. It is fed
// the batches the UI already reads and is not safe for concurrent use: the
// UI goroutine owns it.
//
// Messages are kept encoded (flight_codec.go) in byte chunks, not as
// model.Message values: a flood held ~400k of those, each pointing at its
// own subject, payload and header allocations, and the GC scanned them
// all on every cycle. Chunks hold no pointers, so the GC only sees the
// chunk list, and the budget counts the bytes actually held (the records;
// see held for the slack). Records never span chunks; a payload of a
// 16th of a chunk or more is copied out of line (the record keeps its
// length), and a record still bigger than a chunk gets a chunk of its
// own. The copies cost memory the old ring shared with the panes, but
// only up to the budget, which now bounds what the recorder really
// holds. Eviction goes record by record from the front (the receive time sits at
// a fixed offset), so window and budget are exact; a chunk is released
// when its last record goes.
type FlightRecorder struct {
	window    int64
	maxBytes  int64
	chunkSize int

	// chunks are oldest first; each is used up to its len. head is the
	// offset of the oldest record in chunks[0].
	chunks [][]byte
	head   int
	// spare is one emptied chunk of chunkSize kept for the next chunk
	// needed, so steady traffic cycles two chunks instead of allocating;
	// any further emptied chunk goes back to the GC (memory given back
	// after a burst).
	spare []byte
	// made counts chunks allocated, for the tests.
	made int
	// bigs[bigHead:] are the out-of-line payloads of the records held, in
	// order: those of at least bigData bytes, a 16th of a chunk.
	bigs    [][]byte
	bigHead int
	bigData int

	// bodies and doomed are Add's, kept for the next batch: its records'
	// lengths, and the costs and times of the messages it counts without
	// copying them (see Add).
	bodies []int
	doomed []doomedRecord

	n       int
	bytes   int64
	dropped uint64
	newest  int64 // the latest receive time added
	last    int64 // the receive time of the newest record held
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
	chunk := int(min(max(maxBytes/64, minFlightChunk), maxFlightChunk))
	return &FlightRecorder{window: int64(window), maxBytes: maxBytes, chunkSize: chunk, bigData: chunk / 16}
}

// doomedRecord is a message of the batch Add counts but does not copy.
type doomedRecord struct{ received, cost int64 }

// Add appends copies of msgs and evicts what fell out of the window, then
// the oldest while over the byte budget, counting the latter as dropped.
// O(1) per message plus its bytes; once the chunks have cycled it does
// not allocate.
//
// A batch bigger than the budget would copy messages only to evict them
// again before it ends: 900 KB payloads at 500 MiB/s spent 60% of the
// UI's time here. Those messages, the ones before the newest that fit
// the budget together, are counted but not copied: they go through the
// same evictions as records would (after the records held, before the
// batch's own), so what is kept and what is counted dropped are as if
// they had been copied.
func (f *FlightRecorder) Add(msgs []model.Message) {
	doomed := f.measure(msgs)
	f.doomed = f.doomed[:0]
	next := 0    // f.doomed[next:] are still counted in f.bytes
	older := f.n // records held before the batch's doomed messages
	front := func() int64 {
		if older == 0 && next < len(f.doomed) {
			return f.doomed[next].received
		}
		return f.oldest()
	}
	evict := func() {
		if older == 0 && next < len(f.doomed) {
			f.bytes -= f.doomed[next].cost
			next++
			return
		}
		f.evict()
		older = max(older-1, 0)
	}
	for i := range msgs {
		m := &msgs[i]
		body := f.bodies[i]
		cost := uvarintLen(uint64(body)) + body
		if int64(cost) > f.maxBytes {
			f.dropped++ // it would evict everything and still not fit
			continue
		}
		f.newest = max(f.newest, m.Received)
		held := f.n + len(f.doomed) - next
		for ; held > 0 && front() < f.newest-f.window; held-- {
			evict()
		}
		for ; held > 0 && f.bytes+int64(cost) > f.maxBytes; held-- {
			evict()
			f.dropped++
		}
		if i < doomed {
			f.doomed = append(f.doomed, doomedRecord{received: m.Received, cost: int64(cost)})
			f.bytes += int64(cost)
			continue
		}
		f.push(m, body, cost)
	}
	f.shrink()
}

// measure notes the length of each message's record in f.bodies and
// returns how many messages, from the first, the budget evicts again
// before the batch ends: each of them does not fit beside the messages
// after it that are kept (the newest that fit together), and what is
// held at the end is such a run of the newest.
func (f *FlightRecorder) measure(msgs []model.Message) int {
	f.bodies = slices.Grow(f.bodies[:0], len(msgs))[:len(msgs)]
	doomed := 0
	var sum int64
	for i := len(msgs) - 1; i >= 0; i-- {
		body := recordBody(&msgs[i])
		f.bodies[i] = body
		cost := int64(uvarintLen(uint64(body)) + body)
		switch {
		case cost > f.maxBytes || doomed > 0:
		case sum+cost > f.maxBytes:
			doomed = i + 1
		default:
			sum += cost
		}
	}
	return doomed
}

// push appends m's record to the newest chunk, or to a new one when it
// does not fit; a big payload goes to its own copy (one allocation,
// amortized by its size) and only its length to the chunk.
func (f *FlightRecorder) push(m *model.Message, body, cost int) {
	big := len(m.Data) >= f.bigData
	if big {
		f.bigs = append(f.bigs, bytes.Clone(m.Data))
		body -= len(m.Data)
	}
	need := uvarintLen(uint64(body)) + body
	last := len(f.chunks) - 1
	if last < 0 || cap(f.chunks[last])-len(f.chunks[last]) < need {
		f.chunks = append(f.chunks, f.newChunk(need))
		last++
	}
	f.chunks[last] = appendFlightRecord(f.chunks[last], m, body, big)
	f.n++
	f.bytes += int64(cost)
	f.last = m.Received
}

// newChunk returns an empty chunk with room for need bytes: the spare if
// it fits.
func (f *FlightRecorder) newChunk(need int) []byte {
	if need <= f.chunkSize && f.spare != nil {
		c := f.spare
		f.spare = nil
		return c
	}
	f.made++
	return make([]byte, 0, max(need, f.chunkSize))
}

// release takes back an emptied chunk: kept as the spare if it is a
// regular one and there is none, else left to the GC.
func (f *FlightRecorder) release(c []byte) {
	if f.spare == nil && cap(c) == f.chunkSize {
		f.spare = c[:0]
	}
}

// oldest is the receive time of the oldest record held (f.n > 0).
func (f *FlightRecorder) oldest() int64 {
	_, _, t, _ := recordAt(f.chunks[0][f.head:])
	return t
}

// evict drops the oldest record, and its chunk when it was the last one
// there.
func (f *FlightRecorder) evict() {
	c := f.chunks[0]
	n, body, _, big := recordAt(c[f.head:])
	f.head += n
	cost := n
	if big {
		// Counted as messageCost did: as if the payload were inline.
		d := len(f.bigs[f.bigHead])
		cost = uvarintLen(uint64(body+d)) + body + d
		f.popBig()
	}
	f.bytes -= int64(cost)
	f.n--
	if f.head < len(c) {
		return
	}
	f.head = 0
	if len(f.chunks) == 1 { // the newest chunk: it goes on being filled
		f.chunks[0] = c[:0]
		return
	}
	f.release(c)
	// A few hundred chunks at most, and this runs once per chunk.
	copy(f.chunks, f.chunks[1:])
	f.chunks[len(f.chunks)-1] = nil
	f.chunks = f.chunks[:len(f.chunks)-1]
}

// popBig drops the oldest out-of-line payload; the queue moves down once
// half of it is dropped, so popping is amortized O(1).
func (f *FlightRecorder) popBig() {
	f.bigs[f.bigHead] = nil
	f.bigHead++
	if f.bigHead == len(f.bigs) {
		f.bigs, f.bigHead = f.bigs[:0], 0
	} else if f.bigHead >= 64 && 2*f.bigHead >= len(f.bigs) {
		n := copy(f.bigs, f.bigs[f.bigHead:])
		clear(f.bigs[n:])
		f.bigs, f.bigHead = f.bigs[:n], 0
	}
}

// shrink gives back the chunk list's and the big payloads' backing arrays
// when a burst is over.
func (f *FlightRecorder) shrink() {
	if c := cap(f.chunks); c > 64 && len(f.chunks) < c/4 {
		f.chunks = append([][]byte(nil), f.chunks...)
	}
	if c := cap(f.bigs); c > 64 && len(f.bigs)-f.bigHead < c/4 {
		f.bigs, f.bigHead = append([][]byte(nil), f.bigs[f.bigHead:]...), 0
	}
}

// Reset forgets what is kept (the dropped count stays): natsx open calls
// it when a seek back starts the explorer's counts over, since the
// messages played again are older than what the window holds.
func (f *FlightRecorder) Reset() {
	for i, c := range f.chunks {
		f.release(c)
		f.chunks[i] = nil
	}
	f.chunks = f.chunks[:0]
	clear(f.bigs)
	f.bigs, f.bigHead = f.bigs[:0], 0
	f.head, f.n, f.bytes, f.newest, f.last = 0, 0, 0, 0, 0
}

// Stats reports what is held: the messages, the bytes counted against the
// budget (their records), how many the budget evicted before they left
// the window, and the time from the oldest to the newest message held.
func (f *FlightRecorder) Stats() (messages int, bytes int64, dropped uint64, span time.Duration) {
	if f.n > 0 {
		span = time.Duration(f.last - f.oldest())
	}
	return f.n, f.bytes, f.dropped, max(span, 0)
}

// Memory is what the recorder holds on the heap: its chunks (the spare
// included), its big payloads and the lists of both. It is what the
// budget counts (Stats' bytes) plus a few percent of slack (see held);
// the explorer's header charges it to --max-memory.
func (f *FlightRecorder) Memory() int64 {
	return f.held() + int64(cap(f.chunks)+cap(f.bigs))*24
}

// held is the memory the chunks and big payloads take (the spare
// included): what is counted, plus the room left at the end of each chunk
// (less than a small record), the evicted head of the oldest and the
// spare.
func (f *FlightRecorder) held() int64 {
	n := int64(cap(f.spare))
	for _, c := range f.chunks {
		n += int64(cap(c))
	}
	for _, b := range f.bigs[f.bigHead:] {
		n += int64(cap(b))
	}
	return n
}

// Snapshot returns the held messages, oldest first, in a new slice that
// stays valid while Add goes on (to be written in another goroutine).
// Each chunk's records are copied once; the messages' strings and
// payloads point into that copy, which nothing writes.
func (f *FlightRecorder) Snapshot() []model.Message {
	out := make([]model.Message, f.n)
	i, bigs := 0, f.bigs[f.bigHead:]
	for ci, c := range f.chunks {
		if ci == 0 {
			c = c[f.head:]
		}
		d := flightDecoder{b: bytes.Clone(c), bigs: bigs}
		for len(d.b) > 0 {
			d.next(&out[i])
			i++
		}
		bigs = d.bigs
	}
	return out
}

// All yields the held messages, oldest first, decoding one chunk at a time
// from a copy of it; the message yielded is reused, valid until the next.
// Unlike Snapshot, which builds every message at once (112 bytes each
// beside the records: a full recorder's size three times over), it holds
// a chunk beyond the recorder, so F saves a full recorder within its
// share of the budget. Add, Reset and Snapshot must not run meanwhile.
func (f *FlightRecorder) All() iter.Seq[*model.Message] {
	return func(yield func(*model.Message) bool) {
		var m model.Message
		bigs := f.bigs[f.bigHead:]
		for ci, c := range f.chunks {
			if ci == 0 {
				c = c[f.head:]
			}
			d := flightDecoder{b: bytes.Clone(c), bigs: bigs}
			for len(d.b) > 0 {
				m = model.Message{}
				d.next(&m)
				if !yield(&m) {
					return
				}
			}
			bigs = d.bigs
		}
	}
}

// SaveMessages writes msgs to a new, complete capture at path (0600; an
// existing file is refused unless it is empty) and returns how many it
// wrote. The header's creation time is the first message's. On failure the
// file it created is removed.
func SaveMessages(path string, msgs []model.Message, hdr HeaderInfo) (n int, err error) {
	return SaveAll(path, func(yield func(*model.Message) bool) {
		for i := range msgs {
			if !yield(&msgs[i]) {
				return
			}
		}
	}, hdr)
}

// SaveAll is SaveMessages for messages yielded one at a time (the flight
// recorder's All), none of them kept after it is written.
func SaveAll(path string, msgs iter.Seq[*model.Message], hdr HeaderInfo) (n int, err error) {
	var w *Writer
	made := false
	open := func(created time.Time) error {
		var err error
		w, made, err = createNew(path, hdr.writerOptions(created))
		return err
	}
	defer func() {
		if w == nil {
			return
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil && made {
			err = errors.Join(err, removeQuiet(path))
			n = 0
		}
	}()
	for m := range msgs {
		if w == nil {
			created := time.Now()
			if m.Received > 0 {
				created = time.Unix(0, m.Received)
			}
			if err = open(created); err != nil {
				return 0, err
			}
		}
		if err = w.WriteMessage(m); err != nil {
			return n, err
		}
		n++
	}
	if w == nil {
		if err = open(time.Now()); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// removeQuiet removes a partial file; a file already gone is no error.
func removeQuiet(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
