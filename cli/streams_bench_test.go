package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// BenchmarkStreamBrowser1M measures the stream browser on streams of
// 1,000,000 messages in a real embedded server's file store, through the
// UI model as natsx runs it: a key is pressed with Update, the read it
// starts (the tea.Cmd calling the engine's JetStream.Page) is run and its
// answer delivered with Update, so ns/op is key → page on screen, less
// the terminal. Each stream is filled once per benchmark process, when a
// sub-benchmark first needs it, outside any timer (the parent runs once,
// whatever -count says; only its subs repeat). Metrics besides ns/op:
// ms/page, req/op or req/page (JetStream API requests the server saw, from
// a subscriber to $JS.API.>), and for paging the Go heap in use after a
// GC before and after paging (heap-MiB-*, which also holds the embedded
// server's block caches), what the UI model alone keeps (the heap it
// holds, measured by letting it go: model-KiB-open with the first page
// read, model-KiB-paged after paging) and kept-B/page (heap growth
// per page read: ~0 when the browser holds one page, not the pages it
// went through).
//
//	go test ./cli -run '^$' -bench StreamBrowser1M -count 5
func BenchmarkStreamBrowser1M(b *testing.B) {
	const n = 1_000_000
	// MILLION: limits retention, ten subjects, and one message in 10,000
	// on m.rare (100 in all) for the sparse filter.
	million := newBenchStream(b, jetstream.StreamConfig{Name: "MILLION", Subjects: []string{"m.>"}}, n, func(i int) string {
		if i%10_000 == 9_999 {
			return "m.rare"
		}
		return fmt.Sprintf("m.%d", i%10)
	})
	subjects := newBenchStream(b, jetstream.StreamConfig{Name: "SUBJECTS", Subjects: []string{"x.>"}}, n, func(i int) string {
		return fmt.Sprintf("x.%d", i)
	})
	work := newBenchStream(b, jetstream.StreamConfig{Name: "WORK", Subjects: []string{"w.>"}, Retention: jetstream.WorkQueuePolicy}, n, func(i int) string {
		return fmt.Sprintf("w.%d", i%10)
	})

	// Opening: the streams list is shown (untimed), b opens the newest
	// page.
	for _, s := range []*benchStream{million, subjects, work} {
		b.Run("open-end/"+s.cfg.Name, func(b *testing.B) {
			br := s.browser(b)
			br.read("b")
			s.perOp(b, func() { br.read("esc") }, func() { br.read("b") })
			br.wants("the newest page", fmt.Sprintf("#%d-#%d", n-99, n), fmt.Sprintf("%d messages", n))
		})
	}
	// g: the first page, from the newest.
	b.Run("open-start/MILLION", func(b *testing.B) {
		br := million.browser(b)
		br.read("b")
		million.perOp(b, func() { br.read("G") }, func() { br.read("g") })
		br.wants("the first page", "#1-#100")
	})
	// @: a sequence in the middle, and the time that message was stored.
	jump := func(name, to, want string) {
		b.Run("jump-"+name+"/MILLION", func(b *testing.B) {
			br := million.browser(b)
			br.read("b")
			if to == "" {
				to = million.midTime(b)
			}
			million.perOp(b, func() {
				br.read("G")
				br.press("@")
				br.typeIn(to)
			}, func() { br.read("enter") })
			br.wants("the jump to "+to, want)
		})
	}
	jump("seq", "500000", "#500000-#500099")
	jump("time", "", "MILLION · messages")
	// f: a subject filter 1 message in 10,000 matches, the newest page
	// of it (100 matches spread over the whole stream), and one nothing
	// matches.
	filter := func(name, pattern string, want ...string) {
		b.Run("filter-"+name+"/MILLION", func(b *testing.B) {
			var br *browser
			million.perOp(b, func() {
				br = million.browser(b)
				br.read("b")
				br.press("f")
				br.typeIn(pattern)
			}, func() { br.read("enter") })
			br.wants("the filter "+pattern, want...)
		})
	}
	filter("sparse", "m.rare", "#10000-#1000000", "· m.rare")
	filter("none", "m.none", "no message matches m.none")

	// Paging: 200 pages from the first one forwards (pgdown), and from
	// the newest backwards (pgup), with the heap before and after.
	const pages = 200
	paging := func(name, from, key string) {
		b.Run("page-"+name+"/MILLION", func(b *testing.B) {
			var reqs int64
			var before, after, opened, held uint64
			for b.Loop() {
				b.StopTimer()
				// What a model holds with one page, and no paging.
				br := million.browser(b)
				br.read("b")
				opened = heapInUse()
				br.m = nil
				opened -= min(heapInUse(), opened)
				br = million.browser(b)
				br.read("b")
				if from != "" {
					br.read(from)
				}
				before = heapInUse()
				b.StartTimer()
				reqs += million.timed(b, func() {
					for read := 0; read < pages; {
						if cmd := br.press(key); cmd != nil {
							br.update(cmd())
							read++
						}
					}
				})
				b.StopTimer()
				after = heapInUse()
				br.m = nil
				held = after - min(heapInUse(), after)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*pages), "ms/page")
			b.ReportMetric(float64(reqs)/float64(b.N*pages), "req/page")
			b.ReportMetric(float64(before)/(1<<20), "heap-MiB-before")
			b.ReportMetric(float64(after)/(1<<20), "heap-MiB-after")
			b.ReportMetric(float64(opened)/(1<<10), "model-KiB-open")
			b.ReportMetric(float64(held)/(1<<10), "model-KiB-paged")
			b.ReportMetric((float64(after)-float64(before))/pages, "kept-B/page")
		})
	}
	paging("forward", "g", "pgdown")
	paging("backward", "", "pgup")
}

// benchStream is a benchmark's stream of n messages, each in its own
// embedded JetStream server (file store in the benchmark's temporary
// directory), filled when first used.
type benchStream struct {
	cfg     jetstream.StreamConfig
	n       int
	subject func(i int) string
	srv     *server.Server
	once    sync.Once
	err     error
	j       *engine.JetStream
	nc      *nats.Conn
	asked   *nats.Subscription
}

// newBenchStream starts the stream's server now (cheap) and leaves the
// filling for later: a run of one sub-benchmark fills only what it uses.
func newBenchStream(b *testing.B, cfg jetstream.StreamConfig, n int, subject func(int) string) *benchStream {
	cfg.Storage = jetstream.FileStorage
	srv := testkit.JetStreamServer(b, func(o *server.Options) { o.JetStreamMaxStore = 1 << 30 })
	return &benchStream{cfg: cfg, n: n, subject: subject, srv: srv}
}

// fill stores the stream's messages once, and counts every JetStream API
// request from then on.
func (s *benchStream) fill(b *testing.B) {
	s.once.Do(func() {
		start := time.Now()
		nc, err := nats.Connect(s.srv.ClientURL(), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
		if err != nil {
			s.err = err
			return
		}
		s.nc = nc
		if s.err = fillStream(context.Background(), nc, s.cfg, s.n, s.subject); s.err != nil {
			return
		}
		if s.j, s.err = engine.NewJetStream(nc, engine.JetStreamOptions{}); s.err != nil {
			return
		}
		if s.asked, s.err = nc.Subscribe("$JS.API.>", func(*nats.Msg) {}); s.err == nil {
			if s.err = s.asked.SetPendingLimits(-1, -1); s.err == nil {
				s.err = nc.Flush()
			}
		}
		b.Logf("%s: %d messages stored in %v", s.cfg.Name, s.n, time.Since(start).Round(time.Millisecond))
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
}

// browser is a fresh UI model at 200x50 on the streams list, the
// stream's the only row.
func (s *benchStream) browser(b *testing.B) *browser {
	s.fill(b)
	br := newBrowser(b, s.j, 200, 50)
	br.read("J")
	br.wants("the streams list", s.cfg.Name)
	return br
}

// timed runs f with the timer on, and counts (untimed) the API requests
// the server saw meanwhile. The timer runs on entry and on return.
func (s *benchStream) timed(b *testing.B, f func()) int64 {
	b.Helper()
	b.StopTimer()
	before := s.requests(b)
	b.StartTimer()
	f()
	b.StopTimer()
	defer b.StartTimer()
	return s.requests(b) - before
}

// perOp times act b.N times, each after setup (untimed), and reports the
// API requests act sent per operation (req/op).
func (s *benchStream) perOp(b *testing.B, setup, act func()) {
	b.Helper()
	var reqs int64
	for b.Loop() {
		b.StopTimer()
		setup()
		b.StartTimer()
		reqs += s.timed(b, act)
	}
	b.ReportMetric(float64(reqs)/float64(b.N), "req/op")
}

// requests is how many API requests were sent so far: their copies are
// all in once a flush is answered, and counted once the subscription
// holds none undelivered.
func (s *benchStream) requests(b *testing.B) int64 {
	b.Helper()
	if err := s.nc.Flush(); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, _, err := s.asked.Pending()
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d API request copies still undelivered", n)
		}
		time.Sleep(time.Millisecond)
	}
	d, err := s.asked.Delivered()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// midTime is the jump prompt's @hh:mm:ss of the middle message.
func (s *benchStream) midTime(b *testing.B) string {
	m, err := s.j.NextMsg(context.Background(), s.cfg.Name, uint64(s.n/2), "")
	if err != nil {
		b.Fatal(err)
	}
	return "@" + m.Time.Local().Format("15:04:05")
}

// heapInUse is the Go heap's live objects once two collections in a row
// free nothing more: the embedded server's block caches are held weakly and go a
// collection or two after the one that finds them unused (measured: 8 MiB
// of the first block's cache freed by the third and fourth GC, which a
// model let go between them took for its own).
func heapInUse() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		runtime.GC()
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	last, stable := read(), 0
	for range 12 {
		now := read()
		if now+64<<10 > last {
			stable++
		} else {
			stable = 0
		}
		last = min(now, last)
		if stable == 2 {
			break
		}
	}
	return last
}

// fillStream creates cfg and publishes n messages on subject(i) with
// PublishAsync, 16,384 unacknowledged at most, each a 32-byte JSON
// payload; it checks the stream holds them all.
func fillStream(ctx context.Context, nc *nats.Conn, cfg jetstream.StreamConfig, n int, subject func(int) string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(16384))
	if err != nil {
		return err
	}
	st, err := js.CreateStream(ctx, cfg)
	if err != nil {
		return err
	}
	for i := range n {
		data := fmt.Appendf(nil, `{"n":%09d,"kind":"benchmark"}`, i)
		for {
			_, err := js.PublishAsync(subject(i), data, jetstream.WithStallWait(time.Minute))
			if err == nil {
				break
			}
			if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				return err
			}
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return errors.New("publishing timed out")
	}
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	if info.State.Msgs != uint64(n) {
		return fmt.Errorf("stream %s holds %d of %d messages", cfg.Name, info.State.Msgs, n)
	}
	return nil
}
