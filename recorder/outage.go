package recorder

import (
	"time"

	"natsx/model"
)

// maxOutages bounds the outages Stats and a Player list: a server that
// flaps all day should not make inspect hold a list as long as the file.
const maxOutages = 10000

// Outage is a stretch of a capture during which the recorder was not
// connected: nothing in it was recorded, however quiet it looks. The
// UI's timeline draws them; inspect and export list them.
type Outage struct {
	// Start is when the connection was lost (Unix ns).
	Start int64
	// End is when it came back, or the capture's last record when Open.
	End int64
	// Open is true when the capture ended before the connection came back.
	Open bool
}

// Duration is how long the outage lasted.
func (o Outage) Duration() time.Duration { return time.Duration(max(o.End-o.Start, 0)) }

// outageList pairs disconnection and reconnection records into outages.
type outageList struct {
	list        []Outage
	down        bool
	disconnects uint64
}

// add takes a record; it reports whether it was a connection record.
func (l *outageList) add(e *Entry) bool {
	if e.Kind != KindGap || !e.Source.Connection() {
		return false
	}
	switch {
	case e.Source == GapDisconnected && !l.down:
		l.down = true
		l.disconnects++
		if len(l.list) < maxOutages {
			l.list = append(l.list, Outage{Start: e.Time, Open: true})
		}
	case e.Source == GapReconnected && l.down:
		l.down = false
		if n := len(l.list); n > 0 && l.list[n-1].Open {
			l.list[n-1].End, l.list[n-1].Open = e.Time, false
		}
	}
	return true
}

// finish closes an outage still open at the end of the capture at last.
func (l *outageList) finish(last int64) []Outage {
	if n := len(l.list); n > 0 && l.list[n-1].Open {
		l.list[n-1].End = max(last, l.list[n-1].Start)
	}
	return l.list
}

// connWatch turns the feed's connection state, polled each time the
// recorder reads, into disconnection and reconnection records. Polling
// (every few milliseconds) is what the feed offers: model.SourceStatus
// has a state and a reconnection count but no times, so a record's time
// is when the recorder saw the change, within one poll of it. A whole
// disconnect-reconnect cycle between two polls shows as a reconnection
// count that grew: it is written as an outage from the previous poll to
// this one, the most the recorder can say.
type connWatch struct {
	down       bool
	reconnects uint64
	lastPoll   int64
}

// maxMissedCycles bounds the outage pairs written for reconnections that
// all happened between two polls.
const maxMissedCycles = 16

// note returns the connection records for status st seen at t. The
// reconnection count is trusted over the state, which nats.go's callbacks
// update late: a reconnection and the next disconnection can both land
// between two polls.
func (c *connWatch) note(st model.SourceStatus, t int64) []Entry {
	var out []Entry
	cycles := uint64(0)
	if st.Reconnects > c.reconnects {
		cycles = st.Reconnects - c.reconnects
	}
	if c.down && cycles > 0 {
		c.down = false
		cycles--
		out = append(out, Entry{Kind: KindGap, Time: t, Source: GapReconnected})
	}
	for i := uint64(0); i < min(cycles, maxMissedCycles) && c.lastPoll > 0; i++ {
		out = append(out, Entry{Kind: KindGap, Time: c.lastPoll, Source: GapDisconnected},
			Entry{Kind: KindGap, Time: t, Source: GapReconnected})
	}
	gone := st.State == model.StateReconnecting || st.State == model.StateClosed
	if !c.down && gone {
		c.down = true
		out = append(out, Entry{Kind: KindGap, Time: t, Source: GapDisconnected})
	}
	c.reconnects, c.lastPoll = st.Reconnects, t
	return out
}
