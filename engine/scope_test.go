package engine

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// TestScopedModeOnPermissionViolation: a user who may not subscribe to ">"
// gets scoped mode instead of an error, per-filter subscriptions deliver
// tagged messages, and a refused filter is reported for that filter only.
func TestScopedModeOnPermissionViolation(t *testing.T) {
	s := testkit.Server(t, func(o *server.Options) {
		o.Users = []*server.User{{
			Username: "u", Password: "p",
			Permissions: &server.Permissions{
				Subscribe: &server.SubjectPermission{Allow: []string{"sensors.>", "orders.*", "_INBOX.>"}},
				Publish:   &server.SubjectPermission{Allow: []string{">"}},
			},
		}}
	})
	sess, err := Open(SessionOptions{Conn: ConnOptions{Servers: s.ClientURL(), User: "u", Password: "p"}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer sess.Close()
	if !sess.Scoped() || !sess.Status().Scoped || sess.Status().Tap != "" {
		t.Fatalf("want scoped mode after the '>' refusal, status %+v", sess.Status())
	}
	if err := sess.SetScope([]string{"sensors.>", "orders.*", "secret.>"}); err != nil {
		t.Fatalf("SetScope: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for sess.Status().FilterErrors["secret.>"] == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no error reported for the refused filter: %+v", sess.Status().FilterErrors)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if e := sess.Status().FilterErrors; e["sensors.>"] != "" || e["orders.*"] != "" {
		t.Fatalf("allowed filters reported errors: %v", e)
	}

	pub, err := nats.Connect(s.ClientURL(), nats.UserInfo("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for _, subj := range []string{"sensors.a.b", "orders.new", "other.x", "secret.y"} {
		if err := pub.Publish(subj, []byte(subj)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	buf := make([]model.Message, 16)
	var cursor uint64
	for len(got) < 2 && time.Now().Before(deadline) {
		n, next, _ := sess.Read(cursor, buf)
		for _, m := range buf[:n] {
			got[m.Subject] = m.Via
		}
		cursor = next
		time.Sleep(5 * time.Millisecond)
	}
	want := map[string]string{"sensors.a.b": "sensors.>", "orders.new": "orders.*"}
	if len(got) != len(want) || got["sensors.a.b"] != want["sensors.a.b"] || got["orders.new"] != want["orders.new"] {
		t.Fatalf("got %v, want %v", got, want)
	}

	// Removing a filter unsubscribes it and forgets its error.
	if err := sess.SetScope([]string{"orders.*"}); err != nil {
		t.Fatal(err)
	}
	if _, bad := sess.Status().FilterErrors["secret.>"]; bad {
		t.Fatal("error of a removed filter still reported")
	}
}

// TestNoTapStartsScoped: --no-tap subscribes to nothing until filters come.
func TestNoTapStartsScoped(t *testing.T) {
	s := testkit.Server(t)
	sess, err := Open(SessionOptions{Conn: ConnOptions{Servers: s.ClientURL()}, NoTap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if !sess.Status().Scoped {
		t.Fatal("not scoped")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.Publish("a.b", nil)
	_ = nc.Flush()
	if err := sess.SetScope([]string{"a.*"}); err != nil {
		t.Fatal(err)
	}
	_ = nc.Publish("a.c", nil)
	_ = nc.Publish("b.c", nil)
	_ = nc.Flush()
	buf := make([]model.Message, 8)
	deadline := time.Now().Add(5 * time.Second)
	var seen []string
	var cursor uint64
	for len(seen) < 1 && time.Now().Before(deadline) {
		n, next, _ := sess.Read(cursor, buf)
		for _, m := range buf[:n] {
			seen = append(seen, m.Subject)
		}
		cursor = next
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	n, _, _ := sess.Read(cursor, buf)
	if len(seen) != 1 || seen[0] != "a.c" || n != 0 {
		t.Fatalf("saw %v (+%d more), want only a.c", seen, n)
	}
}

// TestScopedPendingShare: the filters share the tap's pending bound
// equally, however many there are: two filters each get half of it, one
// gets all of it, and the bound holds whatever the count.
func TestScopedPendingShare(t *testing.T) {
	s := testkit.Server(t)
	const pending = 9 << 20
	sess, err := Open(SessionOptions{Conn: ConnOptions{Servers: s.ClientURL()}, NoTap: true, PendingMemory: pending})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	limits := func() (n int, msgs, bytes int) {
		defer sess.scope.lock()()
		for _, sub := range sess.scope.subs {
			m, b, err := sub.PendingLimits()
			if err != nil {
				t.Fatal(err)
			}
			if n > 0 && (m != msgs || b != bytes) {
				t.Fatalf("filters' limits differ: %d/%d and %d/%d", msgs, bytes, m, b)
			}
			n, msgs, bytes = n+1, m, b
		}
		return n, msgs, bytes
	}
	for _, patterns := range [][]string{{"a.>", "b.*"}, {"a.>"}, {"a.>", "b.*", "c", "d.>"}} {
		if err := sess.SetScope(patterns); err != nil {
			t.Fatal(err)
		}
		n, msgs, bytes := limits()
		wantMsgs, wantBytes := PendingLimits(pending/int64(len(patterns)), sess.shape())
		if n != len(patterns) || msgs != wantMsgs || bytes != wantBytes {
			t.Errorf("%d filters: %d subscriptions with limits %d msgs, %d bytes; want %d, %d", len(patterns), n, msgs, bytes, wantMsgs, wantBytes)
		}
	}
}
