package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

// listeners asks one round and returns the answers by subject.
func listeners(t *testing.T, a *WhoAsker, subjects ...string) map[string]model.ListenCheck {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	checks, err := a.Listeners(ctx, subjects)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.ListenCheck{}
	for _, c := range checks {
		out[c.Subject] = c
	}
	return out
}

// TestListenersEmbedded: on the embedded broker nobody but natsx's tap
// listens on a fresh subject; a subscriber, a wildcard one, and a stream
// each count; the tap's ">" never does.
func TestListenersEmbedded(t *testing.T) {
	t.Parallel()
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	nc := natsxConn(t, emb.URL())
	a := NewWhoAsker(nc, emb, WhoOptions{})

	got := listeners(t, a, "orders.new", "bad subject", "orders.*")
	if c := got["orders.new"]; !c.Known || c.Listeners != 0 {
		t.Fatalf("orders.new with only natsx's tap: %+v, want known and nobody", c)
	}
	for _, s := range []string{"bad subject", "orders.*"} {
		if c, ok := got[s]; !ok || c.Known {
			t.Fatalf("%q: %+v (present %v), want an answer that is not known", s, c, ok)
		}
	}

	sub := subscribe(t, emb.URL(), "billing", "orders.new")
	if c := listeners(t, a, "orders.new")["orders.new"]; c.Listeners != 1 {
		t.Fatalf("with a subscriber: %+v", c)
	}
	subscribe(t, emb.URL(), "audit", "orders.> q")
	if c := listeners(t, a, "orders.new")["orders.new"]; c.Listeners != 2 {
		t.Fatalf("with a queue subscriber on orders.> too: %+v", c)
	}
	sub.Close()

	// A stream stores what it captures: that is no loss.
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "PAY", Subjects: []string{"pay.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	got = listeners(t, a, "pay.in", "misc")
	if got["pay.in"].Listeners == 0 || got["misc"].Listeners != 0 {
		t.Fatalf("stream subject %+v, plain subject %+v", got["pay.in"], got["misc"])
	}
}

// TestListenersNetwork asks a plain server over the network (the account
// source), at most a few subjects a round.
func TestListenersNetwork(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	nc := natsxConn(t, s.ClientURL())
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: time.Second, Gap: 100 * time.Millisecond})
	got := listeners(t, a, "orders.new", "b", "c", "d", "e")
	if len(got) != maxNetworkChecks {
		t.Fatalf("a round answered %d subjects, want the budget %d", len(got), maxNetworkChecks)
	}
	if c := got["orders.new"]; !c.Known || c.Listeners != 0 {
		t.Fatalf("orders.new: %+v", c)
	}
	subscribe(t, s.ClientURL(), "billing", "orders.*")
	if c := listeners(t, a, "orders.new")["orders.new"]; !c.Known || c.Listeners != 1 {
		t.Fatalf("with a subscriber: %+v", c)
	}
}

// TestListenersNoSource: a server without a system account answers no
// monitoring request: the checker is told to stop, not given guesses.
func TestListenersNoSource(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, func(o *server.Options) { o.NoSystemAccount = true })
	nc := testkit.Conn(t, s.ClientURL())
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: 5 * time.Second, Gap: 100 * time.Millisecond})
	checks, err := a.Listeners(context.Background(), []string{"x"})
	if !errors.Is(err, ErrNoListenerSource) || len(checks) != 0 {
		t.Fatalf("checks %v, error %v; want ErrNoListenerSource", checks, err)
	}
}

// BenchmarkListenersEmbedded is one round of 64 subjects on the embedded
// broker with 1,000 other subscriptions: what the checker costs every 2 s.
func BenchmarkListenersEmbedded(b *testing.B) {
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		b.Fatal(err)
	}
	defer emb.Shutdown()
	nc := testkit.Conn(b, emb.URL())
	if _, err := nc.Subscribe(">", func(*nats.Msg) {}); err != nil {
		b.Fatal(err)
	}
	other := testkit.Conn(b, emb.URL())
	for i := range 1000 {
		if _, err := other.Subscribe(fmt.Sprintf("svc.%d.*", i), func(*nats.Msg) {}); err != nil {
			b.Fatal(err)
		}
	}
	if err := other.Flush(); err != nil {
		b.Fatal(err)
	}
	subjects := make([]string, 64)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("svc.%d.x", i*31)
	}
	a := NewWhoAsker(nc, emb, WhoOptions{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Listeners(ctx, subjects); err != nil {
			b.Fatal(err)
		}
	}
}
