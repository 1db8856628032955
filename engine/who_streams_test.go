package engine

import (
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestWhoStores: the streams whose subjects take the message, and of their
// consumers those whose filter takes it; a server without JetStream is no
// stream and no error.
func TestWhoStores(t *testing.T) {
	t.Parallel()
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	ctx := testCtx(t)
	js, _ := jetstream.New(nc)
	for _, c := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.eu.>", "orders.new"}},
		{Name: "NEW", Subjects: []string{"x", "*.created"}, Retention: jetstream.WorkQueuePolicy, NoAck: true},
		{Name: "OTHER", Subjects: []string{"payments.in.>"}},
	} {
		if _, err := js.CreateStream(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []jetstream.ConsumerConfig{
		{Durable: "all"},
		{Durable: "eu", FilterSubject: "orders.eu.>"},
		{Durable: "new", FilterSubjects: []string{"orders.eu.>", "orders.new"}},
	} {
		if _, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, "NEW", jetstream.ConsumerConfig{Durable: "worker"}); err != nil {
		t.Fatal(err)
	}
	j := testJetStream(t, nc)
	for subject, want := range map[string]string{
		"orders.new":    "ORDERS orders.new limits all() new(orders.new)",
		"shop.created":  "NEW *.created workqueue worker()",
		"nobody.stores": "",
	} {
		streams, problems, err := j.WhoStores(ctx, subject)
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: err %v, problems %v", subject, err, problems)
		}
		var rows []string
		for _, ws := range streams {
			row := ws.Name + " " + ws.Subject + " " + ws.Retention
			for _, c := range ws.Consumers {
				row += " " + c.Name + "(" + c.Filter + ")"
			}
			rows = append(rows, row)
		}
		if strings.Join(rows, "; ") != want {
			t.Fatalf("%s: streams %q, want %q", subject, rows, want)
		}
	}

	plain := testkit.Server(t)
	streams, problems, err := testJetStream(t, testkit.Conn(t, plain.ClientURL())).WhoStores(ctx, "orders.new")
	if err != nil || streams != nil || problems != nil {
		t.Fatalf("without JetStream: %v %v %v", streams, problems, err)
	}
	if _, _, err := j.WhoStores(ctx, "orders.*"); err == nil {
		t.Fatal("a wildcard subject was asked about")
	}
}
