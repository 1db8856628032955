// Package model holds the state natsx shows and its pure transitions: the
// subject tree, rates, recent messages and payload formatting. It uses the
// standard library only; time is always passed in so tests are deterministic.
package model

import (
	"hash/maphash"
	"unsafe"
)

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
	// Sum is PayloadSum of the whole payload, set where a whole payload
	// was cut to a kept copy (0: Data is whole, or the whole was never
	// seen): with Size it lets a diff tell what it did not keep.
	Sum uint64
	// Via is the pattern of the subscription that delivered the message in
	// scoped mode (one subscription per filter); empty for the ">" tap.
	Via string
}

// Owned is m with its subject and its payload (cut to max bytes, see
// cutPayload) copied into one allocation of their own. A message read
// from the engine's store points into the store's pages: whatever keeps
// one past the batch it came in (a pane, a tracker's map) keeps a copy,
// or it would keep a whole page alive, uncounted.
func (m *Message) Owned(max int) Message {
	c := *m
	data, sum := cutPayload(m, max)
	c.Sum = sum
	if len(m.Subject)+len(data) == 0 {
		c.Subject, c.Data = "", nil
		return c
	}
	b := make([]byte, len(m.Subject)+len(data))
	n := copy(b, m.Subject)
	copy(b[n:], data)
	c.Subject = unsafe.String(unsafe.SliceData(b), n)
	c.Data = nil
	if len(data) > 0 || m.Data != nil {
		c.Data = b[n:len(b):len(b)]
	}
	return c
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

// sumSeed makes PayloadSum one function for the life of the process: sums
// are compared only within it, never stored.
var sumSeed = maphash.MakeSeed()

// PayloadSum is a 64-bit hash of b, never 0 (0 means "no sum"). It runs at
// memory speed (maphash), so hashing a payload where it is cut costs less
// than the copy.
func PayloadSum(b []byte) uint64 { return maphash.Bytes(sumSeed, b) | 1 }

// cutPayload is m's payload as the tree and the panes keep it, cut to max
// bytes (a view: the tree copies it into its slab, a pane with Owned), and
// the sum of the whole payload when the cut drops bytes natsx did
// receive: the only place the whole payload is still at hand (rare: over
// 64 KiB).
func cutPayload(m *Message, max int) (data []byte, sum uint64) {
	data, sum = m.Data, m.Sum
	if len(data) > max {
		data = data[:max]
		if sum == 0 && !m.Truncated() {
			sum = PayloadSum(m.Data)
		}
	}
	return data, sum
}
