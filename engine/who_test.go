package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// subscribe makes a named client subscribe to each pattern (queue group
// after a space: "orders.* workers") and waits until the server has them.
func subscribe(t *testing.T, url, name string, patterns ...string) *nats.Conn {
	t.Helper()
	nc := testkit.Conn(t, url, nats.Name(name))
	for _, p := range patterns {
		subj, queue, _ := strings.Cut(p, " ")
		var err error
		if queue != "" {
			_, err = nc.QueueSubscribe(subj, queue, func(*nats.Msg) {})
		} else {
			_, err = nc.Subscribe(subj, func(*nats.Msg) {})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return nc
}

// natsxConn is natsx's side: a connection with a tap on ">", whose
// subscription must be left out of every answer.
func natsxConn(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc := testkit.Conn(t, url, append([]nats.Option{nats.Name("natsx")}, opts...)...)
	if _, err := nc.Subscribe(">", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return nc
}

// who asks with short waits so the suite stays fast.
func who(t *testing.T, nc *nats.Conn, emb *Embedded, subject string) *WhoResult {
	t.Helper()
	a := NewWhoAsker(nc, emb, WhoOptions{Timeout: 500 * time.Millisecond, Gap: 200 * time.Millisecond})
	r, err := a.Who(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rows is the subscribers as "name account server pattern [queue]" lines.
func rows(r *WhoResult) []string {
	var out []string
	for _, s := range r.Subscribers {
		row := fmt.Sprintf("%s %s %s %s", s.Name, s.Account, s.Server, s.Pattern)
		if s.Queue != "" {
			row += " " + s.Queue
		}
		out = append(out, row)
	}
	return out
}

func wantRows(t *testing.T, r *WhoResult, want ...string) {
	t.Helper()
	got := rows(r)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("subscribers:\n%s\nwant:\n%s\n(result %+v)", strings.Join(got, "\n"), strings.Join(want, "\n"), r)
	}
}

func TestWhoPlainServerAccountSource(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, func(o *server.Options) { o.ServerName = "solo" })
	subscribe(t, s.ClientURL(), "billing", "orders.* workers", "orders.new", "invoices.>")
	subscribe(t, s.ClientURL(), "audit", ">")
	subscribe(t, s.ClientURL(), "other", "payments.>")
	nc := natsxConn(t, s.ClientURL())

	r := who(t, nc, nil, "orders.new")
	if r.Source != WhoAccount {
		t.Fatalf("source %q, want acct (an ordinary account may not send SUBSZ)", r.Source)
	}
	wantRows(t, r,
		"audit $G solo >",
		"billing $G solo orders.*"+" workers",
		"billing $G solo orders.new",
	)
	if r.OwnLeftOut != 1 {
		t.Fatalf("own left out %d, want natsx's tap", r.OwnLeftOut)
	}
	if r.Partial() || len(r.Servers) != 1 || r.Servers[0] != "solo" {
		t.Fatalf("servers %v problems %v", r.Servers, r.Problems)
	}
	if !strings.Contains(r.Blind, "system account") {
		t.Fatalf("the account source must say it cannot see other accounts: %q", r.Blind)
	}
	for _, sub := range r.Subscribers {
		if sub.Lang != "go" || sub.Version == "" || sub.CID == 0 {
			t.Fatalf("client details missing: %+v", sub)
		}
	}
}

func TestWhoCountsDelivered(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	subscribe(t, s.ClientURL(), "billing", "orders.new")
	nc := natsxConn(t, s.ClientURL())
	for range 3 {
		if err := nc.Publish("orders.new", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	r := who(t, nc, nil, "orders.new")
	if len(r.Subscribers) != 1 || r.Subscribers[0].Msgs != 3 {
		t.Fatalf("want one subscriber with 3 messages delivered: %+v", r.Subscribers)
	}
}

func TestWhoEmbedded(t *testing.T) {
	t.Parallel()
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	subscribe(t, emb.URL(), "billing", "orders.>")
	nc := natsxConn(t, emb.URL())
	r := who(t, nc, emb, "orders.new")
	if r.Source != WhoEmbedded || r.Blind != "" || r.Partial() {
		t.Fatalf("embedded source must be exact: %+v", r)
	}
	wantRows(t, r, "billing $G natsx-embedded orders.>")
	if r.OwnLeftOut != 1 {
		t.Fatalf("own left out %d", r.OwnLeftOut)
	}
}

func accountsConfig() func(*server.Options) {
	return testkit.Accounts("SYS",
		testkit.User{Name: "a", Password: "a", Account: "A"},
		testkit.User{Name: "a2", Password: "a2", Account: "A"},
		testkit.User{Name: "b", Password: "b", Account: "B"},
		testkit.User{Name: "sys", Password: "sys", Account: "SYS"},
	)
}

func TestWhoAccountsAndSystem(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, accountsConfig(), func(o *server.Options) { o.ServerName = "acc" })
	url := s.ClientURL()
	subscribe(t, withUser(url, "a"), "a-svc", "orders.new")
	subscribe(t, withUser(url, "a2"), "a2-svc", "orders.*")
	subscribe(t, withUser(url, "b"), "b-svc", "orders.new")

	t.Run("account", func(t *testing.T) {
		nc := natsxConn(t, url, nats.UserInfo("a", "a"))
		r := who(t, nc, nil, "orders.new")
		if r.Source != WhoAccount {
			t.Fatalf("source %q", r.Source)
		}
		wantRows(t, r, "a2-svc A acc orders.*", "a-svc A acc orders.new")
		if !strings.Contains(r.Blind, "only this connection's account (A)") {
			t.Fatalf("blind %q", r.Blind)
		}
	})
	t.Run("system", func(t *testing.T) {
		// The account case's connection closed as it ended; until the
		// server has taken it down and removed its subscription to > from
		// account A, that is one more row (once, in a loop of go test
		// ./...). A's interest in orders.new is then a-svc's and a2-svc's.
		a, err := s.LookupAccount("A")
		if err != nil {
			t.Fatal(err)
		}
		sessionWait(t, 5*time.Second, "the account case's connection and its subscription to go", func() bool {
			return s.NumClients() <= 3 && a.Interest("orders.new") <= 2
		})
		nc := natsxConn(t, url, nats.UserInfo("sys", "sys"))
		r := who(t, nc, nil, "orders.new")
		if r.Source != WhoSystem {
			t.Fatalf("source %q", r.Source)
		}
		wantRows(t, r,
			"a2-svc A acc orders.*",
			"a-svc A acc orders.new",
			"b-svc B acc orders.new",
		)
		if r.Partial() {
			t.Fatalf("problems %v", r.Problems)
		}
	})
}

// withUser puts user:user@ (the test users' password is their name) into url.
func withUser(url, user string) string {
	return strings.Replace(url, "nats://", "nats://"+user+":"+user+"@", 1)
}

func TestListNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"n1"}, "n1"},
		{[]string{"n1", "n2"}, "n1 and n2"},
		{[]string{"n1", "n2", "n3"}, "n1, n2 and n3"},
		{[]string{"n1", "n2", "n3", "n4"}, "n1, n2, n3 and 1 more"},
	} {
		if got := listNames(c.names, 3); got != c.want {
			t.Errorf("%v: %q, want %q", c.names, got, c.want)
		}
	}
}

// TestWhoConcurrentAndCancelled: the UI asks from several commands at
// once, and a cancelled question returns at once.
func TestWhoConcurrentAndCancelled(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t)
	subscribe(t, s.ClientURL(), "svc", "orders.new")
	nc := natsxConn(t, s.ClientURL())
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: 300 * time.Millisecond, Gap: 100 * time.Millisecond})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			r, err := a.Who(context.Background(), "orders.new")
			if err == nil && len(r.Subscribers) != 1 {
				err = fmt.Errorf("subscribers %+v", r.Subscribers)
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := NewWhoAsker(nc, nil, WhoOptions{Timeout: 10 * time.Second})
	start := time.Now()
	if _, err := slow.Who(ctx, "orders.new"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("a cancelled question took %s", time.Since(start))
	}
}
