package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/model"
)

// maxClosedConns bounds the recently closed connections each server lists
// (a server remembers up to 10,000).
const maxClosedConns = 32

// Connections lists the client connections natsx can see through the
// asker's source, open and recently closed (with the server's reason): on
// the embedded broker those of natsx's account, in process; with the
// system account every account's on every server ($SYS.REQ.SERVER.PING.
// CONNZ); otherwise the account's own on every server ($SYS.REQ.ACCOUNT.
// PING.CONNZ, which every account may send). Two listings (open, closed),
// one after the other.
func (a *WhoAsker) Connections(ctx context.Context) (*model.ConnsReport, error) {
	source, err := a.sourceFor(ctx)
	if err != nil {
		return nil, err
	}
	if source == WhoMonitor {
		source = WhoAccount // the monitoring port is who's; connections come the account's way
	}
	r := &model.ConnsReport{Source: source}
	own := a.own()
	var views []connsView
	switch source {
	case WhoEmbedded:
		views, err = a.embeddedConns()
	default:
		views, err = a.networkConns(ctx, source, r)
	}
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		r.Servers = append(r.Servers, v.server.Name)
		for _, st := range []struct {
			cz     *server.Connz
			closed bool
		}{{v.open, false}, {v.closed, true}} {
			if st.cz == nil {
				continue
			}
			if st.cz.Total > len(st.cz.Conns) && !st.closed {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: %d connections, %d listed", v.server.Name, st.cz.Total, len(st.cz.Conns)))
			}
			for _, ci := range st.cz.Conns {
				c := connStats(ci, st.cz.Now)
				c.Server, c.Own = v.server.Name, own[connKey{v.server.ID, ci.Cid}]
				if st.closed {
					r.Closed = append(r.Closed, c)
				} else {
					r.Open = append(r.Open, c)
				}
			}
		}
	}
	if r.Source == WhoAccount && len(r.Open) > 0 &&
		!slices.ContainsFunc(r.Open, func(c model.ConnStats) bool { return c.Account != server.DEFAULT_GLOBAL_ACCOUNT }) {
		r.Blind += "; closed connections of the global account ($G) are not listed: the server keeps them under no account"
	}
	slices.Sort(r.Servers)
	slices.SortFunc(r.Closed, func(x, y model.ConnStats) int {
		return cmp.Or(y.Stop.Compare(x.Stop), cmp.Compare(x.Server, y.Server), cmp.Compare(x.CID, y.CID))
	})
	// Across servers, the newest closed ones.
	r.Closed = r.Closed[:min(len(r.Closed), maxClosedConns)]
	return r, nil
}

// connsView is what one server said about its connections.
type connsView struct {
	server       server.ServerInfo
	open, closed *server.Connz
}

// embeddedConns asks the embedded broker in process for the connections of
// natsx's account.
func (a *WhoAsker) embeddedConns() ([]connsView, error) {
	srv := a.emb.srv
	account, err := a.embeddedAccount(srv)
	if err != nil {
		return nil, err
	}
	v := connsView{server: server.ServerInfo{Name: srv.Name(), ID: srv.ID()}}
	if v.open, err = srv.Connz(&server.ConnzOptions{Account: account, Username: true, Limit: a.opts.Limit}); err != nil {
		return nil, fmt.Errorf("engine: connections: %w", err)
	}
	// The server remembers a closed connection of the global account
	// without an account name, so the account filter misses them: ask
	// for more and keep those without a name.
	closed := &server.ConnzOptions{Account: account, Username: true, State: server.ConnClosed, Sort: server.ByStop, Limit: maxClosedConns}
	global := account == server.DEFAULT_GLOBAL_ACCOUNT
	if global {
		closed.Account, closed.Limit = "", 8*maxClosedConns
	}
	if v.closed, err = srv.Connz(closed); err != nil {
		return nil, fmt.Errorf("engine: closed connections: %w", err)
	}
	if global {
		v.closed.Conns = slices.DeleteFunc(v.closed.Conns, func(ci *server.ConnInfo) bool { return ci.Account != "" })
	}
	return []connsView{v}, nil
}

// networkConns asks every server, open connections first, then the closed
// ones.
func (a *WhoAsker) networkConns(ctx context.Context, source WhoSource, r *model.ConnsReport) ([]connsView, error) {
	subject := "$SYS.REQ.ACCOUNT.PING.CONNZ"
	if source == WhoSystem {
		subject = "$SYS.REQ.SERVER.PING.CONNZ"
		r.Blind = "internal connections (JetStream, services) are not listed"
	} else {
		r.Blind = "only this connection's account: the other accounts' connections need the system account"
	}
	byServer := map[string]*connsView{}
	var order []string
	for _, closed := range []bool{false, true} {
		o := server.ConnzOptions{Username: true, Limit: a.opts.Limit}
		if closed {
			o.State, o.Sort, o.Limit = server.ConnClosed, server.ByStop, maxClosedConns
		}
		replies, silence, err := a.connzAll(ctx, subject, o, &r.Problems)
		if silence != answered {
			r.Source = WhoNone
			r.Blind = "no server answers monitoring requests (no system account, or denied): connections cannot be listed"
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("engine: connections: %w", err)
		}
		for _, rep := range replies {
			v := byServer[rep.server.ID]
			if v == nil {
				v = &connsView{server: rep.server}
				byServer[rep.server.ID] = v
				order = append(order, rep.server.ID)
			}
			if closed {
				v.closed = &rep.cz
			} else {
				v.open = &rep.cz
			}
		}
	}
	views := make([]connsView, 0, len(order))
	for _, id := range order {
		views = append(views, *byServer[id])
	}
	return views, nil
}

// connStats is what the view shows of a connection, its idle time as of
// now (the server's clock at its answer).
func connStats(ci *server.ConnInfo, now time.Time) model.ConnStats {
	c := model.ConnStats{
		CID: ci.Cid, Name: ci.Name, Lang: ci.Lang, Version: ci.Version, Account: ci.Account, Kind: ci.Kind,
		Subs: int(ci.NumSubs), InMsgs: ci.InMsgs, OutMsgs: ci.OutMsgs, InBytes: ci.InBytes, OutBytes: ci.OutBytes,
		Pending: ci.Pending, Start: ci.Start, Reason: ci.Reason,
	}
	if c.Account == "" {
		c.Account = server.DEFAULT_GLOBAL_ACCOUNT
	}
	c.RTT, _ = time.ParseDuration(ci.RTT)
	if !ci.LastActivity.IsZero() && now.After(ci.LastActivity) {
		c.Idle = now.Sub(ci.LastActivity)
	}
	if ci.Stop != nil {
		c.Stop = *ci.Stop
		if ci.LastActivity.Before(c.Stop) {
			c.Idle = c.Stop.Sub(ci.LastActivity)
		}
	}
	return c
}
