package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// WhoSource is where an answer to "who gets this message" comes from; the
// capability probe picks the best one the connection may use.
type WhoSource string

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
	// Problems say why the answer may be partial: a server that did not
	// answer, an error, a list cut at the limit. Empty when complete.
	Problems []string `json:"problems,omitempty"`
}

// Partial reports whether the answer may miss subscribers.
func (r *WhoResult) Partial() bool { return len(r.Problems) > 0 }

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
// source its capability probe chose once, at creation.
type WhoAsker struct {
	nc     *nats.Conn
	emb    *Embedded
	opts   WhoOptions
	source WhoSource
}

// NewWhoAsker probes what nc may ask and returns an asker using the best
// source: the embedded broker in process when nc is connected to emb, the
// system account's SUBSZ when the servers answer it, otherwise the
// account-scoped CONNZ. The probe costs one request (bounded by Timeout).
func NewWhoAsker(ctx context.Context, nc *nats.Conn, emb *Embedded, o WhoOptions) *WhoAsker {
	a := &WhoAsker{nc: nc, emb: emb, opts: o.withDefaults()}
	a.source = a.probe(ctx)
	return a
}

// Source is the source the probe chose.
func (a *WhoAsker) Source() WhoSource { return a.source }

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
	r := &WhoResult{Subject: subject, Source: a.source, Subscribers: []Subscriber{}, Servers: []string{}}
	own := ownConns(append([]*nats.Conn{a.nc}, a.opts.Own...))
	var (
		views []serverView
		err   error
	)
	switch a.source {
	case WhoEmbedded:
		views, err = a.embeddedViews(subject)
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

// embeddedViews asks natsx's broker in process: its subscriptions that
// match subject in every account, and their connections.
func (a *WhoAsker) embeddedViews(subject string) ([]serverView, error) {
	srv := a.emb.srv
	sz, err := srv.Subsz(&server.SubszOptions{Subscriptions: true, Test: subject, Limit: a.opts.Limit})
	if err != nil {
		return nil, fmt.Errorf("engine: subsz: %w", err)
	}
	v := serverView{server: server.ServerInfo{Name: srv.Name(), ID: srv.ID()}, subs: sz.Subs, conns: map[uint64]*server.ConnInfo{}}
	for _, acc := range accountsOf(sz.Subs) {
		cz, err := srv.Connz(&server.ConnzOptions{Account: acc, FilterSubject: subject, Username: true, Limit: a.opts.Limit})
		if err != nil {
			return nil, fmt.Errorf("engine: connz: %w", err)
		}
		for _, ci := range cz.Conns {
			v.conns[ci.Cid] = ci
		}
	}
	return []serverView{v}, nil
}

// accountsOf lists the accounts that hold subs, each once.
func accountsOf(subs []server.SubDetail) []string {
	var accs []string
	for _, sd := range subs {
		if !slices.Contains(accs, sd.Account) {
			accs = append(accs, sd.Account)
		}
	}
	return accs
}

// systemViews asks every server for its subscriptions matching subject
// (SUBSZ with a test subject, every account) and then each server for the
// connections holding them (CONNZ per account with the subject filter).
func (a *WhoAsker) systemViews(ctx context.Context, subject string, r *WhoResult) ([]serverView, error) {
	// Which servers should answer: each server's routes name its peers,
	// asked at the same time, so a silent server is noticed.
	var peers []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		peers = a.clusterServers(ctx)
	}()
	req := server.SubszEventOptions{SubszOptions: server.SubszOptions{Subscriptions: true, Test: subject, Limit: a.opts.Limit}}
	replies, cut, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.SUBSZ", req, a.gatherOpts(0))
	<-done
	if err != nil {
		return nil, fmt.Errorf("engine: who %q: subscriptions: %w", subject, err)
	}
	answered := map[string]bool{}
	for _, rep := range replies {
		answered[rep.server.Name] = true
	}
	var silent []string
	for _, name := range peers {
		if !answered[name] {
			silent = append(silent, name)
		}
	}
	if len(silent) > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%s did not answer within %s", listNames(silent, 10), a.opts.Timeout))
	}
	if cut {
		r.Problems = append(r.Problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	var views []serverView
	joins := 0
	for _, rep := range replies {
		if rep.err != "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s", rep.server.Name, rep.err))
			continue
		}
		var sz server.Subsz
		if err := json.Unmarshal(rep.data, &sz); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: unreadable subscriptions: %v", rep.server.Name, err))
			continue
		}
		if sz.Total > len(sz.Subs) {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %d matching subscriptions, %d listed", rep.server.Name, sz.Total, len(sz.Subs)))
		}
		v := serverView{server: rep.server, subs: sz.Subs, conns: map[uint64]*server.ConnInfo{}}
		for _, acc := range accountsOf(sz.Subs) {
			if joins++; joins > maxConnzJoins {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: connections in account %s not asked (over %d questions)", rep.server.Name, acc, maxConnzJoins))
				continue
			}
			cz, problem := a.connzOf(ctx, rep.server, acc, subject)
			if problem != "" {
				r.Problems = append(r.Problems, problem)
			}
			for _, ci := range cz {
				v.conns[ci.Cid] = ci
			}
		}
		views = append(views, v)
	}
	return views, nil
}

// clusterServers names the servers that answer a ROUTEZ request and their
// route peers, sorted: the servers a cluster-wide request should reach.
func (a *WhoAsker) clusterServers(ctx context.Context) []string {
	replies, _, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.ROUTEZ", server.RoutezEventOptions{}, a.gatherOpts(0))
	if err != nil {
		return nil
	}
	var names []string
	add := func(n string) {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, rep := range replies {
		add(rep.server.Name)
		var rz server.Routez
		if rep.err != "" || json.Unmarshal(rep.data, &rz) != nil {
			continue
		}
		for _, ri := range rz.Routes {
			add(ri.RemoteName)
		}
	}
	slices.Sort(names)
	return names
}

// listNames is "a, b and c", at most max names and then how many more.
func listNames(names []string, max int) string {
	more := ""
	if len(names) > max {
		more = fmt.Sprintf(" and %d more", len(names)-max)
		names = names[:max]
	} else if len(names) > 1 {
		more = " and " + names[len(names)-1]
		names = names[:len(names)-1]
	}
	return strings.Join(names, ", ") + more
}

// connzOf asks one server for the connections of acc interested in subject.
func (a *WhoAsker) connzOf(ctx context.Context, si server.ServerInfo, acc, subject string) ([]*server.ConnInfo, string) {
	req := server.ConnzEventOptions{ConnzOptions: server.ConnzOptions{
		Account: acc, FilterSubject: subject, Username: true, Limit: a.opts.Limit,
	}}
	replies, _, err := gather(ctx, a.nc, "$SYS.REQ.SERVER."+si.ID+".CONNZ", req, a.gatherOpts(1))
	switch {
	case err != nil:
		return nil, fmt.Sprintf("%s: connections: %v", si.Name, err)
	case len(replies) == 0:
		return nil, fmt.Sprintf("%s: no answer about connections within %s (names unknown)", si.Name, a.opts.Timeout)
	case replies[0].err != "":
		return nil, fmt.Sprintf("%s: connections: %s", si.Name, replies[0].err)
	}
	var cz server.Connz
	if err := json.Unmarshal(replies[0].data, &cz); err != nil {
		return nil, fmt.Sprintf("%s: unreadable connections: %v", si.Name, err)
	}
	return cz.Conns, ""
}

// accountViews asks every server for the connections of the asker's
// account with a subscription matching subject; the subscriptions that do
// not match are dropped here (CONNZ lists all of a matching connection's).
func (a *WhoAsker) accountViews(ctx context.Context, subject string, r *WhoResult) ([]serverView, error) {
	req := server.ConnzEventOptions{ConnzOptions: server.ConnzOptions{
		FilterSubject: subject, SubscriptionsDetail: true, Username: true, Limit: a.opts.Limit,
	}}
	replies, cut, err := gather(ctx, a.nc, "$SYS.REQ.ACCOUNT.PING.CONNZ", req, a.gatherOpts(0))
	if errors.Is(err, errNoResponders) {
		r.Source = WhoNone
		r.Blind = "no server answers monitoring requests (no system account?): subscribers cannot be listed"
		r.Problems = append(r.Problems, "no server answered $SYS.REQ.ACCOUNT.PING.CONNZ")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: who %q: connections: %w", subject, err)
	}
	if cut {
		r.Problems = append(r.Problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	if len(replies) == 0 {
		r.Source = WhoNone
		r.Blind = "no server answered monitoring requests (no system account, or denied): subscribers cannot be listed"
		r.Problems = append(r.Problems, fmt.Sprintf("no server answered $SYS.REQ.ACCOUNT.PING.CONNZ within %s", a.opts.Timeout))
		return nil, nil
	}
	var views []serverView
	account := ""
	for _, rep := range replies {
		if rep.err != "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s", rep.server.Name, rep.err))
			continue
		}
		var cz server.Connz
		if err := json.Unmarshal(rep.data, &cz); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: unreadable connections: %v", rep.server.Name, err))
			continue
		}
		if len(cz.Conns) >= cz.Limit && cz.Limit > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: more than %d interested connections; the others are left out", rep.server.Name, cz.Limit))
		}
		v := serverView{server: rep.server, conns: map[uint64]*server.ConnInfo{}}
		for _, ci := range cz.Conns {
			v.conns[ci.Cid] = ci
			if ci.Account != "" {
				account = ci.Account
			}
			for _, sd := range ci.SubsDetail {
				if server.SubjectMatchesFilter(subject, sd.Subject) {
					sd.Cid, sd.Account = ci.Cid, ci.Account
					v.subs = append(v.subs, sd)
				}
			}
		}
		views = append(views, v)
	}
	switch {
	case account != "":
		account = " (" + account + ")"
	case slices.ContainsFunc(views, func(v serverView) bool { return len(v.conns) > 0 }):
		account = " ($G)" // CONNZ leaves the global account's name out
	}
	r.Blind = fmt.Sprintf("only this connection's account%s: subscribers in other accounts (imports, exports) need the system account, "+
		"and so does noticing a server that did not answer", account)
	return views, nil
}

func (a *WhoAsker) gatherOpts(want int) gatherOptions {
	return gatherOptions{timeout: a.opts.Timeout, gap: a.opts.Gap, want: want, max: maxServerReplies}
}
