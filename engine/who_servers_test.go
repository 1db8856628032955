package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// TestServersCluster: with the system account every server of the
// cluster is listed with its numbers, the connected one first; an
// ordinary account sees only the connected server's greeting and says
// why.
func TestServersCluster(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, func(_ int, o *server.Options) { accountsConfig()(o) })
	subscribe(t, withUser(servers[2].ClientURL(), "a"), "far", "orders.new")
	sys := natsxConn(t, servers[1].ClientURL(), nats.UserInfo("sys", "sys"))
	a := NewWhoAsker(sys, nil, WhoOptions{Timeout: time.Second, Gap: 200 * time.Millisecond})
	// A cluster just formed, on a loaded machine, may leave a server's
	// answer past the second, or a route (and its pool) still connecting:
	// asked again as the view does every 3 s.
	var r *model.ServersReport
	for deadline := time.Now().Add(15 * time.Second); ; {
		var err error
		if r, err = a.Servers(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(r.Servers) == 3 && len(r.Problems) == 0 && len(r.Links) == 6 || time.Now().After(deadline) {
			break
		}
	}
	var names []string
	for _, s := range r.Servers {
		names = append(names, s.Name)
		if !s.Known || s.Version == "" || s.Cluster != "natsx-test" || s.Routes == 0 || s.Start.IsZero() || s.RTT <= 0 {
			t.Fatalf("%s: %+v", s.Name, s)
		}
	}
	if r.Source != WhoSystem || strings.Join(names, " ") != "n2 n1 n3" || !r.Servers[0].Connected || r.Servers[1].Connected || len(r.Problems) > 0 {
		t.Fatalf("servers %v, report %+v", names, r)
	}
	if r.Servers[2].Conns != 1 || r.Servers[2].Subs == 0 {
		t.Fatalf("n3 has the far client: %+v", r.Servers[2])
	}
	// Each server's routes to the two others, a pooled route one link.
	var links []string
	for _, l := range r.Links {
		if l.Kind != "route" || l.Conns < 1 {
			t.Fatalf("link %+v", l)
		}
		links = append(links, l.Server+">"+l.Peer)
	}
	if strings.Join(links, " ") != "n1>n2 n1>n3 n2>n1 n2>n3 n3>n1 n3>n2" {
		t.Fatalf("links %v", links)
	}

	acct := natsxConn(t, servers[0].ClientURL(), nats.UserInfo("a", "a"))
	r, err := NewWhoAsker(acct, nil, WhoOptions{Timeout: 300 * time.Millisecond}).Servers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Servers) != 1 || r.Servers[0].Name != "n1" || r.Servers[0].Known || !r.Servers[0].Connected ||
		r.Servers[0].Version == "" || !strings.Contains(r.Blind, "system account") {
		t.Fatalf("an ordinary account: %+v", r)
	}
}

// TestServersEmbedded: natsx's own broker, in process, with JetStream.
func TestServersEmbedded(t *testing.T) {
	t.Parallel()
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	nc := natsxConn(t, emb.URL())
	r, err := NewWhoAsker(nc, emb, WhoOptions{}).Servers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Servers; r.Source != WhoEmbedded || len(s) != 1 || !s[0].Known || !s[0].JetStream || !s[0].Connected || s[0].Conns < 1 || r.Blind != "" {
		t.Fatalf("embedded: %+v", r)
	}
}
