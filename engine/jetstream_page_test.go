package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

func pageSeqs(p model.StreamPage) []uint64 {
	out := make([]uint64, len(p.Msgs))
	for i, m := range p.Msgs {
		out[i] = m.Seq
	}
	return out
}

// TestJetStreamPage: the stream browser's pages on limits, work-queue and
// interest streams with gaps: the last page, the one before it, the
// first, the next, from a time, filtered; each message with its stored
// time, subject, headers and payload; no consumer is left and the work
// queue keeps every message.
func TestJetStreamPage(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	for _, tc := range []struct {
		name      string
		retention jetstream.RetentionPolicy
	}{
		{"PLIMITS", jetstream.LimitsPolicy},
		{"PWORKQ", jetstream.WorkQueuePolicy},
		{"PINTEREST", jetstream.InterestPolicy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := strings.ToLower(tc.name) + "."
			s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: tc.name, Subjects: []string{p + ">"}, Retention: tc.retention})
			if err != nil {
				t.Fatal(err)
			}
			if tc.retention != jetstream.LimitsPolicy {
				// Interest keeps messages only with a consumer; the work
				// queue gets one too, and nobody pulls either.
				if _, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "slow", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
					t.Fatal(err)
				}
			}
			all := fillStream(t, ctx, prefixed{js, p}, s, 60)
			before, err := s.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			page := func(q model.PageQuery) model.StreamPage {
				t.Helper()
				pg, err := j.Page(ctx, tc.name, q)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				return pg
			}
			seqs := storedSeqs(all)
			last := page(model.PageQuery{Last: true, Size: 10})
			if got := pageSeqs(last); !slices.Equal(got, seqs[len(seqs)-10:]) {
				t.Fatalf("last page %v, want %v", got, seqs[len(seqs)-10:])
			}
			if last.Total != uint64(len(all)) || last.LastSeq != 60 || last.FirstSeq != 1 {
				t.Fatalf("extent %d..%d total %d", last.FirstSeq, last.LastSeq, last.Total)
			}
			prev := page(model.PageQuery{Before: last.Msgs[0].Seq, Size: 10})
			if got := pageSeqs(prev); !slices.Equal(got, seqs[len(seqs)-20:len(seqs)-10]) {
				t.Fatalf("page before %d: %v, want %v", last.Msgs[0].Seq, got, seqs[len(seqs)-20:len(seqs)-10])
			}
			first := page(model.PageQuery{Size: 10})
			if got := pageSeqs(first); !slices.Equal(got, seqs[:10]) {
				t.Fatalf("first page %v, want %v", got, seqs[:10])
			}
			// Backwards past the start: what there is, then nothing.
			if got := pageSeqs(page(model.PageQuery{Before: first.Msgs[3].Seq, Size: 10})); !slices.Equal(got, seqs[:3]) {
				t.Fatalf("page before the fourth: %v, want %v", got, seqs[:3])
			}
			if got := page(model.PageQuery{Before: 1, Size: 10}); len(got.Msgs) != 0 {
				t.Fatalf("page before the first: %v", pageSeqs(got))
			}
			next := page(model.PageQuery{From: first.Msgs[9].Seq + 1, Size: 10})
			if got := pageSeqs(next); !slices.Equal(got, seqs[10:20]) {
				t.Fatalf("next page %v, want %v", got, seqs[10:20])
			}
			// Past the end: an empty page, not an error.
			if got := page(model.PageQuery{From: 61, Size: 10}); len(got.Msgs) != 0 {
				t.Fatalf("page past the end: %v", pageSeqs(got))
			}
			k := all[25]
			at := page(model.PageQuery{At: k.at, Size: 5})
			if len(at.Msgs) == 0 || at.Msgs[0].Seq != firstAtOrAfter(all, k.at) {
				t.Fatalf("page at %v starts %v, want %d", k.at, pageSeqs(at), firstAtOrAfter(all, k.at))
			}
			m := at.Msgs[0]
			if !m.Time().Equal(all[slices.IndexFunc(all, func(s stored) bool { return s.seq == m.Seq })].at) ||
				m.Msg.Subject == "" || hdr(m.Msg.Header, "I") == "" || string(m.Msg.Data) != "m"+hdr(m.Msg.Header, "I") {
				t.Fatalf("message %+v", m)
			}
			ay := storedSeqs(matching(all, p+"a.y"))
			fy := page(model.PageQuery{Last: true, Size: 4, Filter: p + "a.y"})
			if got := pageSeqs(fy); !slices.Equal(got, ay[len(ay)-4:]) {
				t.Fatalf("filtered last page %v, want %v", got, ay[len(ay)-4:])
			}
			fy = page(model.PageQuery{Before: fy.Msgs[0].Seq, Size: 4, Filter: p + "a.y"})
			if got := pageSeqs(fy); !slices.Equal(got, ay[len(ay)-8:len(ay)-4]) {
				t.Fatalf("filtered page before: %v, want %v", got, ay[len(ay)-8:len(ay)-4])
			}
			after, err := s.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if after.State.Consumers != before.State.Consumers || after.State.Msgs != before.State.Msgs {
				t.Fatalf("browsing changed the stream: consumers %d -> %d, messages %d -> %d",
					before.State.Consumers, after.State.Consumers, before.State.Msgs, after.State.Msgs)
			}
		})
	}
}

// hdr is the first value of a header, "" when none.
func hdr(h model.Header, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func firstAtOrAfter(all []stored, at time.Time) uint64 {
	for _, m := range all {
		if !m.at.Before(at) {
			return m.seq
		}
	}
	return 0
}

// TestJetStreamPageBadInput: bad sizes, filters and streams are one line.
func TestJetStreamPageBadInput(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "B", Subjects: []string{"b.>"}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []model.PageQuery{{Size: 0}, {Size: maxPage + 1}, {Size: 5, Filter: "a..b"}, {Size: 5, Filter: "a b"}} {
		if _, err := j.Page(ctx, "B", q); err == nil || strings.Contains(err.Error(), "\n") {
			t.Fatalf("%+v: %v", q, err)
		}
	}
	if _, err := j.Page(ctx, "NOPE", model.PageQuery{Size: 5}); err == nil {
		t.Fatal("no error for a missing stream")
	}
	if pg, err := j.Page(ctx, "B", model.PageQuery{Last: true, Size: 5}); err != nil || len(pg.Msgs) != 0 {
		t.Fatalf("empty stream: %v %v", pg, err)
	}
	// A page keeps what the tree keeps of a large payload, and says how
	// large it was.
	big := make([]byte, 200<<10)
	if _, err := js.Publish(ctx, "b.big", big); err != nil {
		t.Fatal(err)
	}
	pg, err := j.Page(ctx, "B", model.PageQuery{Last: true, Size: 5})
	if err != nil || len(pg.Msgs) != 1 {
		t.Fatalf("big message: %v %v", pg, err)
	}
	if m := pg.Msgs[0].Msg; len(m.Data) != model.KeptPayload || m.Size != len(big) || !m.Truncated() || m.Sum == 0 {
		t.Fatalf("big message kept %d of %d bytes (sum %x)", len(m.Data), m.Size, m.Sum)
	}
}

// TestJetStreamPageLarge: on a stream of 100,000 messages the first and
// the last page read a page, not the stream: the requests are counted.
func TestJetStreamPageLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes 100,000 messages")
	}
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	const n = 100_000
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BIG", Subjects: []string{"big.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	publishMany(t, ctx, js, n, []byte("x"))
	for _, q := range []model.PageQuery{{Last: true, Size: 50}, {Size: 50}, {Before: n / 2, Size: 50}} {
		start := nc.Stats().OutMsgs
		pg, err := j.Page(ctx, "BIG", q)
		if err != nil || len(pg.Msgs) != 50 || pg.Total != n {
			t.Fatalf("%+v: %d messages of %d, %v", q, len(pg.Msgs), pg.Total, err)
		}
		asked := nc.Stats().OutMsgs - start
		t.Logf("%+v: %d requests", q, asked)
		if asked > 3*50 {
			t.Fatalf("%+v: %d requests for a page of 50", q, asked)
		}
	}
}

// BenchmarkJetStreamPage is the stream browser's read of the newest page
// (100 messages) of a 100,000-message stream, and of the first page.
func BenchmarkJetStreamPage(b *testing.B) {
	srv := testkit.JetStreamServer(b)
	nc := testkit.Conn(b, srv.ClientURL())
	js, _ := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	j, err := NewJetStream(nc, JetStreamOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BIG", Subjects: []string{"big.>"}}); err != nil {
		b.Fatal(err)
	}
	publishMany(b, ctx, js, 100_000, []byte(`{"n":1}`))
	for _, q := range []struct {
		name string
		q    model.PageQuery
	}{{"last", model.PageQuery{Last: true, Size: 100}}, {"first", model.PageQuery{Size: 100}}} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if pg, err := j.Page(ctx, "BIG", q.q); err != nil || len(pg.Msgs) != 100 {
					b.Fatal(len(pg.Msgs), err)
				}
			}
		})
	}
}

// publishMany publishes n messages on big.0 … big.99 asynchronously,
// waiting for the acks whenever the window is full (a loaded machine
// stalls it).
func publishMany(t testing.TB, ctx context.Context, js jetstream.JetStream, n int, data []byte) {
	t.Helper()
	for i := range n {
		for {
			_, err := js.PublishAsync(fmt.Sprintf("big.%d", i%100), data, jetstream.WithStallWait(time.Minute))
			if err == nil {
				break
			}
			if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		t.Fatal("publishing timed out")
	}
}

// TestJetStreamPageSparseFilter: the newest page of a filter that matches
// one message in hundreds is the right matches, and costs a few requests
// per match (each step back starts one gap wide), not two log2(gap): at
// regular gaps and at irregular ones. It counts what its own connection
// publishes, so other tests' requests do not count.
func TestJetStreamPageSparseFilter(t *testing.T) {
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	for _, tc := range []struct {
		name    string
		gap     func(k int) int // between the k-th match and the next
		perPage uint64          // requests a page of 50 may cost
	}{
		{"REGULAR", func(int) int { return 500 }, 3 * 50},
		{"IRREGULAR", func(k int) int { return 200 + k*7919%600 }, 6 * 50},
	} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: tc.name, Subjects: []string{tc.name + ".>"}, Storage: jetstream.MemoryStorage}); err != nil {
			t.Fatal(err)
		}
		var want []uint64
		next := tc.gap(0)
		for seq := 1; seq <= 40_000; seq++ {
			subj := tc.name + ".common"
			if seq == next {
				subj = tc.name + ".rare"
				want = append(want, uint64(seq))
				next += tc.gap(len(want))
			}
			if _, err := js.PublishAsync(subj, nil, jetstream.WithStallWait(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-ctx.Done():
			t.Fatal("publishing timed out")
		}
		start := nc.Stats().OutMsgs
		pg, err := j.Page(ctx, tc.name, model.PageQuery{Last: true, Size: 50, Filter: tc.name + ".rare"})
		asked := nc.Stats().OutMsgs - start
		if err != nil || !slices.Equal(pageSeqs(pg), want[len(want)-50:]) {
			t.Fatalf("%s: page %v, %v; want %v", tc.name, pageSeqs(pg), err, want[len(want)-50:])
		}
		t.Logf("%s: %d requests for the newest 50 of %d matches", tc.name, asked, len(want))
		if asked > tc.perPage {
			t.Fatalf("%s: %d requests for a page of 50 sparse matches, want at most %d", tc.name, asked, tc.perPage)
		}
	}
}
