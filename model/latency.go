package model

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Defaults and bounds of a ReplyTracker.
const (
	// DefaultMaxPendingRequests bounds the requests waiting for a reply.
	DefaultMaxPendingRequests = 10_000
	// DefaultReplyTimeout is how long a request waits before it counts as unanswered.
	DefaultReplyTimeout = 30 * time.Second
	// maxReplyLinks bounds the request/reply links LinkFor remembers.
	maxReplyLinks = 10_000
	// maxLatencySubjects bounds the request subjects with latency stats
	// (about 300 bytes each).
	maxLatencySubjects = 10_000
)

// ReplyTracker links a message with a reply subject to the answer published
// on that subject and keeps per-subject reply latencies. Time is the
// messages' Received stamps, so its resolution is the engine clock's.
//
// A request stays pending until answered, until a newer request with the same
// reply subject supersedes it, until DefaultMaxPendingRequests (or the bound
// given) pushes it out, or until it is older than the timeout, when it counts
// as unanswered for its subject. When several replies answer one request
// (scatter-gather), the first is the request's latency and its link; later
// ones, until the timeout, are counted as extra replies and linked back to the
// request, but do not enter the percentiles.
//
// Not safe for concurrent use: like the rest of model, one goroutine owns it.
type ReplyTracker struct {
	timeout    int64
	maxPending int

	// Pending requests live in a slab, linked oldest to newest, so that an
	// answered one is unlinked in O(1) and the steady state allocates nothing.
	slots      []pendingRequest
	free       []int32
	head, tail int32
	pending    int

	// byReply maps a reply subject to its pending request or, once
	// answered, to its link (for counting further replies).
	byReply map[string]replyRef

	links    []linkSlot // ring of the newest links
	nextLink int
	bySeq    map[uint64]int32 // request or reply Seq to its slot in links

	subjects map[string]*subjectLatency
	counters ReplyCounters
}

// ReplyCounters are a ReplyTracker's totals, including what its bounds dropped.
type ReplyCounters struct {
	// Pending is the number of requests waiting for a reply now.
	Pending int
	// Answered counts requests that got a reply.
	Answered uint64
	// ExtraReplies counts replies after the first to one request.
	ExtraReplies uint64
	// Expired counts requests that got no reply within the timeout.
	Expired uint64
	// Evicted counts pending requests dropped to stay within the bound.
	Evicted uint64
	// Superseded counts pending requests replaced by a newer request with the same reply subject.
	Superseded uint64
	// DroppedSubjects counts latencies and expiries not kept because the subject bound was reached.
	DroppedSubjects uint64
}

// LatencyStats is the reply latency of one request subject.
type LatencyStats struct {
	// Count is the number of answered requests.
	Count uint64
	// P50 and P99 are percentiles estimated from log-scale buckets (within about 14%).
	P50, P99 time.Duration
	// Max is the largest latency seen, exactly.
	Max time.Duration
	// Unanswered counts requests that expired without a reply.
	Unanswered uint64
	// ExtraReplies counts replies after the first to one request.
	ExtraReplies uint64
}

// Link ties a request to a reply.
type Link struct {
	// RequestSeq and ReplySeq are the messages' Seq.
	RequestSeq, ReplySeq uint64
	// RequestSubject is the request's subject; ReplySubject is its reply subject, where the reply was published.
	RequestSubject, ReplySubject string
	// Latency is the reply's Received minus the request's.
	Latency time.Duration
	// Replies counts the request's replies: all so far in its first reply's link, those up to this one in a later reply's.
	Replies int
}

type pendingRequest struct {
	subject, reply string
	seq            uint64
	received       int64
	prev, next     int32
}

type replyRef struct {
	idx      int32 // slot in slots, or in links when answered
	answered bool
}

type linkSlot struct {
	Link
	requested int64 // the request's Received, to time out extra replies
	first     bool  // the request's first reply: bySeq and byReply point here
}

// NewReplyTracker returns a tracker holding at most maxPending requests
// waiting for a reply for at most timeout; zero or negative values take
// DefaultMaxPendingRequests and DefaultReplyTimeout.
func NewReplyTracker(maxPending int, timeout time.Duration) *ReplyTracker {
	if maxPending <= 0 {
		maxPending = DefaultMaxPendingRequests
	}
	if timeout <= 0 {
		timeout = DefaultReplyTimeout
	}
	return &ReplyTracker{
		timeout:    int64(timeout),
		maxPending: min(maxPending, math.MaxInt32),
		head:       -1,
		tail:       -1,
		byReply:    make(map[string]replyRef),
		bySeq:      make(map[uint64]int32),
		subjects:   make(map[string]*subjectLatency),
	}
}

// Observe is called for every message in arrival order; when m answers an
// outstanding request (m.Subject is its reply subject) it returns the
// request's subject, its Seq and the latency, and ok. Later replies to an
// answered request, within the timeout, also return ok (see ReplyTracker).
// m's Received is the time by which older requests expire.
func (t *ReplyTracker) Observe(m *Message) (reqSubject string, reqSeq uint64, latency time.Duration, ok bool) {
	t.expire(m.Received)
	if len(t.byReply) > 0 {
		if ref, found := t.byReply[m.Subject]; found {
			reqSubject, reqSeq, latency, ok = t.answer(m, ref)
		}
	}
	if m.Reply != "" && !IsProtocolReply(m.Reply) {
		t.track(m)
	}
	return reqSubject, reqSeq, latency, ok
}

// IsProtocolReply reports whether a reply subject is JetStream's protocol
// rather than a request's inbox: a consumer's delivery carries $JS.ACK.…
// for its ack, a flow-control message $JS.FC.… for the client's response.
// Counting those as request and reply gave a stream's every message an
// "answered in 0s" and its unacked deliveries an "unanswered".
func IsProtocolReply(reply string) bool {
	return strings.HasPrefix(reply, JSAckPrefix) || strings.HasPrefix(reply, "$JS.FC.")
}

// Expire counts requests older than the timeout at now as unanswered; the UI
// calls it on its tick so that requests expire when traffic stops.
func (t *ReplyTracker) Expire(now time.Time) { t.expire(now.UnixNano()) }

// Stats returns the latency stats of a request subject, false when it has
// none (no request on it was answered or expired, or it was beyond the bound).
func (t *ReplyTracker) Stats(subject string) (LatencyStats, bool) {
	s := t.subjects[subject]
	if s == nil {
		return LatencyStats{}, false
	}
	return LatencyStats{
		Count:        s.count,
		P50:          s.percentile(0.50),
		P99:          s.percentile(0.99),
		Max:          s.max,
		Unanswered:   s.unanswered,
		ExtraReplies: s.extra,
	}, true
}

// LinkFor returns the link of a recent request (its first reply) or reply
// (the request it answered) by the message's Seq.
func (t *ReplyTracker) LinkFor(seq uint64) (Link, bool) {
	i, ok := t.bySeq[seq]
	if !ok {
		return Link{}, false
	}
	return t.links[i].Link, true
}

// Counters returns the tracker's totals.
func (t *ReplyTracker) Counters() ReplyCounters {
	c := t.counters
	c.Pending = t.pending
	return c
}

// expire drops the requests that are older than the timeout at now. Requests
// are linked in arrival order, so it stops at the first young one.
func (t *ReplyTracker) expire(now int64) {
	for t.head >= 0 && now-t.slots[t.head].received > t.timeout {
		p := &t.slots[t.head]
		t.counters.Expired++
		if s := t.subjectStats(p.subject); s != nil {
			s.unanswered++
		}
		t.remove(t.head, true)
	}
}

// track makes m a pending request.
func (t *ReplyTracker) track(m *Message) {
	if ref, found := t.byReply[m.Reply]; found && !ref.answered {
		t.counters.Superseded++
		t.remove(ref.idx, false) // byReply is about to point to m
	}
	if t.pending >= t.maxPending {
		t.counters.Evicted++
		t.remove(t.head, true)
	}
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		t.slots = append(t.slots, pendingRequest{})
		i = int32(len(t.slots) - 1)
	}
	// A copy of the subject: m's points into the engine's store's pages.
	t.slots[i] = pendingRequest{subject: strings.Clone(m.Subject), reply: m.Reply, seq: m.Seq, received: m.Received, prev: t.tail, next: -1}
	if t.tail >= 0 {
		t.slots[t.tail].next = i
	} else {
		t.head = i
	}
	t.tail = i
	t.pending++
	t.byReply[m.Reply] = replyRef{idx: i}
}

// remove unlinks pending request i and frees its slot, dropping its
// byReply entry unless the caller is about to overwrite it.
func (t *ReplyTracker) remove(i int32, dropRef bool) {
	p := &t.slots[i]
	if p.prev >= 0 {
		t.slots[p.prev].next = p.next
	} else {
		t.head = p.next
	}
	if p.next >= 0 {
		t.slots[p.next].prev = p.prev
	} else {
		t.tail = p.prev
	}
	if dropRef {
		delete(t.byReply, p.reply) // a pending request owns its entry
	}
	*p = pendingRequest{} // do not pin the strings
	t.free = append(t.free, i)
	t.pending--
}

// answer handles m, a reply on a subject byReply knows.
func (t *ReplyTracker) answer(m *Message, ref replyRef) (string, uint64, time.Duration, bool) {
	if !ref.answered {
		p := t.slots[ref.idx]
		t.remove(ref.idx, false) // byReply is about to point to the link
		lat := nonNegativeSince(p.received, m.Received)
		replySubject := strings.Clone(m.Subject) // see track
		i := t.addLink(linkSlot{Link: Link{
			RequestSeq: p.seq, ReplySeq: m.Seq, RequestSubject: p.subject, ReplySubject: replySubject,
			Latency: lat, Replies: 1,
		}, requested: p.received, first: true})
		t.bySeq[p.seq] = i
		t.byReply[replySubject] = replyRef{idx: i, answered: true}
		t.counters.Answered++
		if s := t.subjectStats(p.subject); s != nil {
			s.record(lat)
		}
		return p.subject, p.seq, lat, true
	}
	first := &t.links[ref.idx]
	if m.Received-first.requested > t.timeout {
		delete(t.byReply, m.Subject)
		return "", 0, 0, false
	}
	first.Replies++
	l := first.Link // copied before addLink may reuse its slot
	l.ReplySeq, l.Latency = m.Seq, nonNegativeSince(first.requested, m.Received)
	t.addLink(linkSlot{Link: l, requested: first.requested})
	t.counters.ExtraReplies++
	if s := t.subjectStats(l.RequestSubject); s != nil {
		s.extra++
	}
	return l.RequestSubject, l.RequestSeq, l.Latency, true
}

// addLink stores l in the ring, keyed by its reply's Seq, and returns its
// slot; the link it overwrites is forgotten.
func (t *ReplyTracker) addLink(l linkSlot) int32 {
	var i int32
	if len(t.links) < maxReplyLinks {
		t.links = append(t.links, l)
		i = int32(len(t.links) - 1)
	} else {
		i = int32(t.nextLink)
		t.nextLink = (t.nextLink + 1) % maxReplyLinks
		old := &t.links[i]
		delete(t.bySeq, old.ReplySeq)
		if old.first {
			delete(t.bySeq, old.RequestSeq)
			if ref, ok := t.byReply[old.ReplySubject]; ok && ref.answered && ref.idx == i {
				delete(t.byReply, old.ReplySubject)
			}
		}
		*old = l
	}
	t.bySeq[l.ReplySeq] = i
	return i
}

// subjectStats returns the stats of subject, creating them within the
// bound; nil (counted) beyond it.
func (t *ReplyTracker) subjectStats(subject string) *subjectLatency {
	if s := t.subjects[subject]; s != nil {
		return s
	}
	if len(t.subjects) >= maxLatencySubjects {
		t.counters.DroppedSubjects++
		return nil
	}
	s := &subjectLatency{}
	t.subjects[subject] = s
	return s
}

// nonNegativeSince is to minus from, never negative (clocks step, captures replay).
func nonNegativeSince(from, to int64) time.Duration {
	return time.Duration(max(to-from, 0))
}

// latencyBuckets is the histogram size: bucket 0 holds latencies below
// latencyEdges[0] (10 µs), bucket i those in [edges[i-1], edges[i]) and the
// last those from 60 s up. 62 log-scale buckets span 10 µs to 60 s, each
// about 29% wider than the one below.
const latencyBuckets = 64

var latencyEdges = func() [latencyBuckets - 1]time.Duration {
	var e [latencyBuckets - 1]time.Duration
	lo, hi := float64(10*time.Microsecond), float64(60*time.Second)
	for i := range e {
		e[i] = time.Duration(math.Round(lo * math.Pow(hi/lo, float64(i)/float64(len(e)-1))))
	}
	return e
}()

// latencyBucket returns the bucket of d.
func latencyBucket(d time.Duration) int {
	i, found := slices.BinarySearch(latencyEdges[:], d)
	if found {
		i++
	}
	return i
}

// subjectLatency is one subject's reply latencies: a fixed log-scale
// histogram (a reservoir would cost more per subject and still estimate).
type subjectLatency struct {
	buckets                  [latencyBuckets]uint32
	count, unanswered, extra uint64
	min, max                 time.Duration
}

func (s *subjectLatency) record(d time.Duration) {
	if s.count == 0 || d < s.min {
		s.min = d
	}
	s.max = max(s.max, d)
	s.count++
	b := latencyBucket(d)
	if s.buckets[b] == math.MaxUint32 {
		// Halve rather than wrap: the shape, which is all percentiles need, stays.
		for i := range s.buckets {
			s.buckets[i] /= 2
		}
	}
	s.buckets[b]++
}

// percentile estimates the p quantile (nearest rank) as the geometric middle
// of its bucket, clamped to the smallest and largest latencies seen.
func (s *subjectLatency) percentile(p float64) time.Duration {
	var total uint64
	for _, n := range s.buckets {
		total += uint64(n)
	}
	if total == 0 {
		return 0
	}
	rank := max(uint64(math.Ceil(p*float64(total))), 1)
	var cum uint64
	b := 0
	for ; b < latencyBuckets-1; b++ {
		if cum += uint64(s.buckets[b]); cum >= rank {
			break
		}
	}
	var est time.Duration
	switch b {
	case 0:
		est = latencyEdges[0] / 2
	case latencyBuckets - 1:
		est = s.max
	default:
		est = time.Duration(math.Sqrt(float64(latencyEdges[b-1]) * float64(latencyEdges[b])))
	}
	return min(max(est, s.min), s.max)
}
