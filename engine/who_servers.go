package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/model"
)

// Servers lists the servers natsx can see through the asker's source: the
// embedded broker in process; with the system account every server of the
// cluster (VARZ from each, and which of the routes' peers did not
// answer); otherwise only what the connected server said on connect.
func (a *WhoAsker) Servers(ctx context.Context) (*model.ServersReport, error) {
	source, err := a.sourceFor(ctx)
	if err != nil {
		return nil, err
	}
	if source == WhoMonitor {
		source = WhoAccount // the monitoring port is who's
	}
	r := &model.ServersReport{Source: source}
	switch source {
	case WhoEmbedded:
		vz, err := a.emb.srv.Varz(nil)
		if err != nil {
			return nil, fmt.Errorf("engine: varz: %w", err)
		}
		s := serverStats(vz)
		s.Connected = true
		s.RTT, _ = a.nc.RTT()
		r.Servers = []model.ServerStats{s}
		r.Links = embeddedLinks(a.emb.srv, vz.Name)
	case WhoSystem:
		if err := a.systemServers(ctx, r); err != nil {
			return nil, err
		}
	default:
		s := model.ServerStats{Name: a.nc.ConnectedServerName(), Version: a.nc.ConnectedServerVersion(),
			Cluster: a.nc.ConnectedClusterName(), Connected: true}
		s.JetStream, _ = a.nc.ConnectedServerJetStream()
		s.RTT, _ = a.nc.RTT()
		r.Servers = []model.ServerStats{s}
		r.Blind = "only what the connected server says on connect: its numbers and the other servers of the cluster need the system account"
	}
	slices.SortFunc(r.Servers, func(x, y model.ServerStats) int {
		if x.Connected != y.Connected {
			if x.Connected {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Name, y.Name)
	})
	r.Links = mergeLinks(r.Links)
	return r, nil
}

// systemServers asks every server for its VARZ; a route peer that did not
// answer is named.
func (a *WhoAsker) systemServers(ctx context.Context, r *model.ServersReport) error {
	// ROUTEZ once: its answers name the route peers that should answer
	// VARZ, and give the route links.
	var routes []routezReply
	var routesErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		routes, routesErr = a.routez(ctx)
	}()
	replies, cut, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.VARZ", server.VarzEventOptions{}, a.gatherOpts(0))
	<-done
	if err != nil {
		return fmt.Errorf("engine: servers: %w", err)
	}
	if cut {
		r.Problems = append(r.Problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	connected := a.nc.ConnectedServerId()
	for _, rep := range replies {
		vz, ok := decodeReply[server.Varz](rep, "VARZ", &r.Problems)
		if !ok {
			continue
		}
		s := serverStats(vz)
		s.Connected, s.RTT = rep.server.ID == connected, rep.after
		r.Servers = append(r.Servers, s)
	}
	if routesErr == nil {
		a.saySilent(&r.Problems, clusterNames(routes), replies)
	}
	a.systemLinks(ctx, r, routes, routesErr)
	return nil
}

// systemLinks reads the routes from the ROUTEZ answers already gathered
// and asks every server for its gateways and leafnodes (GATEWAYZ, LEAFZ,
// one after the other); what fails is said, not fatal: the servers are
// listed anyway.
func (a *WhoAsker) systemLinks(ctx context.Context, r *model.ServersReport, routes []routezReply, routesErr error) {
	if routesErr != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("ROUTEZ: %v", routesErr))
		routes = nil
	}
	for _, rep := range routes {
		switch {
		case rep.err != "":
			// said with its VARZ
		case rep.rz == nil:
			r.Problems = append(r.Problems, fmt.Sprintf("%s: unreadable ROUTEZ: %v", rep.server.Name, rep.bad))
		default:
			r.Links = append(r.Links, routeLinks(rep.server.Name, rep.rz)...)
		}
	}
	for _, q := range []struct {
		what string
		req  any
		add  func(name string, data []byte) error
	}{
		{"GATEWAYZ", server.GatewayzEventOptions{}, func(name string, data []byte) error {
			var gz server.Gatewayz
			if err := json.Unmarshal(data, &gz); err != nil {
				return err
			}
			r.Links = append(r.Links, gatewayLinks(name, &gz)...)
			return nil
		}},
		{"LEAFZ", server.LeafzEventOptions{}, func(name string, data []byte) error {
			var lz server.Leafz
			if err := json.Unmarshal(data, &lz); err != nil {
				return err
			}
			r.Links = append(r.Links, leafLinks(name, &lz)...)
			return nil
		}},
	} {
		replies, _, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING."+q.what, q.req, a.gatherOpts(0))
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", q.what, err))
			continue
		}
		for _, rep := range replies {
			if rep.err != "" {
				continue // said with its VARZ
			}
			if err := q.add(rep.server.Name, rep.data); err != nil {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: unreadable %s: %v", rep.server.Name, q.what, err))
			}
		}
	}
}

// mergeLinks sorts links by server, kind and peer and makes one of the
// connections of a pooled route (or a gateway's several inbound ones).
func mergeLinks(links []model.ServerLink) []model.ServerLink {
	slices.SortStableFunc(links, func(x, y model.ServerLink) int {
		return cmp.Or(cmp.Compare(x.Server, y.Server), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Peer, y.Peer))
	})
	var out []model.ServerLink
	for _, l := range links {
		if n := len(out); n > 0 && out[n-1].Server == l.Server && out[n-1].Kind == l.Kind && out[n-1].Peer == l.Peer {
			last := &out[n-1]
			last.Conns++
			last.RTT = max(last.RTT, l.RTT)
			last.InMsgs += l.InMsgs
			last.OutMsgs += l.OutMsgs
			continue
		}
		l.Conns = 1
		out = append(out, l)
	}
	return out
}

// linkRTT reads a server's RTT string ("1.2ms"); 0 when absent or odd.
func linkRTT(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return max(d, 0)
}

// embeddedLinks are the embedded broker's links, asked in process.
func embeddedLinks(s *server.Server, name string) []model.ServerLink {
	var out []model.ServerLink
	if rz, err := s.Routez(nil); err == nil {
		out = append(out, routeLinks(name, rz)...)
	}
	if gz, err := s.Gatewayz(nil); err == nil {
		out = append(out, gatewayLinks(name, gz)...)
	}
	if lz, err := s.Leafz(nil); err == nil {
		out = append(out, leafLinks(name, lz)...)
	}
	return out
}

func routeLinks(name string, rz *server.Routez) []model.ServerLink {
	out := make([]model.ServerLink, 0, len(rz.Routes))
	for _, ri := range rz.Routes {
		peer := cmp.Or(ri.RemoteName, ri.RemoteID)
		out = append(out, model.ServerLink{Server: name, Kind: "route", Peer: peer, RTT: linkRTT(ri.RTT), InMsgs: ri.InMsgs, OutMsgs: ri.OutMsgs})
	}
	return out
}

func gatewayLinks(name string, gz *server.Gatewayz) []model.ServerLink {
	var out []model.ServerLink
	add := func(kind, peer string, g *server.RemoteGatewayz) {
		l := model.ServerLink{Server: name, Kind: kind, Peer: peer}
		if c := g.Connection; c != nil {
			l.RTT, l.InMsgs, l.OutMsgs = linkRTT(c.RTT), c.InMsgs, c.OutMsgs
		}
		out = append(out, l)
	}
	for peer, g := range gz.OutboundGateways {
		add("gateway out", peer, g)
	}
	for peer, gs := range gz.InboundGateways {
		for _, g := range gs {
			add("gateway in", peer, g)
		}
	}
	return out
}

func leafLinks(name string, lz *server.Leafz) []model.ServerLink {
	out := make([]model.ServerLink, 0, len(lz.Leafs))
	for _, li := range lz.Leafs {
		peer := cmp.Or(li.Name, li.IP)
		if li.Account != "" {
			peer += " (account " + li.Account + ")"
		}
		out = append(out, model.ServerLink{Server: name, Kind: "leafnode", Peer: peer, RTT: linkRTT(li.RTT), InMsgs: li.InMsgs, OutMsgs: li.OutMsgs})
	}
	return out
}

// serverStats is what the servers view shows of a server's VARZ.
func serverStats(vz *server.Varz) model.ServerStats {
	return model.ServerStats{
		Name: vz.Name, Version: vz.Version, Cluster: vz.Cluster.Name, JetStream: vz.JetStream.Config != nil,
		Known: true, Start: vz.Start, Conns: vz.Connections, Subs: int(vz.Subscriptions),
		Routes: vz.Routes, Leafs: vz.Leafs, SlowConsumers: vz.SlowConsumers,
		Mem: vz.Mem, CPU: vz.CPU, Cores: vz.Cores,
	}
}
