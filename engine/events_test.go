package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

// TestEventSummariesFromServer: the events a real server sends (a client
// connecting and leaving, a failed login, JetStream's nak, terminated and
// max-deliveries advisories) each read as one line (model.EventSummary).
func TestEventSummariesFromServer(t *testing.T) {
	t.Parallel()
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true, SystemUser: "sys"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	user, pass, _ := emb.SystemCredentials()
	sys := testkit.Conn(t, emb.URL(), nats.UserInfo(user, pass))
	events := make(chan *nats.Msg, 256)
	for _, s := range []string{"$SYS.ACCOUNT.*.CONNECT", "$SYS.ACCOUNT.*.DISCONNECT", "$SYS.SERVER.*.CLIENT.AUTH.ERR"} {
		if _, err := sys.ChanSubscribe(s, events); err != nil {
			t.Fatal(err)
		}
	}
	app := testkit.Conn(t, emb.URL())
	if _, err := app.ChanSubscribe("$JS.EVENT.ADVISORY.>", events); err != nil {
		t.Fatal(err)
	}
	for _, nc := range []*nats.Conn{sys, app} {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}

	billing := testkit.Conn(t, emb.URL(), nats.Name("billing"))
	billing.Close()
	if nc, err := nats.Connect(emb.URL(), nats.UserInfo("app", "wrong"), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("a wrong password connected")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	js, err := jetstream.New(app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 2})
	if err != nil {
		t.Fatal(err)
	}
	publish := func() {
		t.Helper()
		if _, err := js.Publish(ctx, "orders.new", []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	fetch := func() jetstream.Msg {
		t.Helper()
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			return m
		}
		t.Fatalf("no message: %v", batch.Error())
		return nil
	}
	// nak asks for the server's answer: a plain Nak is queued for the
	// consumer's ack goroutine, and a fetch sent after it can be served
	// first. Message 1 would then wait out its AckWait instead of reaching
	// the redelivery that sends the max-deliveries advisory (seen in CI).
	nak := func(m jetstream.Msg) {
		t.Helper()
		if _, err := app.Request(m.Reply(), []byte("-NAK"), 5*time.Second); err != nil {
			t.Fatalf("nak: %v", err)
		}
	}
	publish()
	nak(fetch()) // message 1, delivery 1
	nak(fetch()) // message 1, delivery 2: the last
	publish()
	_ = fetch().TermWithReason("bad order") // message 2 (message 1 is not redelivered)

	want := []string{
		`connect: client "billing" (cid `,
		`disconnect: client "billing" (cid `,
		`auth error: client (cid `,
		`nak: consumer worker of stream ORDERS refused message 1 (delivery 1)`,
		`max deliveries: message 1 of stream ORDERS reached 2 deliveries on consumer worker`,
		`terminated: consumer worker of stream ORDERS gave up on message 2 after 1 delivery: bad order`,
	}
	var got []string
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case m := <-events:
			s, ok := model.EventSummary(m.Subject, m.Data)
			if !ok {
				continue
			}
			got = append(got, s)
			for i, w := range want {
				if strings.Contains(s, w) {
					want = append(want[:i], want[i+1:]...)
					break
				}
			}
		case <-deadline:
			t.Fatalf("missing %q; summaries:\n%s", want, strings.Join(got, "\n"))
		}
	}
}
