package testkit

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// LeafHub is an option change that makes a server accept leafnode
// connections on a random loopback port, for Leaf to connect to.
func LeafHub(o *server.Options) {
	o.LeafNode.Host = "127.0.0.1"
	o.LeafNode.Port = -1
}

// Leaf starts a server named name that connects to hub (started with
// LeafHub) as a leafnode, and waits until the hub has it. mods change the
// leaf's options first; the leaf joins the hub's global account unless a
// mod says otherwise.
func Leaf(t testing.TB, hub *server.Server, name string, mods ...func(*server.Options)) *server.Server {
	t.Helper()
	vz, err := hub.Varz(nil)
	if err != nil || vz.LeafNode.Port <= 0 {
		t.Fatalf("testkit: the hub does not accept leafnodes (use LeafHub): %v", err)
	}
	hubURL := &url.URL{Scheme: "nats-leaf", Host: fmt.Sprintf("127.0.0.1:%d", vz.LeafNode.Port)}
	before := hub.NumLeafNodes()
	leaf := Server(t, append([]func(*server.Options){func(o *server.Options) {
		o.ServerName = name
		o.LeafNode.Remotes = []*server.RemoteLeafOpts{{URLs: []*url.URL{hubURL}}}
	}}, mods...)...)
	deadline := time.Now().Add(readyTimeout)
	for hub.NumLeafNodes() <= before || leaf.NumLeafNodes() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("testkit: leafnode %s did not connect to %s", name, hub.Name())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return leaf
}

// JetStreamDomains starts a hub server with JetStream in domain hubDomain
// and a leafnode of it with its own JetStream in domain leafDomain, both
// in the global account, as a hub and an edge site are run: a client on
// the leaf reaches the hub's JetStream under $JS.<hubDomain>.API.> and
// its own under $JS.API.>.
func JetStreamDomains(t testing.TB, hubDomain, leafDomain string) (hub, leaf *server.Server) {
	t.Helper()
	hub = JetStreamServer(t, LeafHub, func(o *server.Options) {
		o.ServerName = "hub"
		o.JetStreamDomain = hubDomain
	})
	leaf = Leaf(t, hub, "leaf", jetStreamIn(t.TempDir()), func(o *server.Options) { o.JetStreamDomain = leafDomain })
	if !leaf.JetStreamEnabled() {
		t.Fatal("testkit: the leaf's JetStream did not start")
	}
	// The leafnode is up before the hub's interest in its JetStream API
	// reaches the leaf: until then a question from the leaf to the hub's
	// domain has no responders (a race seen under -race on a loaded
	// machine). Wait for the interest; asking would leave an API advisory
	// for the tests that count them.
	api := "$JS." + hubDomain + ".API.INFO"
	deadline := time.Now().Add(readyTimeout)
	for !leaf.GlobalAccount().SubscriptionInterest(api) {
		if time.Now().After(deadline) {
			t.Fatalf("testkit: the hub's JetStream domain %q is not reachable from the leaf", hubDomain)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return hub, leaf
}
