package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
)

// WhoSource is where an answer to "who gets this message" comes from
// (model.WhoSource).
type WhoSource = model.WhoSource

// The sources the capability probe chooses from.
const (
	WhoEmbedded = model.WhoEmbedded
	WhoSystem   = model.WhoSystem
	WhoAccount  = model.WhoAccount
	WhoMonitor  = model.WhoMonitor
	WhoNone     = model.WhoNone
)

// Subscriber is one subscription that would receive the message
// (model.Subscriber: the UI shows it without importing engine).
type Subscriber = model.Subscriber

// WhoResult is the answer to "who gets a message on Subject"
// (model.WhoResult).
type WhoResult = model.WhoResult

// WhoOptions tune the questions.
type WhoOptions struct {
	// Timeout bounds each request to the servers (default 2s).
	Timeout time.Duration
	// Gap is how long to wait for another server's reply after the latest
	// one (default 300 ms, as natscli).
	Gap time.Duration
	// Limit bounds the connections and subscriptions each server lists
	// (default 1000): a server with 100k connections answers a page.
	Limit int
	// Own are natsx's connections besides the asking one whose
	// subscriptions are left out (the session's tap).
	Own []*nats.Conn
	// Monitor is a server's HTTP monitoring port (--monitor, checked by
	// ParseMonitorURL): without the system account, who asks it (every
	// account, that one server) instead of the account-scoped CONNZ.
	Monitor string
	// Streams, when set, is asked which streams store the subject and
	// which of their consumers take it (WhoStores).
	Streams *JetStream
}

const (
	defaultWhoTimeout = 2 * time.Second
	defaultWhoGap     = 300 * time.Millisecond
	defaultWhoLimit   = 1000
	// maxServerReplies bounds the servers one answer gathers.
	maxServerReplies = 256
	// maxProbeWait bounds the capability probe: a server answers a
	// monitoring request within milliseconds when it answers at all.
	maxProbeWait = time.Second
	// maxConnzJoins bounds the (server, account) pairs asked for names.
	maxConnzJoins = 64
)

func (o WhoOptions) withDefaults() WhoOptions {
	if o.Timeout <= 0 {
		o.Timeout = defaultWhoTimeout
	}
	if o.Gap <= 0 {
		o.Gap = defaultWhoGap
	}
	if o.Limit <= 0 {
		o.Limit = defaultWhoLimit
	}
	return o
}

// WhoAsker answers "who gets this message" for one connection, through the
// source its capability probe chose on the first question. Safe for
// concurrent use.
type WhoAsker struct {
	nc   *nats.Conn
	emb  *Embedded
	opts WhoOptions

	mu      sync.Mutex                // held while probing
	probed  atomic.Pointer[WhoSource] // the probe's source, nil until it answered
	probing atomic.Bool               // StartProbe began
}

// Probed is the source the capability probe chose, "" until it answered;
// it never waits (the header reads it every frame).
func (a *WhoAsker) Probed() WhoSource {
	if p := a.probed.Load(); p != nil {
		return *p
	}
	return ""
}

// StartProbe probes in the background, once, so that Probed knows the
// source before the first question; the probe is bounded like any (at
// most a second, or the monitor's timeout).
func (a *WhoAsker) StartProbe() {
	if !a.probing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), a.opts.Timeout+maxProbeWait)
		defer cancel()
		_, _ = a.sourceFor(ctx)
	}()
}

// NewWhoAsker returns an asker on nc that, on its first question, probes
// what nc may ask and keeps the best source: the embedded broker in
// process when nc is connected to emb, the system account's SUBSZ when
// the servers answer it, otherwise the account-scoped CONNZ. The probe
// costs one request (bounded by Timeout, at most a second), so creating
// an asker never waits (the explorer makes one at start).
func NewWhoAsker(nc *nats.Conn, emb *Embedded, o WhoOptions) *WhoAsker {
	return &WhoAsker{nc: nc, emb: emb, opts: o.withDefaults()}
}

// sourceFor is the probed source, probing first if nobody has; a probe
// cut short by ctx is not kept.
func (a *WhoAsker) sourceFor(ctx context.Context) (WhoSource, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if src := a.Probed(); src != "" {
		return src, nil
	}
	src := a.probe(ctx)
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("engine: who: %w", err)
	}
	a.probed.Store(&src)
	return src, nil
}

func (a *WhoAsker) probe(ctx context.Context) WhoSource {
	if a.emb != nil && a.emb.srv != nil && a.nc.ConnectedServerId() == a.emb.srv.ID() {
		return WhoEmbedded
	}
	// SUBSZ is the system account's. An ordinary account gets "no
	// responders" at once, unless something in the account subscribes to
	// the subject (natsx's own tap on ">" does), or the request is
	// denied: then nothing comes, and the probe waits its timeout once.
	req := server.SubszEventOptions{SubszOptions: server.SubszOptions{Limit: 1}}
	replies, _, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.SUBSZ", req,
		gatherOptions{timeout: min(a.opts.Timeout, maxProbeWait), want: 1, max: 1})
	if err == nil && len(replies) > 0 && replies[0].err == "" {
		return WhoSystem
	}
	if a.opts.Monitor != "" {
		// The system account sees every server; a monitoring port one
		// server but every account, more than the account's CONNZ.
		return WhoMonitor
	}
	return WhoAccount
}

// ErrBadSubject means the subject is not one a message can be published
// on (empty, wildcards, spaces).
var ErrBadSubject = errors.New("not a subject a message can be published on")

// CheckPublishSubject returns ErrBadSubject (wrapped with the subject)
// unless a message can be published on subject: who and trace ask about
// one message, so wildcards make no sense there.
func CheckPublishSubject(subject string) error {
	if !server.IsValidLiteralSubject(subject) || strings.ContainsAny(subject, " \t\r\n") {
		return fmt.Errorf("subject %q: %w", subject, ErrBadSubject)
	}
	return nil
}

// Who lists the subscriptions that would receive a message published on
// subject now, except natsx's own.
func (a *WhoAsker) Who(ctx context.Context, subject string) (*WhoResult, error) {
	if err := CheckPublishSubject(subject); err != nil {
		return nil, fmt.Errorf("engine: who: %w", err)
	}
	source, err := a.sourceFor(ctx)
	if err != nil {
		return nil, err
	}
	r := &WhoResult{Subject: subject, Source: source, Subscribers: []Subscriber{}, Servers: []string{}}
	own := a.own()
	var views []serverView
	switch source {
	case WhoEmbedded:
		views, err = a.embeddedViews(subject)
	case WhoMonitor:
		r.Blind = "only the server at the monitoring port " + a.opts.Monitor + ": subscribers on other servers of a cluster show as its routes (no name)"
		views, err = a.monitorViews(ctx, subject, r)
	case WhoSystem:
		r.Blind = "servers behind leafnode connections answer only if they share the system account (their interest shows as a Leafnode connection); " +
			"internal subscriptions (JetStream, services) have no client name"
		views, err = a.systemViews(ctx, subject, r)
	default:
		views, err = a.accountViews(ctx, subject, r)
	}
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		r.Servers = append(r.Servers, v.server.Name)
		for _, sd := range v.subs {
			if own[connKey{v.server.ID, sd.Cid}] {
				r.OwnLeftOut++
				continue
			}
			r.Subscribers = append(r.Subscribers, v.subscriber(sd))
		}
	}
	slices.SortFunc(r.Subscribers, func(x, y Subscriber) int {
		return cmp.Or(cmp.Compare(x.Server, y.Server), cmp.Compare(x.Account, y.Account),
			cmp.Compare(x.Pattern, y.Pattern), cmp.Compare(x.CID, y.CID), cmp.Compare(x.Queue, y.Queue))
	})
	slices.Sort(r.Servers)
	if a.opts.Streams != nil {
		streams, problems, err := a.opts.Streams.WhoStores(ctx, subject)
		if err != nil {
			problems = append(problems, "streams: "+err.Error())
		}
		r.Streams = streams
		r.Problems = append(r.Problems, problems...)
	}
	return r, nil
}

// serverView is what one server said: the matching subscriptions and the
// connections that hold them.
type serverView struct {
	server server.ServerInfo
	subs   []server.SubDetail
	conns  map[uint64]*server.ConnInfo
}

func (v serverView) subscriber(sd server.SubDetail) Subscriber {
	s := Subscriber{
		CID: sd.Cid, Account: sd.Account, Server: v.server.Name, ServerID: v.server.ID,
		Pattern: sd.Subject, Queue: sd.Queue, Msgs: sd.Msgs, Kind: "internal",
	}
	if ci := v.conns[sd.Cid]; ci != nil {
		s.Name, s.Lang, s.Version, s.Kind = ci.Name, ci.Lang, ci.Version, ci.Kind
		if s.Account == "" {
			s.Account = ci.Account
		}
	}
	if s.Account == "" || s.Account == server.DEFAULT_GLOBAL_ACCOUNT {
		s.Account = server.DEFAULT_GLOBAL_ACCOUNT
	}
	return s
}

// connKey names a connection across a cluster: cids are per server.
type connKey struct {
	serverID string
	cid      uint64
}

// ownConns are the server-side names of natsx's connections, read now
// because a reconnect changes them.
// own is natsx's connections: the asker's and the others it was told of
// (the tap, request inboxes).
func (a *WhoAsker) own() map[connKey]bool {
	return ownConns(append([]*nats.Conn{a.nc}, a.opts.Own...))
}

func ownConns(conns []*nats.Conn) map[connKey]bool {
	own := map[connKey]bool{}
	for _, nc := range conns {
		if nc == nil {
			continue
		}
		if cid, err := nc.GetClientID(); err == nil {
			own[connKey{nc.ConnectedServerId(), cid}] = true
		}
	}
	return own
}

func (a *WhoAsker) gatherOpts(want int) gatherOptions {
	return gatherOptions{timeout: a.opts.Timeout, gap: a.opts.Gap, want: want, max: maxServerReplies}
}
