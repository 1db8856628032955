package recorder

import (
	"bytes"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// collector subscribes and keeps what arrives with its arrival time.
type collector struct {
	mu   sync.Mutex
	msgs []*nats.Msg
	at   []time.Time
}

func collect(t testing.TB, nc *nats.Conn, subject string) *collector {
	t.Helper()
	c := &collector{}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		now := time.Now()
		c.mu.Lock()
		c.msgs, c.at = append(c.msgs, m), append(c.at, now)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *collector) waitFor(t testing.TB, n int) []*nats.Msg {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.msgs)
		c.mu.Unlock()
		if got >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d messages, want %d", got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.msgs)
}

func orderEntries() []Entry {
	return []Entry{
		msg(base, "orders.eu.created", "", model.Header{"Nats-Msg-Id": {"1"}}, []byte(`{"id":1}`)),
		msg(base+int64(time.Millisecond), "orders.us.created", "_INBOX.q.1", nil, []byte(`{"id":2}`)),
		{Kind: KindGap, Time: base + int64(2*time.Millisecond), Source: GapStore, Missed: 3},
		msg(base+int64(3*time.Millisecond), "orders.eu.shipped", "", model.Header{"A": {"1", "2"}}, []byte{0, 1, 2, 255}),
		msg(base+int64(4*time.Millisecond), "payments.eu.done", "", nil, nil),
		{Kind: KindMarker, Time: base + int64(5*time.Millisecond), Label: "here"},
		msg(base+int64(6*time.Millisecond), "orders.eu.created", "", nil, []byte(`{"id":3}`)),
	}
}

func TestReplayIntact(t *testing.T) {
	s := runServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	c := collect(t, testkit.Conn(t, s.ClientURL()), ">")
	recs := orderEntries()
	path := writeCapture(t, recs, WriterOptions{})
	st, err := Replay(context.Background(), nc, path, ReplayOptions{Speed: math.Inf(1)})
	if err != nil || st.Published != 5 || st.Gaps != 1 || st.Missed != 3 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	got := c.waitFor(t, 5)
	i := 0
	for _, e := range recs {
		if e.Kind != KindMessage {
			continue
		}
		g := got[i]
		i++
		if g.Subject != e.Msg.Subject || g.Reply != e.Msg.Reply || !bytes.Equal(g.Data, e.Msg.Data) ||
			len(g.Header) != len(e.Msg.Header) || (len(g.Header) > 0 && !reflect.DeepEqual(map[string][]string(g.Header), map[string][]string(e.Msg.Header))) {
			t.Fatalf("message %d: got %+v, want %+v", i, g, e.Msg)
		}
	}
}

func TestReplayRemapFilterDryRun(t *testing.T) {
	s := runServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	c := collect(t, testkit.Conn(t, s.ClientURL()), ">")
	path := writeCapture(t, orderEntries(), WriterOptions{})
	rm, err := ParseRemap("orders.>=sandbox.orders.>")
	if err != nil {
		t.Fatal(err)
	}
	rm2, _ := ParseRemap("payments.*.done=sandbox.*.paid")

	// Dry run: lines out, nothing on the wire.
	var out bytes.Buffer
	st, err := Replay(context.Background(), nc, path, ReplayOptions{DryRun: true, Output: &out, Remap: []Remap{rm, rm2}, Subjects: []string{"orders.eu.>", "payments.>"}})
	if err != nil || st.Published != 4 || st.Skipped != 1 {
		t.Fatalf("dry run %+v %v", st, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "orders.eu.created -> sandbox.orders.eu.created") ||
		!strings.Contains(lines[2], "payments.eu.done -> sandbox.eu.paid") || !strings.HasPrefix(lines[0], "+0.000000s") {
		t.Fatalf("dry run output:\n%s", out.String())
	}
	_ = nc.Flush()
	time.Sleep(20 * time.Millisecond)
	if got := len(c.waitFor(t, 0)); got != 0 {
		t.Fatalf("dry run published %d messages", got)
	}

	// For real.
	st, err = Replay(context.Background(), nc, path, ReplayOptions{Remap: []Remap{rm, rm2}, Subjects: []string{"orders.eu.>", "payments.>"}})
	if err != nil || st.Published != 4 {
		t.Fatalf("replay %+v %v", st, err)
	}
	var subjects []string
	for _, m := range c.waitFor(t, 4) {
		subjects = append(subjects, m.Subject)
	}
	want := []string{"sandbox.orders.eu.created", "sandbox.orders.eu.shipped", "sandbox.eu.paid", "sandbox.orders.eu.created"}
	if !slices.Equal(subjects, want) {
		t.Fatalf("subjects %v, want %v", subjects, want)
	}
}

func TestReplaySpeedAndLoop(t *testing.T) {
	s := runServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	c := collect(t, testkit.Conn(t, s.ClientURL()), ">")
	var recs []Entry
	for i := range 11 {
		recs = append(recs, msg(base+int64(i)*int64(10*time.Millisecond), "tick", "", nil, []byte{byte(i)}))
	}
	path := writeCapture(t, recs, WriterOptions{})
	// 100 ms of capture at speed 2 cannot take less than 50 ms.
	var progress []ReplayProgress
	st, err := Replay(context.Background(), nc, path, ReplayOptions{Speed: 2, Progress: func(p ReplayProgress) { progress = append(progress, p) }, ProgressEvery: time.Millisecond})
	if err != nil || st.Published != 11 || st.Elapsed < 50*time.Millisecond {
		t.Fatalf("stats %+v err %v", st, err)
	}
	if last := progress[len(progress)-1]; !last.Done || last.Fraction() != 1 || last.Published != 11 {
		t.Fatalf("last progress %+v", last)
	}
	c.waitFor(t, 11)

	// Loop until canceled: passes pile up.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { c.waitFor(t, 11+33); cancel() }()
	st, err = Replay(ctx, nc, path, ReplayOptions{Speed: 0, Loop: true})
	if err != nil || st.Passes < 3 {
		t.Fatalf("loop %+v %v", st, err)
	}
}

func TestReplayErrors(t *testing.T) {
	path := writeCapture(t, orderEntries(), WriterOptions{})
	if _, err := Replay(context.Background(), nil, path, ReplayOptions{}); err == nil {
		t.Fatal("no connection accepted")
	}
	if _, err := Replay(context.Background(), nil, path, ReplayOptions{DryRun: true, Speed: -1}); err == nil {
		t.Fatal("negative speed accepted")
	}
	if _, err := Replay(context.Background(), nil, "/no/such/file", ReplayOptions{DryRun: true}); err == nil || !strings.Contains(err.Error(), "/no/such/file") {
		t.Fatalf("missing file: %v", err)
	}
}

// TestSubjectFilter checks the filter replay and record apply against
// nats-server's own matcher.
func TestSubjectFilter(t *testing.T) {
	patterns := []string{">", "*", "a", "a.b", "a.*", "a.>", "*.b", "*.*", "a.*.c", "a.b.>", "*.>"}
	subjects := []string{"a", "b", "a.b", "a.c", "b.b", "a.b.c", "a.x.c", "a.b.c.d", "x.y.z"}
	for _, p := range patterns {
		for _, s := range subjects {
			f, err := compileFilter([]string{p})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := f.match(s), server.SubjectMatchesFilter(s, p); got != want {
				t.Errorf("match(%q, %q) = %v, nats-server says %v", p, s, got, want)
			}
		}
	}
}

func TestRemap(t *testing.T) {
	cases := []struct{ rule, in, out string }{
		{"orders.>=sandbox.orders.>", "orders.eu.created", "sandbox.orders.eu.created"},
		{"orders.>=sandbox.orders.>", "payments.x", ""},
		{"orders.*.created=new.*", "orders.eu.created", "new.eu"},
		{"a.*.*=b.*.*", "a.1.2", "b.1.2"},
		{"a.*=fixed", "a.1", "fixed"},
		{"a.*.b.>=*.c.>", "a.1.b.2.3", "1.c.2.3"},
		{"a.*.b.>=*.c.>", "a.1.b", ""},
		{"*.*=*", "x.y", "x"},
		{"a.>=b", "a.1.2", "b"},
	}
	for _, c := range cases {
		rm, err := ParseRemap(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		// A Remap written as a literal is parsed on each Apply, the same way.
		from, to, _ := strings.Cut(c.rule, "=")
		for _, rm := range []Remap{rm, {From: from, To: to}} {
			out, ok := rm.Apply(c.in)
			if ok != (c.out != "") || (ok && out != c.out) {
				t.Errorf("%s on %s: %q %v, want %q", c.rule, c.in, out, ok, c.out)
			}
		}
	}
	// A literal with more '*' in To than From does not panic.
	if out, ok := (Remap{From: "a.*", To: "*.*"}).Apply("a.1"); ok {
		t.Errorf("a.*=*.* applied: %q", out)
	}
	for _, bad := range []string{"nothing", "a.>=b.*", "a=b.>", "a..b=c", "=x", "a b=c", "a.>.b=c"} {
		if _, err := ParseRemap(bad); err == nil {
			t.Errorf("ParseRemap(%q) accepted", bad)
		}
	}
}

// BenchmarkReplayTiming replays a capture with random gaps (0–20 ms) at
// speed 1 and reports the absolute error of the inter-message gaps seen by
// a subscriber: p50_ms and p99_ms.
func BenchmarkReplayTiming(b *testing.B) {
	s := runServer(b)
	nc := testkit.Conn(b, s.ClientURL())
	rng := rand.New(rand.NewPCG(3, 4))
	var recs []Entry
	tm := base
	for range 200 {
		tm += int64(rng.IntN(20_000)) * int64(time.Microsecond)
		recs = append(recs, msg(tm, "timing", "", nil, make([]byte, 128)))
	}
	path := writeCapture(b, recs, WriterOptions{})
	var errs []float64
	for b.Loop() {
		c := collect(b, testkit.Conn(b, s.ClientURL()), "timing")
		if _, err := Replay(context.Background(), nc, path, ReplayOptions{Speed: 1}); err != nil {
			b.Fatal(err)
		}
		c.waitFor(b, len(recs))
		for i := 1; i < len(recs); i++ {
			want := time.Duration(recs[i].Time - recs[i-1].Time)
			got := c.at[i].Sub(c.at[i-1])
			errs = append(errs, math.Abs(float64(got-want))/float64(time.Millisecond))
		}
	}
	slices.Sort(errs)
	b.ReportMetric(errs[len(errs)/2], "p50_ms")
	b.ReportMetric(errs[len(errs)*99/100], "p99_ms")
	b.ReportMetric(0, "ns/op")
}

// TestReplayRefusesTinySpeed: a speed so small that the scaled gaps
// overflow is refused by the library too, not only by the CLI's flag.
func TestReplayRefusesTinySpeed(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{})
	_ = w.WriteMessage(&model.Message{Received: 1, Subject: "a", Data: []byte("x"), Size: 1})
	_ = w.Close()
	r, _ := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	for _, speed := range []float64{1e-300, math.NaN(), -1} {
		if _, err := ReplayReader(context.Background(), nil, r, ReplayOptions{Speed: speed, DryRun: true, Output: io.Discard}); err == nil {
			t.Errorf("speed %v accepted", speed)
		}
	}
}
