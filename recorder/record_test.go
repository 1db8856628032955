package recorder

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// runServer starts a real nats-server that takes payloads as large as the
// embedded broker's, so captures of big messages can be tested.
func runServer(t testing.TB) *server.Server {
	t.Helper()
	return testkit.Server(t, func(o *server.Options) { o.MaxPayload = 8 << 20 })
}

// recordingStore is the store a recording session uses: whole payloads.
var recordingStore = engine.StoreOptions{Capacity: 1 << 18, MaxBytes: 512 << 20, MaxPayload: 8 << 20}

// floodMessage is message i of a flood: subjects, replies, headers and
// payload sizes vary, one payload is bigger than the store's default cap.
func floodMessage(i int) *nats.Msg {
	m := &nats.Msg{Subject: fmt.Sprintf("flood.%d.%s", i%13, []string{"a", "b", "c"}[i%3])}
	if i%7 == 0 {
		m.Reply = fmt.Sprintf("_INBOX.flood.%d", i)
	}
	if i%5 == 0 {
		m.Header = nats.Header{"Seq": {fmt.Sprint(i)}, "Multi": {"x", "y"}}
	}
	size := i % 300
	if i == 1234 {
		size = 200 << 10
	}
	m.Data = make([]byte, size)
	for j := range m.Data {
		m.Data[j] = byte(i + j)
	}
	return m
}

// TestRecordFloodExactN publishes a flood through a real embedded broker
// while recording from the engine session: exactly N records come back,
// byte for byte.
func TestRecordFloodExactN(t *testing.T) {
	const n = 100000
	sess, err := engine.Open(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}, Store: recordingStore})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	path := filepath.Join(t.TempDir(), "flood.natsx")
	w, err := Create(path, WriterOptions{Server: sess.Status().URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var st RecordStats
	var rerr error
	var wg sync.WaitGroup
	wg.Go(func() { st, rerr = Record(ctx, sess, w, RecordOptions{Count: n}) })

	pub := testkit.Conn(t, sess.Embedded().URL())
	for i := range n + 50 { // more than n: recording must stop at exactly n
		if err := pub.PublishMsg(floodMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if rerr != nil || st.Messages != n || st.Reason != StopCount || st.Gaps != 0 {
		t.Fatalf("stats %+v, err %v", st, rerr)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	it := r.Iter()
	i := 0
	for ; it.Next(); i++ {
		sameAsPublished(t, i, it.Entry(), floodMessage(i))
	}
	if i != n || len(r.Problems()) != 0 {
		t.Fatalf("read %d records, problems %v", i, r.Problems())
	}
}

// sliceFeed is a feed over a fixed list, optionally losing messages and
// reporting client drops, to drive Record's gap and stop logic.
type sliceFeed struct {
	mu      sync.Mutex
	msgs    []model.Message
	lose    map[uint64]uint64 // cursor -> messages reported missed there
	dropped uint64
}

func (f *sliceFeed) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	missed := f.lose[cursor]
	delete(f.lose, cursor)
	n := copy(buf, f.msgs[min(cursor, uint64(len(f.msgs))):])
	return n, cursor + uint64(n), missed
}

func (f *sliceFeed) Status() model.SourceStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return model.SourceStatus{ClientDropped: f.dropped}
}

func TestRecordGapsAndStops(t *testing.T) {
	msgs := make([]model.Message, 1000)
	for i := range msgs {
		msgs[i] = model.Message{Received: base + int64(i), Subject: fmt.Sprintf("s.%d", i%2), Data: bytes.Repeat([]byte("p"), 100)}
	}
	cases := []struct {
		name   string
		o      RecordOptions
		cancel bool
		reason StopReason
		msgs   uint64
	}{
		{"count", RecordOptions{Count: 10}, false, StopCount, 10},
		{"subject filter and count", RecordOptions{Count: 10, Subjects: []string{"s.1"}}, false, StopCount, 10},
		{"duration", RecordOptions{Duration: 50 * time.Millisecond}, false, StopDuration, 1000},
		{"max size", RecordOptions{MaxSize: 20000}, false, StopSize, 0},
		{"canceled", RecordOptions{}, true, StopCanceled, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			feed := &sliceFeed{msgs: msgs, lose: map[uint64]uint64{0: 7}, dropped: 3}
			path := filepath.Join(t.TempDir(), "c.natsx")
			w, err := Create(path, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if c.cancel {
				time.AfterFunc(30*time.Millisecond, cancel)
			}
			defer cancel()
			// Client drops grow once recording runs: one client gap.
			time.AfterFunc(5*time.Millisecond, func() { feed.mu.Lock(); feed.dropped = 5; feed.mu.Unlock() })
			st, err := Record(ctx, feed, w, c.o)
			if err != nil || st.Reason != c.reason || (c.msgs > 0 && st.Messages != c.msgs) {
				t.Fatalf("stats %+v err %v", st, err)
			}
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			s, err := r.Stats()
			if err != nil || s.Messages != st.Messages || !s.Indexed {
				t.Fatalf("file stats %+v err %v", s, err)
			}
			if s.Missed < 7 || s.Missed != st.Missed {
				t.Fatalf("missed %d in file, %d recorded, want the store's 7 (+2 client)", s.Missed, st.Missed)
			}
			if c.reason == StopSize && s.FileBytes < 20000 {
				t.Fatalf("stopped at %d bytes", s.FileBytes)
			}
		})
	}
}

// TestRecordClosesOnWriteError: a full disk ends recording with the error
// and a file that reads up to the last complete block.
func TestRecordClosesOnWriteError(t *testing.T) {
	msgs := make([]model.Message, 5000)
	for i := range msgs {
		msgs[i] = model.Message{Received: base + int64(i), Subject: "x", Data: make([]byte, 100)}
	}
	fw := &failingWriter{limit: 30000}
	w, err := NewWriter(fw, WriterOptions{BlockSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Record(context.Background(), &sliceFeed{msgs: msgs}, w, RecordOptions{})
	if err == nil || st.Reason != StopError {
		t.Fatalf("stats %+v err %v", st, err)
	}
	got, _ := readAll(t, fw.buf.Bytes())
	if len(got) == 0 {
		t.Fatal("nothing readable")
	}
}

// BenchmarkRecordFlood publishes a flood of 128-byte messages and reports
// how fast it is recorded through an engine session (tap, store, recorder,
// file) against a bare nats.go subscriber counting the same flood.
func BenchmarkRecordFlood(b *testing.B) {
	const n = 200000
	payload := make([]byte, 128)
	flood := func(url string) {
		pub := testkit.Conn(b, url)
		for range n {
			_ = pub.Publish("bench.flood", payload)
		}
		_ = pub.Flush()
	}
	var recRate, bareRate float64
	for b.Loop() {
		sess, err := engine.Open(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}, Store: recordingStore})
		if err != nil {
			b.Fatal(err)
		}
		w, err := Create(filepath.Join(b.TempDir(), "flood.natsx"), WriterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var wg sync.WaitGroup
		var st RecordStats
		wg.Go(func() { st, _ = Record(context.Background(), sess, w, RecordOptions{Count: n, Poll: time.Millisecond}) })
		flood(sess.Embedded().URL())
		wg.Wait()
		recRate = float64(n) / time.Since(start).Seconds()
		if st.Messages != n || st.Missed != 0 {
			b.Fatalf("recorded %+v", st)
		}
		sess.Close()

		s := runServer(b)
		sub := testkit.Conn(b, s.ClientURL())
		got := make(chan struct{})
		count := 0
		bs, _ := sub.Subscribe("bench.flood", func(*nats.Msg) {
			if count++; count == n {
				close(got)
			}
		})
		_ = bs.SetPendingLimits(-1, -1)
		_ = sub.Flush()
		start = time.Now()
		flood(s.ClientURL())
		<-got
		bareRate = float64(n) / time.Since(start).Seconds()
	}
	b.ReportMetric(recRate, "record_msgs/s")
	b.ReportMetric(bareRate, "bare_msgs/s")
}
