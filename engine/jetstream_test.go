package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

func testJetStream(t *testing.T, nc *nats.Conn) *JetStream {
	t.Helper()
	j, err := NewJetStream(nc, JetStreamOptions{Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// stored is what a test put in a stream: sequence, subject, stored time.
type stored struct {
	seq  uint64
	subj string
	at   time.Time
}

// fillStream publishes n messages over three subjects, then deletes a few
// sequences so the stream has gaps, and returns what it holds.
func fillStream(t *testing.T, ctx context.Context, js jetstream.JetStream, s jetstream.Stream, n int) []stored {
	t.Helper()
	subjects := []string{"a.x", "a.y", "b.z"}
	for i := range n {
		subj := subjects[i%3]
		if i%7 == 6 {
			subj = "a.y" // a run of a.y now and then, so filters see uneven gaps
		}
		msg := &nats.Msg{Subject: subj, Data: fmt.Appendf(nil, "m%d", i+1), Header: nats.Header{"I": {fmt.Sprint(i + 1)}}}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	deleted := map[uint64]bool{2: true, 9: true, 10: true, 11: true, uint64(n - 1): true}
	for seq := range deleted {
		if err := s.DeleteMsg(ctx, seq); err != nil {
			t.Fatalf("delete %d: %v", seq, err)
		}
	}
	var out []stored
	for seq := uint64(1); seq <= uint64(n); seq++ {
		if deleted[seq] {
			continue
		}
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		out = append(out, stored{seq: seq, subj: m.Subject, at: m.Time})
	}
	return out
}

func matching(all []stored, filter string) []stored {
	var out []stored
	for _, m := range all {
		if filter == "" || filter == m.subj || filter == "a.*" && strings.HasPrefix(m.subj, "a.") {
			out = append(out, m)
		}
	}
	return out
}

func storedSeqs(ms []stored) []uint64 {
	out := make([]uint64, len(ms))
	for i, m := range ms {
		out[i] = m.seq
	}
	return out
}

// TestJetStreamBrowse: on limits, work-queue and interest streams, in file
// and memory, with gaps, forwards and backwards by sequence and by time,
// filtered or not, the engine finds exactly what the stream holds, and
// leaves the stream's consumers and messages as they were.
func TestJetStreamBrowse(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	for _, tc := range []struct {
		name      string
		retention jetstream.RetentionPolicy
		storage   jetstream.StorageType
	}{
		{"LIMITS", jetstream.LimitsPolicy, jetstream.FileStorage},
		{"WORKQ", jetstream.WorkQueuePolicy, jetstream.FileStorage},
		{"INTEREST", jetstream.InterestPolicy, jetstream.FileStorage},
		{"LIMITSMEM", jetstream.LimitsPolicy, jetstream.MemoryStorage},
		{"WORKQMEM", jetstream.WorkQueuePolicy, jetstream.MemoryStorage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subjects := []string{"a.x", "a.y", "b.z"}
			for i := range subjects {
				subjects[i] = strings.ToLower(tc.name) + "." + subjects[i]
			}
			s, err := js.CreateStream(ctx, jetstream.StreamConfig{
				Name: tc.name, Subjects: []string{strings.ToLower(tc.name) + ".>"}, Retention: tc.retention, Storage: tc.storage,
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.retention == jetstream.InterestPolicy {
				// Without interest an interest stream keeps nothing.
				if _, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "slow", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
					t.Fatal(err)
				}
			}
			browse(t, ctx, j, js, s, strings.ToLower(tc.name)+".")
		})
	}
}

// browse fills s (subjects prefixed by p) and checks every way of reading it.
func browse(t *testing.T, ctx context.Context, j *JetStream, js jetstream.JetStream, s jetstream.Stream, p string) {
	name := s.CachedInfo().Config.Name
	// The stream's subjects carry p; the expectations are written without it.
	all := fillStream(t, ctx, prefixed{js, p}, s, 40)
	for i := range all {
		all[i].subj = strings.TrimPrefix(all[i].subj, p)
	}
	before, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, filter := range []string{"", "a.y", "b.z", "a.*"} {
		want := matching(all, filter)
		f := filter
		if f != "" {
			f = p + f
		}
		// Forwards from the start.
		var got []uint64
		for seq := uint64(0); ; {
			m, err := j.NextMsg(ctx, name, seq, f)
			if errors.Is(err, ErrNoMessage) {
				break
			}
			if err != nil {
				t.Fatalf("filter %q: NextMsg(%d): %v", filter, seq, err)
			}
			got = append(got, m.Seq)
			seq = m.Seq + 1
		}
		if !slices.Equal(got, storedSeqs(want)) {
			t.Fatalf("filter %q forwards: %v, want %v", filter, got, storedSeqs(want))
		}
		// Backwards from the end.
		got = got[:0]
		m, err := j.LastMsg(ctx, name, f)
		for err == nil {
			got = append(got, m.Seq)
			m, err = j.PrevMsg(ctx, name, m.Seq, f)
		}
		if !errors.Is(err, ErrNoMessage) {
			t.Fatalf("filter %q backwards: %v", filter, err)
		}
		slices.Reverse(got)
		if !slices.Equal(got, storedSeqs(want)) {
			t.Fatalf("filter %q backwards: %v, want %v", filter, got, storedSeqs(want))
		}
		// From a deleted sequence: forwards to the next kept, backwards
		// to the one before.
		if m, err := j.NextMsg(ctx, name, 9, f); err != nil || m.Seq != firstFrom(want, 9) {
			t.Fatalf("filter %q: NextMsg(9) = %v, %v; want %d", filter, m, err, firstFrom(want, 9))
		}
		if m, err := j.PrevMsg(ctx, name, 11, f); err != nil || m.Seq != lastBefore(want, 11) {
			t.Fatalf("filter %q: PrevMsg(11) = %v, %v; want %d", filter, m, err, lastBefore(want, 11))
		}
		// By time: the message stored at a time, and the one before.
		for _, k := range []int{0, 3, len(want) / 2, len(want) - 1} {
			at := want[k].at
			if m, err := j.MsgAtTime(ctx, name, at, f); err != nil || m.Seq != want[k].seq || !m.Time.Equal(at) {
				t.Fatalf("filter %q: MsgAtTime(%v) = %v, %v; want %d", filter, at, m, err, want[k].seq)
			}
			m, err := j.MsgBeforeTime(ctx, name, at, f)
			if k == 0 {
				if !errors.Is(err, ErrNoMessage) {
					t.Fatalf("filter %q: MsgBeforeTime(first) = %v, %v; want none", filter, m, err)
				}
				continue
			}
			if err != nil || m.Seq != want[k-1].seq {
				t.Fatalf("filter %q: MsgBeforeTime(%v) = %v, %v; want %d", filter, at, m, err, want[k-1].seq)
			}
		}
		future := time.Now().Add(time.Hour)
		if m, err := j.MsgAtTime(ctx, name, future, f); !errors.Is(err, ErrNoMessage) {
			t.Fatalf("filter %q: MsgAtTime(future) = %v, %v; want ErrNoMessage", filter, m, err)
		}
		if m, err := j.MsgBeforeTime(ctx, name, future, f); err != nil || m.Seq != want[len(want)-1].seq {
			t.Fatalf("filter %q: MsgBeforeTime(future) = %v, %v; want the last", filter, m, err)
		}
	}
	// Past either end.
	if _, err := j.NextMsg(ctx, name, 41, ""); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("NextMsg past the end: %v", err)
	}
	if _, err := j.PrevMsg(ctx, name, 1, ""); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("PrevMsg before the start: %v", err)
	}
	// What a message carries.
	m, err := j.NextMsg(ctx, name, 3, "")
	if err != nil || m.Subject != p+"b.z" || string(m.Data) != "m3" || m.Header.Get("I") != "3" || m.Stream != name {
		t.Fatalf("message 3: %+v, %v", m, err)
	}
	if mm := m.Message(); mm.Received != m.Time.UnixNano() || mm.Subject != m.Subject || string(mm.Data) != "m3" || mm.Size != 2 {
		t.Fatalf("model message %+v", mm)
	}
	// Nothing taken, nothing left behind.
	after, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.State.Msgs != before.State.Msgs || after.State.Consumers != before.State.Consumers {
		t.Fatalf("browsing changed the stream: %d messages %d consumers, was %d and %d",
			after.State.Msgs, after.State.Consumers, before.State.Msgs, before.State.Consumers)
	}
}

func firstFrom(ms []stored, seq uint64) uint64 {
	for _, m := range ms {
		if m.seq >= seq {
			return m.seq
		}
	}
	return 0
}

func lastBefore(ms []stored, seq uint64) uint64 {
	var last uint64
	for _, m := range ms {
		if m.seq < seq {
			last = m.seq
		}
	}
	return last
}

// prefixed publishes on p+subject, so each stream of the test has its own.
type prefixed struct {
	jetstream.JetStream
	p string
}

func (x prefixed) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	m.Subject = x.p + m.Subject
	return x.JetStream.PublishMsg(ctx, m, opts...)
}

// TestJetStreamPrevMsgFarBack: the previous match far below (a million
// sequences of other subjects are not published: the stream is made
// sparse by its first sequence) takes a few requests, not one per sequence.
func TestJetStreamPrevMsgFarBack(t *testing.T) {
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FAR", Subjects: []string{"far.>"}, FirstSeq: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"far.a", "far.b", "far.b"} {
		if _, err := js.Publish(ctx, subj, nil); err != nil {
			t.Fatal(err)
		}
	}
	_ = s
	// Count the requests: what this connection publishes.
	start := nc.Stats().OutMsgs
	m, err := j.PrevMsg(ctx, "FAR", 1<<40, "far.a")
	if err != nil || m.Seq != 1_000_000 {
		t.Fatalf("PrevMsg = %v, %v; want 1000000", m, err)
	}
	if n := nc.Stats().OutMsgs - start; n > 100 {
		t.Fatalf("%d requests to step back over 2^40 sequences", n)
	}
	if _, err := j.PrevMsg(ctx, "FAR", 1_000_000, ""); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("PrevMsg below the first sequence: %v", err)
	}
}

// TestJetStreamLists: streams and consumers are listed with their state.
func TestJetStreamLists(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	if got, cut, err := j.Streams(ctx); err != nil || len(got) != 0 || cut {
		t.Fatalf("no streams: %v %v %v", got, cut, err)
	}
	for _, name := range []string{"B", "A", "C"} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{strings.ToLower(name) + ".>"}}); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		if _, err := js.Publish(ctx, "b.x", []byte("12345")); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := js.Stream(ctx, "B")
	c, err := b.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "d", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.Fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m := range batch.Messages() {
		if n == 0 {
			// Acked with the server's confirmation, so the counts below see it.
			if err := m.DoubleAck(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n++
	}
	streams, _, err := j.Streams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range streams {
		names = append(names, s.Config.Name)
	}
	if !slices.Equal(names, []string{"A", "B", "C"}) {
		t.Fatalf("streams %v", names)
	}
	if st := streams[1].State; st.Msgs != 5 || st.Consumers != 1 || st.FirstSeq != 1 || st.LastSeq != 5 {
		t.Fatalf("B's state %+v", st)
	}
	cons, _, err := j.Consumers(ctx, "B")
	if err != nil || len(cons) != 1 {
		t.Fatalf("consumers %v %v", cons, err)
	}
	if ci := cons[0]; ci.Name != "d" || ci.NumPending != 3 || ci.NumAckPending != 1 || ci.Delivered.Stream != 2 || ci.AckFloor.Stream != 1 {
		t.Fatalf("consumer d: pending %d ack pending %d delivered %d ack floor %d", ci.NumPending, ci.NumAckPending, ci.Delivered.Stream, ci.AckFloor.Stream)
	}
	info, err := j.StreamInfo(ctx, "B")
	if err != nil || info.State.Msgs != 5 {
		t.Fatalf("StreamInfo(B) = %v, %v", info, err)
	}
}

// TestJetStreamBadInput: a missing stream, a bad name or filter, a key
// that is not there: one line each, never a panic.
func TestJetStreamBadInput(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "kv"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"missing stream", func() error { _, err := j.NextMsg(ctx, "NOPE", 1, ""); return err }, `stream "NOPE": stream not found`},
		{"missing stream info", func() error { _, err := j.StreamInfo(ctx, "NOPE"); return err }, `stream "NOPE": stream not found`},
		{"missing stream consumers", func() error { _, _, err := j.Consumers(ctx, "NOPE"); return err }, `stream not found`},
		{"bad name", func() error { _, err := j.NextMsg(ctx, "a.b", 1, ""); return err }, "not a valid stream name"},
		{"bad name control", func() error { _, err := j.LastMsg(ctx, "x\x1b[2J", ""); return err }, "not a valid stream name"},
		{"bad filter", func() error { _, err := j.NextMsg(ctx, "S", 1, "a..b"); return err }, "not a valid subject pattern"},
		{"empty stream", func() error { _, err := j.LastMsg(ctx, "S", ""); return err }, ErrNoMessage.Error()},
		{"missing bucket", func() error { _, err := j.History(ctx, "nope", "k"); return err }, `bucket "nope": not found`},
		{"missing bucket keys", func() error { _, _, err := j.Keys(ctx, "nope", "", 10); return err }, `bucket "nope": not found`},
		{"missing key", func() error { _, err := j.History(ctx, "kv", "k"); return err }, `key "k" not found`},
		{"wildcard key", func() error { _, err := j.History(ctx, "kv", "k.*"); return err }, "not a valid key"},
	} {
		err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v; want one line with %q", tc.name, err, tc.want)
		}
	}
}

// TestJetStreamUnavailable: a server without JetStream, even with a ">"
// subscriber on the same connection (natsx's tap) that would take the
// request, and an account without JetStream: one clear error, at once.
func TestJetStreamUnavailable(t *testing.T) {
	t.Parallel()
	plain := testkit.Server(t)
	nc := testkit.Conn(t, plain.ClientURL())
	if _, err := nc.Subscribe(">", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	start := time.Now()
	if _, _, err := j.Streams(ctx); !errors.Is(err, ErrNoJetStream) {
		t.Fatalf("Streams on a server without JetStream: %v", err)
	}
	if _, err := j.NextMsg(ctx, "S", 1, ""); !errors.Is(err, ErrNoJetStream) {
		t.Fatalf("NextMsg on a server without JetStream: %v", err)
	}
	if _, _, err := j.Keys(ctx, "kv", "", 1); !errors.Is(err, ErrNoJetStream) {
		t.Fatalf("Keys on a server without JetStream: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s to say there is no JetStream", d)
	}

	srv := testkit.JetStreamServer(t, func(o *server.Options) {
		withJS := server.NewAccount("JS")
		noJS := server.NewAccount("NOJS")
		o.Accounts = []*server.Account{withJS, noJS}
		o.Users = []*server.User{{Username: "a", Password: "a", Account: withJS}, {Username: "b", Password: "b", Account: noJS}}
	})
	acc, err := srv.LookupAccount("JS")
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.EnableJetStream(nil, nil); err != nil {
		t.Fatal(err)
	}
	jb := testJetStream(t, testkit.Conn(t, srv.ClientURL(), nats.UserInfo("b", "b")))
	if _, _, err := jb.Streams(ctx); !errors.Is(err, ErrNoJetStreamAccount) && !errors.Is(err, ErrNoJetStream) {
		t.Fatalf("Streams in an account without JetStream: %v", err)
	}
	ja := testJetStream(t, testkit.Conn(t, srv.ClientURL(), nats.UserInfo("a", "a")))
	if _, _, err := ja.Streams(ctx); err != nil {
		t.Fatalf("Streams in the account with JetStream: %v", err)
	}
}

// TestJetStreamKV: buckets, keys without the deleted ones, a key's
// history with its operations, and no consumer left on the bucket.
func TestJetStreamKV(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "status", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	put := func(k, v string) {
		if _, err := kv.PutString(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	put("berlin.1", "available")
	put("berlin.2", "off-duty")
	put("berlin.1", "en-route")
	put("paris.7", "delivering")
	if err := kv.Delete(ctx, "berlin.1"); err != nil {
		t.Fatal(err)
	}
	put("berlin.1", "available")
	if err := kv.Delete(ctx, "paris.7"); err != nil {
		t.Fatal(err)
	}

	buckets, _, err := j.Buckets(ctx)
	if err != nil || len(buckets) != 1 || buckets[0].Name != "status" || buckets[0].History != 5 || buckets[0].Values != 7 {
		t.Fatalf("buckets %+v, %v", buckets, err)
	}
	keys, cut, err := j.Keys(ctx, "status", "", 100)
	slices.Sort(keys)
	if err != nil || cut || !slices.Equal(keys, []string{"berlin.1", "berlin.2"}) {
		t.Fatalf("keys %v cut %v: %v", keys, cut, err)
	}
	if keys, cut, err := j.Keys(ctx, "status", "berlin.*", 1); err != nil || !cut || len(keys) != 1 {
		t.Fatalf("one key of berlin.*: %v cut %v: %v", keys, cut, err)
	}
	hist, err := j.History(ctx, "status", "berlin.1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, fmt.Sprintf("%d %s %s", e.Revision, e.Op, e.Value))
		if e.Created.IsZero() || e.Key != "berlin.1" {
			t.Fatalf("entry %+v", e)
		}
	}
	want := []string{"1 put available", "3 put en-route", "5 delete ", "6 put available"}
	if !slices.Equal(got, want) {
		t.Fatalf("history %q, want %q", got, want)
	}
	// nats.go removes the ordered consumer Keys used; it may take a moment.
	s, err := js.Stream(ctx, "KV_status")
	if err != nil {
		t.Fatal(err)
	}
	demoWaitFor(t, 5*time.Second, "no consumer left on the bucket", func() bool {
		info, err := s.Info(ctx)
		return err == nil && info.State.Consumers == 0
	})
}

// TestJetStreamQuestionsAreNotTraffic: natsx's own JetStream questions on
// the tap's connection, and their answers, do not show in the tap.
func TestJetStreamQuestionsAreNotTraffic(t *testing.T) {
	t.Parallel()
	sess, err := Open(SessionOptions{Embedded: &EmbeddedOptions{RandomPort: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	js, _ := jetstream.New(testkit.Conn(t, sess.Embedded().URL()))
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "Q", Subjects: []string{"q"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "q", []byte("stored")); err != nil {
		t.Fatal(err)
	}
	j := testJetStream(t, sess.Conn())
	if _, _, err := j.Streams(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := j.NextMsg(ctx, "Q", 0, ""); err != nil || string(m.Data) != "stored" {
		t.Fatalf("NextMsg: %v, %v", m, err)
	}
	// A marker after the questions: once it is in the store, so is
	// everything before it.
	pub := testkit.Conn(t, sess.Embedded().URL())
	if err := pub.Publish("marker", nil); err != nil {
		t.Fatal(err)
	}
	var seen []string
	buf := make([]model.Message, 1024)
	demoWaitFor(t, 5*time.Second, "the marker", func() bool {
		n, _, _ := sess.Read(0, buf)
		seen = seen[:0]
		for _, m := range buf[:n] {
			seen = append(seen, m.Subject)
		}
		return slices.Contains(seen, "marker")
	})
	for _, s := range seen {
		if strings.Contains(s, "STREAM.LIST") || strings.Contains(s, "MSG.GET") || strings.HasPrefix(s, askInboxes) {
			t.Fatalf("natsx's own question in the tap: %s (all: %v)", s, seen)
		}
	}
}

// TestJetStreamOneListing: a second listing waits for the first and gives
// up with ErrListBusy when its context ends first.
func TestJetStreamOneListing(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	j := testJetStream(t, testkit.Conn(t, srv.ClientURL()))
	j.listing <- struct{}{} // a listing in progress
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := j.Streams(ctx); !errors.Is(err, ErrListBusy) {
		t.Fatalf("Streams while another lists: %v", err)
	}
	go func() { time.Sleep(20 * time.Millisecond); j.unlock() }()
	if _, _, err := j.Streams(testCtx(t)); err != nil {
		t.Fatalf("Streams after the other ended: %v", err)
	}
}

// TestJetStreamReadEnds: Read stops at the last message stored when it
// began, though the stream grows while it reads, and honours its range.
func TestJetStreamReadEnds(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "GROW", Subjects: []string{"grow.>"}}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := js.Publish(ctx, "grow.x", nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint64
	for m, err := range j.Read(ctx, "GROW", StreamRange{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Seq)
		if _, err := js.Publish(ctx, "grow.x", nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 10 || got[9] != 10 {
		t.Fatalf("read %v while the stream grew; want 1 to 10", got)
	}
	got = got[:0]
	for m, err := range j.Read(ctx, "GROW", StreamRange{StartSeq: 15, Count: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Seq)
	}
	if !slices.Equal(got, []uint64{15, 16, 17}) {
		t.Fatalf("from 15, 3 of them: %v", got)
	}
	for _, err := range j.Read(ctx, "GROW", StreamRange{StartSeq: 1, Since: time.Now()}) {
		if err == nil {
			t.Fatal("a sequence and a time together: no error")
		}
	}
}

// TestJetStreamSummaries: the streams view's rows from the demo's streams
// and a mirror of one of them.
func TestJetStreamSummaries(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "SRC", Subjects: []string{"src.>"}, Retention: jetstream.WorkQueuePolicy, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "COPY", Mirror: &jetstream.StreamSource{Name: "SRC"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "src.a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	j := testJetStream(t, nc)
	rows, err := j.Summaries(ctx)
	if err != nil || len(rows) != 2 {
		t.Fatalf("summaries %+v, %v", rows, err)
	}
	copyRow, src := rows[0], rows[1]
	if src.Name != "SRC" || src.Retention != "workqueue" || src.Storage != "memory" || src.Messages != 1 || src.Subjects[0] != "src.>" ||
		src.LastTime.IsZero() || src.Replicas != 1 || src.FirstSeq != 1 {
		t.Fatalf("SRC row %+v", src)
	}
	if copyRow.Name != "COPY" || !strings.HasPrefix(copyRow.Note, "mirror of SRC") || copyRow.Retention != "limits" {
		t.Fatalf("COPY row %+v", copyRow)
	}
}
