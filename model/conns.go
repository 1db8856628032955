package model

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// ConnStats is one client connection as the connections view lists it.
// Strings come from the server and are untrusted.
type ConnStats struct {
	Server  string
	CID     uint64
	Name    string
	Lang    string
	Version string
	Account string
	Kind    string
	Subs    int
	// In counts what the server received from the client, Out what it
	// sent to it.
	InMsgs, OutMsgs   int64
	InBytes, OutBytes int64
	// Pending is what the server holds for the client, not yet written:
	// a slow consumer's is large.
	Pending int
	RTT     time.Duration
	// Idle is how long since the connection's last activity (as of the
	// server's answer).
	Idle  time.Duration
	Start time.Time
	// Stop and Reason are set for a closed connection.
	Stop   time.Time
	Reason string
	// Own marks natsx's own connections.
	Own bool
}

// SlowConsumer reports whether the server closed the connection as a slow
// consumer (its reason says so).
func (c *ConnStats) SlowConsumer() bool {
	return strings.Contains(strings.ToLower(c.Reason), "slow consumer")
}

// ConnsReport is what the connections view shows: the open connections of
// the account natsx is in (every account with the system account), the
// recently closed ones with the server's reason, what the source cannot
// see and what is missing.
type ConnsReport struct {
	Source WhoSource
	Open   []ConnStats
	Closed []ConnStats
	// Servers are the servers that answered.
	Servers  []string
	Blind    string
	Problems []string
}

// SlowConsumers are the closed connections the servers cut off as slow
// consumers, newest first: named, not only counted.
func (r *ConnsReport) SlowConsumers() []ConnStats {
	var out []ConnStats
	for _, c := range r.Closed {
		if c.SlowConsumer() {
			out = append(out, c)
		}
	}
	return out
}

// ConnSort is the order of the open connections: a key, maybe reversed.
type ConnSort uint8

// The keys the open connections sort by; each sorts the largest (or the
// name's first) first, SortReversed turns that around.
const (
	ConnByMsgs    ConnSort = iota // messages in and out
	ConnByBytes                   // bytes in and out
	ConnByPending                 // bytes the server holds for it
	ConnBySubs
	ConnByIdle
	ConnByName
	connSortKeys
	ConnSortReversed ConnSort = 1 << 7
)

// Key is the order without its direction.
func (s ConnSort) Key() ConnSort { return s &^ ConnSortReversed }

// Next is the next key, same direction.
func (s ConnSort) Next() ConnSort {
	return (s.Key()+1)%connSortKeys | s&ConnSortReversed
}

// Reverse turns the direction around.
func (s ConnSort) Reverse() ConnSort { return s ^ ConnSortReversed }

// String is the order as the view's title says it.
func (s ConnSort) String() string {
	name := [...]string{"msgs", "bytes", "pending", "subs", "idle", "name"}[s.Key()]
	arrow := " ↓"
	if s.Key() == ConnByName {
		arrow = " ↑"
	}
	if s&ConnSortReversed != 0 {
		if arrow == " ↓" {
			arrow = " ↑"
		} else {
			arrow = " ↓"
		}
	}
	return name + arrow
}

// SortConns orders conns by s; ties by server and connection id.
func SortConns(conns []ConnStats, s ConnSort) {
	slices.SortStableFunc(conns, func(x, y ConnStats) int {
		var c int
		switch s.Key() {
		case ConnByMsgs:
			c = cmp.Compare(y.InMsgs+y.OutMsgs, x.InMsgs+x.OutMsgs)
		case ConnByBytes:
			c = cmp.Compare(y.InBytes+y.OutBytes, x.InBytes+x.OutBytes)
		case ConnByPending:
			c = cmp.Compare(y.Pending, x.Pending)
		case ConnBySubs:
			c = cmp.Compare(y.Subs, x.Subs)
		case ConnByIdle:
			c = cmp.Compare(y.Idle, x.Idle)
		case ConnByName:
			c = cmp.Compare(x.Name, y.Name)
		}
		if s&ConnSortReversed != 0 {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(x.Server, y.Server), cmp.Compare(x.CID, y.CID))
	})
}
