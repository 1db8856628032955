package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/testkit"
)

// TestTraceCommandCluster: natsx on n1, a subscriber with a hostile name
// on n3; the tree names the route hop and the remote client, sanitized.
func TestTraceCommandCluster(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, nil)
	nc := testkit.Conn(t, servers[2].ClientURL(), nats.Name("remote\x1b[31m-svc"))
	if _, err := nc.QueueSubscribe("orders.*", "workers", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !servers[0].GlobalAccount().SubscriptionInterest("orders.new") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}

	var out, errb bytes.Buffer
	if code := run([]string{"trace", "-s", servers[0].ClientURL(), "-H", "Kind: test", "--payload", "hi", "orders.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	if strings.Contains(text, "\x1b") {
		t.Fatalf("escape reached the terminal: %q", text)
	}
	lines := strings.Split(text, "\n")
	want := []string{
		"trace of orders.new (trace only: nothing was delivered or stored)",
		"n1 (cluster natsx-test, ",
		`  in      client "natsx-trace" cid `,
		"  out     route \"n3\" cid ",
		"    n3 (cluster natsx-test, ",
		`      in      route "n1" cid `,
		`      out     client "remote\x1b[31m-svc" cid `,
	}
	if len(lines) < len(want) {
		t.Fatalf("output:\n%s", text)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Fatalf("line %d %q, want prefix %q; output:\n%s", i, lines[i], w, text)
		}
	}
	if !strings.Contains(text, "subscription orders.*, queue workers") || strings.Contains(text, "partial") {
		t.Fatalf("output:\n%s", text)
	}

	out.Reset()
	if code := run([]string{"trace", "-s", servers[0].ClientURL(), "--json", "orders.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r engine.TraceResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if r.Origin == nil || len(r.Origin.Egresses) != 1 || r.Origin.Egresses[0].Next == nil ||
		r.Origin.Egresses[0].Next.Egresses[0].Name != "remote\x1b[31m-svc" {
		t.Fatalf("result %+v", r)
	}
}

func TestTraceCommandNoInterest(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	var out, errb bytes.Buffer
	if code := run([]string{"trace", "-s", s.ClientURL(), "nobody.here"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "no interest: nobody here would receive it") {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestTraceCommandBadInput(t *testing.T) {
	t.Setenv("NATS_URL", "")
	runFail(t, []string{"trace", "-s", "nats://127.0.0.1:1", "orders.>"}, "not a subject")
	runFail(t, []string{"trace", "orders.new"}, "trace asks a running server")
	runFail(t, []string{"trace", "-s", "nats://127.0.0.1:1", "-H", "novalue", "orders.new"}, "want KEY:VALUE")
	runFail(t, []string{"trace", "-s", "nats://127.0.0.1:1", "-H", "Nats-Trace-Dest:x", "orders.new"}, "natsx sets")
	runFail(t, []string{"trace", "-s", "nats://127.0.0.1:1", "-H", "nats-trace-only:true", "orders.new"}, "natsx sets")
	runFail(t, []string{"trace", "-s", "nats://127.0.0.1:1", "orders.new"}, "connection refused")
}

// TestWriteTraceEveryEvent: each kind of event a server reports has its
// line, and a not-delivered reason is marked.
func TestWriteTraceEveryEvent(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	eg := func(kind int, name, errText string, d time.Duration) *engine.TraceEgress {
		e := &engine.TraceEgress{KindName: engine.KindName(kind)}
		e.Kind, e.Name, e.Error, e.Timestamp, e.CID = kind, name, errText, at.Add(d), 9
		return e
	}
	o := &engine.TraceServer{Server: server.ServerInfo{Name: "n1", Version: "2.15.2"}}
	o.Ingress = &server.MsgTraceIngress{Kind: server.CLIENT, CID: 3, Name: "pub", Account: "A", Subject: "old.orders"}
	o.Ingress.Timestamp = at
	o.Mappings = []*server.MsgTraceSubjectMapping{{MappedTo: "orders.new"}}
	o.ServiceImports = []*server.MsgTraceServiceImport{{Account: "SVC", From: "orders.new", To: "svc.orders"}}
	o.StreamExports = []*server.MsgTraceStreamExport{{Account: "B", To: "b.orders.new"}}
	o.JetStream = &server.MsgTraceJetStream{Stream: "ORDERS", Subject: "orders.new", NoInterest: true}
	o.Egresses = []*engine.TraceEgress{
		eg(server.CLIENT, "svc", "", 1500*time.Nanosecond),
		eg(server.CLIENT, "slow", "Not delivered because fast producer not stalled and consumer is slow", 2*time.Microsecond),
	}
	r := &engine.TraceResult{Subject: "old.orders", TraceOnly: true, Origin: o, Problems: []string{"hop 2 (route n3) sent no trace event"}}
	var out bytes.Buffer
	if err := writeTrace(&out, r); err != nil {
		t.Fatal(err)
	}
	want := `trace of old.orders (trace only: nothing was delivered or stored)
n1 (2.15.2)
  in      client "pub" cid 3, account A, subject old.orders
  mapped  to orders.new
  import  service of account SVC: orders.new → svc.orders
  export  stream to account B as b.orders.new
  js      stream ORDERS, subject orders.new: not stored, no interest
  out     client "svc" cid 9  +2µs
  ✗ out   client "slow" cid 9  +2µs: Not delivered because fast producer not stalled and consumer is slow
partial: hop 2 (route n3) sent no trace event
`
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
