package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

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
	return r, nil
}

// systemServers asks every server for its VARZ; a route peer that did not
// answer is named.
func (a *WhoAsker) systemServers(ctx context.Context, r *model.ServersReport) error {
	var peers []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		peers = a.clusterServers(ctx)
	}()
	replies, cut, err := gather(ctx, a.nc, "$SYS.REQ.SERVER.PING.VARZ", server.VarzEventOptions{}, a.gatherOpts(0))
	<-done
	if err != nil {
		return fmt.Errorf("engine: servers: %w", err)
	}
	if cut {
		r.Problems = append(r.Problems, fmt.Sprintf("more than %d servers answered; the others are left out", maxServerReplies))
	}
	answered := map[string]bool{}
	connected := a.nc.ConnectedServerId()
	for _, rep := range replies {
		answered[rep.server.Name] = true
		if rep.err != "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s", rep.server.Name, rep.err))
			continue
		}
		var vz server.Varz
		if err := json.Unmarshal(rep.data, &vz); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: unreadable VARZ: %v", rep.server.Name, err))
			continue
		}
		s := serverStats(&vz)
		s.Connected, s.RTT = rep.server.ID == connected, rep.after
		r.Servers = append(r.Servers, s)
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
	return nil
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
