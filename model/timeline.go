package model

import "time"

// RewindPrefix begins the subject the player publishes between the
// messages it sent before a seek back and the ones it sends after: the
// explorer starts its counts over where it sees it, so no message is
// counted twice. The rest of the subject is a secret of the process
// (Timeline.RewindSubject), so no other client, and no recording of a
// replay opened later, can reset the counts. It is never shown or counted.
const RewindPrefix = "_NATSX.timeline.rewind."

// TimelineStatus is a snapshot of a capture player (natsx open): the
// timeline line draws it.
type TimelineStatus struct {
	// Name is the capture's file name.
	Name    string
	Playing bool
	// Done is true once the last message was published.
	Done bool
	// Speed is the playback speed; +Inf is as fast as possible.
	Speed float64
	// Pos is the playhead; Start and End bound the capture.
	Pos, Start, End time.Time
	// Total is the capture's message count (0 while unknown).
	Total       uint64
	Markers     []time.Time
	MoreMarkers bool
	// Err is the player's last error.
	Err string
	// Damaged is how many damaged places (corrupt blocks, a torn tail) the
	// player has met so far, and SkippedBytes what they cost: the capture
	// plays on past them, so the timeline must say that it has holes.
	Damaged      int
	SkippedBytes int64
	// Outages are the stretches in which the recorder was disconnected:
	// nothing in them was recorded, however quiet they look.
	Outages []Span
}

// Span is a stretch of time, Start to End.
type Span struct{ Start, End time.Time }
