package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

func trace(t *testing.T, nc *nats.Conn, subject string) *TraceResult {
	t.Helper()
	r, err := Trace(context.Background(), nc, subject, TraceOptions{Timeout: 3 * time.Second, Payload: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// counting subscribes name to subject in queue group queue and counts
// what it receives.
func counting(t *testing.T, url, name, subject, queue string) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	nc := testkit.Conn(t, url, nats.Name(name))
	if _, err := nc.QueueSubscribe(subject, queue, func(*nats.Msg) { n.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestTraceAcrossCluster: natsx on n1, the subscriber on n3; the trace
// names the route hop, the server behind it and the remote client, and
// the trace-only copy reaches nobody.
func TestTraceAcrossCluster(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, nil)
	got := counting(t, servers[2].ClientURL(), "remote-svc", "orders.*", "workers")
	nc := testkit.Conn(t, servers[0].ClientURL(), nats.Name("natsx-trace"))
	// Interest crosses the route asynchronously: wait until n1 knows.
	waitInterest(t, servers[0], "orders.new")

	start := time.Now()
	r := trace(t, nc, "orders.new")
	if time.Since(start) > 2*time.Second {
		t.Fatalf("took %s: the trace should end once every announced hop reported", time.Since(start))
	}
	if len(r.Problems) > 0 || len(r.Unlinked) > 0 {
		t.Fatalf("problems %v unlinked %v", r.Problems, r.Unlinked)
	}
	o := r.Origin
	if o == nil || o.Server.Name != "n1" || o.Ingress == nil || o.Ingress.Name != "natsx-trace" || KindName(o.Ingress.Kind) != "client" {
		t.Fatalf("origin %+v", o)
	}
	if len(o.Egresses) != 1 {
		t.Fatalf("origin egresses %+v", o.Egresses)
	}
	eg := o.Egresses[0]
	if eg.KindName != "route" || eg.Hop != "1" || eg.Next == nil || eg.Next.Server.Name != "n3" {
		t.Fatalf("route egress %+v", eg)
	}
	remote := eg.Next
	if remote.Hop != "1" || len(remote.Egresses) != 1 {
		t.Fatalf("remote server %+v", remote)
	}
	c := remote.Egresses[0]
	if c.KindName != "client" || c.Name != "remote-svc" || c.Queue != "workers" || c.Subscription != "orders.*" || !c.Delivered() {
		t.Fatalf("client egress %+v", c)
	}
	time.Sleep(50 * time.Millisecond)
	if got.Load() != 0 {
		t.Fatalf("a trace-only message was delivered %d times", got.Load())
	}
}

// waitInterest waits until s routes subject somewhere (a remote
// subscription has crossed the route).
func waitInterest(t *testing.T, s *server.Server, subject string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !s.GlobalAccount().SubscriptionInterest(subject) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never learned of interest in %s", s.Name(), subject)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTraceNotDelivered: the reasons a server gives for not delivering.
func TestTraceNotDelivered(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, testkit.Accounts("SYS",
		testkit.User{Name: "pub", Password: "pub", Account: "A", Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"secret.>"}},
		}},
		testkit.User{Name: "sub", Password: "sub", Account: "A", Permissions: &server.Permissions{
			Subscribe: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"orders.secret"}},
		}},
	))
	counting(t, withUserPass(s.ClientURL(), "sub", "sub"), "picky", "orders.*", "")
	nc := testkit.Conn(t, withUserPass(s.ClientURL(), "pub", "pub"), nats.Name("natsx-trace"))

	t.Run("publish denied", func(t *testing.T) {
		r := trace(t, nc, "secret.plans")
		if r.Origin == nil || r.Origin.Ingress == nil || !strings.Contains(r.Origin.Ingress.Error, "Permissions Violation for Publish") {
			t.Fatalf("origin %+v problems %v", r.Origin, r.Problems)
		}
		if len(r.Origin.Egresses) != 0 {
			t.Fatalf("a denied publish went somewhere: %+v", r.Origin.Egresses)
		}
	})
	t.Run("subscription denies", func(t *testing.T) {
		r := trace(t, nc, "orders.secret")
		if r.Origin == nil || len(r.Origin.Egresses) != 1 {
			t.Fatalf("origin %+v", r.Origin)
		}
		eg := r.Origin.Egresses[0]
		if eg.Name != "picky" || eg.Delivered() || !strings.Contains(eg.Error, "subscription denies this subject") {
			t.Fatalf("egress %+v", eg)
		}
	})
	t.Run("no interest", func(t *testing.T) {
		r := trace(t, nc, "nobody.here")
		if r.Origin == nil || len(r.Origin.Egresses) != 0 || r.Origin.Ingress.Error != "" {
			t.Fatalf("origin %+v", r.Origin)
		}
	})
}

// TestTraceMarksOwnTap: natsx's tap on ">" matches every subject; its
// egress is marked so a view can leave it out.
func TestTraceMarksOwnTap(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	counting(t, s.ClientURL(), "svc", "orders.new", "")
	tap := natsxConn(t, s.ClientURL())
	nc := testkit.Conn(t, s.ClientURL())
	r, err := Trace(context.Background(), nc, "orders.new", TraceOptions{Own: []*nats.Conn{tap}})
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{}
	for _, eg := range r.Origin.Egresses {
		own[eg.Name] = eg.Own
	}
	if len(own) != 2 || !own["natsx"] || own["svc"] {
		t.Fatalf("own marks %v", own)
	}
}

func TestTraceSubjectMapping(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	if err := s.GlobalAccount().AddMapping("old.orders", "orders.new"); err != nil {
		t.Fatal(err)
	}
	counting(t, s.ClientURL(), "svc", "orders.new", "")
	nc := testkit.Conn(t, s.ClientURL())
	r := trace(t, nc, "old.orders")
	if r.Origin == nil || len(r.Origin.Mappings) != 1 || r.Origin.Mappings[0].MappedTo != "orders.new" {
		t.Fatalf("origin %+v", r.Origin)
	}
	if len(r.Origin.Egresses) != 1 || r.Origin.Egresses[0].Name != "svc" {
		t.Fatalf("egresses %+v", r.Origin.Egresses)
	}
}

func TestTraceBadSubject(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	nc := testkit.Conn(t, s.ClientURL())
	if _, err := Trace(context.Background(), nc, "orders.*", TraceOptions{}); err == nil || !strings.Contains(err.Error(), "not a subject") {
		t.Fatalf("err %v", err)
	}
}

func TestVersionAtLeast(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"2.11.0": true, "2.15.2": true, "3.0.0": true, "2.12.0-RC.1": true, "v2.11.3": true,
		"2.10.24": false, "1.99.0": false, "": false, "x.y": false,
	} {
		if got := versionAtLeast(v, 2, 11); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

// withUserPass puts user:password@ into url.
func withUserPass(url, user, password string) string {
	return strings.Replace(url, "nats://", "nats://"+user+":"+password+"@", 1)
}

// TestStitchMissingAndUnlinked: a hop an egress announced that never
// reported is named; an event no egress announced is kept, unlinked.
func TestStitchMissingAndUnlinked(t *testing.T) {
	t.Parallel()
	ev := func(name, hop string, egs ...*server.MsgTraceEgress) *server.MsgTraceEvent {
		e := &server.MsgTraceEvent{Server: server.ServerInfo{Name: name}}
		if hop != "" {
			e.Request.Header = map[string][]string{server.MsgTraceHop: {hop}}
		}
		e.Events = append(e.Events, &server.MsgTraceIngress{MsgTraceBase: server.MsgTraceBase{Type: server.MsgTraceIngressType}})
		for _, eg := range egs {
			e.Events = append(e.Events, eg)
		}
		return e
	}
	route := func(name, hop string) *server.MsgTraceEgress {
		return &server.MsgTraceEgress{MsgTraceBase: server.MsgTraceBase{Type: server.MsgTraceEgressType}, Kind: server.ROUTER, Name: name, Hop: hop}
	}
	events := []*server.MsgTraceEvent{
		ev("n1", "", route("n2", "1"), route("n3", "2")),
		ev("n2", "1"),
		ev("n9", "7"),
	}
	if complete(events) {
		t.Fatal("hop 2 is missing: not complete")
	}
	r := stitch(events)
	if r.Origin == nil || r.Origin.Egresses[0].Next == nil || r.Origin.Egresses[0].Next.Server.Name != "n2" || r.Origin.Egresses[1].Next != nil {
		t.Fatalf("origin %+v", r.Origin)
	}
	if len(r.Problems) != 1 || r.Problems[0] != `hop 2 (route n3) sent no trace event` {
		t.Fatalf("problems %q", r.Problems)
	}
	if len(r.Unlinked) != 1 || r.Unlinked[0].Server.Name != "n9" {
		t.Fatalf("unlinked %+v", r.Unlinked)
	}
	if !complete(append(events[:2:2], ev("n3", "2"))) {
		t.Fatal("with hop 2 reported the trace is complete")
	}
	if r := stitch(nil); r.Origin != nil || len(r.Problems) != 1 {
		t.Fatalf("no events: %+v", r)
	}
}

// TestTraceDeliver: "trace and deliver" publishes for real and still
// reports the path.
func TestTraceDeliver(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	got := counting(t, s.ClientURL(), "svc", "orders.new", "")
	nc := testkit.Conn(t, s.ClientURL())
	r, err := Trace(context.Background(), nc, "orders.new", TraceOptions{Deliver: true, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.TraceOnly || r.Origin == nil || len(r.Origin.Egresses) != 1 || r.Origin.Egresses[0].Name != "svc" {
		t.Fatalf("result %+v", r)
	}
	deadline := time.Now().Add(3 * time.Second)
	for got.Load() != 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got.Load() != 1 {
		t.Fatalf("delivered %d times, want 1", got.Load())
	}
}
