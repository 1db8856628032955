package engine

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestEmbeddedSystemAccount: with a system user the broker answers the
// system account's questions (`nats server list` asks SERVER.PING) for
// that user only, while a client without credentials still lands where
// JetStream is, as on the plain broker.
func TestEmbeddedSystemAccount(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{RandomPort: true, SystemUser: "sys"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	user, pass, ok := e.SystemCredentials()
	if !ok || user != "sys" || len(pass) < 20 {
		t.Fatalf("credentials %q %q %v", user, pass, ok)
	}

	anon, err := nats.Connect(e.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	js, err := jetstream.New(anon)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		t.Fatalf("JetStream for a client without credentials: %v", err)
	}
	if _, err := anon.Request("$SYS.REQ.SERVER.PING", nil, 500*time.Millisecond); err == nil {
		t.Fatal("a client without credentials got an answer from the system account")
	}

	sys, err := nats.Connect(e.URL(), nats.UserInfo(user, pass))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.Request("$SYS.REQ.SERVER.PING", nil, 2*time.Second); err != nil {
		t.Fatalf("the system user's server ping: %v", err)
	}
	if _, err := nats.Connect(e.URL(), nats.UserInfo(user, "wrong")); err == nil {
		t.Fatal("a wrong password was let in")
	}

	plain, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plain.Shutdown)
	if _, _, ok := plain.SystemCredentials(); ok {
		t.Error("the explorer's broker has system credentials it was not asked for")
	}
}
