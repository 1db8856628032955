package model

import (
	"fmt"
	"strings"
)

// TraceLine is one line of a message trace's path as natsx shows it (the
// TUI's trace panel and `natsx trace`): a server's heading, or one thing
// that server did with the message. Text holds untrusted server strings:
// Sanitize before drawing.
type TraceLine struct {
	// Depth is the server's place in the path: 0 the server natsx
	// published to, 1 a server one route, gateway or leafnode hop on.
	Depth int
	// Head marks a server's heading (name, cluster, version, hop) or a
	// section title; the other lines are under the heading before them.
	Head bool
	// Label says what the line is: in, mapped, import, export, js, out,
	// "✗ out" (not delivered); "" for a note.
	Label string
	Text  string
	// Bad marks a refusal: not accepted, not delivered, not stored.
	Bad bool
	// Own marks natsx's own subscription.
	Own bool
}

// TraceReport is a traced message's path as lines.
type TraceReport struct {
	Subject string
	// TraceOnly: nothing was delivered or stored.
	TraceOnly bool
	Lines     []TraceLine
	// Problems say what is missing: a hop that never reported, no event.
	Problems []string
}

// String is l as one line of text: four spaces a hop, a server's steps
// two more, their labels in a column of eight. Not sanitized.
func (l TraceLine) String() string {
	ind := strings.Repeat("    ", l.Depth)
	switch {
	case l.Head:
		return ind + l.Text
	case l.Label == "":
		return ind + "  " + l.Text
	}
	return fmt.Sprintf("%s  %-8s%s", ind, l.Label, l.Text)
}
