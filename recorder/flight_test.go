package recorder

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
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
	if f.ring.Slots() > 4*minRing {
		t.Fatalf("ring of %d slots after the traffic thinned", f.ring.Slots())
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
	// Each run moves the batch on in time, so the ring stays at its size
	// and evicts as much as it adds (AllocsPerRun rounds down: growth
	// would show only if it happened in every run, so check the ring too).
	size := f.ring.Slots()
	if a := testing.AllocsPerRun(100, func() {
		for i := range batch {
			batch[i].Received += int64(5 * time.Millisecond)
		}
		f.Add(batch)
	}); a != 0 || f.ring.Slots() != size {
		t.Fatalf("Add allocated %.1f times per batch; ring %d slots, was %d", a, f.ring.Slots(), size)
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

// minRing is the ring size the flight recorder's own ring never shrank
// below, before it became a model.Ring: the bound thinned traffic must
// bring the ring back under (4x) stays what it was.
const minRing = 1024
