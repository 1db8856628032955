package recorder

// The kinds of record a capture holds, and where a gap's messages went.

import (
	"fmt"

	"natsx/model"
)

// Kind says what a record holds.
type Kind uint8

const (
	// KindMessage is a message as received.
	KindMessage Kind = 0
	// KindGap stands for messages lost before they reached the file.
	KindGap Kind = 1
	// KindMarker is a labelled point in time (added by a person while recording).
	KindMarker Kind = 2
)

// String names the kind for humans and NDJSON.
func (k Kind) String() string {
	switch k {
	case KindMessage:
		return "message"
	case KindGap:
		return "gap"
	case KindMarker:
		return "marker"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// GapSource says where the messages a gap stands for were lost.
type GapSource uint8

const (
	// GapStore means the engine's bounded store overwrote messages before the recorder read them.
	GapStore GapSource = 1
	// GapClient means nats.go dropped messages as a slow consumer.
	GapClient GapSource = 2
	// GapDisconnected marks the moment the connection to the server was
	// lost: until the next GapReconnected (or the end of the capture)
	// nothing could be recorded, however quiet it looks. Missed is 0: how
	// many messages the outage cost is unknown. Readers older than these
	// sources read them as gaps of 0 messages.
	GapDisconnected GapSource = 3
	// GapReconnected marks the moment the connection came back.
	GapReconnected GapSource = 4
)

// Connection reports whether the source marks a disconnection or a
// reconnection rather than counted lost messages.
func (g GapSource) Connection() bool { return g == GapDisconnected || g == GapReconnected }

// String names the source for humans and NDJSON.
func (g GapSource) String() string {
	switch g {
	case GapStore:
		return "store"
	case GapClient:
		return "client"
	case GapDisconnected:
		return "disconnected"
	case GapReconnected:
		return "reconnected"
	}
	return fmt.Sprintf("source(%d)", uint8(g))
}

// Entry is one entry of a capture: a message, a gap or a marker.
type Entry struct {
	// Kind says which of the fields below apply.
	Kind Kind
	// Time is the receive time in Unix nanoseconds.
	Time int64
	// Msg is the message (KindMessage); Msg.Received equals Time.
	Msg model.Message
	// Missed is how many messages a gap stands for (KindGap).
	Missed uint64
	// Source is where a gap's messages were lost (KindGap).
	Source GapSource
	// Label is a marker's text (KindMarker).
	Label string
}
