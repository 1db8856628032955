package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// TraceOptions describe the message to trace.
type TraceOptions struct {
	Payload []byte
	Header  nats.Header
	// Deliver publishes the message for real and traces it; false sends a
	// trace-only copy: every server reports what it would do, nothing is
	// delivered and nothing stored.
	Deliver bool
	// Own are natsx's connections besides the tracing one whose
	// subscriptions are marked Own (the session's tap).
	Own []*nats.Conn
	// Timeout bounds the wait for the servers' trace events (default 2s):
	// the trace ends earlier once every hop the events announce arrived.
	Timeout time.Duration
}

// TraceResult is the path of one traced message: the server that received
// it from natsx and, through each route, gateway or leafnode egress, the
// servers after it. Every string comes from a server and is untrusted.
type TraceResult struct {
	Subject   string       `json:"subject"`
	TraceOnly bool         `json:"trace_only"`
	Origin    *TraceServer `json:"origin,omitempty"`
	// Unlinked are events whose hop no egress announced (a server that
	// forwarded without saying so): shown, not lost.
	Unlinked []*TraceServer `json:"unlinked,omitempty"`
	// Problems say what is missing: a hop that never reported, no event
	// at all.
	Problems []string `json:"problems,omitempty"`
}

// TraceServer is what one server did with the message.
type TraceServer struct {
	Server         server.ServerInfo                `json:"server"`
	Hop            string                           `json:"hop,omitempty"` // "" at the origin, then "1", "1.2" …
	Ingress        *server.MsgTraceIngress          `json:"ingress,omitempty"`
	Mappings       []*server.MsgTraceSubjectMapping `json:"mappings,omitempty"`
	ServiceImports []*server.MsgTraceServiceImport  `json:"service_imports,omitempty"`
	StreamExports  []*server.MsgTraceStreamExport   `json:"stream_exports,omitempty"`
	JetStream      *server.MsgTraceJetStream        `json:"jetstream,omitempty"`
	Egresses       []*TraceEgress                   `json:"egresses"`
}

// TraceEgress is one place the server sent the message to (or did not,
// with the reason in Error).
type TraceEgress struct {
	server.MsgTraceEgress
	// KindName is the egress kind in words: client, route, gateway,
	// leafnode, jetstream, system, account.
	KindName string `json:"kind_name"`
	// Next is the server at the other end of a route, gateway or leafnode
	// hop, when its event arrived.
	Next *TraceServer `json:"next,omitempty"`
	// Own marks natsx's own subscription (the tap on ">" matches every
	// subject), so a view may leave it out or say so.
	Own bool `json:"own,omitempty"`
}

// Delivered reports whether the server delivered (or, trace-only, would
// have delivered) through this egress.
func (e *TraceEgress) Delivered() bool { return e.Error == "" }

// KindName names a nats-server connection kind as people say it.
func KindName(kind int) string {
	switch kind {
	case server.CLIENT:
		return "client"
	case server.ROUTER:
		return "route"
	case server.GATEWAY:
		return "gateway"
	case server.SYSTEM:
		return "system"
	case server.LEAF:
		return "leafnode"
	case server.JETSTREAM:
		return "jetstream"
	case server.ACCOUNT:
		return "account"
	}
	return "kind " + strconv.Itoa(kind)
}

// hopKind reports whether an egress kind forwards to another server,
// which then sends its own event.
func hopKind(kind int) bool {
	return kind == server.ROUTER || kind == server.GATEWAY || kind == server.LEAF
}

// ErrTraceUnsupported means the server is older than 2.11 and would
// deliver a "trace-only" message for real: natsx sends nothing.
var ErrTraceUnsupported = errors.New("the server does not trace messages (nats-server 2.11 or later does)")

const (
	defaultTraceTimeout = 2 * time.Second
	// maxTraceEvents bounds the events one trace collects (one a server
	// the message crosses).
	maxTraceEvents = 1024
)

// Trace publishes a message on subject with a trace destination and
// returns its path through the servers as a tree.
func Trace(ctx context.Context, nc *nats.Conn, subject string, o TraceOptions) (*TraceResult, error) {
	if err := CheckPublishSubject(subject); err != nil {
		return nil, fmt.Errorf("engine: trace: %w", err)
	}
	if v := nc.ConnectedServerVersion(); !versionAtLeast(v, 2, 11) {
		return nil, fmt.Errorf("engine: trace: server %s: %w; nothing was sent", v, ErrTraceUnsupported)
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTraceTimeout
	}
	inbox := newAskInbox()
	ch := make(chan *nats.Msg, maxTraceEvents)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, fmt.Errorf("engine: trace: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	m := &nats.Msg{Subject: subject, Data: o.Payload, Header: nats.Header{}}
	for k, vs := range o.Header {
		m.Header[k] = slices.Clone(vs)
	}
	m.Header.Set(server.MsgTraceDest, inbox)
	if !o.Deliver {
		m.Header.Set(server.MsgTraceOnly, "true")
	}
	if err := nc.PublishMsg(m); err != nil {
		return nil, fmt.Errorf("engine: trace %s: %w", subject, err)
	}
	// A publish the server refuses is still traced (ingress error), but
	// flush so a broken connection is said now.
	if err := nc.FlushTimeout(o.Timeout); err != nil {
		return nil, fmt.Errorf("engine: trace %s: %w", subject, err)
	}
	events, err := collectTrace(ctx, ch, o.Timeout)
	if err != nil {
		return nil, err
	}
	r := stitch(events)
	r.Subject, r.TraceOnly = subject, !o.Deliver
	markOwn(r.Origin, ownConns(append([]*nats.Conn{nc}, o.Own...)))
	return r, nil
}

// markOwn marks the client egresses to natsx's own connections, on every
// server of the tree.
func markOwn(ts *TraceServer, own map[connKey]bool) {
	if ts == nil {
		return
	}
	for _, eg := range ts.Egresses {
		eg.Own = eg.Kind == server.CLIENT && own[connKey{ts.Server.ID, eg.CID}]
		markOwn(eg.Next, own)
	}
}

// collectTrace reads trace events until every hop the events announce has
// reported, or the timeout.
func collectTrace(ctx context.Context, ch <-chan *nats.Msg, timeout time.Duration) ([]*server.MsgTraceEvent, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var events []*server.MsgTraceEvent
	for len(events) < maxTraceEvents {
		select {
		case <-ctx.Done():
			return events, ctx.Err()
		case <-deadline.C:
			return events, nil
		case m := <-ch:
			var e server.MsgTraceEvent
			if json.Unmarshal(m.Data, &e) != nil {
				continue // not an event we can read: the others still count
			}
			events = append(events, &e)
			if complete(events) {
				return events, nil
			}
		}
	}
	return events, nil
}

// complete reports whether the origin's event and the event of every hop
// an egress announced have arrived.
func complete(events []*server.MsgTraceEvent) bool {
	seen := map[string]bool{}
	for _, e := range events {
		seen[hopOf(e)] = true
	}
	if !seen[""] {
		return false
	}
	for _, e := range events {
		for _, eg := range e.Egresses() {
			if hopKind(eg.Kind) && eg.Hop != "" && eg.Error == "" && !seen[eg.Hop] {
				return false
			}
		}
	}
	return true
}

// hopOf is the event's Nats-Trace-Hop, "" for the origin server.
func hopOf(e *server.MsgTraceEvent) string {
	for k, vs := range e.Request.Header {
		if strings.EqualFold(k, server.MsgTraceHop) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// stitch links each route/gateway/leafnode egress to the event of the
// server on the other side, by the hop id the egress names.
func stitch(events []*server.MsgTraceEvent) *TraceResult {
	r := &TraceResult{}
	byHop := map[string]*TraceServer{}
	var order []string
	for _, e := range events {
		h := hopOf(e)
		if _, dup := byHop[h]; dup {
			continue
		}
		byHop[h] = newTraceServer(e, h)
		order = append(order, h)
	}
	linked := map[string]bool{}
	for _, h := range order {
		for _, eg := range byHop[h].Egresses {
			if !hopKind(eg.Kind) || eg.Hop == "" {
				continue
			}
			if next := byHop[eg.Hop]; next != nil && eg.Hop != h {
				eg.Next, linked[eg.Hop] = next, true
			} else if eg.Error == "" {
				r.Problems = append(r.Problems, fmt.Sprintf("hop %s (%s %s) sent no trace event", eg.Hop, eg.KindName, eg.Name))
			}
		}
	}
	r.Origin = byHop[""]
	for _, h := range order {
		if h != "" && !linked[h] {
			r.Unlinked = append(r.Unlinked, byHop[h])
		}
	}
	if r.Origin == nil {
		if len(events) == 0 {
			r.Problems = append(r.Problems, "no trace event arrived (a server sends them through its system account: is one configured?)")
		} else {
			r.Problems = append(r.Problems, "the first server's trace event did not arrive")
		}
	}
	return r
}

func newTraceServer(e *server.MsgTraceEvent, hop string) *TraceServer {
	ts := &TraceServer{Server: e.Server, Hop: hop, Ingress: e.Ingress(), ServiceImports: e.ServiceImports(),
		StreamExports: e.StreamExports(), JetStream: e.JetStream(), Egresses: []*TraceEgress{}}
	for _, ev := range e.Events {
		if sm, ok := ev.(*server.MsgTraceSubjectMapping); ok {
			ts.Mappings = append(ts.Mappings, sm)
		}
	}
	for _, eg := range e.Egresses() {
		ts.Egresses = append(ts.Egresses, &TraceEgress{MsgTraceEgress: *eg, KindName: KindName(eg.Kind)})
	}
	return ts
}

// versionAtLeast reports whether a server version ("2.11.0",
// "2.12.0-RC.1") is at least major.minor; an unreadable one is not.
func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
