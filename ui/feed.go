package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
	"natsx/where"
)

// Source is where the UI's messages come from: the engine's bounded store,
// read with the UI's own cursor, and the connection's status.
type Source interface {
	// Read copies messages from cursor on into buf; see engine.Store.Read.
	Read(cursor uint64, buf []model.Message) (n int, next, missed uint64)
	// Status reports connection state and drop counters.
	Status() model.SourceStatus
}

// TickInterval is how often the UI pulls from the feed: 20 Hz, whatever
// the message rate.
const TickInterval = 50 * time.Millisecond

// Waiter is a Source that can sleep until a message arrives (the engine's
// store): the UI's idle pulls wait on it, so an idle natsx redraws once a
// second and the first message still shows at once.
type Waiter interface {
	// Wait returns when a message at or after cursor is there, or after d.
	Wait(cursor uint64, d time.Duration)
}

// pull waits d, then reads a batch; an idle pull (d past the tick) on a
// Waiter returns as soon as a message arrives. The cursor and buffer are
// captured by value, so the command touches no model state.
func pull(src Source, cursor uint64, buf []model.Message, d time.Duration) tea.Cmd {
	read := func(now time.Time) tea.Msg {
		n, next, missed := src.Read(cursor, buf)
		return batchMsg{now: now, buf: buf, n: n, next: next, missed: missed, status: src.Status()}
	}
	if d <= 0 {
		return func() tea.Msg { return read(time.Now()) }
	}
	if w, ok := src.(Waiter); ok && d > TickInterval {
		return func() tea.Msg {
			w.Wait(cursor, d)
			return read(time.Now())
		}
	}
	return tea.Tick(d, read)
}

// FPS caps how often the renderer flushes frames. bubbletea's renderer
// wakes at this rate even when idle; data arrives at 20 Hz, so 30 frames a
// second keeps keys snappy (≤33 ms) at half the idle wake-ups of the
// default 60.
const FPS = 30

// batchMsg carries one pull from the feed. buf is the model's reusable
// buffer, handed to the command and back: only one pull is in flight, since
// Init starts the one chain and each batch re-arms it once, after the whole
// batch is applied. (A tag to drop stale pulls was never incremented, as
// nothing restarts the chain; a restart would need it back, and a fresh
// buffer for the new chain.)
//
// A batch too big for one Update comes back as its own continuation: the
// same message with off moved on (see applyBatch), so the buffer stays the
// batch's until its last message is applied.
type batchMsg struct {
	now    time.Time
	buf    []model.Message
	n      int
	next   uint64
	missed uint64
	status model.SourceStatus

	begun bool // beginBatch done: cursor, drops, timeline, clock
	off   int  // buf[:off] is applied (or cut by a rewind) and cleared
	// hit is the breakpoint buf[hitAt] hits, found before it was applied:
	// the parts apply up to it, stop the display there, then go on with
	// the panes paused.
	hit     *where.Breakpoint
	hitAt   int
	data    time.Time // the explorer's clock for the batch (see clock)
	settled time.Time // when the rows were last brought up to date, wall clock
}

// statusMsg shows a transient message in the footer.
type statusMsg struct {
	text  string
	isErr bool
}

func (m *Model) pullCmd(d time.Duration) tea.Cmd {
	if m.src == nil {
		return nil
	}
	return pull(m.src, m.cursor, m.buf, d)
}

// ApplyBudget is the most ingest one Update does: a batch that takes
// longer (65,536 new subjects take 50-100 ms) is applied over several
// Updates, and a key pressed meanwhile is handled between two of them
// rather than after the whole batch. A sixth of a frame: a key waits less
// than a frame. The parts' own cost is small now that a part's View gives
// the last frame again within a frame (see View): with 3 ms parts, each
// drawn, the 1M-subject flood of `go run ./bench` lost 76k-132k messages
// in the store in 4 of 7 runs on a loaded 2-core machine (10 ms: 8k in 1
// of 6; one Update per batch: none in 4, but keys waited 0.6-1 s).
// BenchmarkUpdateFlood1MSubjects: an Update and its View take 5.2 ms at
// the median and 8.8-19 ms at p99 (10 ms parts, each drawn: 10.7 and 60).
const ApplyBudget = 5 * time.Millisecond

// settleEvery is how often the tree's rows are brought up to date while a
// batch is applied in parts: once a frame, not once a part (rebuilding the
// rows costs what is expanded, which can be many rows).
const settleEvery = time.Second / FPS

// ingestClock times the ingest's budget; tests replace it with a clock
// that moves on its own.
var ingestClock = time.Now

// applyBatch applies a pulled batch, ApplyBudget's worth per Update: what
// is left comes back as the same message moved on (off), and the pull is
// re-armed only after the last part, at once when the batch was full (a
// backlog), after the tick interval otherwise.
func (m *Model) applyBatch(b batchMsg) tea.Cmd {
	if !b.begun {
		m.beginBatch(&b)
	}
	start := ingestClock()
	deadline := start.Add(ApplyBudget)
	if b.hit == nil {
		b.hit, b.hitAt = m.nextBreak(b.buf[b.off:b.n])
		b.hitAt += b.off
	}
	end := b.n
	if b.hit != nil {
		end = b.hitAt + 1
	}
	msgs := b.buf[b.off:end]
	k := m.ex.ApplyUntil(msgs, b.status, b.data, func() bool { return ingestClock().Before(deadline) })
	var cmd tea.Cmd
	if b.status.Scoped && !m.scopeSent {
		// The source just told us it is scoped (the explorer knows it
		// now): subscribe the panes.
		m.scopeSent = true
		cmd = m.syncScope()
	}
	m.wall = b.now
	if b.hit != nil && k == len(msgs) {
		m.stopAt(b.hit, &msgs[k-1])
		b.hit = nil
	}
	m.watchAdd(msgs[:k])
	m.flightAdd(msgs[:k])
	// Drop references so payloads don't outlive the batch in the buffer.
	clear(msgs[:k])
	b.off += k
	if b.off < b.n {
		if start.Sub(b.settled) >= settleEvery {
			m.ex.Settle(b.data)
			b.settled = start
		}
		m.midBatch = true
		return tea.Batch(cmd, func() tea.Msg { return b })
	}
	m.ex.Settle(b.data)
	if b.n == len(b.buf) {
		return tea.Batch(cmd, m.pullCmd(0))
	}
	return tea.Batch(cmd, m.pullCmd(m.nextDelay(b.n)))
}

// beginBatch does what a batch does once, before its first part: the
// store's cursor and drops, natsx open's player state and rewind (the
// messages before the last rewind marker are cut here, so the parts apply
// only what follows it), the explorer's clock and the no-listener check's
// sample of the batch's subjects.
func (m *Model) beginBatch(b *batchMsg) {
	b.begun = true
	m.storeDropped += b.missed
	m.cursor = b.next
	msgs := b.buf[:b.n]
	if m.opts.Timeline != nil {
		msgs = m.timelineBatch(msgs, b.missed > 0)
		// The rest after a rewind is buf's tail; what it cut is never applied.
		b.off = b.n - len(msgs)
		clear(b.buf[:b.off])
	}
	b.data = m.clock(b.now)
	if m.listen.rec != nil {
		m.listen.rec.Sample(b.buf[b.off:b.n])
	}
}

// nextDelay backs off when nothing arrives: after a second of empty pulls
// the UI pulls (and so redraws) 4 times a second, then once a second (the
// header's clock and ages move by seconds), so an idle natsx costs almost
// nothing; the first message brings back 20 Hz, at once on a Waiter.
func (m *Model) nextDelay(n int) time.Duration {
	if n > 0 || m.timeline.status.Playing {
		// A playing timeline moves its playhead even between messages.
		m.idlePulls = 0
		return TickInterval
	}
	m.idlePulls++
	switch {
	case m.idlePulls < 20:
		return TickInterval
	case m.idlePulls < 40:
		return 250 * time.Millisecond
	case m.src != nil && isWaiter(m.src):
		return time.Second
	default:
		return 500 * time.Millisecond
	}
}

func isWaiter(src Source) bool {
	_, ok := src.(Waiter)
	return ok
}

// Apply accounts messages directly, through the same ingest as a pull
// (Explorer.Apply on the data's clock); the screenshot generator and tests
// use it to build a scene without a feed.
func (m *Model) Apply(msgs []model.Message, now time.Time, status model.SourceStatus) {
	if m.opts.Timeline != nil {
		m.timeline.status = m.opts.Timeline.Status()
	}
	rest := msgs
	if b, i := m.nextBreak(msgs); b != nil {
		// Up to the hit, the stop, then the rest with the panes paused.
		m.ingest(msgs[:i+1], now, status)
		m.stopAt(b, &msgs[i])
		rest = msgs[i+1:]
	}
	m.ingest(rest, now, status)
	m.watchAdd(msgs)
	m.layoutParts() // as after an Update: View finds everything sized
}

// ingest accounts msgs through the explorer on the data's clock (the
// wall clock of the pull, or natsx open's playhead).
func (m *Model) ingest(msgs []model.Message, wall time.Time, status model.SourceStatus) {
	m.wall = wall
	m.ex.Apply(msgs, status, m.clock(wall))
}
