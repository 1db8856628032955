package model

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StreamSummary is one JetStream stream as the streams view lists it: its
// configuration and state as the server last reported them. Every string
// comes from the server and is untrusted (Sanitize before drawing).
type StreamSummary struct {
	Name     string
	Subjects []string
	// Messages and Bytes are what the stream holds now.
	Messages, Bytes     uint64
	FirstSeq, LastSeq   uint64
	FirstTime, LastTime time.Time
	// NumSubjects is how many distinct subjects the stream holds.
	NumSubjects uint64
	Consumers   int
	// Retention is "limits", "interest" or "workqueue"; Storage "file" or
	// "memory".
	Retention, Storage string
	Replicas           int
	// Leader is the cluster leader's name, empty outside a cluster.
	Leader string
	// Note says what else a user should see: a mirror's or a source's lag
	// or error, replicas behind. Empty when there is nothing to say.
	Note string
}

// StreamSort is the order of the streams view.
type StreamSort int

// The streams view's orders, in the order the sort key steps through them.
const (
	StreamsByName StreamSort = iota
	StreamsByMessages
	StreamsByBytes
	streamSorts
)

// Next is the order after s.
func (s StreamSort) Next() StreamSort { return (s + 1) % streamSorts }

func (s StreamSort) String() string {
	switch s {
	case StreamsByMessages:
		return "messages"
	case StreamsByBytes:
		return "bytes"
	}
	return "name"
}

// SortStreams orders rows by s: by name, or by messages or bytes, most
// first and then by name.
func SortStreams(rows []StreamSummary, s StreamSort) {
	slices.SortStableFunc(rows, func(a, b StreamSummary) int {
		var c int
		switch s {
		case StreamsByMessages:
			c = cmp.Compare(b.Messages, a.Messages)
		case StreamsByBytes:
			c = cmp.Compare(b.Bytes, a.Bytes)
		}
		if c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// Age is how long before now t was, in one short unit ("45s", "12m",
// "3h", "9d"); "-" for a zero time (an empty stream).
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < 48*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
}
