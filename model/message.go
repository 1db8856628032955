// Package model holds the state natsx shows and its pure transitions: the
// subject tree, rates, recent messages and payload formatting. It uses the
// standard library only; time is always passed in so tests are deterministic.
package model

// Header is a message's NATS headers, keyed by canonical name as received.
type Header map[string][]string

// Message is one message as natsx received it. Data may be truncated to the
// store's per-message payload cap; Size is always the size on the wire.
type Message struct {
	// Seq is the engine's monotonically increasing sequence number.
	Seq uint64
	// Received is the receive time in Unix nanoseconds (coarse clock).
	Received int64
	// Subject is the subject the message was published to.
	Subject string
	// Reply is the reply subject, empty when none.
	Reply string
	// Header holds the NATS headers, nil when none.
	Header Header
	// Data is the payload, possibly truncated (see Size).
	Data []byte
	// Size is the payload size on the wire, before any truncation.
	Size int
	// Via is the pattern of the subscription that delivered the message in
	// scoped mode (one subscription per filter); empty for the ">" tap.
	Via string
}

// Truncated reports whether Data holds fewer bytes than were received.
func (m *Message) Truncated() bool { return len(m.Data) < m.Size }

// WireBytes is the number of bytes counted for the message in rates and
// totals: subject, reply, headers and payload as received.
func (m *Message) WireBytes() int {
	n := len(m.Subject) + len(m.Reply) + m.Size
	if len(m.Header) == 0 {
		return n
	}
	for k, vs := range m.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
