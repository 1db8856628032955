package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// JSDelivery is what a JetStream consumer's delivery says about itself in
// its reply subject, the subject its ack goes to:
//
//	$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
//	$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>]
//
// (the second form from servers since 2.9; domain "_" is none). Stream,
// Consumer, Domain and AccountHash come from the wire: Sanitize them.
type JSDelivery struct {
	Domain, AccountHash string
	Stream, Consumer    string
	// Delivered is the delivery count: 1 the first time, more on a redelivery.
	Delivered uint64
	// StreamSeq and ConsumerSeq are the message's sequence in the stream
	// and the consumer's count of deliveries.
	StreamSeq, ConsumerSeq uint64
	// Stored is when the stream stored the message.
	Stored time.Time
	// Pending is how many messages the consumer had left after this one.
	Pending uint64
}

// JSAckPrefix starts the reply subject of every JetStream delivery: a
// prefix check is how the per-message paths skip everything else.
const JSAckPrefix = "$JS.ACK."

// ParseJSDelivery decodes a $JS.ACK reply subject as nats.go reads it (9
// tokens, or 11 and more); false for anything else, a token that is not a
// number where a number goes included. It allocates nothing (the names
// are substrings of reply), so a pane can count deliveries per message.
func ParseJSDelivery(reply string) (JSDelivery, bool) {
	rest, ok := strings.CutPrefix(reply, JSAckPrefix)
	if !ok {
		return JSDelivery{}, false
	}
	// The first 9 tokens and how many there are: strings.Split would
	// allocate a slice per message.
	var all [9]string
	count := 0
	for more := true; more; count++ {
		var t string
		t, rest, more = strings.Cut(rest, ".")
		if count < len(all) {
			all[count] = t
		}
	}
	var d JSDelivery
	tok := all[:]
	switch {
	case count == 7:
	case count >= 9:
		d.Domain, d.AccountHash = tok[0], tok[1]
		if d.Domain == "_" {
			d.Domain = ""
		}
		tok = tok[2:9]
	default:
		return JSDelivery{}, false
	}
	d.Stream, d.Consumer = tok[0], tok[1]
	if d.Stream == "" || d.Consumer == "" {
		return JSDelivery{}, false
	}
	var n [5]uint64
	for i, s := range tok[2:7] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || s[0] == '+' {
			return JSDelivery{}, false
		}
		n[i] = v
	}
	d.Delivered, d.StreamSeq, d.ConsumerSeq, d.Pending = n[0], n[1], n[2], n[4]
	if n[3] > 0 && n[3] <= 1<<63-1 {
		d.Stored = time.Unix(0, int64(n[3]))
	}
	return d, true
}

// deliveryCount is how many times a JetStream consumer has delivered the
// message whose reply subject is reply (1 the first time), 0 when it is no
// delivery. The per-message counts (the tree's and each pane's) call it:
// the prefix check stops most messages before anything is decoded.
func deliveryCount(reply string) uint64 {
	if !strings.HasPrefix(reply, JSAckPrefix) {
		return 0
	}
	d, ok := ParseJSDelivery(reply)
	if !ok {
		return 0
	}
	return max(d.Delivered, 1) // a server's 0 is still a delivery
}

// String is the delivery in words: "stream ORDERS seq 41 → consumer
// notifier, delivery 2 (consumer seq 57, 3 pending)",
// sanitized; the numbers that matter most come first, so a narrow
// inspector cuts the parenthesis.
func (d JSDelivery) String() string {
	s := fmt.Sprintf("stream %s seq %d → consumer %s, delivery %d (consumer seq %d, %d pending",
		Sanitize(d.Stream), d.StreamSeq, Sanitize(d.Consumer), d.Delivered, d.ConsumerSeq, d.Pending)
	if d.Domain != "" {
		s += ", domain " + Sanitize(d.Domain)
	}
	return s + ")"
}
