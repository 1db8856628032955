package cli

import (
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/nats-io/nats-server/v2/server"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
	"natsx/ui"
)

// killSource counts the messages on kill.> the UI read.
type killSource struct {
	*engine.Session
	kill atomic.Int64
}

func (c *killSource) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	n, next, missed := c.Session.Read(cursor, buf)
	for i := range buf[:n] {
		if strings.HasPrefix(buf[i].Subject, "kill.") {
			c.kill.Add(1)
		}
	}
	return n, next, missed
}

// TestClusterKillKeepsCounting (issue 14, Clusters): the explorer on a
// 3-server cluster keeps counting when the server it is connected to is
// killed: it reconnects to another, the header names the new server and
// counts the reconnect, and the tree counts what was published before and
// after exactly once.
func TestClusterKillKeepsCounting(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a cluster server")
	}
	const before, after = 120, 80
	servers := testkit.Cluster(t, 3, nil)
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	b := SplitBudget(64 << 20)
	sess, err := engine.Open(BudgetSession(engine.SessionOptions{Conn: engine.ConnOptions{Servers: strings.Join(urls, ","), Name: "natsx"}}, b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	if err := ChargeBase(&b, sess); err != nil {
		t.Fatal(err)
	}
	var victim, pubSrv *server.Server
	first := sess.Conn().ConnectedServerName()
	for _, s := range servers {
		switch {
		case s.Name() == first:
			victim = s
		case pubSrv == nil:
			pubSrv = s
		}
	}
	if victim == nil {
		t.Fatalf("natsx is connected to %q, none of the cluster", first)
	}
	pub := testkit.Conn(t, pubSrv.ClientURL())
	// The tap's interest has crossed the route to the publisher's server.
	waitInterest(t, pubSrv, "kill.before")

	o := ExplorerOptions(sess, "test", b)
	src := &killSource{Session: sess}
	o.Source, o.Start = src, time.Now()
	m := ui.New(o)
	m.Update(tea.WindowSizeMsg{Width: 240, Height: 40})

	var finished atomic.Bool
	failed := make(chan string, 1)
	go func() {
		for range before {
			_ = pub.Publish("kill.before", []byte("x"))
		}
		_ = pub.Flush()
		deadline := time.Now().Add(20 * time.Second)
		for src.kill.Load() < before {
			if time.Now().After(deadline) {
				failed <- "the messages before the kill did not arrive"
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		victim.Shutdown()
		victim.WaitForShutdown()
		for {
			st := sess.Status()
			if st.State == model.StateConnected && st.Reconnects == 1 && st.Server != "" && st.Server != first {
				break
			}
			if time.Now().After(deadline) {
				failed <- "natsx did not reconnect to another server"
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Only the new subscription is interest now: the killed
		// server's route is gone with it.
		for pubSrv.GlobalAccount().Interest("kill.after") == 0 {
			if time.Now().After(deadline) {
				failed <- "the resubscribed tap never reached the publisher's server"
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		for range after {
			_ = pub.Publish("kill.after", []byte("y"))
		}
		_ = pub.Flush()
		finished.Store(true)
	}()
	driveUI(t, m, func() bool {
		select {
		case f := <-failed:
			t.Fatal(f)
		default:
		}
		return finished.Load() && src.kill.Load() >= before+after
	}, 40*time.Second)

	screen := ansi.Strip(m.Render())
	t.Log(screen)
	lines := strings.Split(screen, "\n")
	now := sess.Conn().ConnectedServerName()
	if !strings.Contains(lines[0], "server "+now) || now == first {
		t.Errorf("the header does not name the new server %q (was %q):\n%s", now, first, strings.Join(lines[:2], "\n"))
	}
	if !strings.Contains(lines[1], "reconnects 1") {
		t.Errorf("the header does not count the reconnect:\n%s", strings.Join(lines[:2], "\n"))
	}
	g := regexp.MustCompile(`[▸▾] kill\s+(\d+)\s`).FindStringSubmatch(screen)
	if g == nil {
		t.Fatalf("no kill row in the tree:\n%s", screen)
	}
	if n, _ := strconv.Atoi(g[1]); n != before+after {
		t.Fatalf("the tree counts %d messages on kill.>, want %d (%d before the kill, %d after):\n%s", n, before+after, before, after, screen)
	}
	if got := src.kill.Load(); got != before+after {
		t.Fatalf("the UI read %d messages on kill.>, want %d", got, before+after)
	}
}

// waitInterest waits until s has interest in subject (a route's or a
// client's subscription).
func waitInterest(t *testing.T, s *server.Server, subject string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.GlobalAccount().Interest(subject) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s: no interest in %s", s.Name(), subject)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
