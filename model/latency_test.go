package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// latencyT0 is an arbitrary fixed receive time for deterministic tests.
const latencyT0 = int64(1_700_000_000_000_000_000)

func latencyMsg(seq uint64, at time.Duration, subject, reply string) *Message {
	return &Message{Seq: seq, Received: latencyT0 + int64(at), Subject: subject, Reply: reply}
}

func TestReplyTrackerObserve(t *testing.T) {
	type result struct {
		subject string
		seq     uint64
		latency time.Duration
		ok      bool
	}
	ms := time.Millisecond
	tests := []struct {
		name string
		msgs []*Message
		want []result // one per message
	}{
		{
			name: "request and reply",
			msgs: []*Message{
				latencyMsg(1, 0, "orders.create", "_INBOX.a.1"),
				latencyMsg(2, 1*ms, "orders.other", ""),
				latencyMsg(3, 3*ms, "_INBOX.a.1", ""),
			},
			want: []result{{}, {}, {"orders.create", 1, 3 * ms, true}},
		},
		{
			name: "reply that is itself a request",
			msgs: []*Message{
				latencyMsg(1, 0, "a", "_INBOX.1"),
				latencyMsg(2, 2*ms, "_INBOX.1", "_INBOX.2"),
				latencyMsg(3, 5*ms, "_INBOX.2", ""),
			},
			want: []result{{}, {"a", 1, 2 * ms, true}, {"_INBOX.1", 2, 3 * ms, true}},
		},
		{
			// Issue 12 item 9: a consumer's ack is protocol, not an answer.
			name: "JetStream delivery and its ack",
			msgs: []*Message{
				latencyMsg(1, 0, "orders.new", "$JS.ACK.ORDERS.c1.1.5.5.1700000000000000000.0"),
				latencyMsg(2, 1*ms, "$JS.ACK.ORDERS.c1.1.5.5.1700000000000000000.0", ""),
			},
			want: []result{{}, {}},
		},
		{
			name: "JetStream flow control and its response",
			msgs: []*Message{
				latencyMsg(1, 0, "deliver.c1", "$JS.FC.ORDERS.c1.1"),
				latencyMsg(2, 1*ms, "$JS.FC.ORDERS.c1.1", ""),
			},
			want: []result{{}, {}},
		},
		{
			name: "a JetStream API request is a request",
			msgs: []*Message{
				latencyMsg(1, 0, "$JS.API.STREAM.INFO.ORDERS", "_INBOX.j.1"),
				latencyMsg(2, 2*ms, "_INBOX.j.1", ""),
			},
			want: []result{{}, {"$JS.API.STREAM.INFO.ORDERS", 1, 2 * ms, true}},
		},
		{
			name: "scatter-gather: later replies are extra",
			msgs: []*Message{
				latencyMsg(1, 0, "svc.ping", "_INBOX.x"),
				latencyMsg(2, 1*ms, "_INBOX.x", ""),
				latencyMsg(3, 4*ms, "_INBOX.x", ""),
			},
			want: []result{{}, {"svc.ping", 1, 1 * ms, true}, {"svc.ping", 1, 4 * ms, true}},
		},
		{
			name: "extra reply after the timeout is ignored",
			msgs: []*Message{
				latencyMsg(1, 0, "svc.ping", "_INBOX.x"),
				latencyMsg(2, 1*ms, "_INBOX.x", ""),
				latencyMsg(3, 31*time.Second, "_INBOX.x", ""),
			},
			want: []result{{}, {"svc.ping", 1, 1 * ms, true}, {}},
		},
		{
			name: "reply after the timeout does not match",
			msgs: []*Message{
				latencyMsg(1, 0, "slow", "_INBOX.s"),
				latencyMsg(2, 30*time.Second+1, "_INBOX.s", ""),
			},
			want: []result{{}, {}},
		},
		{
			name: "reply at exactly the timeout matches",
			msgs: []*Message{
				latencyMsg(1, 0, "slow", "_INBOX.s"),
				latencyMsg(2, 30*time.Second, "_INBOX.s", ""),
			},
			want: []result{{}, {"slow", 1, 30 * time.Second, true}},
		},
		{
			name: "reused reply subject: the newer request wins",
			msgs: []*Message{
				latencyMsg(1, 0, "a", "replies"),
				latencyMsg(2, 1*ms, "b", "replies"),
				latencyMsg(3, 3*ms, "replies", ""),
			},
			want: []result{{}, {}, {"b", 2, 2 * ms, true}},
		},
		{
			name: "clock stepping back gives zero, not negative",
			msgs: []*Message{
				latencyMsg(1, 5*ms, "a", "r"),
				latencyMsg(2, 4*ms, "r", ""),
			},
			want: []result{{}, {"a", 1, 0, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewReplyTracker(0, 0)
			for i, m := range tt.msgs {
				var r result
				r.subject, r.seq, r.latency, r.ok = tr.Observe(m)
				if r != tt.want[i] {
					t.Errorf("message %d: got %+v, want %+v", i, r, tt.want[i])
				}
			}
		})
	}
}

// TestReplyTrackerIgnoresJetStreamAcks: a delivery waiting for its ack is
// not a pending request, so an unacked one never counts as unanswered.
func TestReplyTrackerIgnoresJetStreamAcks(t *testing.T) {
	tr := NewReplyTracker(0, time.Second)
	tr.Observe(latencyMsg(1, 0, "orders.new", "$JS.ACK.ORDERS.c1.1.1.1.1.0"))
	tr.Observe(latencyMsg(2, 0, "orders.new", "$JS.ACK.ORDERS.c1.1.2.2.1.0"))
	tr.Observe(latencyMsg(3, 0, "$JS.ACK.ORDERS.c1.1.1.1.1.0", ""))
	tr.Expire(time.Unix(0, latencyT0).Add(time.Minute))
	if c := tr.Counters(); c != (ReplyCounters{}) {
		t.Errorf("counters %+v, want none", c)
	}
	if s, ok := tr.Stats("orders.new"); ok {
		t.Errorf("orders.new has reply stats %+v", s)
	}
	if _, ok := tr.LinkFor(1); ok {
		t.Error("the delivery is linked to its ack")
	}
}

func TestReplyTrackerLinks(t *testing.T) {
	ms := time.Millisecond
	tr := NewReplyTracker(0, 0)
	for _, m := range []*Message{
		latencyMsg(10, 0, "orders.create", "_INBOX.1"),
		latencyMsg(11, 1200*time.Microsecond, "_INBOX.1", ""),
		latencyMsg(12, 2*ms, "svc.ping", "_INBOX.2"),
		latencyMsg(13, 3*ms, "_INBOX.2", ""),
		latencyMsg(14, 7*ms, "_INBOX.2", ""),
		latencyMsg(15, 8*ms, "unanswered", "_INBOX.3"),
	} {
		tr.Observe(m)
	}
	want := Link{RequestSeq: 10, ReplySeq: 11, RequestSubject: "orders.create", ReplySubject: "_INBOX.1", Latency: 1200 * time.Microsecond, Replies: 1}
	for _, seq := range []uint64{10, 11} {
		if got, ok := tr.LinkFor(seq); !ok || got != want {
			t.Errorf("LinkFor(%d) = %+v, %v; want %+v", seq, got, ok, want)
		}
	}
	// The request links to its first reply and counts the others.
	first := Link{RequestSeq: 12, ReplySeq: 13, RequestSubject: "svc.ping", ReplySubject: "_INBOX.2", Latency: ms, Replies: 2}
	if got, ok := tr.LinkFor(12); !ok || got != first {
		t.Errorf("LinkFor(12) = %+v, %v; want %+v", got, ok, first)
	}
	extra := Link{RequestSeq: 12, ReplySeq: 14, RequestSubject: "svc.ping", ReplySubject: "_INBOX.2", Latency: 5 * ms, Replies: 2}
	if got, ok := tr.LinkFor(14); !ok || got != extra {
		t.Errorf("LinkFor(14) = %+v, %v; want %+v", got, ok, extra)
	}
	for _, seq := range []uint64{15, 99} {
		if got, ok := tr.LinkFor(seq); ok {
			t.Errorf("LinkFor(%d) = %+v, want none", seq, got)
		}
	}
	st, ok := tr.Stats("svc.ping")
	if want := (LatencyStats{Count: 1, P50: ms, P99: ms, Max: ms, ExtraReplies: 1}); !ok || st != want {
		t.Errorf("Stats(svc.ping) = %+v, %v; want %+v", st, ok, want)
	}
	if c := tr.Counters(); c != (ReplyCounters{Pending: 1, Answered: 2, ExtraReplies: 1}) {
		t.Errorf("counters %+v", c)
	}
}

func TestReplyTrackerLinkRing(t *testing.T) {
	tr := NewReplyTracker(0, 0)
	n := maxReplyLinks + 5
	for i := range n {
		req, rep := uint64(2*i+1), uint64(2*i+2)
		inbox := "_INBOX." + strconv.Itoa(i)
		tr.Observe(latencyMsg(req, time.Duration(i), "s", inbox))
		tr.Observe(latencyMsg(rep, time.Duration(i)+1, inbox, ""))
	}
	if _, ok := tr.LinkFor(1); ok {
		t.Error("oldest link kept beyond the ring")
	}
	if _, ok := tr.LinkFor(2 * 5); ok {
		t.Error("fifth link kept beyond the ring")
	}
	if l, ok := tr.LinkFor(2*6 - 1); !ok || l.ReplySeq != 2*6 {
		t.Errorf("sixth link: %+v, %v", l, ok)
	}
	if len(tr.bySeq) != 2*maxReplyLinks || len(tr.byReply) != maxReplyLinks {
		t.Errorf("maps not bounded: bySeq %d, byReply %d", len(tr.bySeq), len(tr.byReply))
	}
	// An extra reply to a request whose link was overwritten is not matched.
	if _, _, _, ok := tr.Observe(latencyMsg(1e9, time.Duration(n), "_INBOX.0", "")); ok {
		t.Error("extra reply matched a forgotten request")
	}
}

func TestReplyTrackerBounds(t *testing.T) {
	tr := NewReplyTracker(3, time.Second)
	for i := range 5 {
		tr.Observe(latencyMsg(uint64(i+1), time.Duration(i)*time.Millisecond, "req", "_INBOX."+strconv.Itoa(i)))
	}
	c := tr.Counters()
	if c.Pending != 3 || c.Evicted != 2 {
		t.Fatalf("after 5 requests with room for 3: %+v", c)
	}
	// The two oldest were evicted: their replies match nothing.
	for i, want := range []bool{false, false, true} {
		_, _, _, ok := tr.Observe(latencyMsg(uint64(100+i), 10*time.Millisecond, "_INBOX."+strconv.Itoa(i), ""))
		if ok != want {
			t.Errorf("reply to request %d: ok %v, want %v", i, ok, want)
		}
	}
	// The rest expire, by the time of the next message, or of Expire.
	tr.Observe(latencyMsg(200, 1003*time.Millisecond+1, "tick", ""))
	if c := tr.Counters(); c.Pending != 1 || c.Expired != 1 {
		t.Fatalf("after the timeout of one: %+v", c)
	}
	tr.Expire(time.Unix(0, latencyT0).Add(time.Hour))
	c = tr.Counters()
	if want := (ReplyCounters{Answered: 1, Expired: 2, Evicted: 2}); c != want {
		t.Errorf("counters %+v, want %+v", c, want)
	}
	st, _ := tr.Stats("req")
	if st.Count != 1 || st.Unanswered != 2 {
		t.Errorf("stats %+v", st)
	}
	if len(tr.byReply) != 1 || len(tr.slots) != 3 {
		// byReply keeps the answered request for extra replies.
		t.Errorf("byReply %d, slots %d", len(tr.byReply), len(tr.slots))
	}

	// Superseded requests are counted, and the slot is reused.
	tr.Observe(latencyMsg(300, 2*time.Hour, "a", "same"))
	tr.Observe(latencyMsg(301, 2*time.Hour, "b", "same"))
	if c := tr.Counters(); c.Superseded != 1 || c.Pending != 1 || len(tr.slots) != 3 {
		t.Errorf("after supersede: %+v, slots %d", c, len(tr.slots))
	}
}

func TestReplyTrackerSubjectBound(t *testing.T) {
	tr := NewReplyTracker(0, 0)
	for i := range maxLatencySubjects + 3 {
		inbox := "_INBOX." + strconv.Itoa(i)
		tr.Observe(latencyMsg(uint64(2*i), 0, "svc."+strconv.Itoa(i), inbox))
		tr.Observe(latencyMsg(uint64(2*i+1), time.Millisecond, inbox, ""))
	}
	if got := tr.Counters().DroppedSubjects; got != 3 {
		t.Errorf("dropped %d subjects, want 3", got)
	}
	if len(tr.subjects) != maxLatencySubjects {
		t.Errorf("%d subjects kept", len(tr.subjects))
	}
	if _, ok := tr.Stats("svc." + strconv.Itoa(maxLatencySubjects)); ok {
		t.Error("stats for a subject beyond the bound")
	}
	if _, ok := tr.Stats("svc.0"); !ok {
		t.Error("no stats for the first subject")
	}
}

func TestLatencyBuckets(t *testing.T) {
	if latencyEdges[0] != 10*time.Microsecond || latencyEdges[len(latencyEdges)-1] != 60*time.Second {
		t.Fatalf("edges from %v to %v", latencyEdges[0], latencyEdges[len(latencyEdges)-1])
	}
	if !slices.IsSorted(latencyEdges[:]) {
		t.Fatal("edges not sorted")
	}
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{
		{0, 0}, {10*time.Microsecond - 1, 0}, {10 * time.Microsecond, 1},
		{latencyEdges[5] - 1, 5}, {latencyEdges[5], 6},
		{60*time.Second - 1, latencyBuckets - 2}, {60 * time.Second, latencyBuckets - 1}, {time.Hour, latencyBuckets - 1},
	} {
		if got := latencyBucket(tt.d); got != tt.want {
			t.Errorf("latencyBucket(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

// TestLatencyPercentiles checks p50 and p99 against the exact nearest-rank
// percentiles of known distributions: within one bucket.
func TestLatencyPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func(i int) time.Duration{
		"constant 1.2ms": func(int) time.Duration { return 1200 * time.Microsecond },
		"uniform 0-10ms": func(int) time.Duration { return time.Duration(rng.Int64N(int64(10 * time.Millisecond))) },
		"log-uniform 10µs-10s": func(int) time.Duration {
			return time.Duration(float64(10*time.Microsecond) * math.Pow(10, rng.Float64()*6))
		},
		"bimodal 1% slow": func(i int) time.Duration {
			if i%100 == 0 {
				return 2 * time.Second
			}
			return 500*time.Microsecond + time.Duration(rng.Int64N(int64(100*time.Microsecond)))
		},
		"sub-10µs and over 60s": func(i int) time.Duration {
			if i%2 == 0 {
				return time.Duration(rng.Int64N(10_000))
			}
			return time.Minute + time.Duration(rng.Int64N(int64(time.Minute)))
		},
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			tr := NewReplyTracker(0, time.Hour)
			var all []time.Duration
			for i := range 10_000 {
				d := gen(i)
				all = append(all, d)
				tr.Observe(latencyMsg(uint64(2*i), 0, "svc", "_INBOX.r"))
				tr.Observe(latencyMsg(uint64(2*i+1), d, "_INBOX.r", ""))
			}
			slices.Sort(all)
			st, ok := tr.Stats("svc")
			if !ok || st.Count != uint64(len(all)) || st.Max != all[len(all)-1] {
				t.Fatalf("stats %+v, max %v", st, all[len(all)-1])
			}
			for _, q := range []struct {
				p   float64
				got time.Duration
			}{{0.50, st.P50}, {0.99, st.P99}} {
				exact := all[int(q.p*float64(len(all)))-1]
				if gb, wb := latencyBucket(q.got), latencyBucket(exact); gb < wb-1 || gb > wb+1 {
					t.Errorf("p%v = %v (bucket %d), exact %v (bucket %d)", q.p*100, q.got, gb, exact, wb)
				}
			}
		})
	}
}

func TestLatencyHistogramSaturates(t *testing.T) {
	var s subjectLatency
	s.buckets[latencyBucket(time.Millisecond)] = 1<<32 - 1
	s.buckets[latencyBucket(time.Second)] = 1 << 20
	s.count = 1<<32 + 1<<20
	s.min, s.max = time.Millisecond, time.Second
	s.record(time.Millisecond)
	if got := s.buckets[latencyBucket(time.Millisecond)]; got != (1<<32-1)/2+1 {
		t.Errorf("saturated bucket %d", got)
	}
	if p := s.percentile(0.5); latencyBucket(p) != latencyBucket(time.Millisecond) {
		t.Errorf("p50 %v after halving", p)
	}
}

// TestReplyTrackerNoAllocs pins the fast path: a message without a reply
// subject that answers nothing allocates nothing, with requests pending.
func TestReplyTrackerNoAllocs(t *testing.T) {
	tr := NewReplyTracker(0, 0)
	for i := range 1000 {
		tr.Observe(latencyMsg(uint64(i), 0, "req", "_INBOX."+strconv.Itoa(i)))
	}
	m := latencyMsg(5000, time.Millisecond, "sensors.hq.temp", "")
	if n := testing.AllocsPerRun(1000, func() { tr.Observe(m) }); n != 0 {
		t.Errorf("%v allocs per plain message", n)
	}
}

func BenchmarkReplyTrackerPlain(b *testing.B) {
	tr := NewReplyTracker(0, 0)
	for i := range 1000 {
		tr.Observe(latencyMsg(uint64(i), 0, "req", "_INBOX."+strconv.Itoa(i)))
	}
	m := latencyMsg(5000, time.Millisecond, "sensors.hq.temp", "")
	b.ReportAllocs()
	for b.Loop() {
		tr.Observe(m)
	}
}

// BenchmarkReplyTrackerPlainBaseline is one string-keyed map lookup, what
// the plain path costs at least, for the ratio.
func BenchmarkReplyTrackerPlainBaseline(b *testing.B) {
	byReply := make(map[string]int)
	for i := range 1000 {
		byReply["_INBOX."+strconv.Itoa(i)] = i
	}
	m := latencyMsg(5000, time.Millisecond, "sensors.hq.temp", "")
	var n int
	for b.Loop() {
		n += byReply[m.Subject]
	}
	_ = n
}

func BenchmarkReplyTrackerRequestReply(b *testing.B) {
	tr := NewReplyTracker(0, 0)
	inboxes := make([]string, 4096)
	for i := range inboxes {
		inboxes[i] = "_INBOX.abc." + strconv.Itoa(i)
	}
	req := &Message{Subject: "orders.create"}
	rep := &Message{}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		inbox := inboxes[i%len(inboxes)]
		req.Seq, req.Received, req.Reply = uint64(2*i), int64(i)*1000, inbox
		rep.Seq, rep.Received, rep.Subject = uint64(2*i+1), int64(i)*1000+500_000, inbox
		tr.Observe(req)
		tr.Observe(rep)
		i++
	}
}
