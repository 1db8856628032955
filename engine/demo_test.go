package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

func demoConnect(t testing.TB, url string) *nats.Conn {
	t.Helper()
	return testkit.Conn(t, url)
}

// demoWaitFor polls cond until it holds or the deadline passes.
func demoWaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func demoStart(t testing.TB, nc *nats.Conn, o DemoOptions) *Demo {
	t.Helper()
	d, err := StartDemo(nc, o)
	if err != nil {
		t.Fatalf("StartDemo: %v", err)
	}
	t.Cleanup(d.Stop)
	return d
}

// demoTap records what a subscriber on ">" sees of the demo.
type demoTap struct {
	mu          sync.Mutex
	count       uint64
	subjects    map[string]bool
	families    map[string]int
	badSensors  []string
	withHeaders int
	binary      int
	requests    map[string]string // X-Request-Id -> reply subject
	matched     int
	badReplies  []string
}

func newDemoTap(t testing.TB, nc *nats.Conn) *demoTap {
	t.Helper()
	tap := &demoTap{
		subjects: map[string]bool{},
		families: map[string]int{},
		requests: map[string]string{},
	}
	sub, err := nc.Subscribe(">", tap.record)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		t.Fatalf("pending limits: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return tap
}

func (tap *demoTap) record(m *nats.Msg) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	tap.count++
	tap.subjects[m.Subject] = true
	family, _, _ := strings.Cut(m.Subject, ".")
	tap.families[family]++
	if len(m.Header) > 0 {
		tap.withHeaders++
	}
	switch family {
	case "sensors":
		if !json.Valid(m.Data) {
			tap.badSensors = append(tap.badSensors, string(m.Data))
		}
	case "telemetry":
		if !utf8.Valid(m.Data) || bytes.IndexByte(m.Data, 0) >= 0 {
			tap.binary++
		}
	case "orders":
		if id := m.Header.Get("X-Request-Id"); id != "" && m.Reply != "" {
			tap.requests[id] = m.Reply
		}
	case "_INBOX":
		// The reply follows its request on the wire: both come from the demo's connection.
		if reply, ok := tap.requests[m.Header.Get("X-Request-Id")]; ok && reply == m.Subject {
			var r struct {
				OrderID string `json:"order_id"`
				Status  string `json:"status"`
			}
			if json.Unmarshal(m.Data, &r) != nil || r.OrderID == "" || r.Status == "" {
				tap.badReplies = append(tap.badReplies, string(m.Data))
			} else {
				tap.matched++
			}
		}
	}
}

func (tap *demoTap) total() uint64 {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	return tap.count
}

var demoFamilies = []string{"sensors", "drivers", "orders", "telemetry", "logs", "_INBOX"}

func TestDemoTraffic(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	tap := newDemoTap(t, demoConnect(t, s.ClientURL()))
	demoStart(t, demoConnect(t, s.ClientURL()), DemoOptions{Rate: 5000, Seed: 42})

	done := func() bool {
		tap.mu.Lock()
		defer tap.mu.Unlock()
		for _, f := range demoFamilies {
			if tap.families[f] == 0 {
				return false
			}
		}
		return len(tap.subjects) >= 250 && tap.withHeaders > 0 && tap.binary > 0 && tap.matched > 0
	}
	deadline := time.Now().Add(15 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}

	tap.mu.Lock()
	defer tap.mu.Unlock()
	t.Logf("%d messages, %d subjects, families %v, %d with headers, %d binary, %d replies matched",
		tap.count, len(tap.subjects), tap.families, tap.withHeaders, tap.binary, tap.matched)
	if n := len(tap.subjects); n < 250 {
		t.Errorf("saw %d distinct subjects, want >= 250", n)
	}
	for _, f := range demoFamilies {
		if tap.families[f] == 0 {
			t.Errorf("no %s traffic", f)
		}
	}
	if len(tap.badSensors) > 0 {
		t.Errorf("%d sensor payloads are not JSON, first: %q", len(tap.badSensors), tap.badSensors[0])
	}
	if tap.withHeaders == 0 {
		t.Error("no message carried headers")
	}
	if tap.binary == 0 {
		t.Error("no binary telemetry payload")
	}
	if tap.matched == 0 {
		t.Error("no order reply arrived on its request's reply subject")
	}
	if len(tap.badReplies) > 0 {
		t.Errorf("%d malformed order replies, first: %q", len(tap.badReplies), tap.badReplies[0])
	}
}

func TestDemoRate(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	const rate = 1000
	start := time.Now()
	d := demoStart(t, demoConnect(t, s.ClientURL()), DemoOptions{Rate: rate, Seed: 1})
	time.Sleep(2 * time.Second) // the rate is the thing under test
	got, elapsed := d.Published(), time.Since(start).Seconds()
	// Pacing is the property: never well over the rate. The lower bound only
	// proves it publishes at all, since a loaded CI machine can starve it.
	lo, hi := uint64(0.1*rate*elapsed), uint64(1.5*rate*elapsed)
	if got < lo || got > hi {
		t.Errorf("published %d in %.2fs at rate %d, want %d..%d", got, elapsed, rate, lo, hi)
	}
}

func TestDemoPublishedMatchesSubscriber(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	tapConn := demoConnect(t, s.ClientURL())
	tap := newDemoTap(t, tapConn)
	nc := demoConnect(t, s.ClientURL())
	d := demoStart(t, nc, DemoOptions{Rate: 3000, Seed: 7})
	demoWaitFor(t, 10*time.Second, "1000 messages", func() bool { return d.Published() >= 1000 })
	d.Stop()

	// The demo's connection flushes: the server has routed everything to the
	// tap. The tap's flush: everything routed has reached the tap's client.
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := tapConn.Flush(); err != nil {
		t.Fatal(err)
	}
	want := d.Published()
	deadline := time.Now().Add(5 * time.Second)
	for tap.total() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := tap.total(); got != want {
		t.Fatalf("subscriber counted %d, Published() = %d", got, want)
	}
	// Nothing more trickles in after Stop.
	time.Sleep(50 * time.Millisecond)
	_ = nc.Flush()
	_ = tapConn.Flush()
	if got := tap.total(); got != want || d.Published() != want {
		t.Fatalf("after Stop: subscriber %d, Published() %d, want both %d", got, d.Published(), want)
	}
}

func TestDemoFlood(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	d := demoStart(t, demoConnect(t, s.ClientURL()), DemoOptions{Rate: math.Inf(1), Seed: 3})
	demoWaitFor(t, 10*time.Second, "a flood of 20000 messages", func() bool { return d.Published() >= 20000 })
	demoStopWithin(t, d, 2*time.Second)
}

func TestDemoStopAfterConnectionClosed(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	for _, rate := range []float64{0, 5000, math.Inf(1)} {
		nc := demoConnect(t, s.ClientURL())
		d := demoStart(t, nc, DemoOptions{Rate: rate, Seed: 5})
		demoWaitFor(t, 10*time.Second, "the first message", func() bool { return d.Published() > 0 })
		nc.Close()
		demoStopWithin(t, d, 2*time.Second)
		demoStopWithin(t, d, 2*time.Second) // twice is fine
	}
}

func demoStopWithin(t *testing.T, d *Demo, limit time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() { d.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("Stop did not return within %v", limit)
	}
}

func TestStartDemoRejects(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	nc := demoConnect(t, s.ClientURL())
	for _, rate := range []float64{-1, math.NaN(), math.Inf(-1)} {
		if d, err := StartDemo(nc, DemoOptions{Rate: rate}); err == nil {
			d.Stop()
			t.Errorf("rate %v: want an error", rate)
		}
	}
	if _, err := StartDemo(nil, DemoOptions{}); err == nil {
		t.Error("nil connection: want an error")
	}
	closed := demoConnect(t, s.ClientURL())
	closed.Close()
	if _, err := StartDemo(closed, DemoOptions{}); err == nil {
		t.Error("closed connection: want an error")
	}
}

// drawDemo returns n messages from a generator as owned copies.
func drawDemo(seed int64, n int) []*nats.Msg {
	g := newDemoGen(seed)
	now := time.Date(2026, 11, 26, 6, 0, 0, 123e6, time.UTC)
	out := make([]*nats.Msg, n)
	for i := range out {
		m := g.next(now)
		c := &nats.Msg{Subject: m.Subject, Reply: m.Reply, Data: bytes.Clone(m.Data)}
		if m.Header != nil {
			c.Header = nats.Header{}
			for k, v := range m.Header {
				c.Header[k] = slices.Clone(v)
			}
		}
		out[i] = c
	}
	return out
}

func TestDemoGenDeterministic(t *testing.T) {
	a, b := drawDemo(9, 3000), drawDemo(9, 3000)
	for i := range a {
		if a[i].Subject != b[i].Subject || a[i].Reply != b[i].Reply ||
			!bytes.Equal(a[i].Data, b[i].Data) || !demoEqualHeaders(a[i].Header, b[i].Header) {
			t.Fatalf("message %d differs with the same seed:\n%+v\n%+v", i, a[i], b[i])
		}
	}
	if sa, sc := newDemoGen(9).subjects(), newDemoGen(10).subjects(); slices.Equal(sa, sc) {
		t.Error("seeds 9 and 10 give the same subject set")
	}
}

func demoEqualHeaders(a, b nats.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestDemoGenSubjects(t *testing.T) {
	for seed := int64(1); seed <= 50; seed++ {
		subs := newDemoGen(seed).subjects()
		if n := len(subs); n < 250 || n > 500 {
			t.Errorf("seed %d: %d subjects, want a few hundred", seed, n)
		}
		seen := map[string]bool{}
		for _, s := range subs {
			if seen[s] {
				t.Errorf("seed %d: duplicate subject %q", seed, s)
			}
			seen[s] = true
			if strings.ContainsAny(s, " \t\r\n*>") || strings.Contains(s, "..") {
				t.Errorf("seed %d: bad subject %q", seed, s)
			}
		}
	}
}

func TestDemoGenPayloads(t *testing.T) {
	msgs := drawDemo(11, 30000)
	var escapes, multiline, tele int
	lastValue := map[string]float64{}
	var bigJumps int
	for _, m := range msgs {
		family, _, _ := strings.Cut(m.Subject, ".")
		switch family {
		case "sensors":
			var p struct {
				Sensor  string   `json:"sensor"`
				Value   *float64 `json:"value"`
				Unit    string   `json:"unit"`
				TS      string   `json:"ts"`
				Battery *float64 `json:"battery"`
			}
			if err := json.Unmarshal(m.Data, &p); err != nil || p.Value == nil || p.Battery == nil || p.Unit == "" {
				t.Fatalf("sensor payload %q: %v", m.Data, err)
			}
			if p.TS != "2026-11-26T06:00:00.123Z" {
				t.Fatalf("sensor ts %q", p.TS)
			}
			if strings.HasSuffix(m.Subject, ".temperature") {
				if prev, ok := lastValue[m.Subject]; ok && math.Abs(*p.Value-prev) > 0.5 {
					bigJumps++
				}
				lastValue[m.Subject] = *p.Value
			}
		case "drivers":
			if !json.Valid(m.Data) {
				t.Fatalf("driver payload %q is not JSON", m.Data)
			}
		case "orders":
			if m.Reply == "" || !strings.HasPrefix(m.Reply, "_INBOX.natsxdemo.") || m.Header.Get("X-Request-Id") == "" {
				t.Fatalf("order request %s: reply %q, headers %v", m.Subject, m.Reply, m.Header)
			}
		case "telemetry":
			tele++
			if len(m.Data) < 16 || len(m.Data) > 512 || m.Data[0] != 0xCA || m.Data[1] != 0xFE {
				t.Fatalf("telemetry payload of %d bytes starts % x", len(m.Data), m.Data[:min(4, len(m.Data))])
			}
		case "logs":
			escapes += strings.Count(string(m.Data), "\x1b[")
			if bytes.IndexByte(m.Data, '\n') >= 0 {
				multiline++
			}
		default:
			t.Fatalf("unexpected subject %q", m.Subject)
		}
	}
	if escapes == 0 || multiline == 0 {
		t.Errorf("logs: %d escape sequences, %d multi-line, want some of each", escapes, multiline)
	}
	if bigJumps > 0 {
		t.Errorf("%d temperature readings jumped by more than 0.5 C, want a smooth walk", bigJumps)
	}
	if share := float64(tele) / float64(len(msgs)); share < 0.08 || share > 0.13 {
		t.Errorf("telemetry share %.3f, want about 0.105", share)
	}
}

// The flood path reuses buffers; only headers that must be unique allocate.
func TestDemoGenAllocs(t *testing.T) {
	g := newDemoGen(13)
	now := time.Now()
	if avg := testing.AllocsPerRun(20000, func() { g.next(now) }); avg >= 1 {
		t.Errorf("%.2f allocations per message, want < 1", avg)
	}
}

func BenchmarkDemoGen(b *testing.B) {
	g := newDemoGen(13)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		g.next(now)
	}
}
