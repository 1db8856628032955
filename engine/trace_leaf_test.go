package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestTraceAcrossClusterAndLeaf: natsx on n1 of a cluster, a subscriber on
// a leafnode of n2; the trace crosses the route and the leafnode hop and
// names the client at the end.
func TestTraceAcrossClusterAndLeaf(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, func(i int, o *server.Options) {
		if i == 1 {
			testkit.LeafHub(o)
		}
	})
	leaf := testkit.Leaf(t, servers[1], "edge")
	counting(t, leaf.ClientURL(), "edge-svc", "orders.>", "")
	waitInterest(t, servers[0], "orders.new")
	nc := testkit.Conn(t, servers[0].ClientURL(), nats.Name("natsx-trace"))

	r := trace(t, nc, "orders.new")
	if len(r.Problems) > 0 {
		t.Fatalf("problems %v", r.Problems)
	}
	var path []string
	for ts := r.Origin; ts != nil; {
		path = append(path, ts.Server.Name)
		var next *TraceServer
		for _, eg := range ts.Egresses {
			path = append(path, eg.KindName+":"+eg.Name)
			if eg.Next != nil {
				next = eg.Next
			}
		}
		ts = next
	}
	if got := strings.Join(path, " "); got != "n1 route:n2 n2 leafnode:edge edge client:edge-svc" {
		t.Fatalf("path %q", got)
	}

	// Who, from n1 in the global account: the leaf server shares the
	// account and answers for its client; n2 lists the leafnode
	// connection that carries the interest.
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: 500 * time.Millisecond, Gap: 200 * time.Millisecond})
	w, err := a.Who(t.Context(), "orders.new")
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, w, "edge-svc $G edge orders.>", "edge $G n2 orders.>")
	if w.Subscribers[0].Kind != "Client" || w.Subscribers[1].Kind != "Leafnode" {
		t.Fatalf("kinds %+v", w.Subscribers)
	}
}
