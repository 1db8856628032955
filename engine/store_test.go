package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"natsx/model"
)

// storeMsg is a message whose payload encodes i, so a reader can tell which
// message it got independently of Seq.
func storeMsg(i uint64, size int) model.Message {
	data := make([]byte, max(size, 8))
	binary.BigEndian.PutUint64(data, i)
	return model.Message{Subject: fmt.Sprintf("s.%d", i), Data: data, Size: len(data)}
}

// fillStore appends n messages numbered 0..n-1.
func fillStore(s *Store, n int) { fillFrom(s, 0, n) }

// fillFrom appends the messages numbered from..to-1.
func fillFrom(s *Store, from, to int) {
	for i := from; i < to; i++ {
		s.Append(storeMsg(uint64(i), 8))
	}
}

// seqs lists the sequence numbers in msgs and checks each payload matches
// its sequence (the store moved whole messages, not mixed fields).
func seqs(t *testing.T, msgs []model.Message) []uint64 {
	t.Helper()
	out := make([]uint64, 0, len(msgs))
	for _, m := range msgs {
		if got := binary.BigEndian.Uint64(m.Data); got != m.Seq || m.Subject != fmt.Sprintf("s.%d", m.Seq) {
			t.Fatalf("message seq %d carries payload %d subject %q", m.Seq, got, m.Subject)
		}
		out = append(out, m.Seq)
	}
	return out
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestStoreRead(t *testing.T) {
	tests := []struct {
		name       string
		capacity   int
		appended   int
		cursor     uint64
		bufLen     int
		wantSeqs   []uint64
		wantNext   uint64
		wantMissed uint64
	}{
		{name: "empty", capacity: 8, appended: 0, cursor: 0, bufLen: 4, wantNext: 0},
		{name: "empty buffer", capacity: 8, appended: 5, cursor: 0, bufLen: 0, wantNext: 0},
		{name: "partial", capacity: 8, appended: 5, cursor: 0, bufLen: 3, wantSeqs: seqRange(0, 3), wantNext: 3},
		{name: "rest", capacity: 8, appended: 5, cursor: 3, bufLen: 10, wantSeqs: seqRange(3, 5), wantNext: 5},
		{name: "at head", capacity: 8, appended: 5, cursor: 5, bufLen: 4, wantNext: 5},
		{name: "full ring", capacity: 8, appended: 8, cursor: 0, bufLen: 8, wantSeqs: seqRange(0, 8), wantNext: 8},
		// 12 into 8 slots: seqs 4..11 live in slots 4..7 then 0..3.
		{name: "wrap all", capacity: 8, appended: 12, cursor: 4, bufLen: 16, wantSeqs: seqRange(4, 12), wantNext: 12},
		{name: "wrap across ring end", capacity: 8, appended: 12, cursor: 6, bufLen: 4, wantSeqs: seqRange(6, 10), wantNext: 10},
		{name: "wrap after ring end", capacity: 8, appended: 12, cursor: 9, bufLen: 4, wantSeqs: seqRange(9, 12), wantNext: 12},
		{name: "cursor ahead of head", capacity: 8, appended: 3, cursor: 10, bufLen: 4, wantNext: 3},
		{name: "cursor ahead of empty", capacity: 8, appended: 0, cursor: 1 << 40, bufLen: 4, wantNext: 0},
		{name: "behind oldest", capacity: 8, appended: 20, cursor: 5, bufLen: 4, wantSeqs: seqRange(12, 16), wantNext: 16, wantMissed: 7},
		{name: "behind oldest from zero", capacity: 8, appended: 20, cursor: 0, bufLen: 64, wantSeqs: seqRange(12, 20), wantNext: 20, wantMissed: 12},
		// The missed count is reported even when nothing fits in buf, and the
		// cursor moves past the gap so it is reported once.
		{name: "behind oldest no buffer", capacity: 8, appended: 20, cursor: 3, bufLen: 0, wantNext: 12, wantMissed: 9},
		{name: "capacity one", capacity: 1, appended: 3, cursor: 0, bufLen: 4, wantSeqs: seqRange(2, 3), wantNext: 3, wantMissed: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore(StoreOptions{Capacity: tc.capacity})
			fillStore(s, tc.appended)
			buf := make([]model.Message, tc.bufLen)
			n, next, missed := s.Read(tc.cursor, buf)
			if got := seqs(t, buf[:n]); !slices.Equal(got, tc.wantSeqs) {
				t.Errorf("seqs = %v, want %v", got, tc.wantSeqs)
			}
			if next != tc.wantNext || missed != tc.wantMissed {
				t.Errorf("next, missed = %d, %d, want %d, %d", next, missed, tc.wantNext, tc.wantMissed)
			}
			if h := s.Head(); h != uint64(tc.appended) {
				t.Errorf("Head = %d, want %d", h, tc.appended)
			}
		})
	}
}

// TestStoreCapacity: the store holds the number of messages it is given,
// not a power of two of them, across its chunks' ends.
func TestStoreCapacity(t *testing.T) {
	tests := []struct{ capacity, want int }{
		{-5, DefaultStoreOptions().Capacity},
		{0, DefaultStoreOptions().Capacity},
		{1, 1},
		{2, 2},
		{3, 3},
		{5, 5},
		{1000, 1000},
		{1024, 1024},
		{1025, 1025},
		{chunkSlots, chunkSlots},
		{chunkSlots + 1, chunkSlots + 1},
		{3*chunkSlots - 1, 3*chunkSlots - 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.capacity), func(t *testing.T) {
			s := NewStore(StoreOptions{Capacity: tc.capacity})
			if s.maxMsgs != uint64(tc.want) {
				t.Fatalf("holds %d messages, want %d", s.maxMsgs, tc.want)
			}
			if tc.want > 4*chunkSlots {
				return
			}
			// The capacity is what is held: want messages, none missed; one
			// more drops exactly one; and the ring wraps in order, from any
			// cursor.
			fillStore(s, tc.want)
			buf := make([]model.Message, tc.want+1)
			if n, _, missed := s.Read(0, buf); n != tc.want || missed != 0 {
				t.Fatalf("after %d appends: read %d, missed %d", tc.want, n, missed)
			}
			s.Append(storeMsg(uint64(tc.want), 8))
			if n, _, missed := s.Read(0, buf); n != tc.want || missed != 1 {
				t.Fatalf("after %d appends: read %d, missed %d, want %d, 1", tc.want+1, n, missed, tc.want)
			}
			total := max(3*tc.want+2, 3*chunkSlots) // round the ring, across chunks
			fillFrom(s, tc.want+1, total)
			step := uint64(max(tc.want/97, 1)) // a prime: the cursors fall all over the chunks
			for cursor := uint64(total - tc.want); cursor <= uint64(total); cursor += step {
				n, next, missed := s.Read(cursor, buf)
				if got := seqs(t, buf[:n]); !slices.Equal(got, seqRange(cursor, uint64(total))) || next != uint64(total) || missed != 0 {
					t.Fatalf("read from %d after %d appends: %v, next %d, missed %d", cursor, total, got, next, missed)
				}
			}
		})
	}
}

// heldBytes sums the payload bytes the store holds, under its lock.
func heldBytes(s *Store) (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := 0
	for i := s.start; i < s.head; i++ {
		sl, _ := s.at(i)
		sum += int(sl.n)
	}
	return sum, s.bytes
}

func TestStoreMaxBytesEviction(t *testing.T) {
	const maxBytes, payload, n = 10_000, 1000, 500
	s := NewStore(StoreOptions{Capacity: 1024, MaxBytes: maxBytes, MaxPayload: payload})
	for i := range n {
		s.Append(storeMsg(uint64(i), payload))
		if sum, counted := heldBytes(s); sum > maxBytes || sum != counted {
			t.Fatalf("after %d appends: holding %d bytes (counted %d), max %d", i+1, sum, counted, maxBytes)
		}
	}
	buf := make([]model.Message, 1024)
	got, next, missed := s.Read(0, buf)
	if got != maxBytes/payload || missed != n-maxBytes/payload || next != n {
		t.Fatalf("read %d, missed %d, next %d; want %d, %d, %d", got, missed, next, maxBytes/payload, n-maxBytes/payload, n)
	}
	if want := seqRange(n-maxBytes/payload, n); !slices.Equal(seqs(t, buf[:got]), want) {
		t.Fatalf("held %v, want the newest %v", seqs(t, buf[:got]), want)
	}
}

// TestStoreMaxBytesWindow checks, for random sizes, that the store holds
// exactly the longest run of newest messages within both bounds: evicting
// more would lose messages for nothing, fewer would break a bound.
func TestStoreMaxBytesWindow(t *testing.T) {
	const capacity, maxBytes, maxPayload = 64, 4096, 700
	rng := rand.New(rand.NewPCG(1, 2))
	s := NewStore(StoreOptions{Capacity: capacity, MaxBytes: maxBytes, MaxPayload: maxPayload})
	var kept []int // bytes kept per sequence
	buf := make([]model.Message, capacity)
	for i := range 5000 {
		size := 8 + rng.IntN(1000)
		s.Append(storeMsg(uint64(i), size))
		kept = append(kept, min(size, maxPayload))

		start, sum := len(kept), 0
		for start > 0 && len(kept)-start < capacity && sum+kept[start-1] <= maxBytes {
			sum += kept[start-1]
			start--
		}
		n, next, missed := s.Read(0, buf)
		if n != len(kept)-start || missed != uint64(start) || next != uint64(len(kept)) {
			t.Fatalf("after %d appends: read %d missed %d next %d, want %d %d %d",
				i+1, n, missed, next, len(kept)-start, start, len(kept))
		}
		if held, _ := heldBytes(s); held != sum {
			t.Fatalf("after %d appends: holding %d bytes, want %d", i+1, held, sum)
		}
	}
}

// TestStoreMaxPayloadAboveMaxBytes: a single message bigger than MaxBytes
// must not be held whole.
func TestStoreMaxPayloadAboveMaxBytes(t *testing.T) {
	s := NewStore(StoreOptions{Capacity: 16, MaxBytes: 100}) // default MaxPayload is 64 KiB
	s.Append(storeMsg(0, 1000))
	s.Append(storeMsg(1, 1000))
	if held, _ := heldBytes(s); held > 100 {
		t.Fatalf("holding %d bytes, MaxBytes 100", held)
	}
	buf := make([]model.Message, 4)
	n, _, _ := s.Read(0, buf)
	if n == 0 || buf[n-1].Seq != 1 || buf[n-1].Size != 1000 || !buf[n-1].Truncated() {
		t.Fatalf("newest message not kept truncated: n=%d %+v", n, buf[:n])
	}
}

func TestStoreMaxPayloadTruncation(t *testing.T) {
	s := NewStore(StoreOptions{Capacity: 8, MaxPayload: 16})
	big := bytes.Repeat([]byte("0123456789"), 10)
	small := []byte("short")
	s.Append(model.Message{Subject: "big", Data: big, Size: len(big)})
	s.Append(model.Message{Subject: "small", Data: small, Size: len(small)})
	s.Append(model.Message{Subject: "nosize", Data: big}) // Size left 0 by the caller

	buf := make([]model.Message, 4)
	n, _, _ := s.Read(0, buf)
	if n != 3 {
		t.Fatalf("read %d, want 3", n)
	}
	got, sm, nosize := buf[0], buf[1], buf[2]
	if !bytes.Equal(got.Data, big[:16]) || got.Size != 100 || !got.Truncated() {
		t.Fatalf("big: Data %q Size %d, want the first 16 bytes and Size 100", got.Data, got.Size)
	}
	if nosize.Size != 100 || !nosize.Truncated() {
		t.Fatalf("Size 0 from the caller: stored Size %d, want the 100 bytes handed in", nosize.Size)
	}
	// The truncated copy must not pin or alias the caller's buffer.
	big[0] = 'X'
	if got.Data[0] != '0' || nosize.Data[0] != '0' {
		t.Fatal("truncated Data aliases the caller's payload")
	}
	if cap(got.Data) != 16 {
		t.Fatalf("truncated Data has cap %d, want 16 (a copy, not a reslice)", cap(got.Data))
	}
	// Payloads within the cap are copied whole into the store's pages:
	// nats.go's allocation for it is garbage once the tap returns.
	if !bytes.Equal(sm.Data, small) || sm.Size != 5 || sm.Truncated() || &sm.Data[0] == &small[0] {
		t.Fatalf("small: Data %q Size %d, want a copy of the caller's", sm.Data, sm.Size)
	}
}

func TestStoreSeq(t *testing.T) {
	s := NewStore(StoreOptions{Capacity: 4})
	for i := range uint64(10) {
		m := storeMsg(i, 8)
		m.Seq = 999 // callers' sequence numbers are ignored
		if got := s.Append(m); got != i {
			t.Fatalf("Append #%d returned seq %d", i, got)
		}
		if h := s.Head(); h != i+1 {
			t.Fatalf("Head after %d appends = %d", i+1, h)
		}
	}
	buf := make([]model.Message, 4)
	n, _, _ := s.Read(6, buf)
	if got := seqs(t, buf[:n]); !slices.Equal(got, seqRange(6, 10)) {
		t.Fatalf("seqs = %v", got)
	}
}

func TestStoreTwoReaders(t *testing.T) {
	s := NewStore(StoreOptions{Capacity: 16})
	fillStore(s, 10)
	a, b := make([]model.Message, 16), make([]model.Message, 3)

	na, curA, _ := s.Read(0, a)
	nb, curB, _ := s.Read(0, b)
	if na != 10 || curA != 10 || nb != 3 || curB != 3 {
		t.Fatalf("first reads: a %d→%d, b %d→%d", na, curA, nb, curB)
	}
	for i := range uint64(10) {
		s.Append(storeMsg(10+i, 8)) // seqs 4..19 held: b, at 3, missed one
	}

	na, curA, missedA := s.Read(curA, a)
	if got := seqs(t, a[:na]); !slices.Equal(got, seqRange(10, 20)) || missedA != 0 || curA != 20 {
		t.Fatalf("a: %v missed %d next %d", got, missedA, curA)
	}
	var gotB []uint64
	var missedB uint64
	for curB < s.Head() {
		var n int
		var missed uint64
		n, curB, missed = s.Read(curB, b)
		missedB += missed
		gotB = append(gotB, seqs(t, b[:n])...)
	}
	if !slices.Equal(gotB, seqRange(4, 20)) || missedB != 1 {
		t.Fatalf("b: %v missed %d", gotB, missedB)
	}
	// Reading does not consume: a fresh reader still sees everything held.
	n, _, missed := s.Read(0, a)
	if n != 16 || missed != 4 {
		t.Fatalf("third reader: %d read, %d missed", n, missed)
	}
}

// TestStoreConcurrent runs a writer against a reader that falls behind: every
// sequence number is either received, in order, or counted as missed.
func TestStoreConcurrent(t *testing.T) {
	const total = 200_000
	s := NewStore(StoreOptions{Capacity: 1024})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range uint64(total) {
			s.Append(model.Message{Seq: i, Data: binary.BigEndian.AppendUint64(nil, i), Size: 8})
		}
	})
	var received, missed, cursor uint64
	buf := make([]model.Message, 100)
	for cursor < total {
		n, next, m := s.Read(cursor, buf)
		if next != cursor+m+uint64(n) {
			t.Fatalf("Read(%d) = %d, next %d, missed %d: cursor arithmetic broken", cursor, n, next, m)
		}
		for i, msg := range buf[:n] {
			want := cursor + m + uint64(i)
			if msg.Seq != want || binary.BigEndian.Uint64(msg.Data) != want {
				t.Fatalf("got seq %d payload %d, want %d", msg.Seq, binary.BigEndian.Uint64(msg.Data), want)
			}
		}
		received += uint64(n)
		missed += m
		cursor = next
	}
	wg.Wait()
	if received+missed != total {
		t.Fatalf("received %d + missed %d = %d, want %d", received, missed, received+missed, total)
	}
	t.Logf("received %d, missed %d", received, missed)
}

func BenchmarkStoreAppend(b *testing.B) {
	s := NewStore(DefaultStoreOptions())
	m := model.Message{Subject: "orders.eu.created", Data: make([]byte, 128), Size: 128}
	b.ReportAllocs()
	for b.Loop() {
		s.Append(m)
	}
}

// BenchmarkStoreAppendRead is the tap and the UI together: a writer appends
// b.N messages while a reader drains in UI-sized batches.
func BenchmarkStoreAppendRead(b *testing.B) {
	s := NewStore(DefaultStoreOptions())
	m := model.Message{Subject: "orders.eu.created", Data: make([]byte, 128), Size: 128}
	buf := make([]model.Message, 65536)
	b.ReportAllocs()
	b.ResetTimer()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range b.N {
			s.Append(m)
		}
	}()
	var cursor, missed uint64
	for cursor < uint64(b.N) {
		n, next, m := s.Read(cursor, buf)
		missed += m
		cursor = next
		if n == 0 {
			runtime.Gosched() // let the writer have the lock, as a ticking reader would
		}
	}
	<-done
	b.ReportMetric(float64(missed)/float64(b.N), "missed/op")
}

// BenchmarkStoreRead65536 is one UI-sized batch: the time the tap's callback
// may wait for the lock while a reader copies.
func BenchmarkStoreRead65536(b *testing.B) {
	s := NewStore(DefaultStoreOptions())
	m := model.Message{Subject: "orders.eu.created", Data: make([]byte, 128), Size: 128}
	for range 65536 {
		s.Append(m)
	}
	buf := make([]model.Message, 65536)
	b.ReportAllocs()
	for b.Loop() {
		if n, _, _ := s.Read(0, buf); n != len(buf) {
			b.Fatalf("read %d", n)
		}
	}
}

// TestStoreWaitWakesOnAppend: an idle reader sleeping in Wait wakes when a
// message arrives, not when its timeout ends; with a message already past
// its cursor it does not sleep; with none it sleeps the whole timeout.
func TestStoreWaitWakesOnAppend(t *testing.T) {
	s := NewStore(StoreOptions{})
	start := time.Now()
	s.Wait(0, 50*time.Millisecond)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("Wait on an empty store returned after %v, before its timeout", d)
	}
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		s.Wait(0, time.Minute)
		done <- time.Since(start)
	}()
	for !s.waiting.Load() {
		time.Sleep(time.Millisecond)
	}
	s.Append(model.Message{Subject: "a"})
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Wait did not wake on Append")
	}
	// A message past the cursor: no sleep, whatever the timeout.
	finished := make(chan struct{})
	go func() { s.Wait(0, time.Minute); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("Wait slept with a message already there")
	}
}

// TestStoreMessageFields: every field of a message comes back as it went
// in, whichever part of the slot holds it: the subject and payload by
// pointer, the reply and headers in the extra, Via in the store's table
// and, past the table's bound, in the extra.
func TestStoreMessageFields(t *testing.T) {
	s := NewStore(StoreOptions{Capacity: 2 * maxVias})
	var want []model.Message
	for i := range maxVias + 64 {
		m := model.Message{Received: int64(1000 + i), Subject: fmt.Sprintf("f.%d", i), Data: []byte(fmt.Sprint("payload ", i)), Size: 100 + i}
		switch i % 4 {
		case 1:
			m.Reply = fmt.Sprintf("_INBOX.%d", i)
		case 2:
			m.Header = model.Header{"K": {fmt.Sprint(i)}}
		case 3:
			m.Subject, m.Data, m.Size = "", nil, 0
		}
		if i%8 != 7 {
			m.Via = fmt.Sprintf("via.%d.>", i) // past maxVias distinct
		}
		switch i % 16 {
		case 4:
			m.Size = len(m.Data) // the tap's: no extra for it
		case 8:
			// A subject past what a slot's length holds, on a message that
			// needs no extra otherwise; one of exactly that length, the
			// sentinel's; one just short.
			m.Subject = strings.Repeat("long.", longSubject/5+i%32)
			m.Size, m.Reply, m.Header, m.Via = len(m.Data), "", nil, ""
		case 12:
			m.Subject = strings.Repeat("x", longSubject-1+i%32/16)
		case 10:
			// Past what a page takes: an allocation of its own.
			m.Data = bytes.Repeat([]byte{byte(i)}, bigMsg+i%3-1)
			m.Size = len(m.Data)
		}
		want = append(want, m)
		s.Append(m)
	}
	buf := make([]model.Message, len(want)+1)
	n, _, _ := s.Read(0, buf)
	if n != len(want) {
		t.Fatalf("read %d of %d", n, len(want))
	}
	for i, got := range buf[:n] {
		w := want[i]
		w.Seq = uint64(i)
		if got.Seq != w.Seq || got.Received != w.Received || got.Subject != w.Subject || got.Reply != w.Reply || got.Via != w.Via ||
			!bytes.Equal(got.Data, w.Data) || got.Size != w.Size || fmt.Sprint(got.Header) != fmt.Sprint(w.Header) {
			t.Fatalf("message %d: got %+v, want %+v", i, got, w)
		}
	}
	if len(s.vias) != maxVias {
		t.Errorf("the table holds %d vias, want its bound %d", len(s.vias), maxVias)
	}
	// What leaves the store takes its cost with it, extras and all.
	fillStore(s, 2*maxVias-3)
	s.mu.Lock()
	defer s.mu.Unlock()
	var held, subjects, wire int64
	for i := s.start; i < s.head; i++ {
		sl, x := s.at(i)
		held += extraCost(x)
		subjects += allocBytes(sl.subjectLen(x))
		wire += sl.wireBytes(x)
	}
	if held != s.held || subjects != s.subjects || wire != s.wire || s.head-s.start != 2*maxVias {
		t.Errorf("held %d, counted %d; subjects %d, counted %d; wire %d, counted %d; over %d messages",
			held, s.held, subjects, s.subjects, wire, s.wire, s.head-s.start)
	}
}

// TestStoreKeepsWhatItPointsAt: the store copies each message's subject
// and payload into its pages, so the caller may reuse its buffers (nats.go
// does not, but a capture's reader may), and what it reads back comes
// intact through collections that reuse freed memory.
func TestStoreKeepsWhatItPointsAt(t *testing.T) {
	const n = 4096
	s := NewStore(StoreOptions{Capacity: n})
	sub, data := make([]byte, 0, 64), make([]byte, 0, 64)
	for i := range n {
		sub = fmt.Appendf(sub[:0], "keep.%d", i)
		data = fmt.Appendf(data[:0], "data %d", i)
		s.Append(model.Message{Subject: unsafe.String(unsafe.SliceData(sub), len(sub)), Data: data})
	}
	for range 3 {
		runtime.GC()
		junk := make([][]byte, 0, n)
		for range n {
			junk = append(junk, bytes.Repeat([]byte{'x'}, 16))
		}
		runtime.KeepAlive(junk)
	}
	buf := make([]model.Message, n)
	got, _, _ := s.Read(0, buf)
	for i, m := range buf[:got] {
		if m.Subject != fmt.Sprintf("keep.%d", i) || string(m.Data) != fmt.Sprintf("data %d", i) {
			t.Fatalf("message %d came back as %q %q", i, m.Subject, m.Data)
		}
		if cap(m.Data) != len(m.Data) {
			t.Fatalf("message %d: its payload's capacity %d reaches past its %d bytes into the next message", i, cap(m.Data), len(m.Data))
		}
	}
}

// TestStorePagesGo: a page goes once no message held begins in it or
// before it, and a reader that still holds a message keeps its page
// intact (pages are never written again).
func TestStorePagesGo(t *testing.T) {
	const bound = 8*chunkBytes + 16*pageSize
	s := NewStore(StoreOptions{Capacity: 1 << 30, MaxBytes: 1 << 30, MaxMemory: bound})
	fillStore(s, 100)
	buf := make([]model.Message, 1)
	s.Read(0, buf)
	first := buf[0]
	for i := range 200_000 {
		s.Append(storeMsg(uint64(100+i), 100))
		if i%1000 == 0 {
			s.mu.Lock()
			sl, _ := s.at(s.start)
			if s.pageBase != sl.pos/pageSize {
				t.Fatalf("after %d messages: the oldest begins in page %d, the pages begin at %d", i, sl.pos/pageSize, s.pageBase)
			}
			s.mu.Unlock()
		}
	}
	if first.Subject != "s.0" || binary.BigEndian.Uint64(first.Data) != 0 {
		t.Fatalf("a message read before its page went changed: %q %x", first.Subject, first.Data)
	}
	if m := s.Memory(); m > bound {
		t.Fatalf("the store counts %d of a %d bound", m, bound)
	}
}

// chunkMemory is what the store's chunks cost, the one kept aside
// included, under its lock.
func chunkMemory(s *Store) (int64, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.chunks)
	if s.spare != nil {
		n++
	}
	return int64(n)*chunkBytes + s.tables*extrasBytes + int64(len(s.pages))*pageSize, int(s.head - s.start)
}

// TestStoreChunks: the ring takes chunks of slots and pages as the
// messages need them and gives them back as they leave, so the memory
// bound holds the slots and the bytes together: small messages fill it
// with slots (no chunk short of what fits), big ones with pages (their
// slots' chunks freed), and a ring going round reuses its chunks instead
// of allocating (pages it cannot: a reader may still hold a message in
// one).
func TestStoreChunks(t *testing.T) {
	const bound = 16*chunkBytes + 8*pageSize
	s := NewStore(StoreOptions{Capacity: 1 << 30, MaxBytes: 1 << 30, MaxMemory: bound})
	check := func(stage string, perMsg int64) {
		t.Helper()
		mem, held := chunkMemory(s)
		if counted := s.Memory(); counted > bound || mem+s.held > counted {
			t.Fatalf("%s: counts %d of a %d bound; the chunks and pages cost %d and the extras %d", stage, counted, bound, mem, s.held)
		}
		// The messages may span a chunk more than they fill, and one is
		// counted for the next: up to three chunks of slots unused; and
		// two pages.
		if want := int((bound - 3*chunkBytes - 2*pageSize) / perMsg); held < want {
			t.Fatalf("%s: holds %d messages of %d bytes each, want at least %d", stage, held, perMsg, want)
		}
	}
	small := make([]model.Message, 3*bound/(SlotBytes+16))
	for i := range small {
		small[i] = storeMsg(uint64(i), 8) // "s.<i>" (at most 8 bytes) and 8 bytes: 16 in a page
	}
	for _, m := range small {
		s.Append(m)
	}
	check("small messages", SlotBytes+16)

	// The pages the messages fill, one more for the page ends they waste,
	// and the queues of chunks, their tables and pages growing once each
	// (a chunk every 4,096 messages would pass that). The runtime counts
	// every goroutine's allocations, and what an earlier test left running
	// (a connection, a timer) may allocate meanwhile (16 against 8, once,
	// under -race in .ci/run): the fewest of three turns of the ring is
	// the store's.
	want := uint64(4*chunkSlots*16/pageSize + 1 + 3)
	fewest := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		over := 0
		for i := range 4 * chunkSlots {
			s.Append(small[i])
			if s.Memory() > bound {
				over++
			}
		}
		runtime.ReadMemStats(&after)
		if over > 0 {
			t.Errorf("over the bound after %d of %d messages", over, 4*chunkSlots)
		}
		if fewest = min(fewest, after.Mallocs-before.Mallocs); fewest <= want {
			break
		}
	}
	if fewest > want {
		t.Errorf("a full ring going round four chunks allocated %d times, want no chunk: at most %d (pages and the queues' growth)", fewest, want)
	}

	for j := range 3 * bound / 1024 {
		s.Append(storeMsg(uint64(j), 1024))
	}
	check("1 KiB messages", (SlotBytes+16+1024)*101/100) // a page's end wasted: at most 1,040 bytes of 64 KiB
	if mem, held := chunkMemory(s); mem-int64(len(s.pages))*pageSize > int64(held/chunkSlots+3)*chunkBytes {
		t.Errorf("%d messages in %d chunks", held, mem/chunkBytes)
	}
}

// heapNow is the heap's live objects after a collection.
func heapNow() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestAllocBytesIsTheHeap allocates objects of many sizes and checks
// allocBytes against what the runtime counts for them: the same, past 16
// bytes; never less below. Other tests' goroutines allocate and free
// meanwhile, so a size fails only when three measures in a row are off
// (in CI: 1 byte at 16.0-something, 25 bytes at 31.2 against 32); a wrong
// size class is off every time.
func TestAllocBytesIsTheHeap(t *testing.T) {
	for _, n := range []int{1, 7, 8, 15, 16, 17, 19, 24, 25, 33, 100, 256, 257, 300, 1000, 1100, 5000, 9000, 32768, 32769, 100_000} {
		k := max(4096, (8<<20)/n)
		if n > 32768 {
			k = 64
		}
		got := float64(allocBytes(n))
		for try := 1; ; try++ {
			objs := make([][]byte, k)
			before := heapNow()
			for i := range objs {
				objs[i] = make([]byte, n)
			}
			per := float64(heapNow()-before) / float64(k)
			runtime.KeepAlive(objs)
			// Up to 16 bytes the runtime packs objects into shared 16-byte
			// blocks, so the heap may take less than allocBytes, never
			// more; past that, the same within 1%.
			if got >= per*0.99 && (n <= 16 || got <= per*1.01) {
				break
			}
			if try == 3 {
				t.Errorf("%d bytes: allocBytes %v, the heap takes %.1f an object", n, got, per)
				break
			}
		}
	}
}

// TestStoreMemoryIsTheHeap fills a store with a flood's messages made as
// nats.go makes them (a string for the subject, a slice for the payload,
// each its own allocation) and checks what it counts against the heap.
// Goroutines other tests left behind (a server shutting down) allocate and
// free meanwhile, so a case fails only when three fills in a row are off
// (once in CI: one fill 5.0% off, its retry exact); a miscount is off
// every time.
func TestStoreMemoryIsTheHeap(t *testing.T) {
	for _, tc := range []struct {
		subject string
		size    int
	}{
		{"bench.999.99.%06d", 16}, // go run ./bench
		{"bench.%07d", 16},        // nats bench
		{"sensors.building%d.temperature", 100},
		{"bench.%07d", 1024},
	} {
		for try := 1; ; try++ {
			before := heapNow()
			s := NewStore(StoreOptionsFor(8 << 20))
			sub := []byte(fmt.Sprintf(tc.subject, 0))
			for i := range 400_000 {
				sub = fmt.Appendf(sub[:0], tc.subject, i)
				s.Append(model.Message{Subject: string(sub), Data: make([]byte, tc.size), Size: tc.size})
			}
			heap := heapNow() - before
			counted := s.Memory()
			runtime.KeepAlive(s)
			d := float64(counted-heap) / float64(heap)
			t.Logf("%q, %d B, fill %d: %d messages, %d bytes counted, %d on the heap (%+.1f%%)", tc.subject, tc.size, try, s.Len(), counted, heap, 100*d)
			if d >= -0.02 && d <= 0.05 {
				break
			}
			if try == 3 {
				t.Errorf("%q, %d B: the store counts %d bytes, the heap holds %d (%+.1f%%)", tc.subject, tc.size, counted, heap, 100*d)
				break
			}
		}
	}
}

// TestStoreFitsALoweredBound: what Lend gave, a lower Lend takes back at
// once with Fit (a stalled callback appends nothing that would make the
// store drop), oldest first, and a store within its bound drops nothing.
func TestStoreFitsALoweredBound(t *testing.T) {
	const share = 8*chunkBytes + 8*pageSize
	s := NewStore(StoreOptions{Capacity: 1 << 30, MaxBytes: 1 << 30, MaxMemory: share})
	s.Lend(share)
	fillStore(s, 200_000)
	if m := s.Memory(); m <= share || m > 2*share {
		t.Fatalf("with its share lent again the store holds %d bytes, want more than its share %d, within %d", m, share, 2*share)
	}
	held := s.Len()
	s.Fit()
	if s.Len() != held {
		t.Fatalf("Fit within the bound dropped %d messages", held-s.Len())
	}
	s.Lend(-share / 4)
	s.Fit()
	if m := s.Memory(); m > share-share/4 {
		t.Errorf("after Fit the store holds %d bytes, over its lowered bound %d", m, share-share/4)
	}
	buf := make([]model.Message, 1)
	if n, _, missed := s.Read(0, buf); n != 1 || missed == 0 || binary.BigEndian.Uint64(buf[0].Data) != missed {
		t.Errorf("after Fit the oldest held is %d with %d missed: not the newest ones kept", binary.BigEndian.Uint64(buf[0].Data), missed)
	}
}
