package engine

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// sessionWait polls cond until it holds, failing after timeout.
func sessionWait(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openSession opens a session that is closed when the test ends.
func openSession(t testing.TB, o SessionOptions) *Session {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// sessionPublisher is a second, plain connection publishing into the broker.
func sessionPublisher(t testing.TB, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	return testkit.Conn(t, url, append(opts, nats.Name("natsx-test-publisher"))...)
}

// drainSession reads from cursor until want messages arrived, returning
// them, the next cursor and how many were missed on the way.
func drainSession(t testing.TB, s *Session, cursor uint64, want int) ([]model.Message, uint64, uint64) {
	t.Helper()
	got := make([]model.Message, 0, want)
	buf := make([]model.Message, 4096)
	var missed uint64
	t.Cleanup(func() {
		// A drain that timed out says what it had and what was lost where.
		if t.Failed() && len(got) < want {
			st := s.Status()
			t.Logf("drained %d of %d, %d missed in the store; client dropped %d, state %v, last error %q",
				len(got), want, missed, st.ClientDropped, st.State, st.LastError)
		}
	})
	sessionWait(t, 20*time.Second, fmt.Sprintf("%d messages in the store", want), func() bool {
		for len(got) < want {
			n, next, m := s.Read(cursor, buf[:min(len(buf), want-len(got))])
			missed += m
			cursor = next
			got = append(got, buf[:n]...)
			if n == 0 {
				return false
			}
		}
		return true
	})
	return got, cursor, missed
}

// captureStderr sends os.Stderr to a pipe until the returned function is
// called (or the test ends); the function returns what was written.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stderr
	os.Stderr = w
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, r)
		close(copied)
	}()
	restore := sync.OnceFunc(func() {
		os.Stderr = orig
		_ = w.Close()
		<-copied
		_ = r.Close()
	})
	t.Cleanup(restore)
	return func() string {
		restore()
		return out.String()
	}
}

// exactMsg is the i-th message of the exactness test: 1,000 subjects,
// replies on every third, headers on every fifth, payloads of 0..1,999 bytes.
func exactMsg(i int) *nats.Msg {
	m := &nats.Msg{Subject: fmt.Sprintf("exact.g%d.s%03d", i%10, i%1000)}
	if i%3 == 0 {
		m.Reply = "reply." + strconv.Itoa(i)
	}
	if i%5 == 0 {
		m.Header = nats.Header{"Idx": {strconv.Itoa(i)}, "X-Multi": {"a", "b c"}}
	}
	// Slices of one shared pattern: nats.go copies on publish, and the
	// offset makes each payload's bytes distinct.
	off := i % 251
	m.Data = exactPattern[off : off+(i*7919)%2000]
	return m
}

var exactPattern = func() []byte {
	b := make([]byte, 251+2000)
	for i := range b {
		b[i] = byte(i * 31 / 7)
	}
	return b
}()

// TestSessionExternalExact: the tap loses nothing and changes nothing: N
// messages published, N in the store, field for field, in order.
func TestSessionExternalExact(t *testing.T) {
	const user, pass = "alice", "pa55-w0rd-XYZ"
	srv := testkit.Server(t, func(o *server.Options) { o.Username, o.Password = user, pass })
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: fmt.Sprintf("nats://%s:%s@%s", user, pass, srv.Addr())}})

	st := sess.Status()
	if st.Embedded || st.State != model.StateConnected || st.ServerDropped != -1 || st.Tap != ">" ||
		st.ClientDropped != 0 || st.Reconnects != 0 || st.LastError != "" {
		t.Fatalf("Status = %+v", st)
	}
	if strings.Contains(st.URL, pass) || !strings.Contains(st.URL, user+":***@") || !strings.Contains(st.URL, srv.Addr().String()) {
		t.Fatalf("Status().URL = %q: want %s with the password redacted", st.URL, srv.Addr())
	}

	const n = 20_000
	pub := sessionPublisher(t, srv.ClientURL(), nats.UserInfo(user, pass))
	start := time.Now()
	// In steps of 2,000 (~2 MB; n is a multiple, so the last step flushes
	// and waits for all), each in the store before the next: on a machine
	// loaded by other packages' tests, 20 MB at once could outrun a
	// starved tap past nats.go's pending bytes, and this test is about
	// what arrives, not about a flood (TestSessionSlowConsumer is).
	for i := range n {
		if err := pub.PublishMsg(exactMsg(i)); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if (i+1)%2000 == 0 {
			if err := pub.Flush(); err != nil {
				t.Fatal(err)
			}
			sessionWait(t, 20*time.Second, fmt.Sprintf("%d messages in the store", i+1), func() bool {
				return sess.Head() >= uint64(i+1) || sess.Status().ClientDropped > 0
			})
			if st := sess.Status(); st.ClientDropped != 0 {
				t.Fatalf("nats.go dropped %d messages", st.ClientDropped)
			}
		}
	}
	got, next, missed := drainSession(t, sess, 0, n)
	if len(got) != n || missed != 0 || next != n {
		t.Fatalf("read %d, missed %d, next %d; want %d, 0, %d", len(got), missed, next, n, n)
	}
	lo, hi := start.Add(-time.Second).UnixNano(), time.Now().Add(time.Second).UnixNano()
	for i, m := range got {
		want := exactMsg(i)
		wantHeader := model.Header(want.Header)
		if m.Seq != uint64(i) || m.Subject != want.Subject || m.Reply != want.Reply ||
			!reflect.DeepEqual(m.Header, wantHeader) || !bytes.Equal(m.Data, want.Data) || m.Size != len(want.Data) {
			t.Fatalf("message %d:\n got  seq %d %q reply %q header %v size %d data %d bytes\n want %q reply %q header %v size %d",
				i, m.Seq, m.Subject, m.Reply, m.Header, m.Size, len(m.Data), want.Subject, want.Reply, wantHeader, len(want.Data))
		}
		if m.Received < lo || m.Received > hi {
			t.Fatalf("message %d received at %d, outside the test's [%d, %d]", i, m.Received, lo, hi)
		}
	}
	// Nothing else arrives: the store holds exactly the N published.
	if err := sess.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	if h := sess.Head(); h != n {
		t.Fatalf("Head = %d, want %d", h, n)
	}
	if st := sess.Status(); st.ClientDropped != 0 || st.LastError != "" {
		t.Fatalf("Status after the burst = %+v", st)
	}
}

// TestSessionTapAndTruncation: Tap narrows what is stored, Store.MaxPayload
// truncates big payloads end to end while Size keeps the wire size.
func TestSessionTapAndTruncation(t *testing.T) {
	srv := testkit.Server(t)
	sess := openSession(t, SessionOptions{
		Conn:  ConnOptions{Servers: srv.ClientURL()},
		Tap:   "keep.>",
		Store: StoreOptions{MaxPayload: 1024},
	})
	if st := sess.Status(); st.Tap != "keep.>" {
		t.Fatalf("Status().Tap = %q", st.Tap)
	}
	pub := sessionPublisher(t, srv.ClientURL())
	big := bytes.Repeat([]byte("natsx"), 20_000)
	for _, m := range []*nats.Msg{
		{Subject: "drop.me", Data: []byte("x")},
		{Subject: "keep.big", Data: big},
		{Subject: "keep.small", Data: []byte("small")},
	} {
		if err := pub.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	got, _, _ := drainSession(t, sess, 0, 2)
	if got[0].Subject != "keep.big" || got[1].Subject != "keep.small" {
		t.Fatalf("subjects %q, %q: the tap should see keep.> only", got[0].Subject, got[1].Subject)
	}
	if b := got[0]; !bytes.Equal(b.Data, big[:1024]) || b.Size != len(big) || !b.Truncated() {
		t.Fatalf("big: %d bytes kept, Size %d; want 1024 and %d", len(b.Data), b.Size, len(big))
	}
	if s := got[1]; string(s.Data) != "small" || s.Truncated() {
		t.Fatalf("small: %q truncated=%v", s.Data, s.Truncated())
	}
	if err := sess.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	if h := sess.Head(); h != 2 {
		t.Fatalf("Head = %d, want 2", h)
	}
}

func TestSessionEmbedded(t *testing.T) {
	sess := openSession(t, SessionOptions{
		Embedded:    &EmbeddedOptions{RandomPort: true},
		Demo:        true,
		DemoOptions: DemoOptions{Rate: 500, Seed: 7},
	})
	st := sess.Status()
	if !st.Embedded || st.State != model.StateConnected || st.ServerDropped != 0 || st.Tap != ">" {
		t.Fatalf("Status = %+v", st)
	}
	u, err := url.Parse(st.URL)
	if err != nil || u.Scheme != "nats" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == strconv.Itoa(DefaultPort) {
		t.Fatalf("Status().URL = %q: want nats://127.0.0.1 on a random port", st.URL)
	}
	emb := sess.Embedded()
	if emb == nil || emb.URL() != st.URL {
		t.Fatalf("Embedded() = %v, want the broker at %s", emb, st.URL)
	}
	if a, ok := emb.Server().Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		t.Fatalf("embedded broker listens on %v, want loopback", emb.Server().Addr())
	}

	msgs, _, _ := drainSession(t, sess, 0, 50)
	for _, m := range msgs {
		if m.Subject == "" || m.Received == 0 || m.Size != len(m.Data) {
			t.Fatalf("demo message %+v", m)
		}
	}

	sess.Close()
	sessionWait(t, 5*time.Second, "state closed", func() bool { return sess.Status().State == model.StateClosed })
	if emb.Server().Running() {
		t.Fatal("embedded server still running after Close")
	}
	nc, err := nats.Connect(st.URL, nats.Timeout(time.Second), nats.NoReconnect(),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err == nil {
		nc.Close()
		t.Fatalf("connected to %s after Close", st.URL)
	}
	sess.Close() // idempotent
}

// TestSessionReconnect restarts the broker under a session: the tap's
// subscription is restored and the store keeps counting where it was, so a
// reader's cursor (and the UI's tree) carries on.
func TestSessionReconnect(t *testing.T) {
	srv1 := testkit.Server(t)
	port := srv1.Addr().(*net.TCPAddr).Port
	clientURL := srv1.ClientURL()
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: clientURL}})

	publish := func(prefix string, n int) {
		t.Helper()
		pub := sessionPublisher(t, clientURL)
		for i := range n {
			if err := pub.Publish(fmt.Sprintf("%s.%d", prefix, i), []byte(prefix)); err != nil {
				t.Fatal(err)
			}
		}
		if err := pub.Flush(); err != nil {
			t.Fatal(err)
		}
		pub.Close()
	}
	check := func(msgs []model.Message, prefix string, firstSeq uint64) {
		t.Helper()
		for i, m := range msgs {
			if want := fmt.Sprintf("%s.%d", prefix, i); m.Subject != want || m.Seq != firstSeq+uint64(i) {
				t.Fatalf("message %d: %q seq %d, want %q seq %d", i, m.Subject, m.Seq, want, firstSeq+uint64(i))
			}
		}
	}

	publish("before", 10)
	msgs, cursor, missed := drainSession(t, sess, 0, 10)
	check(msgs, "before", 0)

	srv1.Shutdown()
	srv1.WaitForShutdown()
	sessionWait(t, 10*time.Second, "state reconnecting", func() bool { return sess.Status().State == model.StateReconnecting })

	testkit.Server(t, func(o *server.Options) { o.Port = port })
	sessionWait(t, 10*time.Second, "state connected", func() bool { return sess.Status().State == model.StateConnected })
	if st := sess.Status(); st.Reconnects < 1 {
		t.Fatalf("Reconnects = %d after a restart", st.Reconnects)
	}
	// nats.go resent the tap's SUB before reporting the reconnect; one round
	// trip makes sure the new server has it before anyone publishes.
	if err := sess.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	// The session asks the new server about the lost connection (CONNZ,
	// retried for ~0.4 s). nats-server 2.15.2 races with itself when it
	// answers CONNZ while it accepts a connection (Connz reads a client
	// field initClient writes): -race reports it in the server's code.
	// The publisher connects once the questions are answered.
	sess.checking.Wait()

	publish("after", 10)
	msgs, next, m := drainSession(t, sess, cursor, 10)
	check(msgs, "after", 10)
	if missed+m != 0 || next != 20 || sess.Head() != 20 {
		t.Fatalf("missed %d, next %d, Head %d; want 0, 20, 20", missed+m, next, sess.Head())
	}
}

// TestSessionSlowConsumer stalls the tap by holding the store's lock from
// the test (same package, no hook needed), so nats.go's pending queue
// overflows. Every message is then either stored or counted in
// ClientDropped, and nats.go prints nothing to stderr.
func TestSessionSlowConsumer(t *testing.T) {
	stderr := captureStderr(t)
	srv := testkit.Server(t)
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: srv.ClientURL()}})
	waitLossBaseline(t, sess) // its question and answer would count in pending
	if err := sess.sub.Load().SetPendingLimits(100, -1); err != nil {
		t.Fatal(err)
	}
	pub := sessionPublisher(t, srv.ClientURL())

	const n = 1000
	sess.store.mu.Lock()
	locked := true
	defer func() {
		if locked {
			sess.store.mu.Unlock()
		}
	}()
	for i := range n {
		if err := pub.Publish("slow."+strconv.Itoa(i), []byte("payload")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	// The PONG comes after all n messages on the tap's connection, so once
	// Flush returns each one is queued for the stalled callback or dropped.
	if err := sess.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	dropped, err := sess.sub.Load().Dropped()
	if err != nil {
		t.Fatal(err)
	}
	pending, _, _ := sess.sub.Load().Pending()
	if dropped <= 0 || dropped+pending < n-1 || dropped+pending > n {
		t.Fatalf("dropped %d, pending %d: want a slow consumer accounting for all %d", dropped, pending, n)
	}
	sess.store.mu.Unlock()
	locked = false

	stored := uint64(n - dropped)
	sessionWait(t, 10*time.Second, "the queued messages in the store", func() bool { return sess.Head() == stored })
	sessionWait(t, 5*time.Second, "the slow-consumer error", func() bool {
		return strings.Contains(sess.Status().LastError, "slow consumer")
	})
	st := sess.Status()
	if st.ClientDropped != uint64(dropped) || st.State != model.StateConnected {
		t.Fatalf("Status = %+v, want ClientDropped %d", st, dropped)
	}
	// The queue drained: new traffic flows again and nothing more is dropped.
	for i := range 10 {
		if err := pub.Publish("after."+strconv.Itoa(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	msgs, _, missed := drainSession(t, sess, 0, int(stored)+10)
	if missed != 0 || msgs[len(msgs)-1].Subject != "after.9" {
		t.Fatalf("missed %d, last %q", missed, msgs[len(msgs)-1].Subject)
	}
	if st := sess.Status(); st.ClientDropped != uint64(dropped) {
		t.Fatalf("ClientDropped = %d after recovery, want %d", st.ClientDropped, dropped)
	}
	t.Logf("published %d: stored %d, dropped %d", n, stored, dropped)

	sess.Close()
	// The counter survives Close: a final status must not count fewer drops.
	if st := sess.Status(); st.ClientDropped != uint64(dropped) {
		t.Fatalf("ClientDropped = %d after Close, want %d", st.ClientDropped, dropped)
	}
	if out := stderr(); out != "" {
		t.Fatalf("stderr got %q; nats.go must not print over the UI", out)
	}
}

// TestSessionOpenFails: a refused connection is one error line without the
// password, and leaves nothing running.
func TestSessionOpenFails(t *testing.T) {
	addr := testkit.RefusedAddr(t)
	s, err := Open(SessionOptions{Conn: ConnOptions{Servers: "nats://bob:hunter2@" + addr}})
	if err == nil {
		s.Close()
		t.Fatalf("Open on a closed port succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, addr) || strings.Contains(msg, "\n") {
		t.Fatalf("error %q: want one line naming %s without the password", msg, addr)
	}
}

// TestPendingBoundFollowsSubjects: nats.go's pending byte count leaves
// subjects out, so a flood of deep subjects (4,000 bytes here; a
// 10,000-token one is 20 KB) queued behind a stalled callback would hold
// a hundred times the bound if the message limit assumed short ones. Once
// the store has seen such subjects, the limits follow them: what the
// queue holds stays within PendingMemory, and Memory counts it.
func TestPendingBoundFollowsSubjects(t *testing.T) {
	const bound, n = 1 << 20, 2000
	deep := func(i int) string { return strings.Repeat("t.", 2000) + strconv.Itoa(i) }
	sess, msgs, _, counted := queueBehindStall(t, bound, n, func(i int) *nats.Msg {
		return &nats.Msg{Subject: deep(i), Data: []byte("x")}
	})
	held := int64(msgs) * (allocBytes(len(deep(0))) + 112)
	t.Logf("%d deep messages queued: %d KiB held, %d KiB counted, of a %d KiB bound", msgs, held>>10, counted>>10, bound>>10)
	if held > bound || msgs >= n {
		t.Errorf("%d messages queued hold %d KiB, over the %d KiB bound", msgs, held>>10, bound>>10)
	}
	if counted < held*9/10 || counted > held*11/10+bound/16 {
		t.Errorf("Memory counts %d KiB for the queue, which holds %d KiB", counted>>10, held>>10)
	}
	sessionWait(t, 10*time.Second, "the slow consumer counted", func() bool { return sess.Status().ClientDropped > 0 })
}

// TestPendingFollowsPayloads: the pending limits follow the payloads and
// headers too, as nats.go counts them. Behind a stalled callback a flood
// of 64-byte payloads with a 49-byte header fills the bound. When half
// the bound was kept for payloads it filled 72% of it (3,641 messages of
// a MiB); with limits set for the first estimate (16 bytes), 26%; with
// limits that leave the headers out, it holds 24% more than the bound.
func TestPendingFollowsPayloads(t *testing.T) {
	const bound = 1 << 20
	perMsg := pendingCost(16) + 64 + 49
	sess, msgs, bytes, counted := queueBehindStall(t, bound, int(4*bound/perMsg), func(i int) *nats.Msg {
		return &nats.Msg{Subject: fmt.Sprintf("bench.%07d", i), Data: make([]byte, 64),
			Header: nats.Header{"K": {strings.Repeat("v", 32)}}}
	})
	if msgs > 0 && int64(bytes/msgs) != perMsg-pendingCost(16) {
		t.Errorf("nats.go counts %d bytes a message, want %d", bytes/msgs, perMsg-pendingCost(16))
	}
	want := int(bound * 17 / 20 / perMsg)
	t.Logf("%d messages of %d bytes queued (want %d): %d KiB counted, of a %d KiB bound", msgs, perMsg, want, counted>>10, bound>>10)
	if msgs < want {
		t.Errorf("%d messages queued, want at least %d: 85%% of the bound", msgs, want)
	}
	if counted > bound {
		t.Errorf("the queue counts %d KiB, over the %d KiB bound", counted>>10, bound>>10)
	}
	sessionWait(t, 10*time.Second, "the overflow counted", func() bool { return sess.Status().ClientDropped > 0 })
}

// queueBehindStall opens a session with a pending bound of bound bytes,
// lets the store see 20 messages msg(0..19) and the limits follow them (a
// pull), then stalls the tap's callback (the store's lock held) while n
// more messages arrive, and returns what nats.go then queues: messages,
// bytes, and what the session counts for them.
func queueBehindStall(t *testing.T, bound int64, n int, msg func(int) *nats.Msg) (sess *Session, msgs, bytes int, counted int64) {
	t.Helper()
	srv := testkit.Server(t)
	sess = openSession(t, SessionOptions{Conn: ConnOptions{Servers: srv.ClientURL()}, PendingMemory: bound, Store: StoreOptionsFor(0)})
	waitLossBaseline(t, sess)
	pub := sessionPublisher(t, srv.ClientURL())
	for i := range 20 {
		if err := pub.PublishMsg(msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	sessionWait(t, 10*time.Second, "the first messages in the store", func() bool { return sess.Head() >= 20 })
	sess.Status() // a pull: the limits follow the messages

	sess.store.mu.Lock()
	for i := range n {
		if err := pub.PublishMsg(msg(20 + i)); err != nil {
			sess.store.mu.Unlock()
			t.Fatal(err)
		}
	}
	err := pub.Flush()
	if err == nil {
		err = sess.Conn().Flush()
	}
	msgs, bytes, perr := sess.sub.Load().Pending()
	counted = sess.pendingMemory(sess.shape().Subject)
	sess.store.mu.Unlock()
	if err != nil || perr != nil {
		t.Fatal(err, perr)
	}
	return sess, msgs, bytes, counted
}

// TestPendingLimits: whatever the messages, the limits keep what the
// queue holds within the memory (messages × their cost, plus bytes), and
// the average message fills it.
func TestPendingLimits(t *testing.T) {
	const memory = 14 << 20
	for _, sh := range []MsgShape{{16, 16, 0}, {16, 0, 0}, {32, 16, 0}, {16, 1024, 0}, {16, 64 << 10, 0}, {20 << 10, 1, 0}, {16, 8 << 20, 0}} {
		msgs, bytes := PendingLimits(memory, sh)
		cost := pendingCost(sh.Subject)
		if int64(msgs)*cost+int64(bytes) > memory {
			t.Errorf("%+v: %d messages and %d bytes hold %d, over %d", sh, msgs, bytes, int64(msgs)*cost+int64(bytes), memory)
		}
		if bytes < memory/8 || msgs < 64 {
			t.Errorf("%+v: %d messages, %d bytes: under the floors", sh, msgs, bytes)
		}
		if fit := min(int64(msgs), int64(bytes)/max(sh.Payload, 1)); sh.Payload <= 64<<10 && fit*(cost+sh.Payload) < memory*17/20 {
			t.Errorf("%+v: %d messages of the shape fit, %d of %d bytes", sh, fit, fit*(cost+sh.Payload), memory)
		}
		t.Logf("%+v: %d messages, %d KiB", sh, msgs, bytes>>10)
	}
	// A message as big as the server sends passes the byte limit alone:
	// nats.go would drop it with the queue empty.
	if _, bytes := PendingLimits(memory, MsgShape{Subject: 16, Payload: 16, Max: 8 << 20}); bytes < 8<<20 {
		t.Errorf("byte limit %d under the server's max_payload", bytes)
	}
}

// TestTapLongSubject: a server that allows long control lines delivers a
// subject of 70,000 bytes (past what a store slot's length holds); the tap
// keeps it whole beside an ordinary one, and the store counts it.
func TestTapLongSubject(t *testing.T) {
	srv := testkit.Server(t, func(o *server.Options) { o.MaxControlLine = 256 << 10 })
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: srv.ClientURL()}})
	pub := sessionPublisher(t, srv.ClientURL())
	long := strings.Repeat("abcd.", 14_000) + "end"
	for _, subj := range []string{long, "short.one"} {
		if err := pub.Publish(subj, []byte(subj[:4])); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	buf := make([]model.Message, 4)
	var got []model.Message
	var cursor uint64
	sessionWait(t, 5*time.Second, "both messages in the store", func() bool {
		n, next, _ := sess.Read(cursor, buf)
		got, cursor = append(got, buf[:n]...), next
		return len(got) >= 2
	})
	if len(got) != 2 || got[0].Subject != long || string(got[0].Data) != "abcd" || got[0].Size != 4 ||
		got[1].Subject != "short.one" || string(got[1].Data) != "shor" {
		t.Fatalf("got %d messages, the first's subject %d bytes: want the 70,003-byte one, then short.one", len(got), len(got[0].Subject))
	}
	if mem := sess.store.Memory(); mem < allocBytes(len(long)) {
		t.Errorf("the store counts %d bytes, less than the long subject's %d", mem, allocBytes(len(long)))
	}
}

// TestStoreBorrowsThePendingShare: the store may use what nats.go's queue
// before it leaves of its share (Session.lend). With nobody reading and
// the callback keeping up, the store holds its own share and what the
// queue leaves of its: more messages than its share alone holds, and the
// two together within their shares (but for what came since the last
// look).
func TestStoreBorrowsThePendingShare(t *testing.T) {
	const share, pending = 2 << 20, 1 << 20
	srv := testkit.Server(t)
	sess := openSession(t, SessionOptions{Conn: ConnOptions{Servers: srv.ClientURL()}, PendingMemory: pending, Store: StoreOptionsFor(share)})
	waitLossBaseline(t, sess)
	pub := sessionPublisher(t, srv.ClientURL())
	const n = 200_000 // some 60 bytes each in the store: 12 MB, four times both shares
	for i := range n {
		if err := pub.Publish(fmt.Sprintf("pool.%06d", i), []byte("0123456789abcdef")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	// nats.go's queue (1 MiB) may drop some when the callback waits for a
	// core: counted.
	sessionWait(t, 20*time.Second, "the flood in the store", func() bool { return sess.Head()+sess.noteDropped(sess.sub.Load()) >= n })
	own := share / (SlotBytes + 27) // what its share alone holds
	held, mem := sess.store.Len(), sess.store.Memory()
	queued := sess.pendingMemory(sess.shape().Subject)
	t.Logf("the store holds %d messages in %d KiB (its share %d KiB holds %d); nats.go's queue %d KiB", held, mem>>10, share>>10, own, queued>>10)
	if int64(held) < own*5/4 {
		t.Errorf("the store holds %d messages, want at least %d: its share's %d and most of what the pending share pays for", held, own*5/4, own)
	}
	if slack := int64(lendEvery) * 128; mem+queued > share+pending+slack {
		t.Errorf("the store (%d KiB) and the queue (%d KiB) hold more than their shares together (%d KiB)", mem>>10, queued>>10, (share+pending)>>10)
	}

}
