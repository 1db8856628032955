package model

import "time"

// StoredMessage is one message as a JetStream stream keeps it: its stream
// sequence and the message with Received set to the stored time. Every
// byte comes from the server and is untrusted.
type StoredMessage struct {
	Seq uint64
	Msg Message
}

// Time is when the stream stored the message.
func (s *StoredMessage) Time() time.Time { return time.Unix(0, s.Msg.Received) }

// PageQuery says which page of a stream the stream browser reads: forwards
// from a sequence (From, 0 for the first) or from a time (At), or
// backwards before a sequence (Before) or from the end (Last).
type PageQuery struct {
	// Filter is a subject pattern; empty reads every subject.
	Filter string
	// Size is the most messages one page holds.
	Size int
	// From reads forwards from this sequence (0: the first message).
	From uint64
	// At reads forwards from the first message stored at or after it.
	At time.Time
	// Before reads the Size messages before this sequence (backwards).
	Before uint64
	// Last reads the last Size messages.
	Last bool
}

// Backward reports whether q reads backwards (Before or Last).
func (q PageQuery) Backward() bool { return q.Last || q.Before > 0 }

// StreamPage is one page of a stream, in sequence order, and the stream's
// extent when it was read.
type StreamPage struct {
	Msgs []StoredMessage
	// FirstSeq, LastSeq and Total are the stream's first and last
	// sequences and message count when the page was read.
	FirstSeq, LastSeq, Total uint64
}

// KeptCopy is m as the stream browser keeps it: the payload cut to
// KeptPayload bytes, as the tree and the panes keep theirs (Size stays the
// whole size, Sum the whole payload's), so a page of 100 messages holds
// at most 6.4 MiB of payload however large the stream's messages are.
func KeptCopy(m Message) Message { return m.Owned(KeptPayload) }
