package engine

import (
	"math"
	"slices"
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
	// MaxMemory bounds what the store holds on the heap: the chunks of
	// slots that hold messages, and what the messages point at (subject,
	// reply, headers and payload, each as the allocator rounds it: see
	// heldCost). Small messages take more slots of it, big ones more
	// bytes. 0 takes the default.
	MaxMemory int64
}

// SlotBytes is what one slot of the store's ring costs.
const SlotBytes = int64(unsafe.Sizeof(slot{}))

// chunkSlots is how many slots the ring allocates and frees at a time:
// 192 KiB of them.
const chunkSlots = 4096

// chunkBytes is what a chunk of slots costs.
const chunkBytes = chunkSlots * SlotBytes

// chunk is a run of the ring's slots.
type chunk [chunkSlots]slot

// slot is a message as the store holds it: model.Message less what the
// store need not keep (the sequence is the slot's place in the ring; Sum
// is never set on the tap's path), its subject and payload each a pointer
// and a length, what few messages have (a reply, headers, a truncated
// payload's wire size, a subject of 64 KiB or more) behind one pointer,
// and the subscription it came by (Via) an index in the store's table of
// them. 40 bytes instead of a model.Message's 112: in a flood of small
// messages the slots are most of what the store holds (a 16-byte payload
// on a 19-byte subject costs 40 bytes more), so the same share holds half
// again as many messages as with 80-byte slots of strings.
// The pointers keep nats.go's allocations alive, as the strings did.
type slot struct {
	received int64
	subject  *byte
	data     *byte
	extra    *slotExtra // nil when the message has none of what it holds
	n        int32      // len(Data): at most MaxPayload (8 MiB)
	subjectN uint16     // len(Subject); longSubject: in the extra
	via      uint16     // index in Store.vias; 0 is none
}

// longSubject in a slot's subjectN says the subject's length is in its
// extra: 64 KiB or more (a server's max_control_line allows that).
const longSubject = math.MaxUint16

// slotExtra is what a message rarely has, and what its headers cost,
// worked out once (in a 64-byte size class).
type slotExtra struct {
	reply  string
	header model.Header
	via    string // a Via past the store's table (maxVias)
	// held and wire are heldCost's and headerWire's of the reply and
	// headers: walking the headers once a message, not at every count.
	held, wire int32
	// size is the wire size when it is not len(Data) (a payload cut to
	// the store's MaxPayload, or a capture's cut one), else 0.
	size int32
	// subjectN is the subject's length when the slot's is longSubject.
	subjectN uint32
}

// addExtra gives sl an extra if it has none, and returns what that adds
// to sl's heldCost.
func (sl *slot) addExtra() int64 {
	if sl.extra != nil {
		return 0
	}
	sl.extra = &slotExtra{}
	return extraBytes
}

// subjectLen is the length of sl's subject.
func (sl *slot) subjectLen() int {
	if sl.subjectN == longSubject {
		return int(sl.extra.subjectN)
	}
	return int(sl.subjectN)
}

// wireSize is sl's message's wire size (model.Message.Size).
func (sl *slot) wireSize() int64 {
	if sl.extra != nil && sl.extra.size > 0 {
		return int64(sl.extra.size)
	}
	return int64(sl.n)
}

// newExtra is the extra of a message with reply and header.
func newExtra(reply string, header model.Header) *slotExtra {
	return &slotExtra{reply: reply, header: header,
		held: int32(min(heldCost("", reply, header, 0), math.MaxInt32)), wire: int32(min(headerWire(header), math.MaxInt32))}
}

// extraBytes is what a slotExtra costs the heap, as the allocator rounds it.
const extraBytes = (int64(unsafe.Sizeof(slotExtra{})) + 15) &^ 15

// maxVias bounds the store's table of Via values. They are the patterns
// of natsx's own subscriptions, a few; any past the bound go in the
// message's extra.
const maxVias = 256

// wireBytes is the slot's message's payload and headers as they came on
// the wire: its wire size, before any truncation, and its headers'.
func (sl *slot) wireBytes() int64 {
	n := sl.wireSize()
	if sl.extra != nil {
		n += int64(sl.extra.wire)
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

// heldCost is what the slot's message costs the heap beyond the slot.
func (sl *slot) heldCost() int64 {
	c := allocBytes(sl.subjectLen()) + allocBytes(int(sl.n))
	if x := sl.extra; x != nil {
		c += extraBytes + int64(x.held)
	}
	return c
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
// Its ring takes slots as the messages need them, so the share holds as
// many messages as fit whatever their size: 469k of nats bench's 16-byte
// flood on 13-byte subjects (a 40-byte slot and 32 bytes each) in 33 MiB,
// 422k on 19-byte subjects, 31k of 1 KiB.
func StoreOptionsFor(memory int64) StoreOptions {
	o := DefaultStoreOptions()
	o.MaxMemory = max(memory, 4*chunkBytes)
	o.Capacity = int(o.MaxMemory / SlotBytes)
	o.MaxBytes = int(min(int64(o.MaxBytes), o.MaxMemory))
	return o
}

// heldCost is what a message in the store costs the heap beyond its slot:
// its subject, reply and payload (n bytes) allocations, rounded up as the
// allocator rounds them, and its headers (nats.go's map of slices,
// estimated at twice their wire size plus the map). The payload's
// allocation is the one nats.go made for the message; headers, when there
// are any, sit in front of it on the wire and in that allocation, and are
// counted twice over in the estimate.
func heldCost(subject, reply string, header model.Header, n int) int64 {
	c := allocBytes(len(subject)) + allocBytes(len(reply)) + allocBytes(n)
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
// kept aside for the next). So the slots cost what the messages held
// need, and the memory bound counts them with what the messages point at.
type Store struct {
	mu         sync.Mutex
	chunks     []*chunk
	base       uint64 // chunks[0]'s number
	spare      *chunk // emptied, zeroed, for the next chunk the ring needs
	start      uint64 // sequence of the oldest message held
	head       uint64 // sequence the next message gets
	vias       []string
	viaAt      map[string]uint32 // vias' indices
	bytes      int
	maxBytes   int
	maxPayload int
	maxMsgs    uint64
	held       int64 // heldCost of the messages held
	subjects   int64 // what their subjects take of it (see Shape)
	wire       int64 // their payloads' and headers' wire sizes (see Shape)
	maxMemory  int64 // bounds the chunks' bytes and held

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
	// its slot is in and the one kept aside: cap its payload so.
	o.MaxPayload = int(max(min(int64(o.MaxPayload), (o.MaxMemory-2*chunkBytes)/2), 0))
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

// Append adds m, assigning its sequence number, and returns it. It never
// blocks for long: the lock covers a few assignments.
func (s *Store) Append(m model.Message) uint64 {
	// Size is the wire size: never less than what we were handed, or a
	// truncated payload would not report itself as truncated.
	m.Size = max(m.Size, len(m.Data))
	if len(m.Data) > s.maxPayload {
		m.Data = slices.Clone(m.Data[:s.maxPayload])
	}
	sl := slot{received: m.Received, subject: unsafe.StringData(m.Subject), data: unsafe.SliceData(m.Data), n: int32(len(m.Data))}
	if m.Reply != "" || len(m.Header) > 0 {
		sl.extra = newExtra(m.Reply, m.Header)
	}
	if size := min(m.Size, math.MaxInt32); size != len(m.Data) {
		sl.addExtra()
		sl.extra.size = int32(size)
	}
	if len(m.Subject) >= longSubject {
		sl.addExtra()
		sl.subjectN, sl.extra.subjectN = longSubject, uint32(len(m.Subject))
	} else {
		sl.subjectN = uint16(len(m.Subject))
	}
	cost := sl.heldCost()
	s.mu.Lock()
	if m.Via != "" {
		cost += s.setVia(&sl, m.Via)
	}
	for s.head > s.start && (s.head-s.start >= s.maxMsgs || s.bytes+len(m.Data) > s.maxBytes ||
		s.slotBytes()+s.held+cost > s.maxMemory) {
		s.drop()
	}
	seq := s.head
	if seq%chunkSlots == 0 {
		s.addChunk()
	}
	s.chunks[len(s.chunks)-1][seq%chunkSlots] = sl
	s.bytes += len(m.Data)
	s.held += cost
	s.subjects += allocBytes(len(m.Subject))
	s.wire += sl.wireBytes()
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

// drop drops the oldest message, and its chunk once that is empty.
// Called with the lock held.
func (s *Store) drop() {
	old := s.at(s.start)
	s.bytes -= int(old.n)
	s.held -= old.heldCost()
	s.subjects -= allocBytes(old.subjectLen())
	s.wire -= old.wireBytes()
	*old = slot{} // release references for the GC
	s.start++
	if s.start%chunkSlots == 0 {
		// Its last message left the chunk, zeroing it slot by slot: keep
		// it aside for the next chunk the ring needs, unless one is.
		if s.spare == nil {
			s.spare = s.chunks[0]
		}
		s.chunks[0] = nil
		s.chunks = s.chunks[1:]
		s.base++
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
}

// at is the slot of message seq, which the store holds. Called with the
// lock held.
func (s *Store) at(seq uint64) *slot {
	return &s.chunks[seq/chunkSlots-s.base][seq%chunkSlots]
}

// slotBytes is what the chunks cost once the next message is in,
// counting one more than the ring holds: the one kept aside, or the next
// one the ring takes. At most a chunk more than they cost, never less;
// dropping the oldest chunk's last message takes a chunk off at once.
// Called with the lock held.
func (s *Store) slotBytes() int64 {
	return int64(len(s.chunks)+1) * chunkBytes
}

// Memory is what the store holds on the heap: its chunks of slots and
// what the messages in them point at (heldCost). Messages a reader copied
// out and still holds are the reader's to count.
func (s *Store) Memory() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(len(s.chunks))
	if s.spare != nil {
		n++
	}
	return n*chunkBytes + s.held
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
	for ; n < len(buf) && cursor < s.head; n++ {
		buf[n] = s.message(s.at(cursor), cursor)
		cursor++
	}
	return n, cursor, missed
}

// setVia sets sl's Via: its index in the table, added there if there is
// room, else in sl's extra. It returns what that adds to sl's heldCost.
// Called with the lock held.
func (s *Store) setVia(sl *slot, via string) int64 {
	i, ok := s.viaAt[via]
	if !ok && len(s.vias) < maxVias {
		i, ok = uint32(len(s.vias)), true
		s.vias = append(s.vias, via)
		s.viaAt[via] = i
	}
	if ok {
		sl.via = uint16(i)
		return 0
	}
	cost := sl.addExtra()
	sl.extra.via = via
	return cost
}

// message is the message in sl, with sequence seq. Called with the lock
// held.
func (s *Store) message(sl *slot, seq uint64) model.Message {
	m := model.Message{Seq: seq, Received: sl.received, Subject: unsafe.String(sl.subject, sl.subjectLen()),
		Via: s.vias[sl.via], Data: unsafe.Slice(sl.data, sl.n), Size: int(sl.wireSize())}
	if x := sl.extra; x != nil {
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
