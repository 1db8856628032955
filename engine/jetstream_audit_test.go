package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestOwnAudit: the advisory the server publishes for natsx's own
// JetStream question is recognised on natsx's connection, and not on
// another client's; a plain message is not one.
func TestOwnAudit(t *testing.T) {
	s := testkit.JetStreamServer(t)
	own := testkit.Conn(t, s.ClientURL())
	other := testkit.Conn(t, s.ClientURL())
	audits := auditsOn(t, other)
	j := testJetStream(t, own)
	if _, _, err := j.Streams(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-audits:
		if !isOwnAudit(own, m) {
			t.Fatalf("natsx's own question's advisory not recognised: %s", m.Data)
		}
		if isOwnAudit(other, m) {
			t.Fatal("another connection took the advisory for its own")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no API advisory")
	}
	if isOwnAudit(own, &nats.Msg{Subject: "orders.x", Data: []byte(`{"client":{"id":1}}`)}) {
		t.Fatal("a plain message taken for an advisory")
	}
}

// TestOwnAuditDomain: from a leaf node, natsx's questions to the hub's
// domain come back as advisories naming the leaf node's connection, not
// natsx's: they are still recognised as natsx's own, on its connection
// only, and another client's question to the hub is not.
func TestOwnAuditDomain(t *testing.T) {
	_, leaf := testkit.JetStreamDomains(t, "hub", "leaf")
	own := testkit.Conn(t, leaf.ClientURL())
	other := testkit.Conn(t, leaf.ClientURL())
	audits := auditsOn(t, other)
	next := func() *nats.Msg {
		t.Helper()
		select {
		case m := <-audits:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no API advisory from the hub")
		}
		return nil
	}
	j, err := NewJetStream(own, JetStreamOptions{Domain: "hub"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := j.StreamInfo(testCtx(t), "NOPE"); !errors.Is(err, ErrStreamNotFound) {
		t.Fatal(err)
	}
	m := next()
	if isOwnAudit(other, m) {
		t.Fatal("another connection took natsx's advisory for its own")
	}
	if !isOwnAudit(own, m) {
		t.Fatalf("natsx's own question to the hub not recognised: %s", m.Data)
	}
	if isOwnAudit(own, m) {
		t.Fatal("one question's advisory recognised twice")
	}
	// Another client on the leaf asks the hub the same.
	ojs, err := jetstream.NewWithDomain(other, "hub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ojs.Stream(testCtx(t), "NOPE"); err == nil {
		t.Fatal("stream NOPE found")
	}
	if m := next(); isOwnAudit(own, m) {
		t.Fatalf("another client's question taken for natsx's: %s", m.Data)
	}
}

// auditsOn subscribes nc to JetStream's API advisories, ready when it
// returns.
func auditsOn(t *testing.T, nc *nats.Conn) chan *nats.Msg {
	t.Helper()
	audits := make(chan *nats.Msg, 16)
	sub, err := nc.ChanSubscribe(jsAuditPrefix, audits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return audits
}
