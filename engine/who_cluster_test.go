package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestWhoClusterFindsRemoteSubscriber is the cluster case of issue #14:
// natsx is connected to n1, the subscriber to n3, and every server answers
// for its own clients.
func TestWhoClusterFindsRemoteSubscriber(t *testing.T) {
	t.Parallel()
	t.Run("account", func(t *testing.T) {
		servers := testkit.Cluster(t, 3, nil)
		subscribe(t, servers[2].ClientURL(), "remote-svc", "orders.* workers")
		subscribe(t, servers[1].ClientURL(), "bystander", "payments.>")
		nc := natsxConn(t, servers[0].ClientURL())
		r := who(t, nc, nil, "orders.new")
		if r.Source != WhoAccount {
			t.Fatalf("source %q", r.Source)
		}
		wantRows(t, r, "remote-svc $G n3 orders.* workers")
		if strings.Join(r.Servers, ",") != "n1,n2,n3" || r.Partial() {
			t.Fatalf("servers %v problems %v", r.Servers, r.Problems)
		}
		if r.OwnLeftOut != 1 {
			t.Fatalf("own left out %d", r.OwnLeftOut)
		}
	})
	t.Run("system", func(t *testing.T) {
		servers := testkit.Cluster(t, 3, func(_ int, o *server.Options) { accountsConfig()(o) })
		subscribe(t, withUser(servers[2].ClientURL(), "b"), "remote-b", "orders.new")
		subscribe(t, withUser(servers[1].ClientURL(), "a"), "remote-a", "orders.>")
		nc := natsxConn(t, servers[0].ClientURL(), nats.UserInfo("sys", "sys"))
		r := who(t, nc, nil, "orders.new")
		if r.Source != WhoSystem {
			t.Fatalf("source %q", r.Source)
		}
		wantRows(t, r, "remote-a A n2 orders.>", "remote-b B n3 orders.new")
		if strings.Join(r.Servers, ",") != "n1,n2,n3" || r.Partial() {
			t.Fatalf("servers %v problems %v", r.Servers, r.Problems)
		}
	})
}

// TestWhoClusterServerNotAnswering: one server of three has no system
// account, so it answers no monitoring request; the answer lists what the
// others said and names the silent server (its peers' routes name it).
func TestWhoClusterServerNotAnswering(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, func(i int, o *server.Options) {
		accountsConfig()(o)
		if i == 2 {
			o.SystemAccount, o.NoSystemAccount = "", true
		}
	})
	subscribe(t, withUser(servers[1].ClientURL(), "a"), "near", "orders.new")
	subscribe(t, withUser(servers[2].ClientURL(), "a"), "silent", "orders.new")
	nc := natsxConn(t, servers[0].ClientURL(), nats.UserInfo("sys", "sys"))
	r := who(t, nc, nil, "orders.new")
	if r.Source != WhoSystem {
		t.Fatalf("source %q", r.Source)
	}
	wantRows(t, r, "near A n2 orders.new")
	if !r.Partial() || r.Problems[0] != "n3 did not answer within 500ms" {
		t.Fatalf("a silent server must make the answer partial: servers %v problems %q", r.Servers, r.Problems)
	}
}

func TestWhoLimitSaysSo(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, accountsConfig())
	for _, name := range []string{"s1", "s2", "s3"} {
		subscribe(t, withUser(s.ClientURL(), "a"), name, "orders.new")
	}
	for _, user := range []string{"a", "sys"} {
		nc := natsxConn(t, s.ClientURL(), nats.UserInfo(user, user))
		a := NewWhoAsker(nc, nil, WhoOptions{Timeout: 500 * time.Millisecond, Gap: 100 * time.Millisecond, Limit: 2})
		r, err := a.Who(context.Background(), "orders.new")
		if err != nil {
			t.Fatal(err)
		}
		// natsx's own taps may take a place in the server's page.
		if len(r.Subscribers) == 0 || len(r.Subscribers) > 2 || !r.Partial() {
			t.Fatalf("%s: a limit of 2 must list at most 2 and say more exist: %d listed, problems %v", user, len(r.Subscribers), r.Problems)
		}
	}
}

func TestWhoBadSubject(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	nc := natsxConn(t, s.ClientURL())
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: 200 * time.Millisecond})
	for _, subj := range []string{"", "orders.*", "orders.>", "a b", "a..b", ".a"} {
		if _, err := a.Who(context.Background(), subj); !errors.Is(err, ErrBadSubject) {
			t.Errorf("%q: err %v, want ErrBadSubject", subj, err)
		}
	}
}

// TestWhoNoSystemAccount: a server without a system account answers no
// monitoring request; the asker says so instead of failing. Without a tap
// the server's "no responders" says it at once; with natsx's tap on ">"
// the request has a subscriber (the tap), so only the timeout tells.
func TestWhoNoSystemAccount(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, func(o *server.Options) { o.NoSystemAccount = true })
	subscribe(t, s.ClientURL(), "svc", "orders.new")
	for _, tap := range []bool{false, true} {
		var nc *nats.Conn
		if tap {
			nc = natsxConn(t, s.ClientURL())
		} else {
			nc = testkit.Conn(t, s.ClientURL())
		}
		// Without the tap "no responders" comes back at once: a long
		// timeout tells that apart from waiting it out on any machine.
		timeout := 5 * time.Second
		if tap {
			timeout = 300 * time.Millisecond
		}
		start := time.Now()
		a := NewWhoAsker(nc, nil, WhoOptions{Timeout: timeout, Gap: 100 * time.Millisecond})
		r, err := a.Who(context.Background(), "orders.new")
		if err != nil {
			t.Fatal(err)
		}
		if r.Source != WhoNone || !r.Partial() || len(r.Subscribers) != 0 || !strings.Contains(r.Blind, "cannot be listed") {
			t.Fatalf("tap %v: result %+v", tap, r)
		}
		if d := time.Since(start); !tap && d > 2*time.Second {
			t.Fatalf("took %s: no responders is known at once", d)
		}
	}
}
