package engine

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// SessionOptions say where traffic comes from and how much of it to hold.
type SessionOptions struct {
	// Conn connects to an external server; ignored when Embedded is set.
	Conn ConnOptions
	// Embedded runs natsx's own broker when non-nil.
	Embedded *EmbeddedOptions
	// Demo publishes demo traffic (embedded broker only).
	Demo bool
	// DemoOptions tunes the demo traffic.
	DemoOptions DemoOptions
	// Store bounds the message store between the tap and its readers.
	Store StoreOptions
	// PendingMemory bounds what nats.go may queue for the tap before its
	// callback runs (see PendingLimits); 0 takes the default.
	PendingMemory int64
	// Tap is the subject the tap subscribes to; ">" when empty.
	Tap string
	// PreciseTime stamps each message with time.Now() instead of the 10 ms
	// coarse clock (~50 ns a message): recording needs it so a replay
	// keeps the gaps between messages.
	PreciseTime bool
	// NoTap starts in scoped mode: no ">" subscription, one per filter
	// (see SetScope). A permissions violation on the tap also leads here.
	NoTap bool
}

// Session is one running source of traffic: a connection (to an embedded or
// external broker), the tap that copies every message into the store, and
// optionally the demo publisher. The UI and the recorder read the store.
type Session struct {
	emb      *Embedded
	nc       *nats.Conn
	demoConn *nats.Conn
	demo     *Demo
	// sub is the tap's subscription, nil until startTap sets it: atomic,
	// since the tap's callback (lend, pendingMemory) may ask before then.
	sub     atomic.Pointer[nats.Subscription]
	store   *Store
	clock   *Clock
	url     string
	context string // ContextLabel of the context connected with, for the header
	tap     string
	precise bool
	pending int64 // PendingMemory

	// limits is the message the pending limits were last set for
	// (tunePending).
	limits atomic.Pointer[MsgShape]

	state         atomic.Int32
	reconnects    atomic.Uint64
	clientDropped atomic.Uint64
	lastErr       atomic.Pointer[string]

	loss     lossTracker
	checking sync.WaitGroup // asking the server why it closed a connection
	checkMu  sync.Mutex     // orders goCheck's Add before Close's Wait
	closing  bool           // Close began: no new questions

	scope scope

	prober atomic.Pointer[Prober] // SetProber: the header's probe word
}

// Prober tells what its capability probe found without waiting for it:
// "" while it has not answered (WhoAsker.Probed).
type Prober interface {
	Probed() WhoSource
}

// SetProber makes Status report p's probe result (Probe), "?" until p
// knows it.
func (s *Session) SetProber(p Prober) { s.prober.Store(&p) }

// Open starts the session: broker (if embedded), connection and tap.
func Open(o SessionOptions) (*Session, error) {
	s := &Session{store: NewStore(o.Store), tap: o.Tap, precise: o.PreciseTime, pending: o.PendingMemory}
	if s.pending <= 0 {
		s.pending = DefaultPendingMemory
	}
	s.limits.Store(&MsgShape{Subject: 16, Payload: 16})
	if s.tap == "" {
		s.tap = ">"
	}
	conn := o.Conn
	s.context = ContextLabel(conn.Context)
	if o.Embedded != nil {
		emb, err := StartEmbedded(*o.Embedded)
		if err != nil {
			return nil, err
		}
		s.emb = emb
		conn = ConnOptions{Servers: emb.URL(), Name: "natsx", ConnectTimeout: 2 * time.Second}
		s.context = ""
	}
	s.clock = NewClock()
	nc, err := Connect(conn,
		nats.DisconnectErrHandler(func(nc *nats.Conn, _ error) {
			s.state.Store(int32(model.StateReconnecting))
			// Close reports a disconnect too; that loses nothing anyone reads.
			if !nc.IsClosed() {
				s.loss.disconnected(time.Now())
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			// The questions about the lost connection go out before the
			// state says connected: whoever sees connected sees them
			// under way (a test waits for them).
			lc := s.loss.takeLost()
			s.watchLoss(nc)
			s.goCheck(func() { s.checkLoss(nc, lc) })
			s.reconnects.Add(1)
			s.state.Store(int32(model.StateConnected))
		}),
		nats.ClosedHandler(func(*nats.Conn) { s.state.Store(int32(model.StateClosed)) }),
		// Without our own handler nats.go prints slow-consumer errors to
		// stderr, over the TUI.
		nats.ErrorHandler(s.onAsyncError),
	)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.nc = nc
	s.url = RedactURL(nc.ConnectedUrl())
	if s.url == "" {
		s.url = RedactURL(conn.Servers)
	}
	// Only if no handler ran yet: a disconnect right after Connect must not
	// be overwritten by a stale "connected".
	s.state.CompareAndSwap(int32(model.StateConnecting), int32(model.StateConnected))

	if o.NoTap {
		s.scope.enable()
	} else if err := s.startTap(); err != nil {
		s.Close()
		return nil, err
	}
	// After the tap: startTap reads the connection's last error to learn
	// whether ">" was refused, and a user who may not ask the server
	// questions would otherwise be refused our question first.
	s.watchLoss(nc)

	if o.Demo && s.emb != nil {
		dc, err := Connect(ConnOptions{Servers: s.emb.URL(), Name: "natsx-demo"})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("engine: demo connection: %w", err)
		}
		s.demoConn = dc
		d, err := StartDemo(dc, o.DemoOptions)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.demo = d
	}
	return s, nil
}

// startTap subscribes to the tap subject. When the server refuses it (the
// user may not subscribe to ">"), the session falls back to scoped mode
// instead of failing: the UI then subscribes per filter.
func (s *Session) startTap() error {
	sub, err := s.nc.Subscribe(s.tap, s.onMsg)
	if err != nil {
		return fmt.Errorf("engine: subscribe %q: %w", s.tap, err)
	}
	// The callback only appends to the store, so pending rarely grows; the
	// bound absorbs GC pauses and a busy core during a flood instead of
	// dropping. It cannot make the server disconnect natsx: past it
	// nats.go drops (counted in ClientDropped) and its read loop goes on
	// reading. The server gives up on natsx (a slow consumer, messages
	// lost uncounted) only when that read loop falls max_pending (64 MiB
	// by default) behind or a write to natsx blocks for the write deadline
	// (10 s): what keeps it reading is CPU for the read loop, which is why
	// the explorer's GC must never run back to back (cli.SetExplorerGC).
	sh := s.shape()
	sh.Max = s.nc.MaxPayload()
	s.limits.Store(&sh)
	msgs, bytes := PendingLimits(s.pending, sh)
	if err := sub.SetPendingLimits(msgs, bytes); err != nil {
		return fmt.Errorf("engine: pending limits: %w", err)
	}
	// Make sure the server has the subscription before traffic starts, so
	// "publish N, see N" holds from the first message. The server answers
	// a refused SUB before the PONG, so a violation is known after Flush.
	if err := s.nc.Flush(); err != nil {
		return fmt.Errorf("engine: flush: %w", err)
	}
	if err := s.nc.LastError(); errors.Is(err, nats.ErrPermissionViolation) {
		_ = sub.Unsubscribe()
		s.scope.enable()
		s.scope.setErr(s.tap, err)
		return nil
	}
	s.sub.Store(sub)
	return nil
}

// onMsg is the tap: the store copies the message into its pages, and the
// callback returns.
func (s *Session) onMsg(m *nats.Msg) { s.append(m, "") }

func (s *Session) append(m *nats.Msg, via string) {
	// natsx's own questions to the server (requests with a header, replies
	// to its inboxes, the API advisories of its JetStream questions) are
	// not traffic; plain messages cost a prefix check (isOwnAudit).
	reqrep := isRequestOrReply(m)
	if reqrep && isOwnQuestion(m) || !reqrep && isOwnAudit(s.nc, m) {
		return
	}
	if seq := s.store.Append(tapMessage(m, s.clock.Now(), s.precise || reqrep, via)); seq%lendEvery == 0 {
		s.lend(s.queued(s.shape().Subject))
	}
}

// lendEvery is how often (in messages) the tap tells the store how much
// of the pending share nats.go's queue leaves unused.
const lendEvery = 1024

// lend lets the store use what of the pending share nats.go's queues for
// the tap and the filters do not hold, and takes from its own what they
// hold past it (Store.Lend; never more than half its own): a UI that
// falls behind a flood fills the store, and while the tap's callback
// keeps up nats.go's queue is empty, so the store holds the flood's
// backlog in both shares. The queue keeps its limits (its share). It
// runs every lendEvery messages on the callback and at every pull
// (Memory), which also drops the store's oldest to fit at once (Fit): a
// callback that stalls appends nothing, and the queue it leaves behind
// grows into what the store borrowed, so the two may hold up to what the
// store borrowed past their shares until the next pull.
// queued is what nats.go's queues hold (Session.queued).
func (s *Session) lend(queued int64) {
	s.store.Lend(max(s.pending-queued, -s.store.MaxMemory()/2))
}

// isRequestOrReply is a request or a reply to an inbox: those get exact
// times, since reply latencies are mostly well under the coarse clock's
// 10 ms.
func isRequestOrReply(m *nats.Msg) bool {
	return m.Reply != "" || strings.HasPrefix(m.Subject, "_INBOX.")
}

// tapMessage is m for the store, received at coarse (the coarse clock), or
// at time.Now() when exact: references to nats.go's slices, which the
// store copies (the reply and headers it keeps as they are).
func tapMessage(m *nats.Msg, coarse int64, exact bool, via string) model.Message {
	now := coarse
	if exact {
		now = time.Now().UnixNano()
	}
	return model.Message{
		Received: now,
		Subject:  m.Subject,
		Reply:    m.Reply,
		Header:   model.Header(m.Header),
		Data:     m.Data,
		Size:     len(m.Data),
		Via:      via,
	}
}

// checkLoss asks the server why it closed the connection that the last
// disconnect ended. The server closes a client that reads too slowly
// without a word on the wire (its outbound buffer is what is full), so the
// client only sees EOF; the server's closed-connection record names the
// cause. It runs off nats.go's callback goroutine: the answer takes a
// round trip.
func (s *Session) checkLoss(nc *nats.Conn, lc connRecord) {
	cid, srv := lc.cid, lc.serverID
	var reason string
	// The server records a closed connection once it has torn it down,
	// which may be a moment after the reconnect: ask again a few times.
	for try := 0; try < 5 && reason == ""; try++ {
		if try > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		var err error
		if reason, err = closedReason(nc, s.emb, cid, srv); err != nil || nc.IsClosed() {
			return
		}
	}
	// No record (a server without accounts hides its closed connections
	// from account-scoped questions): a slow consumer counted in our
	// account on that server while it dropped us is taken as us.
	if reason == "" && lc.base >= 0 {
		if n := accountSlowConsumers(nc, s.emb, srv); n > lc.base {
			reason = "Slow Consumer, counted in natsx's account"
		}
	}
	if !isSlowConsumerReason(reason) {
		return
	}
	msg := fmt.Sprintf("the server disconnected natsx as a slow consumer (%s); messages were lost", reason)
	// The message first: a reader that sees the count sees why.
	s.lastErr.Store(&msg)
	s.loss.slowCount.Add(1)
}

// watchLoss notes the connection nc now is and, off the caller's
// goroutine, the account's slow-consumer count on its server: the baseline
// a later disconnect is compared with.
func (s *Session) watchLoss(nc *nats.Conn) {
	c := s.loss.connected(nc)
	s.goCheck(func() { s.loss.setBase(c, accountSlowConsumers(nc, s.emb, c.serverID)) })
}

// goCheck runs a question to the server on its own goroutine, unless Close
// has begun: nats.go may still deliver a reconnect queued before the
// connection closed, and an Add racing Close's Wait would panic.
func (s *Session) goCheck(f func()) {
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	if s.closing {
		return
	}
	s.checking.Add(1)
	go func() {
		defer s.checking.Done()
		f()
	}()
}

func (s *Session) onAsyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	if errors.Is(err, nats.ErrSlowConsumer) {
		s.noteDropped(sub)
	}
	if errors.Is(err, nats.ErrPermissionViolation) {
		if isAskDenied(err) {
			return // a user who may not ask: the loss stays "unknown since"
		}
		if subj := permissionSubject(err); subj != "" {
			s.scope.setErr(subj, err)
		}
	}
	msg := err.Error()
	s.lastErr.Store(&msg)
}

// noteDropped raises the drop counter to sub's count and returns it. The
// counter only grows: once the connection is closed sub.Dropped fails, and
// the last count seen must stand.
func (s *Session) noteDropped(sub *nats.Subscription) uint64 {
	if sub != nil {
		if n, err := sub.Dropped(); err == nil && n > 0 {
			for {
				old := s.clientDropped.Load()
				if uint64(n) <= old || s.clientDropped.CompareAndSwap(old, uint64(n)) {
					break
				}
			}
		}
	}
	return s.clientDropped.Load()
}

// DefaultPendingMemory is the tap's pending bound when the session is not
// given one: 64 MiB, some 400k small messages.
const DefaultPendingMemory = 64 << 20

// pendingMsgBytes is what a message queued in nats.go costs beyond the
// bytes its pending count includes (payload and headers) and its subject:
// the nats.Msg (100 bytes, a 112-byte size class) and the payload's
// rounding.
const pendingMsgBytes = 128

// pendingCost is what a queued message costs beyond its payload and
// headers for messages whose subjects cost subject bytes (Store.Shape).
func pendingCost(subject int64) int64 { return pendingMsgBytes + subject }

// PendingLimits are nats.go pending limits within memory bytes for
// messages of shape sh. nats.go's byte limit bounds their payloads (and
// headers); its message limit bounds the messages' own cost and their
// subjects, which it does not count; together what the queue holds, as
// Memory counts it (messages × pendingCost, plus bytes), stays within
// memory. The split follows the shape: as many messages as memory holds
// of the average one, with at least an eighth of it for payloads, so
// messages bigger than the average still fit, fewer of them, and at least
// an eighth for the messages. The byte limit is never below sh.Max:
// nats.go drops a message that alone passes it, so a 3 MiB message after
// small ones would be lost with the queue empty. Only then may the queue
// hold more than memory, by less than one such message. At 14 MiB
// (the default budget's share): 89k messages of a 16-byte flood on short
// subjects (51k when half went to payloads), 12k of 1 KiB; with 20 KB
// subjects (10,000 tokens), 623.
func PendingLimits(memory int64, sh MsgShape) (msgs, bytes int) {
	cost, p := pendingCost(sh.Subject), max(sh.Payload, 0)
	b := max(min(max(int64(float64(memory)*float64(p)/float64(cost+p)), memory/8), memory/8*7), 64<<10)
	return int(max((memory-b)/cost, 64)), int(max(b, sh.Max))
}

// shape is the message the pending limits were last set for.
func (s *Session) shape() MsgShape { return *s.limits.Load() }

// tunePending keeps the pending limits of the tap (and the scoped
// filters) true to the messages the traffic has: a deep subject costs a
// queued message far more than a short one, and nats.go's byte count
// leaves it out; small payloads leave room for more messages. It runs on
// every Status (each pull), and sets the limits again only when the
// subjects' cost or the payloads moved by an eighth (or 2 bytes).
func (s *Session) tunePending() int64 {
	sh, old := s.store.Shape(), s.shape()
	if s.nc != nil {
		sh.Max = s.nc.MaxPayload()
	}
	moved := func(now, was int64) bool { d := now - was; return d > max(was/8, 2) || -d > max(was/8, 2) }
	if !moved(sh.Subject, old.Subject) && !moved(sh.Payload, old.Payload) && sh.Max == old.Max {
		return old.Subject
	}
	s.limits.Store(&sh)
	if sub := s.sub.Load(); sub != nil {
		_ = sub.SetPendingLimits(PendingLimits(s.pending, sh))
	}
	s.scope.setLimits(s.pending, sh)
	return sh.Subject
}

// pendingMemory is what nats.go holds for the tap, by the estimate
// PendingLimits bounds, for messages whose subjects cost subject bytes.
// The tap's callback asks too, before startTap has set sub.
func (s *Session) pendingMemory(subject int64) int64 {
	sub := s.sub.Load()
	if sub == nil {
		return 0
	}
	msgs, bytes, err := sub.Pending()
	if err != nil {
		return 0
	}
	return int64(msgs)*pendingCost(subject) + int64(bytes)
}

// Memory is what the session holds on the heap for the traffic: the
// store and the messages nats.go queued for the tap. The explorer's
// header adds it to what the UI holds. It also brings the pending limits
// up to date with the subjects the store holds (tunePending).
func (s *Session) Memory() int64 {
	queued := s.queued(s.tunePending())
	s.lend(queued)
	return s.store.Fit() + queued
}

// queued is what nats.go's queues (the tap's and the filters') hold, for
// messages whose subjects cost subject bytes.
func (s *Session) queued(subject int64) int64 {
	return s.pendingMemory(subject) + s.scope.pendingMemory(subject)
}

// Read implements the UI's and recorder's feed: see Store.Read.
func (s *Session) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	return s.store.Read(cursor, buf)
}

// Wait returns when a message at or after cursor is in the store, or
// after d (see Store.Wait).
func (s *Session) Wait(cursor uint64, d time.Duration) { s.store.Wait(cursor, d) }

// Head is where a reader that wants only new messages starts.
func (s *Session) Head() uint64 { return s.store.Head() }

// Held is how many messages the session's store holds.
func (s *Session) Held() int { return s.store.Len() }

// Conn is the session's connection, for publishing and requests.
func (s *Session) Conn() *nats.Conn { return s.nc }

// Embedded returns the embedded broker, nil when connected elsewhere.
func (s *Session) Embedded() *Embedded { return s.emb }

// Status reports connection state and drop counters; cheap enough to call
// on every UI tick.
func (s *Session) Status() model.SourceStatus {
	st := model.SourceStatus{
		URL:           s.url,
		Embedded:      s.emb != nil,
		Context:       s.context,
		Exposed:       s.emb.Exposed(),
		State:         model.ConnState(s.state.Load()),
		Tap:           s.tap,
		ClientDropped: s.noteDropped(s.sub.Load()) + s.scope.dropped(),
		ServerDropped: -1,
		Reconnects:    s.reconnects.Load(),
		Memory:        s.Memory(),

		SlowConsumerEvents: int(s.loss.slowCount.Load()),
		LossUnknownSince:   s.loss.lossSince(),
	}
	if s.emb != nil {
		st.ServerDropped = s.emb.SlowConsumers()
	}
	if s.nc != nil {
		st.Server, st.ServerVersion = s.nc.ConnectedServerName(), s.nc.ConnectedServerVersion()
	}
	if p := s.prober.Load(); p != nil {
		st.Probe = string(cmp.Or((*p).Probed(), "?"))
	}
	if s.scope.enabled() {
		st.Tap = ""
		st.Scoped = true
	}
	st.FilterErrors = s.scope.errors()
	if p := s.lastErr.Load(); p != nil {
		st.LastError = *p
	}
	return st
}

// Close stops the demo, the connection and the broker, in that order.
func (s *Session) Close() {
	if s.demo != nil {
		s.demo.Stop()
	}
	var closed []uint64 // the embedded broker waits for these to go
	closeConn := func(nc *nats.Conn) {
		if s.emb != nil {
			if cid, err := nc.GetClientID(); err == nil {
				closed = append(closed, cid)
			}
		}
		nc.Close()
	}
	if s.demoConn != nil {
		closeConn(s.demoConn)
	}
	if s.nc != nil {
		s.noteDropped(s.sub.Load()) // the subscription's count is gone after Close
		closeConn(s.nc)
	}
	s.checkMu.Lock()
	s.closing = true
	s.checkMu.Unlock()
	s.checking.Wait() // the closed connection ends its question

	if s.emb != nil {
		s.emb.ShutdownAfter(closed...)
	}
	if s.clock != nil {
		s.clock.Stop()
	}
}
