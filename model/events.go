package model

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The server's own events, decoded into one line the inspector shows above
// the JSON: who connected or left and why, who failed to authenticate,
// and JetStream's advisories (a message that ran out of deliveries, a nak,
// a termination, a leader elected). The JSON shapes are nats-server's
// (server/events.go, server/jetstream_events.go), read here with the
// standard library: model imports nothing else.

// maxEventBytes bounds what EventSummary decodes: the server's events are
// a few hundred bytes, and the inspector asks every frame.
const maxEventBytes = 64 << 10

// eventClient is the client an account event is about (server.ClientInfo).
type eventClient struct {
	Host    string `json:"host"`
	ID      uint64 `json:"id"`
	Account string `json:"acc"`
	User    string `json:"user"`
	Name    string `json:"name"`
	Lang    string `json:"lang"`
	Version string `json:"ver"`
	Kind    string `json:"kind"`
}

// eventMsgs is what a disconnected client sent (the server's "in") or
// received.
type eventMsgs struct {
	Msgs  int64 `json:"msgs"`
	Bytes int64 `json:"bytes"`
}

// event is the union of the fields the summaries read.
type event struct {
	Type   string `json:"type"`
	Server struct {
		Name string `json:"name"`
	} `json:"server"`
	Client   eventClient `json:"client"`
	Reason   string      `json:"reason"`
	Sent     eventMsgs   `json:"sent"`
	Received eventMsgs   `json:"received"`

	Stream      string `json:"stream"`
	Consumer    string `json:"consumer"`
	StreamSeq   uint64 `json:"stream_seq"`
	Deliveries  uint64 `json:"deliveries"`
	Leader      string `json:"leader"`
	Action      string `json:"action"`
	Replicas    []any  `json:"replicas"`
	APISubject  string `json:"subject"`
	ConsumerSeq uint64 `json:"consumer_seq"`
}

// EventSummary is one readable line for a message that is one of the
// server's events: a client's connect or disconnect
// ($SYS.ACCOUNT.<acc>.CONNECT, .DISCONNECT), an authentication error
// ($SYS.SERVER.<id>.CLIENT.AUTH.ERR), a JetStream advisory
// ($JS.EVENT.ADVISORY.>). ok is false for any other message, or one that
// does not decode. Not sanitized: every string comes from the wire.
func EventSummary(subject string, data []byte) (summary string, ok bool) {
	kind := eventKind(subject)
	if kind == "" || len(data) > maxEventBytes {
		return "", false
	}
	var e event
	if json.Unmarshal(data, &e) != nil {
		return "", false
	}
	switch kind {
	case "connect":
		return fmt.Sprintf("connect: %s%s", e.Client.describe(), e.where()), true
	case "disconnect":
		return fmt.Sprintf("disconnect: %s%s: %s (sent %s, received %s)", e.Client.describe(), e.where(), orUnknown(e.Reason),
			Plural(e.Sent.Msgs, "msg", "msgs"), Plural(e.Received.Msgs, "msg", "msgs")), true
	case "auth":
		return fmt.Sprintf("auth error: %s%s: %s", e.Client.describe(), e.where(), orUnknown(e.Reason)), true
	}
	return e.advisory()
}

// eventKind names the event subject's kind, "" for any other subject.
func eventKind(subject string) string {
	switch {
	case strings.HasPrefix(subject, "$JS.EVENT.ADVISORY."):
		return "advisory"
	case strings.HasPrefix(subject, "$SYS.ACCOUNT.") && strings.HasSuffix(subject, ".DISCONNECT"):
		return "disconnect"
	case strings.HasPrefix(subject, "$SYS.ACCOUNT.") && strings.HasSuffix(subject, ".CONNECT"):
		return "connect"
	case strings.HasPrefix(subject, "$SYS.SERVER.") && strings.HasSuffix(subject, ".CLIENT.AUTH.ERR"):
		return "auth"
	}
	return ""
}

// describe is the client as one phrase: its name, id, language, user and
// address, as far as the event says.
func (c eventClient) describe() string {
	name := "client"
	if c.Kind != "" && c.Kind != "Client" {
		name = strings.ToLower(c.Kind)
	}
	if c.Name != "" {
		name += fmt.Sprintf(" %q", c.Name)
	}
	var about []string
	if c.ID != 0 {
		about = append(about, fmt.Sprintf("cid %d", c.ID))
	}
	if lang := strings.TrimSpace(c.Lang + " " + c.Version); lang != "" {
		about = append(about, lang)
	}
	if c.User != "" {
		about = append(about, "user "+c.User)
	}
	if c.Host != "" {
		about = append(about, "from "+c.Host)
	}
	if len(about) > 0 {
		name += " (" + strings.Join(about, ", ") + ")"
	}
	return name
}

// where is the account and server an event names.
func (e *event) where() string {
	var out string
	if e.Client.Account != "" {
		out += " in account " + e.Client.Account
	}
	if e.Server.Name != "" {
		out += " on " + e.Server.Name
	}
	return out
}

// advisory is a JetStream advisory's line, by its type; an advisory this
// does not know still says its kind and what it is about.
func (e *event) advisory() (string, bool) {
	const prefix = "io.nats.jetstream.advisory.v1."
	if !strings.HasPrefix(e.Type, prefix) {
		return "", false
	}
	consumer := fmt.Sprintf("consumer %s of stream %s", e.Consumer, e.Stream)
	switch kind := strings.TrimPrefix(e.Type, prefix); kind {
	case "max_deliver":
		return fmt.Sprintf("max deliveries: message %d of stream %s reached %d deliveries on consumer %s; it is not redelivered",
			e.StreamSeq, e.Stream, e.Deliveries, e.Consumer), true
	case "nak":
		return fmt.Sprintf("nak: %s refused message %d (delivery %d); it will be redelivered", consumer, e.StreamSeq, e.Deliveries), true
	case "terminated":
		return fmt.Sprintf("terminated: %s gave up on message %d after %s: %s", consumer, e.StreamSeq,
			Plural(e.Deliveries, "delivery", "deliveries"), orUnknown(e.Reason)), true
	case "stream_leader_elected":
		return fmt.Sprintf("leader elected: stream %s is now led by %s (%s)", e.Stream, e.Leader, Plural(len(e.Replicas), "other replica", "other replicas")), true
	case "consumer_leader_elected":
		return fmt.Sprintf("leader elected: %s is now led by %s", consumer, e.Leader), true
	case "stream_action":
		return fmt.Sprintf("stream %s: %s", e.Stream, e.Action), true
	case "consumer_action":
		return fmt.Sprintf("%s: %s", consumer, e.Action), true
	case "api_audit":
		return "JetStream API call: " + e.APISubject, true
	default:
		about := []string{strings.ReplaceAll(kind, "_", " ")}
		if e.Stream != "" {
			about = append(about, "stream "+e.Stream)
		}
		if e.Consumer != "" {
			about = append(about, "consumer "+e.Consumer)
		}
		if e.Reason != "" {
			about = append(about, e.Reason)
		}
		return "JetStream advisory: " + strings.Join(about, ", "), true
	}
}

// orUnknown is s, or "no reason given".
func orUnknown(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}
