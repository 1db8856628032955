package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

// TestJetStreamConsumerSummaries: each consumer's numbers on the board
// are what the test did to it, and the diagnoses name what holds it back:
// one nobody pulls, one at its ack limit, a push consumer without a
// subscriber and one with, one that redelivers, a paused one, and one
// that keeps up.
func TestJetStreamConsumerSummaries(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx := testCtx(t)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := js.Publish(ctx, "s.a", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	create := func(cfg jetstream.ConsumerConfig) jetstream.Consumer {
		t.Helper()
		c, err := s.CreateConsumer(ctx, cfg)
		if err != nil {
			t.Fatalf("consumer %s: %v", cfg.Durable, err)
		}
		return c
	}
	create(jetstream.ConsumerConfig{Durable: "idle"})
	limited := create(jetstream.ConsumerConfig{Durable: "limited", MaxAckPending: 2})
	if b, err := limited.Fetch(2); err != nil {
		t.Fatal(err)
	} else {
		for range b.Messages() { // delivered, never acked
		}
	}
	create(jetstream.ConsumerConfig{Durable: "unbound", DeliverSubject: "deliver.unbound"})
	sub, err := nc.Subscribe("deliver.bound", func(m *nats.Msg) { _ = m.Ack() })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	create(jetstream.ConsumerConfig{Durable: "bound", DeliverSubject: "deliver.bound"})
	until := time.Now().Add(time.Hour)
	create(jetstream.ConsumerConfig{Durable: "paused", PauseUntil: &until})
	redo := create(jetstream.ConsumerConfig{Durable: "redo", AckWait: 200 * time.Millisecond})
	if b, err := redo.Fetch(1); err != nil {
		t.Fatal(err)
	} else {
		for range b.Messages() { // not acked: redelivered after the ack wait
		}
	}
	keeps := create(jetstream.ConsumerConfig{Durable: "keeps"})
	cc, err := keeps.Consume(func(m jetstream.Msg) { _ = m.DoubleAck(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Stop()

	j := testJetStream(t, nc)
	var rows map[string]model.ConsumerSummary
	var diag map[string][]string
	list := func() {
		t.Helper()
		got, err := j.ConsumerSummaries(ctx, "S")
		if err != nil {
			t.Fatal(err)
		}
		rows, diag = map[string]model.ConsumerSummary{}, map[string][]string{}
		for _, r := range got {
			rows[r.Name] = r
			// As a refresh IdlePull later would see them, with nothing
			// else happening meanwhile.
			diag[r.Name] = r.Diagnoses(time.Now().Add(model.IdlePull))
		}
	}
	// The redelivery needs a pull after the ack wait; "keeps" needs time
	// to take and ack all five.
	deadline := time.Now().Add(20 * time.Second)
	for list(); rows["redo"].Redelivered == 0 || rows["keeps"].Pending > 0 || rows["keeps"].AckPending > 0 || rows["bound"].AckPending > 0; list() {
		if time.Now().After(deadline) {
			t.Fatalf("redo %+v keeps %+v", rows["redo"], rows["keeps"])
		}
		if b, err := redo.FetchNoWait(1); err == nil {
			for range b.Messages() {
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(rows) != 7 {
		t.Fatalf("%d consumers listed, want 7", len(rows))
	}
	want := map[string][]string{
		"idle":    {"nobody pulling"},
		"limited": {"nobody pulling", "ack pending at its limit (2)", "acks overdue"},
		"unbound": {"push consumer without a subscriber"},
		"bound":   nil,
		"keeps":   nil,
	}
	for name, w := range want {
		if !slices.Equal(diag[name], w) {
			t.Errorf("%s: diagnoses %q, want %q (%+v)", name, diag[name], w, rows[name])
		}
	}
	if d := diag["redo"]; !slices.ContainsFunc(d, func(s string) bool { return strings.HasPrefix(s, "redelivering ") }) || !slices.Contains(d, "acks overdue") {
		t.Errorf("redo: %q (%+v)", d, rows["redo"])
	}
	if p := diag["paused"]; len(p) != 1 || p[0][:len("paused, ")] != "paused, " {
		t.Errorf("paused: %q", p)
	}
	if r := rows["idle"]; !r.Pull || r.Pending != 5 || r.AckPending != 0 || !r.LastDelivered.IsZero() || r.MaxAckPending != 1000 {
		t.Errorf("idle %+v", r)
	}
	if r := rows["limited"]; r.Pending != 3 || r.AckPending != 2 || r.MaxAckPending != 2 || r.LastDelivered.IsZero() || !r.LastAcked.IsZero() {
		t.Errorf("limited %+v", r)
	}
	if r := rows["bound"]; r.Pull || !r.PushBound {
		t.Errorf("bound %+v", r)
	}
	if r := rows["unbound"]; r.Pull || r.PushBound || r.Pending != 5 {
		t.Errorf("unbound %+v", r)
	}
	if r := rows["keeps"]; r.Waiting == 0 || r.LastAcked.IsZero() {
		t.Errorf("keeps %+v", r)
	}
	if _, err := j.ConsumerSummaries(ctx, "NOPE"); err == nil {
		t.Fatal("no error for a missing stream")
	}
	if _, err := j.ConsumerSummaries(context.Background(), "bad.name"); err == nil {
		t.Fatal("no error for a bad stream name")
	}
}
