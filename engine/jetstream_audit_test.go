package engine

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestOwnAudit: the advisory the server publishes for natsx's own
// JetStream question is recognised on natsx's connection, and not on
// another client's; a plain message is not one.
func TestOwnAudit(t *testing.T) {
	s := testkit.JetStreamServer(t)
	own := testkit.Conn(t, s.ClientURL())
	other := testkit.Conn(t, s.ClientURL())
	audits := make(chan *nats.Msg, 16)
	sub, err := other.ChanSubscribe(jsAuditPrefix, audits)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := other.Flush(); err != nil {
		t.Fatal(err)
	}
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
