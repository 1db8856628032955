package model

import (
	"fmt"
	"strconv"
	"strings"
)

// WhoSource is where an answer to "who gets this message" comes from; the
// engine's capability probe picks the best one the connection may use.
type WhoSource string

// The sources, as the header, the CLI and the who panel name them.
const (
	// WhoEmbedded asks natsx's own broker in process: every account, exact.
	WhoEmbedded WhoSource = "embedded"
	// WhoSystem asks every server for its subscriptions (SUBSZ with a
	// test subject) and joins them with CONNZ: needs the system account.
	WhoSystem WhoSource = "sys"
	// WhoAccount asks every server for the connections of the asker's
	// account that are interested in the subject (CONNZ, which every
	// account may send).
	WhoAccount WhoSource = "acct"
	// WhoMonitor asks one server's HTTP monitoring port (--monitor):
	// /subsz with a test subject, every account, and /connz by cid.
	WhoMonitor WhoSource = "monitor"
	// WhoNone means the servers answer no monitoring request (no system
	// account configured, or the requests are denied).
	WhoNone WhoSource = "none"
)

// Subscriber is one subscription that would receive a message on the
// subject. Every string comes from a server and is untrusted.
type Subscriber struct {
	Name     string `json:"name,omitempty"` // the client's connection name
	Lang     string `json:"lang,omitempty"`
	Version  string `json:"version,omitempty"`
	CID      uint64 `json:"cid"`
	Kind     string `json:"kind,omitempty"` // Client, Leafnode, or internal (JetStream, services)
	Account  string `json:"account,omitempty"`
	Server   string `json:"server"`
	Pattern  string `json:"subscription"` // the subscription's subject, maybe with wildcards
	Queue    string `json:"queue,omitempty"`
	Msgs     int64  `json:"msgs"` // messages delivered to this subscription so far
	ServerID string `json:"server_id,omitempty"`
}

// WhoStream is a JetStream stream whose subjects take the message, with
// the consumers whose filter takes it too. Strings come from the server.
type WhoStream struct {
	Name string `json:"name"`
	// Subject is the stream subject that matches (maybe with wildcards).
	Subject   string        `json:"subject"`
	Retention string        `json:"retention"`
	Consumers []WhoConsumer `json:"consumers"`
	// ConsumersCut: the stream has more consumers than were listed.
	ConsumersCut bool `json:"consumers_cut,omitempty"`
}

// WhoConsumer is a consumer that would take the stored message.
type WhoConsumer struct {
	Name   string `json:"name"`
	Filter string `json:"filter,omitempty"` // "" takes the whole stream
	// Pending is how many stored messages it has not been sent yet.
	Pending uint64 `json:"pending"`
	// Push is true for a push consumer, Bound when a client listens to
	// its deliveries; a pull consumer counts its waiting pulls.
	Push    bool `json:"push,omitempty"`
	Bound   bool `json:"bound,omitempty"`
	Waiting int  `json:"waiting,omitempty"`
}

// WhoResult is the answer to "who gets a message on Subject", with where it
// came from and what that source cannot see.
type WhoResult struct {
	Subject     string       `json:"subject"`
	Source      WhoSource    `json:"source"`
	Blind       string       `json:"cannot_see,omitempty"` // what the source cannot see; "" when exact
	Subscribers []Subscriber `json:"subscribers"`
	// OwnLeftOut counts natsx's own subscriptions that matched and are not
	// listed (the tap's ">", its inboxes).
	OwnLeftOut int      `json:"own_left_out"`
	Servers    []string `json:"servers"` // the servers that answered
	// Streams store the message (nil when JetStream was not asked).
	Streams []WhoStream `json:"streams,omitempty"`
	// Problems say why the answer may be partial: a server that did not
	// answer, an error, a list cut at the limit. Empty when complete.
	Problems []string `json:"problems,omitempty"`
}

// Partial reports whether the answer may miss subscribers.
func (r *WhoResult) Partial() bool { return len(r.Problems) > 0 }

// QueueGroup is a queue group among the subscribers, with its members.
type QueueGroup struct {
	Name, Account string
	Members       int
}

// QueueGroups lists the queue groups with more than one member, in the
// order first seen: NATS delivers a message to one member of each group,
// which a list of subscribers alone does not say.
func (r *WhoResult) QueueGroups() []QueueGroup {
	var groups []QueueGroup
	index := map[[2]string]int{}
	for _, sub := range r.Subscribers {
		if sub.Queue == "" {
			continue
		}
		k := [2]string{sub.Account, sub.Queue}
		if i, ok := index[k]; ok {
			groups[i].Members++
			continue
		}
		index[k] = len(groups)
		groups = append(groups, QueueGroup{Name: sub.Queue, Account: sub.Account, Members: 1})
	}
	out := groups[:0]
	for _, g := range groups {
		if g.Members > 1 {
			out = append(out, g)
		}
	}
	return out
}

// Headline is the answer's first line: how many subscribers, the source
// and who answered. Not sanitized.
func (r *WhoResult) Headline() string {
	answered := "no server answered"
	if len(r.Servers) > 0 {
		answered = Plural(len(r.Servers), "server", "servers") + " answered: " + strings.Join(r.Servers, ", ")
	}
	return fmt.Sprintf("%s: %s (source: %s; %s)", r.Subject, Plural(len(r.Subscribers), "subscriber", "subscribers"), r.Source, answered)
}

// Notes are what the table of subscribers does not say: that nobody
// listens (only when the answer is complete), how queue groups deliver,
// and natsx's own subscriptions left out. Not sanitized.
func (r *WhoResult) Notes() []string {
	var out []string
	if len(r.Subscribers) == 0 && !r.Partial() {
		nowhere := "goes nowhere"
		if len(r.Streams) > 0 {
			nowhere = "is only stored (streams below)"
		}
		out = append(out, fmt.Sprintf("nobody else is subscribed: a message published on %s now %s", r.Subject, nowhere))
	}
	for _, q := range r.QueueGroups() {
		out = append(out, fmt.Sprintf("queue group %s (account %s): each message goes to one of its %d members", q.Name, q.Account, q.Members))
	}
	if r.OwnLeftOut > 0 {
		out = append(out, fmt.Sprintf("left out: %s of natsx's own", Plural(r.OwnLeftOut, "subscription", "subscriptions")))
	}
	return out
}

// WhoColumns are the titles of Subscriber.Row's cells.
var WhoColumns = []string{"NAME", "LANG", "CID", "ACCOUNT", "SERVER", "SUBSCRIPTION", "QUEUE", "MSGS"}

// Row is the subscriber as the cells under WhoColumns. Not sanitized.
func (s *Subscriber) Row() []string {
	name := s.Name
	if kind := strings.ToLower(s.Kind); kind != "client" {
		// A leafnode connection carries a remote server's interest.
		name = strings.TrimSpace(name + " (" + kind + ")")
	}
	return []string{name, strings.TrimSpace(s.Lang + " " + s.Version), strconv.FormatUint(s.CID, 10), s.Account,
		s.Server, s.Pattern, s.Queue, strconv.FormatInt(s.Msgs, 10)}
}

// String is the stream, the subject it stores the message under and the
// consumers that would take it, in one line. Not sanitized.
func (ws *WhoStream) String() string {
	out := fmt.Sprintf("stream %s (%s) stores it as %s", ws.Name, ws.Retention, ws.Subject)
	var cons []string
	for _, c := range ws.Consumers {
		kind := "pull"
		switch {
		case c.Push && c.Bound:
			kind = "push, bound"
		case c.Push:
			kind = "push, nobody bound"
		case c.Waiting > 0:
			kind = fmt.Sprintf("pull, %d waiting", c.Waiting)
		}
		filter := ""
		if c.Filter != "" {
			filter = " on " + c.Filter
		}
		cons = append(cons, fmt.Sprintf("%s%s (%s, %s pending)", c.Name, filter, kind, HumanCount(c.Pending)))
	}
	switch {
	case len(cons) > 0:
		out += "; consumers: " + strings.Join(cons, ", ")
	case !ws.ConsumersCut:
		out += "; no consumer takes it"
	}
	if ws.ConsumersCut {
		out += " (consumers not all listed)"
	}
	return out
}
