package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// The three places an answer to "who gets this message" comes from: the
// embedded broker in process, the system account's SUBSZ (every account,
// every server) joined with CONNZ, and the account-scoped CONNZ. Each
// returns what every server said as serverViews; Who joins them.

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
	a.saySilent(&r.Problems, peers, replies)
	if cut {
		r.Problems = append(r.Problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	var views []serverView
	joins := 0
	for _, rep := range replies {
		sz, ok := decodeReply[server.Subsz](rep, "subscriptions", &r.Problems)
		if !ok {
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
	replies, err := a.routez(ctx)
	if err != nil {
		return nil
	}
	return clusterNames(replies)
}

// routezReply is one server's ROUTEZ answer, decoded once for the
// cluster's names and the route links.
type routezReply struct {
	serverReply
	rz  *server.Routez // nil when the server answered an error or bad JSON
	bad error          // the bad JSON's error
}

// routez asks every server for its routes (ROUTEZ).
func (a *WhoAsker) routez(ctx context.Context) ([]routezReply, error) {
	replies, _, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.ROUTEZ", server.RoutezEventOptions{}, a.gatherOpts(0))
	out := make([]routezReply, len(replies))
	for i, rep := range replies {
		out[i].serverReply = rep
		if rep.err != "" {
			continue
		}
		var rz server.Routez
		if out[i].bad = json.Unmarshal(rep.data, &rz); out[i].bad == nil {
			out[i].rz = &rz
		}
	}
	return out, err
}

// clusterNames is the servers that answered ROUTEZ and their route
// peers, sorted.
func clusterNames(replies []routezReply) []string {
	var names []string
	add := func(n string) {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, rep := range replies {
		add(rep.server.Name)
		if rep.rz == nil {
			continue
		}
		for _, ri := range rep.rz.Routes {
			add(ri.RemoteName)
		}
	}
	slices.Sort(names)
	return names
}

// saySilent adds to problems the peers (route peers: servers that should
// answer) that none of replies came from.
func (a *WhoAsker) saySilent(problems *[]string, peers []string, replies []serverReply) {
	var silent []string
	for _, name := range peers {
		if !slices.ContainsFunc(replies, func(rep serverReply) bool { return rep.server.Name == name }) {
			silent = append(silent, name)
		}
	}
	if len(silent) > 0 {
		*problems = append(*problems, fmt.Sprintf("%s did not answer within %s", listNames(silent, 10), a.opts.Timeout))
	}
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
	replies, silence, err := a.connzAll(ctx, "$SYS.REQ.ACCOUNT.PING.CONNZ", server.ConnzOptions{
		FilterSubject: subject, SubscriptionsDetail: true, Username: true, Limit: a.opts.Limit,
	}, &r.Problems)
	switch silence {
	case noResponders:
		r.Source = WhoNone
		r.Blind = "no server answers monitoring requests (no system account?): subscribers cannot be listed"
		r.Problems = append(r.Problems, "no server answered $SYS.REQ.ACCOUNT.PING.CONNZ")
		return nil, nil
	case noAnswer:
		r.Source = WhoNone
		r.Blind = "no server answered monitoring requests (no system account, or denied): subscribers cannot be listed"
		r.Problems = append(r.Problems, fmt.Sprintf("no server answered $SYS.REQ.ACCOUNT.PING.CONNZ within %s", a.opts.Timeout))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: who %q: connections: %w", subject, err)
	}
	var views []serverView
	account := ""
	for _, rep := range replies {
		cz := rep.cz
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

// silence is why no server answered a request to every server.
type silence int

const (
	answered     silence = iota
	noResponders         // nobody subscribes to the request subject
	noAnswer             // nobody answered in time
)

// connzReply is one server's CONNZ.
type connzReply struct {
	server server.ServerInfo
	cz     server.Connz
}

// connzAll asks every server for CONNZ on subject (the account's
// $SYS.REQ.ACCOUNT.PING.CONNZ or the system account's
// $SYS.REQ.SERVER.PING.CONNZ) and decodes each answer; a server's error, an
// unreadable answer and a cut list go to problems.
func (a *WhoAsker) connzAll(ctx context.Context, subject string, o server.ConnzOptions, problems *[]string) ([]connzReply, silence, error) {
	replies, cut, err := gather(ctx, a.nc, subject, server.ConnzEventOptions{ConnzOptions: o}, a.gatherOpts(0))
	switch {
	case errors.Is(err, errNoResponders):
		return nil, noResponders, nil
	case err != nil:
		return nil, answered, err
	case len(replies) == 0:
		return nil, noAnswer, nil
	}
	if cut {
		*problems = append(*problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	out := make([]connzReply, 0, len(replies))
	for _, rep := range replies {
		cz, ok := decodeReply[server.Connz](rep, "connections", problems)
		if !ok {
			continue
		}
		out = append(out, connzReply{server: rep.server, cz: *cz})
	}
	return out, answered, nil
}
