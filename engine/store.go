package engine

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"natsx/model"
)

// StoreOptions bound the store.
type StoreOptions struct {
	// Capacity bounds the number of messages held.
	Capacity int
	// MaxBytes bounds the payload bytes held.
	MaxBytes int
	// MaxPayload caps the payload bytes kept per message (Size keeps the
	// wire size).
	MaxPayload int
	// MaxMemory bounds what the store holds on the heap (Store.Lend moves
	// the bound by what nats.go's queue leaves unused): the chunks of
	// slots that hold messages, the pages that hold their subjects and
	// payloads, and their extras (reply and headers as the allocator
	// rounds them: see extraCost). Small messages take more slots of it,
	// big ones more pages. 0 takes the default.
	MaxMemory int64
}

// SlotBytes is what one slot of the store's ring costs.
const SlotBytes = int64(unsafe.Sizeof(slot{}))

// chunkSlots is how many slots the ring allocates and frees at a time:
// 96 KiB of them.
const chunkSlots = 4096

// chunkBytes is what a chunk of slots costs.
const chunkBytes = chunkSlots * SlotBytes

// chunk is a run of the ring's slots.
type chunk [chunkSlots]slot

// pageSize is the size of the pages that hold the messages' subjects and
// payloads, back to back in the order they came.
const pageSize = 64 << 10

// bigMsg is the most subject and payload bytes a message puts in a page;
// a bigger one gets an allocation of its own (in its extra), so a page
// never wastes more than this at its end.
const bigMsg = pageSize / 8

// extrasBytes is what a chunk's table of extras costs (allocated for a
// chunk only when one of its messages has an extra).
const extrasBytes = chunkSlots * int64(unsafe.Sizeof((*slotExtra)(nil)))

// slot is a message as the store holds it: model.Message less what the
// store need not keep (the sequence is the slot's place in the ring; Sum
// is never set on the tap's path), its subject and payload copied into the
// store's pages (pos is where the subject begins, the payload follows),
// the subscription it came by (Via) an index in the store's table of
// them, and what few messages have (a reply, headers, a truncated
// payload's wire size, a subject of 64 KiB or more, a big payload) in the
// extra in its chunk's table. 24 bytes and no pointer: the collector has
// nothing to scan in a chunk or a page, and nats.go's allocations for a
// plain message are garbage as soon as the tap has copied it, instead of
// two small objects a message kept alive (and marked) for as long as the
// store holds it. A reply and headers stay as nats.go made them, in the
// extra. A 16-byte payload on a 19-byte subject costs 59 bytes (80
// when the slot pointed at nats.go's allocations), so the same share holds
// a third more of a flood.
type slot struct {
	received int64
	pos      uint64 // where the subject begins in the pages (see Store.page)
	n        int32  // len(Data): at most MaxPayload (8 MiB)
	subjectN uint16 // len(Subject); longSubject: in the extra
	via      uint16 // index in Store.vias; 0 is none
}

// longSubject in a slot's subjectN says the subject's length is in its
// extra: 64 KiB or more (a server's max_control_line allows that).
const longSubject = math.MaxUint16

// slotExtra is what a message rarely has, and what its headers cost,
// worked out once (in a 112-byte size class).
type slotExtra struct {
	reply  string
	header model.Header
	via    string // a Via past the store's table (maxVias)
	// subject and big are the subject and the payload of a message with
	// more than bigMsg of them, each in an allocation of its own instead
	// of the pages (a reader that keeps the subject does not keep the
	// payload).
	subject string
	big     []byte
	// held and wire are replyCost's and headerWire's of the reply and
	// headers: walking the headers once a message, not at every count.
	held, wire int32
	// size is the wire size when it is not len(Data) (a payload cut to
	// the store's MaxPayload, or a capture's cut one), else 0.
	size int32
	// subjectN is the subject's length when the slot's is longSubject.
	subjectN uint32
	isBig    bool // subject and big hold the message's bytes
}

// subjectLen is the length of the subject of sl, whose extra is x.
func (sl *slot) subjectLen(x *slotExtra) int {
	if sl.subjectN == longSubject {
		return int(x.subjectN)
	}
	return int(sl.subjectN)
}

// wireSize is the wire size (model.Message.Size) of the message in sl,
// whose extra is x.
func (sl *slot) wireSize(x *slotExtra) int64 {
	if x != nil && x.size > 0 {
		return int64(x.size)
	}
	return int64(sl.n)
}

// newExtra is the extra of a message with reply and header.
func newExtra(reply string, header model.Header) *slotExtra {
	return &slotExtra{reply: reply, header: header,
		held: int32(min(replyCost(reply, header), math.MaxInt32)), wire: int32(min(headerWire(header), math.MaxInt32))}
}

// extraBytes is what a slotExtra costs the heap, as the allocator rounds it.
const extraBytes = (int64(unsafe.Sizeof(slotExtra{})) + 15) &^ 15

// maxVias bounds the store's table of Via values. They are the patterns
// of natsx's own subscriptions, a few; any past the bound go in the
// message's extra.
const maxVias = 256

// wireBytes is the message's payload and headers as they came on the
// wire: its wire size, before any truncation, and its headers'.
func (sl *slot) wireBytes(x *slotExtra) int64 {
	n := sl.wireSize(x)
	if x != nil {
		n += int64(x.wire)
	}
	return n
}

// headerWire is the size of h on the wire: the NATS/1.0 line, a line a
// value, the blank line.
func headerWire(h model.Header) int64 {
	if len(h) == 0 {
		return 0
	}
	n := int64(len("NATS/1.0\r\n\r\n"))
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(": \r\n") + len(v))
		}
	}
	return n
}

// extraCost is what an extra costs the heap: itself, its reply and
// headers (replyCost), and a big message's own allocation.
func extraCost(x *slotExtra) int64 {
	if x == nil {
		return 0
	}
	return extraBytes + int64(x.held) + allocBytes(len(x.subject)) + allocBytes(len(x.big))
}

// DefaultStoreOptions holds 262,144 messages, ~0.25 s of a 1M msg/s
// flood, within 112 MiB: the UI drains it 20 times a second, so only a
// stalled reader loses messages. Payloads are
// held whole up to 8 MiB (the embedded broker's limit), so a recording
// started in the explorer (R) gets them intact; the tree and the panes keep
// at most model.KeptPayload of each for display.
func DefaultStoreOptions() StoreOptions {
	return StoreOptions{Capacity: 1 << 18, MaxBytes: 64 << 20, MaxPayload: 8 << 20, MaxMemory: 112 << 20}
}

// StoreOptionsFor is the store that fits in memory bytes, slots included.
// Its ring takes slots and pages as the messages need them, so the share
// holds as many messages as fit whatever their size: 640k of nats bench's
// 16-byte flood on 13-byte subjects (a 24-byte slot and 29 bytes in a
// page each) in 33 MiB, 575k on 19-byte subjects, 31k of 1 KiB.
func StoreOptionsFor(memory int64) StoreOptions {
	o := DefaultStoreOptions()
	o.MaxMemory = max(memory, 4*chunkBytes+2*extrasBytes+2*pageSize)
	o.Capacity = int(o.MaxMemory / SlotBytes)
	o.MaxBytes = int(min(int64(o.MaxBytes), o.MaxMemory))
	return o
}

// replyCost is what a message's reply and headers cost the heap in its
// extra: the reply's allocation, rounded up as the allocator rounds it,
// and the headers (nats.go's map of slices, estimated at twice their wire
// size plus the map). Both are nats.go's, kept as it made them.
func replyCost(reply string, header model.Header) int64 {
	c := allocBytes(len(reply))
	if len(header) > 0 {
		c += 272 // an empty map's header and first bucket
		for k, vs := range header {
			c += 2*int64(len(k)) + 48
			for _, v := range vs {
				c += 2*int64(len(v)) + 16
			}
		}
	}
	return c
}

// allocBytes is what the Go allocator takes for n bytes without pointers:
// the size class n falls in up to 32 KiB (sizeClasses), whole 8 KiB pages
// past that. Under 16 bytes the runtime packs such objects into shared
// 16-byte blocks; they are counted as a block each, which is never less.
func allocBytes(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 16:
		return 16
	case n <= smallMax:
		return int64(smallClass[(n+7)>>3])
	case n <= sizeClasses[len(sizeClasses)-1]:
		i, _ := slices.BinarySearch(sizeClasses[:], n)
		return int64(sizeClasses[i])
	default:
		return int64(n+8191) &^ 8191
	}
}

// smallClass is the size class of every size up to smallMax, by its
// 8-byte step (as the runtime's own size_to_class8): the sizes on a
// message's path, two a message in Append and again when it is dropped,
// looked up rather than searched for.
const smallMax = 1024

var smallClass = func() (t [smallMax/8 + 1]uint16) {
	for i := range t {
		c, _ := slices.BinarySearch(sizeClasses[:], i*8)
		t[i] = uint16(sizeClasses[c])
	}
	return t
}()

// sizeClasses are the Go allocator's object sizes up to 32 KiB, as in
// Go 1.26's internal/runtime/gc.SizeClassToSize. TestAllocBytesIsTheHeap
// checks them against the runtime's own accounting, so a Go release that
// changes them fails it.
var sizeClasses = [...]int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// Store is a bounded ring of the newest messages, written by the tap's NATS
// callback and read by any number of readers (the UI, the recorder), each
// with its own cursor. When full it drops the oldest; a reader whose cursor
// fell behind learns how many it missed.
//
// The ring is a queue of chunks of slots: message seq is in slot
// seq%chunkSlots of chunk seq/chunkSlots, chunks[0] is chunk number base,
// and only chunks that hold messages are there (the one emptied last is
// kept aside for the next). Beside each chunk, its table of extras (nil
// while none of its messages has one). The subjects and payloads are in a
// queue of pages: byte pos of the store's stream is at pos%pageSize in page
// pos/pageSize, pages[0] is page number pageBase, and a page goes when the
// oldest message held begins past it. So the slots and the pages cost what
// the messages held need, and the memory bound counts them with the
// extras.
//
// A message read from the store points into its page: a reader that keeps
// its subject or payload past the batch it read keeps the whole page
// alive, uncounted, and must copy them instead (strings.Clone,
// slices.Clone; model.Message.Owned). A page is never written again once
// written, so what a reader holds never changes under it.
type Store struct {
	mu         sync.Mutex
	chunks     []*chunk
	extras     []*[chunkSlots]*slotExtra // beside chunks
	base       uint64                    // chunks[0]'s number
	spare      *chunk                    // emptied, for the next chunk the ring needs
	tables     int64                     // how many tables of extras extras holds
	pages      [][]byte
	pageBase   uint64 // pages[0]'s number
	pos        uint64 // where the next message's bytes go
	start      uint64 // sequence of the oldest message held
	head       uint64 // sequence the next message gets
	vias       []string
	viaAt      map[string]uint32 // vias' indices
	bytes      int
	maxBytes   int
	maxPayload int
	maxMsgs    uint64
	held       int64 // extraCost of the messages held
	subjects   int64 // what their subjects take of it (see Shape)
	wire       int64 // their payloads' and headers' wire sizes (see Shape)
	maxMemory  int64 // bounds the chunks', tables' and pages' bytes and held

	// lent is what the store may hold beyond maxMemory, or less when
	// negative: the part of nats.go's pending share its queues (the
	// tap's, the filters') do not use (see Session.lend).
	lent atomic.Int64

	// waiting is set while a reader sleeps in Wait; Append then wakes it
	// (one atomic load per message while nobody waits).
	waiting atomic.Bool
	wake    chan struct{}
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
	if o.MaxMemory <= 0 {
		o.MaxMemory = d.MaxMemory
	}
	// A message bigger than MaxBytes would be held alone and break the bound.
	o.MaxPayload = min(o.MaxPayload, o.MaxBytes)
	// A message must fit alone in the memory bound too, with the chunk
	// its slot is in, the one kept aside, a table of extras and the page
	// being written: cap its payload so.
	o.MaxPayload = int(max(min(int64(o.MaxPayload), (o.MaxMemory-2*chunkBytes-extrasBytes-pageSize)/2), 0))
	return &Store{vias: []string{""}, viaAt: map[string]uint32{}, maxBytes: o.MaxBytes, maxPayload: o.MaxPayload,
		maxMsgs: uint64(o.Capacity), maxMemory: o.MaxMemory, wake: make(chan struct{}, 1)}
}

// Wait returns when the store holds a message at or after cursor, or after
// d: an idle reader sleeps instead of polling, and the first message
// wakes it at once. One reader at a time (the UI).
func (s *Store) Wait(cursor uint64, d time.Duration) {
	select {
	case <-s.wake: // a wake-up left from an earlier wait
	default:
	}
	s.waiting.Store(true)
	defer s.waiting.Store(false)
	if s.Head() > cursor {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.wake:
	case <-t.C:
	}
}

// Append adds a copy of m, assigning its sequence number, and returns it.
// It never blocks for long: the lock covers a few assignments and the copy
// of a small message's subject and payload (a big one is copied before).
func (s *Store) Append(m model.Message) uint64 {
	// Size is the wire size: never less than what we were handed, or a
	// truncated payload would not report itself as truncated.
	m.Size = max(m.Size, len(m.Data))
	data := m.Data
	if len(data) > s.maxPayload {
		data = data[:s.maxPayload]
	}
	sl := slot{received: m.Received, n: int32(len(data))}
	var x *slotExtra
	if m.Reply != "" || len(m.Header) > 0 {
		x = newExtra(m.Reply, m.Header)
	}
	need := len(m.Subject) + len(data) // bytes in the pages
	if size := min(m.Size, math.MaxInt32); size != len(data) {
		x = orNew(x)
		x.size = int32(size)
	}
	if len(m.Subject) >= longSubject {
		x = orNew(x)
		sl.subjectN, x.subjectN = longSubject, uint32(len(m.Subject))
	} else {
		sl.subjectN = uint16(len(m.Subject))
	}
	if need > bigMsg {
		x = orNew(x)
		x.subject, x.big, x.isBig = strings.Clone(m.Subject), slices.Clone(data), true
		need = 0
	}
	cost := extraCost(x)
	bound := s.maxMemory + s.lent.Load()
	s.mu.Lock()
	if m.Via != "" {
		x = s.setVia(&sl, x, m.Via, &cost)
	}
	extra := max(bound-s.maxMemory, 0) // lent: more messages and payload bytes too
	for s.head > s.start && (s.head-s.start >= s.maxMsgs+uint64(extra/SlotBytes) || int64(s.bytes+len(data)) > int64(s.maxBytes)+extra ||
		s.memoryWith(need, x != nil && s.tableless())+s.held+cost > bound) {
		s.drop()
	}
	seq := s.head
	if seq%chunkSlots == 0 {
		s.addChunk()
	}
	if need > 0 {
		if off := s.pos % pageSize; off+uint64(need) > pageSize {
			s.pos += pageSize - off // the rest of this page is too short
		}
		if s.pos%pageSize == 0 {
			s.pages = append(s.pages, make([]byte, pageSize))
			if pageMade != nil {
				pageMade(s.pages[len(s.pages)-1])
			}
			if len(s.pages) == 1 {
				s.pageBase = s.pos / pageSize
			}
		}
		p := s.page(s.pos)
		copy(p[copy(p, m.Subject):], data)
	}
	sl.pos = s.pos
	s.pos += uint64(need)
	i := len(s.chunks) - 1
	s.chunks[i][seq%chunkSlots] = sl
	if x != nil {
		if s.extras[i] == nil {
			s.extras[i] = new([chunkSlots]*slotExtra)
			s.tables++
		}
		s.extras[i][seq%chunkSlots] = x
	}
	s.bytes += len(data)
	s.held += cost
	s.subjects += allocBytes(len(m.Subject))
	s.wire += sl.wireBytes(x)
	s.head++
	s.mu.Unlock()
	if s.waiting.Load() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return seq
}

// Lend lets the store hold n bytes more than its MaxMemory (less when n
// is negative) from its next message on, or at once when Fit is called.
func (s *Store) Lend(n int64) { s.lent.Store(n) }

// MaxMemory is the store's own memory bound, before any Lend.
func (s *Store) MaxMemory() int64 { return s.maxMemory }

// pageMade, when set (by a test), is called with each page the store makes.
var pageMade func([]byte)

// orNew is x, or a new extra when x is nil.
func orNew(x *slotExtra) *slotExtra {
	if x == nil {
		return &slotExtra{}
	}
	return x
}

// page is the bytes from pos to the end of its page. Called with the lock
// held.
func (s *Store) page(pos uint64) []byte {
	return s.pages[pos/pageSize-s.pageBase][pos%pageSize:]
}

// drop drops the oldest message, its chunk once that is empty, and the
// pages before the next one's. Called with the lock held.
func (s *Store) drop() {
	old, x := s.at(s.start)
	s.bytes -= int(old.n)
	s.held -= extraCost(x)
	s.subjects -= allocBytes(old.subjectLen(x))
	s.wire -= old.wireBytes(x)
	if x != nil {
		s.extras[0][s.start%chunkSlots] = nil // release it for the GC
	}
	s.start++
	if s.start%chunkSlots == 0 {
		// Its last message left the chunk: keep it aside for the next
		// chunk the ring needs, unless one is. Nothing in it points
		// anywhere, so it is not cleared; every slot is written before
		// it is read.
		if s.spare == nil {
			s.spare = s.chunks[0]
		}
		if s.extras[0] != nil {
			s.tables--
		}
		s.chunks[0], s.extras[0] = nil, nil
		s.chunks, s.extras = s.chunks[1:], s.extras[1:]
		s.base++
	}
	// The pages before the oldest message's go (all but the page being
	// written when none is left).
	keep := s.pos / pageSize
	if s.start < s.head {
		sl, _ := s.at(s.start)
		keep = sl.pos / pageSize
	}
	for len(s.pages) > 0 && s.pageBase < keep {
		s.pages[0] = nil
		s.pages = s.pages[1:]
		s.pageBase++
	}
}

// addChunk adds the chunk the message at head goes in: the one kept
// aside, or a new one. Called with the lock held.
func (s *Store) addChunk() {
	c := s.spare
	if c == nil {
		c = new(chunk)
	}
	s.spare = nil
	if len(s.chunks) == 0 {
		s.base = s.head / chunkSlots
	}
	s.chunks = append(s.chunks, c)
	s.extras = append(s.extras, nil)
}

// at is the slot of message seq, which the store holds, and its extra.
// Called with the lock held.
func (s *Store) at(seq uint64) (*slot, *slotExtra) {
	i := seq/chunkSlots - s.base
	var x *slotExtra
	if t := s.extras[i]; t != nil {
		x = t[seq%chunkSlots]
	}
	return &s.chunks[i][seq%chunkSlots], x
}

// tableless says the message at head goes in a chunk without a table of
// extras (a new chunk, or one none of whose messages had one). Called
// with the lock held.
func (s *Store) tableless() bool {
	return s.head%chunkSlots == 0 || s.extras[len(s.extras)-1] == nil
}

// memoryWith is what the chunks, their tables of extras and the pages cost
// once the next message is in, with need bytes in the pages and an extra
// or not, counting a chunk more than the ring holds (the one kept aside,
// or the next one the ring takes) and a table when the message has an
// extra and its chunk none yet. Never less than they cost; dropping the oldest chunk's last
// message takes its chunk off at once, and the page the oldest message
// begins in is dropped when none of it is held. Called with the lock held.
func (s *Store) memoryWith(need int, extra bool) int64 {
	c := s.bytesWith(int64(len(s.chunks) + 1))
	if extra {
		c += extrasBytes
	}
	if off := s.pos % pageSize; need > 0 && (off == 0 || off+uint64(need) > pageSize) {
		c += pageSize
	}
	return c
}

// Memory is what the store holds on the heap: its chunks of slots, their
// tables of extras, its pages and the extras (extraCost). A page the store
// dropped that a reader still keeps alive is counted by nobody: readers
// copy what they keep (see Store).
func (s *Store) Memory() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.memory()
}

// memory is Memory with the lock held.
func (s *Store) memory() int64 {
	n := int64(len(s.chunks))
	if s.spare != nil {
		n++
	}
	return s.bytesWith(n) + s.held
}

// bytesWith is what n chunks, the tables of extras and the pages cost.
// Called with the lock held.
func (s *Store) bytesWith(n int64) int64 {
	return n*chunkBytes + s.tables*extrasBytes + int64(len(s.pages))*pageSize
}

// MsgShape is what a message costs: its subject on the heap, and its
// payload and headers as they came on the wire (what nats.go's pending
// byte count takes of it); and Max, the most a message may bring (the
// server's max_payload), when known.
type MsgShape struct{ Subject, Payload, Max int64 }

// Shape is what a message in the store costs on average (a 16-byte
// subject and payload when it holds none): the estimate for messages
// elsewhere that the store has not seen yet, nats.go's pending queue. A
// flood of deep subjects or big payloads moves it within one pull.
func (s *Store) Shape() MsgShape {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := int64(s.head - s.start); n > 0 {
		return MsgShape{Subject: max(s.subjects/n, 16), Payload: s.wire / n}
	}
	return MsgShape{Subject: 16, Payload: 16}
}

// Read copies messages from cursor on into buf and returns how many, the
// cursor to read from next, and how many messages between cursor and the
// oldest one held were dropped before this reader saw them. Their subjects
// and payloads point into the store's pages (see Store), a big one's into
// its own allocations.
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
	for ; n < len(buf) && cursor < s.head; n++ {
		buf[n] = s.message(cursor)
		cursor++
	}
	return n, cursor, missed
}

// Fit drops the oldest messages until the store is within its bound,
// Lend's included: a bound lowered while nothing was appended (see
// Session.lend) is kept at once, not at the next message. It returns the
// store's Memory after, under the same lock.
func (s *Store) Fit() int64 {
	bound := s.maxMemory + s.lent.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.head > s.start && s.memoryWith(0, false)+s.held > bound {
		s.drop()
	}
	return s.memory()
}

// setVia sets the Via of the message in sl, whose extra is x: its index
// in the table, added there if there is room, else in the extra (made if
// x is nil: what that adds to its cost goes in cost). It returns the
// extra. Called with the lock held.
func (s *Store) setVia(sl *slot, x *slotExtra, via string, cost *int64) *slotExtra {
	i, ok := s.viaAt[via]
	if !ok && len(s.vias) < maxVias {
		i, ok = uint32(len(s.vias)), true
		s.vias = append(s.vias, via)
		s.viaAt[via] = i
	}
	if ok {
		sl.via = uint16(i)
		return x
	}
	if x == nil {
		x = &slotExtra{}
		*cost += extraBytes
	}
	x.via = via
	return x
}

// message is message seq, which the store holds. Called with the lock
// held.
func (s *Store) message(seq uint64) model.Message {
	sl, x := s.at(seq)
	subjectN := sl.subjectLen(x)
	m := model.Message{Seq: seq, Received: sl.received, Via: s.vias[sl.via], Size: int(sl.wireSize(x))}
	switch {
	case x != nil && x.isBig:
		m.Subject = x.subject
		if sl.n > 0 {
			m.Data = x.big
		}
	case subjectN+int(sl.n) > 0:
		b := s.page(sl.pos)
		m.Subject = unsafe.String(unsafe.SliceData(b), subjectN)
		if sl.n > 0 {
			end := subjectN + int(sl.n)
			m.Data = b[subjectN:end:end] // an append must not write over the next message
		}
	}
	if x != nil {
		m.Reply, m.Header = x.reply, x.header
		if x.via != "" {
			m.Via = x.via
		}
	}
	return m
}

// Len is how many messages the store holds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.head - s.start)
}

// Head is the sequence number the next message will get; a new reader that
// wants only new traffic starts there.
func (s *Store) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head
}
