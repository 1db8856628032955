package engine

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

func connections(t *testing.T, a *WhoAsker) *model.ConnsReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := a.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func findConn(conns []model.ConnStats, name string) *model.ConnStats {
	for i := range conns {
		if conns[i].Name == name {
			return &conns[i]
		}
	}
	return nil
}

// TestConnectionsEmbedded: the embedded broker lists natsx's account's
// connections with their counters, natsx's own marked, and a connection
// that went away among the closed ones with the server's reason.
func TestConnectionsEmbedded(t *testing.T) {
	t.Parallel()
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	nc := natsxConn(t, emb.URL())
	billing := subscribe(t, emb.URL(), "billing", "orders.>")
	for range 5 {
		if err := billing.Publish("orders.new", []byte("12345")); err != nil {
			t.Fatal(err)
		}
	}
	if err := billing.Flush(); err != nil {
		t.Fatal(err)
	}
	gone := subscribe(t, emb.URL(), "gone", "x")
	gone.Close()

	a := NewWhoAsker(nc, emb, WhoOptions{})
	deadline := time.Now().Add(5 * time.Second)
	var r *model.ConnsReport
	for {
		r = connections(t, a)
		if b := findConn(r.Open, "billing"); b != nil && b.InMsgs == 5 && findConn(r.Closed, "gone") != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("billing with 5 messages in and gone closed not listed: %+v", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := findConn(r.Open, "billing")
	if b.Subs != 1 || b.OutMsgs != 5 || b.InBytes != 25 || b.Lang != "go" || b.Server != "natsx-embedded" || b.Own {
		t.Fatalf("billing: %+v", b)
	}
	if me := findConn(r.Open, "natsx"); me == nil || !me.Own {
		t.Fatalf("natsx's own connection not marked: %+v", me)
	}
	if g := findConn(r.Closed, "gone"); g.Reason == "" || g.Stop.IsZero() {
		t.Fatalf("closed without reason or stop: %+v", g)
	}
	if r.Source != WhoEmbedded || len(r.Problems) > 0 {
		t.Fatalf("source %s problems %v", r.Source, r.Problems)
	}
}

// TestConnectionsSlowConsumer: over the network (an ordinary account A), a
// client that stops reading is cut off by the server and named as a slow
// consumer among the closed connections.
func TestConnectionsSlowConsumer(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, accountsConfig(), func(o *server.Options) {
		o.MaxPending, o.MaxPayload = 32<<10, 16<<10
		o.WriteDeadline = 200 * time.Millisecond
	})
	// A raw client that subscribes and never reads its socket.
	raw, err := net.Dial("tcp", strings.TrimPrefix(s.ClientURL(), "nats://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	if _, err := raw.Write([]byte("CONNECT {\"verbose\":false,\"name\":\"sleepy\",\"user\":\"a\",\"pass\":\"a\"}\r\nSUB flood 1\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	// natsx without its tap here: a ">" would take the flood too.
	nc := testkit.Conn(t, s.ClientURL(), nats.Name("natsx"), nats.UserInfo("a", "a"))
	pub := testkit.Conn(t, s.ClientURL(), nats.Name("flooder"), nats.UserInfo("a2", "a2"))
	payload := make([]byte, 4096)
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: time.Second, Gap: 100 * time.Millisecond})
	deadline := time.Now().Add(10 * time.Second)
	for {
		for range 64 {
			_ = pub.Publish("flood", payload)
		}
		_ = pub.Flush()
		r := connections(t, a)
		slow := r.SlowConsumers()
		if len(slow) > 0 {
			if slow[0].Name != "sleepy" || r.Source != WhoAccount {
				t.Fatalf("slow consumer %+v (source %s)", slow[0], r.Source)
			}
			if findConn(r.Open, "flooder") == nil {
				t.Fatalf("open connections lack flooder: %+v", r.Open)
			}
			return
		}
		if time.Now().After(deadline) {
			cz, _ := s.Connz(&server.ConnzOptions{State: server.ConnClosed})
			t.Fatalf("no slow consumer named: closed %+v; the server's %+v", r.Closed, cz.Conns)
		}
	}
}

// TestConnectionsGlobalAccount: an ordinary connection in the global
// account sees its account's open connections; the closed ones the
// server does not give it, and the report says so.
func TestConnectionsGlobalAccount(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	nc := natsxConn(t, s.ClientURL())
	subscribe(t, s.ClientURL(), "billing", "orders.>")
	subscribe(t, s.ClientURL(), "gone", "x").Close()
	r := connections(t, NewWhoAsker(nc, nil, WhoOptions{Timeout: time.Second, Gap: 100 * time.Millisecond}))
	if findConn(r.Open, "billing") == nil || r.Source != WhoAccount {
		t.Fatalf("open %+v source %s", r.Open, r.Source)
	}
	if len(r.Closed) != 0 || !strings.Contains(r.Blind, "closed connections of the global account") {
		t.Fatalf("closed %+v, blind %q", r.Closed, r.Blind)
	}
}

// TestConnectionsNoSource: a server without a system account answers no
// monitoring request: the report says connections cannot be listed.
func TestConnectionsNoSource(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, func(o *server.Options) { o.NoSystemAccount = true })
	nc := testkit.Conn(t, s.ClientURL())
	r := connections(t, NewWhoAsker(nc, nil, WhoOptions{Timeout: 5 * time.Second, Gap: 100 * time.Millisecond}))
	if r.Source != WhoNone || len(r.Open) != 0 || !strings.Contains(r.Blind, "cannot be listed") {
		t.Fatalf("report %+v", r)
	}
}
