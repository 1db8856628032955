package engine

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// waitLossBaseline waits until the session knows its account's
// slow-consumer count at connect, which it asks for in the background: the
// question and its answer pass through the tap's subscription (it sees
// everything), so a test counting what the tap receives waits for them.
func waitLossBaseline(t *testing.T, sess *Session) {
	t.Helper()
	sessionWait(t, 5*time.Second, "the account's slow-consumer count at connect", func() bool {
		sess.loss.mu.Lock()
		defer sess.loss.mu.Unlock()
		return sess.loss.now.base >= 0
	})
}

// stallProxy forwards TCP connections to a server; while stalled it stops
// reading what the server sends, as a client whose read loop does not keep
// up, so the server's outbound buffer for that client fills.
type stallProxy struct {
	l       net.Listener
	mu      sync.Mutex
	stalled bool
	resume  chan struct{}
}

// newStallProxy listens on a loopback port and forwards to target.
func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{l: l, resume: make(chan struct{})}
	t.Cleanup(func() { _ = l.Close(); p.setStalled(false) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { p.copyFromServer(c, s); _ = c.Close() }()
		}
	}()
	return p
}

func (p *stallProxy) url() string { return "nats://" + p.l.Addr().String() }

func (p *stallProxy) setStalled(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stalled && !on {
		close(p.resume)
		p.resume = make(chan struct{})
	}
	p.stalled = on
}

// copyFromServer copies the server's bytes to the client, waiting while
// stalled before each read.
func (p *stallProxy) copyFromServer(c, s net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		p.mu.Lock()
		stalled, resume := p.stalled, p.resume
		p.mu.Unlock()
		if stalled {
			<-resume
		}
		n, err := s.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestSlowConsumerDisconnectIsReported: the server disconnects a client
// whose reads stall while its outbound buffer for it overflows, and says so
// only in its own log: natsx must report the event and that loss is now
// unknown, with the time it began, instead of a silent reconnect. A server
// without accounts hides the closed connection from natsx's account-scoped
// question (the account's slow-consumer count tells instead); with
// accounts the server names the reason for natsx's connection.
func TestSlowConsumerDisconnectIsReported(t *testing.T) {
	small := func(o *server.Options) { o.MaxPending = 1 << 20 }
	accounts := func(o *server.Options) {
		small(o)
		a := server.NewAccount("A")
		o.Accounts = []*server.Account{a}
		o.Users = []*server.User{{Username: "u", Password: "p", Account: a}}
	}
	for _, tc := range []struct {
		name   string
		mod    func(*server.Options)
		conn   ConnOptions
		reason string
	}{
		{"global account", small, ConnOptions{}, "counted in natsx's account"},
		{"named account", accounts, ConnOptions{User: "u", Password: "p"}, "Slow Consumer (Pending Bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testkit.Server(t, tc.mod)
			proxy := newStallProxy(t, srv.Addr().String())
			co := tc.conn
			co.Servers = proxy.url()
			sess := openSession(t, SessionOptions{Conn: co})
			if st := sess.Status(); st.SlowConsumerEvents != 0 || !st.LossUnknownSince.IsZero() {
				t.Fatalf("fresh session reports loss: %+v", st)
			}
			// A disconnect before the account's count at connect is known
			// cannot be told from any other.
			waitLossBaseline(t, sess)
			pub := testkit.Conn(t, srv.ClientURL(), nats.UserInfo(tc.conn.User, tc.conn.Password))
			before := time.Now()
			proxy.setStalled(true)
			payload := make([]byte, 16<<10)
			// The kernel's socket buffers take some megabytes before the
			// server's own buffer grows; publish until it gives up on natsx.
			for i := 0; srv.NumSlowConsumers() == 0; i++ {
				if i == 100_000 {
					t.Fatal("the server never marked the stalled client as a slow consumer")
				}
				if err := pub.Publish("flood.x", payload); err != nil {
					t.Fatal(err)
				}
				if i%64 == 0 {
					_ = pub.Flush()
				}
			}
			proxy.setStalled(false)

			sessionWait(t, 10*time.Second, "the slow-consumer event in the status", func() bool {
				return sess.Status().SlowConsumerEvents == 1
			})
			st := sess.Status()
			if st.LossUnknownSince.Before(before) || st.LossUnknownSince.After(time.Now()) {
				t.Errorf("LossUnknownSince %v, want the disconnect's time (after %v)", st.LossUnknownSince, before)
			}
			if !strings.Contains(st.LastError, "slow consumer") || !strings.Contains(st.LastError, tc.reason) {
				t.Errorf("LastError %q does not name the slow consumer", st.LastError)
			}
			// natsx's questions to the server are not traffic in the tree.
			msgs := make([]model.Message, 1<<14)
			n, _, _ := sess.Read(0, msgs)
			for _, m := range msgs[:n] {
				if m.Subject != "flood.x" {
					t.Fatalf("the tap shows %q: natsx's own question", m.Subject)
				}
			}
		})
	}
}

// TestLossUnknownAfterServerRestartIsNotSlowConsumer: any disconnect
// loses what was published meanwhile, so LossUnknownSince is set, but only
// the server's reason makes it a slow consumer.
func TestLossUnknownAfterServerRestartIsNotSlowConsumer(t *testing.T) {
	srv := testkit.Server(t)
	proxy := newStallProxy(t, srv.Addr().String())
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: proxy.url()}})
	before := time.Now()
	// Dropping the client's connection on the server side, as a restart or
	// an operator kicking it would.
	cz, err := srv.Connz(&server.ConnzOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cz.Conns {
		srv.DisconnectClientByID(c.Cid)
	}
	sessionWait(t, 10*time.Second, "a reconnect", func() bool { return sess.Status().Reconnects == 1 })
	time.Sleep(300 * time.Millisecond) // let the reason check finish
	st := sess.Status()
	if st.SlowConsumerEvents != 0 {
		t.Errorf("SlowConsumerEvents %d after a plain disconnect, want 0", st.SlowConsumerEvents)
	}
	if st.LossUnknownSince.Before(before) {
		t.Errorf("LossUnknownSince %v, want set at the disconnect (after %v)", st.LossUnknownSince, before)
	}
}

// TestAskDeniedIsSilent: a user who may not send natsx's questions to the
// server must not see a permissions error for something they never asked,
// nor lose the tap to it.
func TestAskDeniedIsSilent(t *testing.T) {
	srv := testkit.Server(t, func(o *server.Options) {
		o.Users = []*server.User{{Username: "u", Password: "p", Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Deny: []string{"$SYS.>"}},
		}}}
	})
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: srv.ClientURL(), User: "u", Password: "p"}})
	if err := sess.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the question is asked in the background
	st := sess.Status()
	if st.LastError != "" || len(st.FilterErrors) != 0 {
		t.Errorf("LastError %q, FilterErrors %v: want nothing about natsx's own question", st.LastError, st.FilterErrors)
	}
	// The refused question must not pass for a refused tap.
	if st.Scoped || st.Tap != ">" {
		t.Errorf("Scoped %v, Tap %q: want the '>' tap", st.Scoped, st.Tap)
	}
}

// TestClosedReasonEmbedded: on natsx's own broker the reason is read in
// process, where the global account's closed connections are visible (the
// account-scoped question over NATS does not see them).
func TestClosedReasonEmbedded(t *testing.T) {
	emb, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	nc := testkit.Conn(t, emb.URL())
	cid, err := nc.GetClientID()
	if err != nil {
		t.Fatal(err)
	}
	srv := nc.ConnectedServerId()
	nc.Close()
	var reason string
	sessionWait(t, 5*time.Second, "the closed connection's record", func() bool {
		reason, err = closedReason(nil, emb, cid, srv)
		return err != nil || reason != ""
	})
	// A client that closes with data unread (the server's PING, say)
	// resets the connection, and the server records "Read Error": a CI
	// run under -race saw it once. Either is the client going away.
	if err != nil || (reason != "Client Closed" && reason != "Read Error") || isSlowConsumerReason(reason) {
		t.Errorf("closedReason = %q, %v; want \"Client Closed\" (or \"Read Error\"), not a slow consumer", reason, err)
	}
	if n := accountSlowConsumers(nil, emb, srv); n != 0 {
		t.Errorf("accountSlowConsumers = %d, want 0", n)
	}
}
