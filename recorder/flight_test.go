package recorder

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"natsx/model"
)

func flightMsg(i int, at time.Duration, size int) model.Message {
	return model.Message{Seq: uint64(i), Received: base + int64(at), Subject: fmt.Sprintf("f.%d", i%7),
		Data: make([]byte, size), Size: size}
}

func seqs(msgs []model.Message) []uint64 {
	out := make([]uint64, len(msgs))
	for i := range msgs {
		out[i] = msgs[i].Seq
	}
	return out
}

func TestFlightWindow(t *testing.T) {
	f := NewFlightRecorder(10*time.Second, 1<<30)
	for i := range 30 { // one a second, in batches of three
		if i%3 == 2 {
			f.Add([]model.Message{flightMsg(i-2, time.Duration(i-2)*time.Second, 10),
				flightMsg(i-1, time.Duration(i-1)*time.Second, 10), flightMsg(i, time.Duration(i)*time.Second, 10)})
		}
	}
	n, bytes, dropped, span := f.Stats()
	if n != 11 || dropped != 0 || span != 10*time.Second || bytes != 11*messageCost(&model.Message{Subject: "f.0", Data: make([]byte, 10)}) {
		t.Fatalf("stats %d %d %d %s", n, bytes, dropped, span)
	}
	want := []uint64{19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}
	if got := seqs(f.Snapshot()); !reflect.DeepEqual(got, want) {
		t.Fatalf("held %v, want %v", got, want)
	}
}

func TestFlightBytes(t *testing.T) {
	one := messageCost(&model.Message{Subject: "f.0", Data: make([]byte, 100)})
	f := NewFlightRecorder(time.Hour, 10*one)
	for i := range 25 {
		f.Add([]model.Message{flightMsg(i, time.Duration(i)*time.Millisecond, 100)})
	}
	n, bytes, dropped, _ := f.Stats()
	if n != 10 || bytes != 10*one || dropped != 15 {
		t.Fatalf("stats %d %d %d", n, bytes, dropped)
	}
	if got := seqs(f.Snapshot()); got[0] != 15 || got[9] != 24 {
		t.Fatalf("held %v", got)
	}
	// A message that alone exceeds the budget is dropped, not held.
	f.Add([]model.Message{flightMsg(99, time.Second, int(20*one))})
	if n, _, dropped, _ := f.Stats(); n != 10 || dropped != 16 {
		t.Fatalf("after a huge message: %d held, %d dropped", n, dropped)
	}
}

// TestFlightMatchesModel feeds random batches (sizes, time steps, bursts
// that grow and then shrink the ring) and compares with a plain slice.
func TestFlightMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const window, budget = int64(time.Second), 200 << 10
	f := NewFlightRecorder(time.Duration(window), budget)
	var ref []model.Message
	var refDropped uint64
	var newest, refBytes int64
	at, seq := time.Duration(0), 0
	for round := range 400 {
		batch := make([]model.Message, rng.IntN(300))
		for i := range batch {
			if round%50 < 40 {
				at += time.Duration(rng.IntN(int(5 * time.Millisecond)))
			} else {
				at += time.Duration(rng.IntN(int(50 * time.Millisecond))) // sparse: the ring shrinks
			}
			batch[i] = flightMsg(seq, at, rng.IntN(2000))
			seq++
		}
		f.Add(batch)
		for i := range batch {
			m := batch[i]
			newest = max(newest, m.Received)
			for len(ref) > 0 && ref[0].Received < newest-window {
				refBytes -= messageCost(&ref[0])
				ref = ref[1:]
			}
			for len(ref) > 0 && refBytes+messageCost(&m) > budget {
				refBytes -= messageCost(&ref[0])
				ref = ref[1:]
				refDropped++
			}
			ref = append(ref, m)
			refBytes += messageCost(&m)
		}
		n, bytes, dropped, _ := f.Stats()
		if got := f.Snapshot(); n != len(ref) || bytes != refBytes || dropped != refDropped || !reflect.DeepEqual(seqs(got), seqs(ref)) {
			t.Fatalf("round %d: held %d dropped %d, model %d dropped %d", round, n, dropped, len(ref), refDropped)
		}
	}
	// After the traffic thinned, the memory held follows what is counted:
	// a chunk wastes less than a small record at its end, plus the
	// oldest chunk's evicted head and the spare.
	if _, bytes, _, _ := f.Stats(); f.held() > bytes+bytes/8+3*int64(f.chunkSize) || cap(f.chunks) > 64 {
		t.Fatalf("%d bytes in %d chunks (list of %d) held for %d counted", f.held(), len(f.chunks), cap(f.chunks), bytes)
	}
}

// TestFlightAddDoesNotAllocate: once the ring has grown, Add costs no
// allocation, whatever the batch.
func TestFlightAddDoesNotAllocate(t *testing.T) {
	f := NewFlightRecorder(50*time.Millisecond, 1<<30)
	batch := make([]model.Message, 500)
	at := time.Duration(0)
	next := func() {
		for i := range batch {
			at += 10 * time.Microsecond
			batch[i] = flightMsg(i, at, 64)
			batch[i].Header = model.Header{"K": {"v"}}
		}
	}
	for range 20 { // two windows: the ring reaches its steady size
		next()
		f.Add(batch)
	}
	// A window is less than a chunk here: go on until the first chunk was
	// emptied and kept as the spare, the steady state.
	for f.made < 2 || f.spare == nil {
		next()
		f.Add(batch)
	}
	// Each run moves the batch on in time, so the ring stays at its size
	// and evicts as much as it adds (AllocsPerRun rounds down: growth
	// would show only if it happened in every run, so check the chunks
	// allocated too).
	size := f.made
	if a := testing.AllocsPerRun(100, func() {
		for i := range batch {
			batch[i].Received += int64(5 * time.Millisecond)
		}
		f.Add(batch)
	}); a != 0 || f.made != size {
		t.Fatalf("Add allocated %.1f times per batch; %d chunks made, was %d", a, f.made, size)
	}
}

func TestFlightSaveRoundTrip(t *testing.T) {
	f := NewFlightRecorder(0, 0)
	msgs := []model.Message{
		{Received: base, Subject: "orders.eu.created", Header: model.Header{"Nats-Msg-Id": {"1"}, "Multi": {"a", "b"}}, Data: []byte(`{"id":1}`), Size: 8},
		{Received: base + 5, Subject: "svc.req", Reply: "_INBOX.x.1", Data: []byte{0, 1, 255}, Size: 3},
		{Received: base + 9, Subject: "big", Data: []byte("cut"), Size: 1000},
	}
	f.Add(msgs)
	snap := f.Snapshot()
	f.Add([]model.Message{{Received: base + 10, Subject: "later"}}) // the snapshot is a copy
	path := filepath.Join(t.TempDir(), "flight.natsx")
	n, err := SaveMessages(path, snap, HeaderInfo{Server: "nats://u:pw@h:4222", Subjects: []string{"orders.>"}, NatsxVersion: "v"})
	if err != nil || n != 3 {
		t.Fatalf("saved %d, err %v", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, r := readAll(t, b)
	want := make([]Entry, len(msgs))
	for i, m := range msgs {
		want[i] = Entry{Kind: KindMessage, Time: m.Received, Msg: m}
	}
	sameRecords(t, got, want)
	h := r.Header()
	if !r.Info().Indexed || !h.Created.Equal(time.Unix(0, base)) || h.Server != "nats://u:***@h:4222" || !reflect.DeepEqual(h.Subjects, []string{"orders.>"}) {
		t.Fatalf("header %+v info %+v", h, r.Info())
	}
	if _, err := SaveMessages(path, snap, HeaderInfo{}); err == nil {
		t.Fatal("SaveMessages overwrote a capture")
	}
}

// TestFlightReset: after a reset, older messages (a capture played again
// from an earlier point) are kept instead of falling out of the window.
func TestFlightReset(t *testing.T) {
	f := NewFlightRecorder(10*time.Second, 1<<30)
	for i := range 5 {
		f.Add([]model.Message{flightMsg(i, time.Minute+time.Duration(i)*time.Second, 10)})
	}
	f.Reset()
	if n, bytes, _, _ := f.Stats(); n != 0 || bytes != 0 {
		t.Fatalf("after Reset: %d messages, %d bytes", n, bytes)
	}
	f.Add([]model.Message{flightMsg(10, 0, 10), flightMsg(11, time.Second, 10)})
	if got := seqs(f.Snapshot()); !reflect.DeepEqual(got, []uint64{10, 11}) {
		t.Fatalf("held %v after a reset and older messages", got)
	}
}

// hostileMessages covers every field and the encodings' edges: nil and
// empty headers and payloads, multi-valued and empty header values,
// non-UTF-8 and NUL bytes, a cut payload, a payload kept out of line
// (bigger than a 16th of a chunk) and extreme numbers.
func hostileMessages(bigData int) []model.Message {
	big := make([]byte, bigData+7)
	for i := range big {
		big[i] = byte(i * 7)
	}
	return []model.Message{
		{Seq: 1, Received: base, Subject: "orders.eu.created", Header: model.Header{"Nats-Msg-Id": {"1"}, "Multi": {"a", "b", ""}, "": {"empty key"}},
			Data: []byte(`{"id":1}`), Size: 8, Via: "orders.>"},
		{Seq: 2, Received: base + 1, Subject: "svc.req", Reply: "_INBOX.x.1", Data: []byte{0, 1, 255, 0xc3, 0x28, '\n', '"'}, Size: 7, Sum: 1<<64 - 1},
		{Seq: 3, Received: base + 2, Subject: "big.cut", Data: []byte("cut"), Size: 1 << 40, Sum: 42},
		{Seq: 4, Received: base + 2, Subject: "no.payload"},
		{Seq: 5, Received: base + 3, Subject: "empty.payload", Data: []byte{}, Header: model.Header{}},
		{Seq: 1<<64 - 1, Received: base + 4, Subject: "ünï\x00\xff.subject", Reply: "\xfe", Via: ">", Data: big, Size: len(big)},
		{Seq: 7, Received: base + 5, Subject: "after.big", Data: []byte("small again"), Size: 11},
		{Received: base + 5},
	}
}

// cloneMessages deep-copies msgs, so a later change to what a snapshot
// points at would show.
func cloneMessages(msgs []model.Message) []model.Message {
	out := slices.Clone(msgs)
	for i := range out {
		out[i].Subject = strings.Clone(out[i].Subject)
		if out[i].Data != nil {
			out[i].Data = slices.Clone(out[i].Data)
		}
		if out[i].Header != nil {
			h := model.Header{}
			for k, vs := range out[i].Header {
				h[k] = slices.Clone(vs)
			}
			out[i].Header = h
		}
	}
	return out
}

// TestFlightSnapshotRoundTrip: a snapshot is the messages as added, every
// field, and stays so after Reset and new traffic reuse the chunks.
func TestFlightSnapshotRoundTrip(t *testing.T) {
	f := NewFlightRecorder(time.Hour, 64<<10)
	msgs := hostileMessages(f.bigData)
	want := cloneMessages(msgs)
	f.Add(msgs[:3])
	f.Add(msgs[3:])
	snap := f.Snapshot()
	if !reflect.DeepEqual(snap, want) {
		t.Fatalf("snapshot\n%+v\nwant\n%+v", snap, want)
	}
	var cost int64
	for i := range msgs {
		cost += messageCost(&msgs[i])
	}
	if n, bytes, dropped, span := f.Stats(); n != len(msgs) || bytes != cost || dropped != 0 || span != 5 {
		t.Fatalf("stats %d %d %d %s, want %d %d", n, bytes, dropped, span, len(msgs), cost)
	}
	f.Reset()
	if got := f.Snapshot(); len(got) != 0 || f.held() > int64(f.chunkSize) {
		t.Fatalf("after Reset: %d messages, %d bytes held", len(got), f.held())
	}
	for i := range 2000 { // overwrites the spare chunk the snapshot came from
		f.Add([]model.Message{{Received: base + int64(i), Subject: "x", Data: []byte("overwritten")}})
	}
	if !reflect.DeepEqual(snap, want) {
		t.Fatal("a snapshot changed after Reset and new traffic")
	}
}

// TestFlightRoundTripEvicting feeds random messages with random fields
// through a small window and budget (so records cross chunks, big
// payloads go out of line and both evictions happen) and compares every
// snapshot with a plain slice, field by field.
func TestFlightRoundTripEvicting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const window, budget = int64(100 * time.Millisecond), 48 << 10
	f := NewFlightRecorder(time.Duration(window), budget)
	var ref []model.Message
	var refBytes, newest int64
	var refDropped uint64
	at := base
	for round := range 300 {
		if round == 150 {
			f.Reset()
			ref, refBytes, newest, at = nil, 0, 0, base // older traffic again
		}
		batch := make([]model.Message, rng.IntN(40))
		for i := range batch {
			at += rng.Int64N(int64(2 * time.Millisecond))
			m := model.Message{Seq: rng.Uint64(), Received: at, Subject: fmt.Sprintf("s.%d", rng.IntN(1e6)), Size: rng.IntN(1 << 20)}
			if rng.IntN(3) == 0 {
				m.Reply, m.Via, m.Sum = "_INBOX."+strconv.Itoa(i), "s.>", rng.Uint64()
			}
			if rng.IntN(3) == 0 {
				m.Header = model.Header{"A": {"1", "2"}, "B-" + strconv.Itoa(i): {string([]byte{0xff, byte(i)})}}
			}
			if k := rng.IntN(4); k > 0 {
				m.Data = make([]byte, rng.IntN([]int{0, 50, 500, 5000}[k]))
				for j := range m.Data {
					m.Data[j] = byte(rng.Uint32())
				}
			}
			batch[i] = m
		}
		f.Add(batch)
		for _, m := range cloneMessages(batch) {
			cost := messageCost(&m)
			if cost > budget {
				refDropped++
				continue
			}
			newest = max(newest, m.Received)
			for len(ref) > 0 && ref[0].Received < newest-window {
				refBytes -= messageCost(&ref[0])
				ref = ref[1:]
			}
			for len(ref) > 0 && refBytes+cost > budget {
				refBytes -= messageCost(&ref[0])
				ref = ref[1:]
				refDropped++
			}
			ref = append(ref, m)
			refBytes += cost
		}
		n, bytes, dropped, _ := f.Stats()
		if got := f.Snapshot(); n != len(ref) || bytes != refBytes || dropped != refDropped || !reflect.DeepEqual(got, slices.Clip(ref)) && !(len(got) == 0 && len(ref) == 0) {
			t.Fatalf("round %d: held %d (%d bytes) dropped %d, model %d (%d bytes) dropped %d", round, n, bytes, dropped, len(ref), refBytes, refDropped)
		}
		if f.held() > bytes+bytes/8+3*int64(f.chunkSize) {
			t.Fatalf("round %d: %d bytes held for %d counted", round, f.held(), bytes)
		}
	}
	if refDropped == 0 || len(f.bigs) == 0 {
		t.Fatalf("the budget never evicted (%d) or no payload went out of line (%d)", refDropped, len(f.bigs))
	}
}

// TestFlightAllIsSnapshot: All yields what Snapshot copies, every field,
// big payloads and evicted chunks included, and stops when asked; F saves
// from it, so a capture written by SaveAll reads back as the messages.
func TestFlightAllIsSnapshot(t *testing.T) {
	f := NewFlightRecorder(time.Hour, 64<<10)
	for round := range 40 { // past the budget: the oldest chunks go
		msgs := hostileMessages(f.bigData)
		for i := range msgs {
			msgs[i].Received += int64(round) * 10 // time goes on, as captures need
		}
		f.Add(msgs)
	}
	want := f.Snapshot()
	var got []model.Message
	for m := range f.All() {
		got = append(got, cloneMessages([]model.Message{*m})...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("All yielded %d messages unlike Snapshot's %d", len(got), len(want))
	}
	n := 0
	for range f.All() {
		if n++; n == 3 {
			break
		}
	}
	// Realistic messages for the file (the hostile ones test the codec,
	// not the capture format), small and big (out of line), past the budget.
	f = NewFlightRecorder(time.Hour, 64<<10)
	for i := range 400 {
		f.Add([]model.Message{flightMsg(i, time.Duration(i)*time.Millisecond, 10+(i%7)*f.bigData/3)})
	}
	want = f.Snapshot()
	path := filepath.Join(t.TempDir(), "flight.natsx")
	if k, err := SaveAll(path, f.All(), HeaderInfo{}); err != nil || k != len(want) {
		t.Fatalf("SaveAll wrote %d of %d: %v", k, len(want), err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := readAll(t, b)
	if len(entries) != len(want) || !reflect.DeepEqual(entries[len(entries)-1].Msg.Data, want[len(want)-1].Data) {
		t.Fatalf("read back %d entries of %d", len(entries), len(want))
	}
	empty := filepath.Join(t.TempDir(), "empty.natsx")
	if k, err := SaveAll(empty, NewFlightRecorder(0, 0).All(), HeaderInfo{}); err != nil || k != 0 {
		t.Fatalf("an empty recorder: %d, %v", k, err)
	}
	if _, err := os.Stat(empty); err != nil {
		t.Fatalf("an empty recorder saved no capture: %v", err)
	}
}

// TestFlightBatchOverBudget: a batch bigger than the budget copies only
// what stays, and ends as if each message had been added on its own:
// the same records held, the same bytes, the same count dropped.
func TestFlightBatchOverBudget(t *testing.T) {
	const budget = 512 << 10
	batch := make([]model.Message, 100)
	for i := range batch {
		batch[i] = flightMsg(i, time.Duration(i)*time.Millisecond, 64<<10)
	}
	one := NewFlightRecorder(time.Hour, budget)
	one.Add(batch[:3])
	for i := range batch {
		one.Add(batch[i : i+1])
	}
	f := NewFlightRecorder(time.Hour, budget)
	f.Add(batch[:3])
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f.Add(batch)
	runtime.ReadMemStats(&after)
	n, bytes, dropped, _ := f.Stats()
	wn, wbytes, wdropped, _ := one.Stats()
	if n != wn || bytes != wbytes || dropped != wdropped || !reflect.DeepEqual(seqs(f.Snapshot()), seqs(one.Snapshot())) {
		t.Fatalf("held %d (%d bytes), dropped %d; one by one: %d (%d bytes), dropped %d", n, bytes, dropped, wn, wbytes, wdropped)
	}
	if copied := after.TotalAlloc - before.TotalAlloc; copied > 2*budget {
		t.Errorf("a batch of %d KiB into a %d KiB recorder allocated %d KiB", 100*64, budget>>10, copied>>10)
	}
}
