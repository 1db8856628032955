package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ConsumerSummary is one JetStream consumer as the consumers board shows
// it: its kind, its numbers and when it last delivered and had an ack, as
// the server last reported them. Name and Filter come from the server and
// are untrusted (Sanitize before drawing).
type ConsumerSummary struct {
	Name string
	// Pull is a pull consumer; otherwise it pushes to a deliver subject.
	Pull bool
	// PushBound: a push consumer's deliver subject has a subscriber.
	PushBound bool
	// Filter is the subject filter (several joined by ","), "" for all.
	Filter string
	// Pending is how many stored messages it has not delivered yet.
	Pending uint64
	// AckPending is how many it delivered without an ack back yet;
	// MaxAckPending its limit (0: none, or acks are off).
	AckPending, MaxAckPending int
	// Redelivered is how many of the unacked were delivered more than once.
	Redelivered int
	// Waiting is how many pull requests wait for messages.
	Waiting int
	// AckNone: the consumer takes no acks (AckPending stays 0).
	AckNone bool
	// LastDelivered and LastAcked are when it last delivered a message
	// and last had one acked; zero when never.
	LastDelivered, LastAcked time.Time
	// Paused until PauseRemaining runs out.
	Paused         bool
	PauseRemaining time.Duration
	// Leader is the cluster leader, "" outside a cluster; NoLeader is a
	// replicated consumer without one.
	Leader   string
	NoLeader bool
}

// IdlePull is how long a pull consumer with pending messages may go
// without a delivery and without a waiting pull request before the board
// says nobody is pulling: a client that fetches in a loop has no request
// waiting between two fetches, but it delivers all the time.
const IdlePull = 10 * time.Second

// Diagnoses are what the consumer's numbers say holds it back, in plain
// words, most serious first; none when it keeps up. The rules, read from
// the fields of the server's ConsumerInfo:
//
//   - paused: Paused ("paused, 4m left").
//   - "no leader": a replicated consumer without a cluster leader serves
//     nobody.
//   - "push consumer without a subscriber": a push consumer (it has a
//     deliver subject) whose PushBound is false: the server delivers to
//     nobody, so nothing moves.
//   - "nobody pulling": a pull consumer with messages pending, no pull
//     request waiting (NumWaiting 0) and no delivery for IdlePull.
//   - "ack pending at its limit": NumAckPending has reached MaxAckPending,
//     so the server delivers nothing more until acks come back.
//   - "redelivering N": NumRedelivered > 0, messages went unacked past
//     their ack wait (or were nak'd) and were delivered again.
//   - "acks overdue": acks expected (ack policy not none), messages
//     unacked, and no ack for IdlePull (never acked: nothing since the
//     last delivery for IdlePull): the client holds messages without
//     acking them, or works slower than that on each.
func (c *ConsumerSummary) Diagnoses(now time.Time) []string {
	var out []string
	if c.Paused {
		s := "paused"
		if c.PauseRemaining > 0 {
			s += ", " + HumanDuration(c.PauseRemaining.Round(time.Second)) + " left"
		}
		out = append(out, s)
	}
	if c.NoLeader {
		out = append(out, "no leader")
	}
	if !c.Pull && !c.PushBound {
		out = append(out, "push consumer without a subscriber")
	}
	if c.Pull && c.Pending > 0 && c.Waiting == 0 && !c.Paused && (c.LastDelivered.IsZero() || now.Sub(c.LastDelivered) >= IdlePull) {
		out = append(out, "nobody pulling")
	}
	if c.MaxAckPending > 0 && c.AckPending >= c.MaxAckPending {
		out = append(out, fmt.Sprintf("ack pending at its limit (%d)", c.MaxAckPending))
	}
	if c.Redelivered > 0 {
		out = append(out, fmt.Sprintf("redelivering %d", c.Redelivered))
	}
	if last := c.LastAcked; !c.AckNone && c.AckPending > 0 && !c.LastDelivered.IsZero() {
		if last.IsZero() {
			last = c.LastDelivered // never acked: since the last delivery
		}
		if now.Sub(last) < IdlePull {
			return out
		}
		out = append(out, "acks overdue")
	}
	return out
}

// Kind is "pull" or "push".
func (c *ConsumerSummary) Kind() string {
	if c.Pull {
		return "pull"
	}
	return "push"
}

// ConsumerTrend is how many values of pending and ack pending the board
// keeps per consumer for its sparklines: one per refresh.
const ConsumerTrend = 30

// ConsumerBoard is a stream's consumers as last listed, with the trend of
// each one's pending and ack pending over the last ConsumerTrend listings.
// A consumer that leaves the listing leaves the board with its trend, so
// the board holds at most what one listing holds.
type ConsumerBoard struct {
	Stream string
	Rows   []ConsumerSummary
	trends map[string]*consumerTrend
}

type consumerTrend struct {
	pending, ackPending *Ring[float64]
}

// NewConsumerBoard is an empty board for stream.
func NewConsumerBoard(stream string) *ConsumerBoard {
	return &ConsumerBoard{Stream: stream, trends: map[string]*consumerTrend{}}
}

// Update takes a listing: the rows in name order, each consumer's numbers
// appended to its trend.
func (b *ConsumerBoard) Update(rows []ConsumerSummary) {
	b.Rows = rows
	seen := make(map[string]*consumerTrend, len(rows))
	for i := range rows {
		r := &rows[i]
		t := b.trends[r.Name]
		if t == nil {
			t = &consumerTrend{pending: NewRing[float64](ConsumerTrend), ackPending: NewRing[float64](ConsumerTrend)}
		}
		t.pending.Push(float64(r.Pending))
		t.ackPending.Push(float64(r.AckPending))
		seen[r.Name] = t
	}
	b.trends = seen
	slices.SortFunc(b.Rows, func(x, y ConsumerSummary) int { return strings.Compare(x.Name, y.Name) })
}

// Trend is the named consumer's pending and ack pending over the last
// listings, oldest first.
func (b *ConsumerBoard) Trend(name string) (pending, ackPending []float64) {
	t := b.trends[name]
	if t == nil {
		return nil, nil
	}
	return trendValues(t.pending), trendValues(t.ackPending)
}

func trendValues(r *Ring[float64]) []float64 {
	out := make([]float64, r.Len())
	for i := range out {
		out[i] = *r.At(i)
	}
	return out
}
