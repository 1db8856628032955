package model

import (
	"fmt"
	"slices"
	"time"
)

// MaxPanes is the most filter panes an Explorer keeps: markers stay single
// digits and tiles stay readable.
const MaxPanes = 9

// Request/reply links an Explorer keeps: outstanding requests and how long
// one may wait for its answer.
const (
	explorerPendingRequests = 10000
	explorerReplyTimeout    = 30 * time.Second
)

// ExplorerOptions configure an Explorer.
type ExplorerOptions struct {
	// Tree bounds the subject tree's memory; the filter panes' kept
	// messages are charged to the same budget.
	Tree TreeOptions
	// PaneDepth is how many messages each pane keeps (0: DefaultPaneDepth).
	PaneDepth int
}

// Explorer is everything natsx shows from the traffic, and the one place
// that decides how a message is counted: the subject tree and its view,
// the global throughput, the request/reply links and the filter panes.
// The UI, `natsx tree`, the screenshots and the benchmarks all ingest
// through Apply, so they cannot count differently. Time is passed in.
//
// Not safe for concurrent use: one goroutine owns it.
type Explorer struct {
	opts    ExplorerOptions
	tree    *Tree
	view    *TreeView
	tp      *Throughput
	replies *ReplyTracker
	status  SourceStatus
	now     time.Time

	panes  []*Pane
	nextID int
	// scopeOrder is the distinct pane patterns in the order they were last
	// subscribed (see ScopePatterns): in scoped mode it decides which
	// delivery of a message the tree counts. Moving a pane does not change
	// it, because moving does not resubscribe.
	scopeOrder []Pattern
	// reserved is memory held for the tree's budget outside the panes
	// (the UI's watched field's series), see Reserve.
	reserved int64
}

// NewExplorer returns an empty explorer that began observing at start.
func NewExplorer(o ExplorerOptions, start time.Time) *Explorer {
	if o.Tree.MaxMemory <= 0 {
		o.Tree.MaxMemory = DefaultTreeOptions().MaxMemory
	}
	e := &Explorer{
		opts: o,
		now:  start,
		// Until the source reports, the server's drop count is unknown.
		status: SourceStatus{ServerDropped: -1},
	}
	e.resetCounts(start.UnixNano())
	return e
}

// resetCounts starts the tree, the throughput and the request/reply links
// afresh from since (Unix ns); the tree view keeps its sort, noise and
// height, which are the user's, not the traffic's.
func (e *Explorer) resetCounts(since int64) {
	old := e.view
	e.tree = NewTree(e.opts.Tree, since)
	e.view = NewTreeView(e.tree)
	if old != nil {
		e.view.Sort, e.view.ShowNoise = old.Sort, old.ShowNoise
		e.view.SetHeight(old.Height())
	}
	e.tp = NewThroughput(since)
	e.replies = NewReplyTracker(explorerPendingRequests, explorerReplyTimeout)
}

// Apply accounts a batch of messages read at now (the data's clock: the
// wall clock, or a capture's playhead) with the source's status, then
// expires unanswered requests and brings the tree's rows up to now: all of
// ApplyUntil, then Settle.
func (e *Explorer) Apply(batch []Message, status SourceStatus, now time.Time) {
	e.ApplyUntil(batch, status, now, nil)
	e.Settle(now)
}

// ApplyCheck is how many messages ApplyUntil accounts between two calls of
// its more: a new subject costs ~1-2 µs, so a block overshoots a deadline
// by ~0.1 ms, and a clock read (~50 ns) costs under a nanosecond a message.
const ApplyCheck = 64

// ApplyUntil accounts batch's messages in order, in blocks of ApplyCheck,
// for as long as more (called after each block; nil: never stop) says so,
// and returns how many it accounted, at least one block's worth. The UI
// applies a big batch over several Updates this way, a few milliseconds
// each, so a key never waits behind a whole batch; the caller applies the
// rest later, in order, with the same status and now. Messages are counted
// exactly as by one Apply, however the batch is cut. It leaves the rows
// alone: call Settle before they are shown, once a frame is enough.
func (e *Explorer) ApplyUntil(batch []Message, status SourceStatus, now time.Time, more func() bool) int {
	// The status first: its refused filters decide what the tree counts.
	e.status = status
	e.now = now
	if len(batch) == 0 {
		e.settleStart(nil, now) // else the first block's call covers now
	}
	done := 0
	for done < len(batch) {
		block := batch[done:min(done+ApplyCheck, len(batch))]
		// Block by block: scanning a whole 65,536-message batch for its
		// earliest time cost the first Update its budget in cache misses.
		e.settleStart(block, now)
		e.tree.prefetch(block)
		for i := range block {
			e.tree.hints.i = i
			e.account(&block[i])
		}
		e.tree.dropHints()
		done += len(block)
		if more != nil && !more() {
			break
		}
	}
	// The panes' messages count against the same budget: the tree keeps
	// fewer of its own while they hold theirs.
	e.Reserve(e.reserved)
	return done
}

// Reserve sets what else than the panes holds memory out of the tree's
// budget (n bytes, 0 for nothing), at once and after every batch.
func (e *Explorer) Reserve(n int64) {
	e.reserved = n
	e.tree.Reserve(e.PaneMemory() + n)
}

// Settle brings the tree's rows up to now and expires unanswered requests:
// the work of a frame rather than of a message, done once a batch (or a
// frame, while a big batch is applied in parts) is accounted.
func (e *Explorer) Settle(now time.Time) {
	e.now = now
	e.view.Refresh(now.UnixNano())
	e.replies.Expire(now)
}

// settleStart moves the start of observation back to the data's clock
// while nothing has been counted; batch is what is about to be. natsx open
// starts the explorer at the wall clock but runs it on the capture's
// playhead, and a start in the data's future would make young rate windows
// divide by the whole window (13/s shown for 66/s). The earliest of the
// playhead and the batch's receive times is when observation began on that
// clock. Live, the start precedes every message and the pull's clock, so
// nothing moves.
func (e *Explorer) settleStart(batch []Message, now time.Time) {
	if e.tree.Msgs > 0 {
		return
	}
	first := now.UnixNano()
	for i := range batch {
		if r := batch[i].Received; r > 0 { // a message without a time says nothing
			first = min(first, r)
		}
	}
	if first >= e.tree.Since() {
		return
	}
	e.resetCounts(first)
	for _, p := range e.panes {
		p.Opened = min(p.Opened, first)
	}
}

// account applies one message to the tree and the panes. With the ">" tap
// every message arrives once and panes match it themselves. In scoped mode
// a message arrives once per matching subscription (Via): each pane takes
// the delivery of its own pattern, and the tree counts only the delivery of
// the first matching pattern the server accepted, so it still counts each
// message once.
func (e *Explorer) account(msg *Message) {
	wire := msg.WireBytes()         // walks the headers: once, not once per counter
	dlv := deliveryCount(msg.Reply) // parses the reply: once, likewise
	if msg.Via == "" {
		e.count(msg, wire, dlv)
		for _, p := range e.panes {
			if p.Pattern.Match(msg.Subject) {
				p.add(msg, wire, dlv)
			}
		}
		return
	}
	for _, pat := range e.scopeOrder {
		if _, refused := e.status.FilterErrors[pat.String()]; refused {
			// The server refused it, so it delivers nothing: the next
			// matching filter's copy is the one the tree must count.
			continue
		}
		if pat.Match(msg.Subject) {
			if pat.String() == msg.Via {
				e.count(msg, wire, dlv)
			}
			break
		}
	}
	for _, p := range e.panes {
		if p.Pattern.String() == msg.Via {
			p.add(msg, wire, dlv)
		}
	}
}

// count is what one message adds outside the panes.
func (e *Explorer) count(msg *Message, wire int, dlv uint64) {
	e.tree.apply(msg, wire, dlv)
	e.tp.Add(msg.Received, wire)
	e.replies.Observe(msg)
}

// Rewind starts every count over from since (Unix ns): tree, throughput,
// request/reply links and the panes' lists. Panes keep their patterns,
// names and places; sort, noise and the memory budget stay.
func (e *Explorer) Rewind(since int64) {
	e.resetCounts(since)
	for i, p := range e.panes {
		np := NewPane(p.ID, p.Pattern, e.opts.PaneDepth, e.paneBytes())
		np.Name, np.Opened, np.Where = p.Name, since, p.Where
		e.panes[i] = np
	}
}

// AfterRewind finds the last rewind marker (a message on subject) in msgs.
// When there is one, the messages before it belong to the stretch being
// played again and go with the old counts: it returns the messages after
// it and the time the counts start over from (the earlier of head, the
// playhead, and the first message after the marker).
func AfterRewind(msgs []Message, subject string, head int64) (rest []Message, since int64, ok bool) {
	last := -1
	for i := range msgs {
		if len(msgs[i].Subject) == len(subject) && msgs[i].Subject == subject {
			last = i
		}
	}
	if last < 0 {
		return msgs, 0, false
	}
	rest, since = msgs[last+1:], head
	if len(rest) > 0 {
		since = min(since, rest[0].Received)
	}
	return rest, since, true
}

// Tree is the subject tree.
func (e *Explorer) Tree() *Tree { return e.tree }

// TreeView is the tree's rows as shown; it is replaced by Rewind.
func (e *Explorer) TreeView() *TreeView { return e.view }

// Throughput is the global msgs/s and bytes/s.
func (e *Explorer) Throughput() *Throughput { return e.tp }

// Replies is the request/reply tracker.
func (e *Explorer) Replies() *ReplyTracker { return e.replies }

// Status is the source's status as of the last Apply.
func (e *Explorer) Status() SourceStatus { return e.status }

// Now is the data's clock as of the last Apply (the start before any).
func (e *Explorer) Now() time.Time { return e.now }

// MemoryBudget is the bytes the tree and the panes share.
func (e *Explorer) MemoryBudget() int64 { return e.opts.Tree.MaxMemory }

// MemoryUsed is what the tree and the panes hold against the budget.
func (e *Explorer) MemoryUsed() int64 { return e.tree.MemoryUsed() + e.PaneMemory() }

// Panes are the filter panes in display order; callers may change a pane
// (name, scroll, pause) but not the slice.
func (e *Explorer) Panes() []*Pane { return e.panes }

// PaneMemory is what the panes' kept messages cost the budget.
func (e *Explorer) PaneMemory() int64 {
	var n int64
	for _, p := range e.panes {
		n += p.MemoryUsed()
	}
	return n
}

// paneBytes is each pane's share of the memory budget for kept payloads:
// a quarter of the budget split over the panes there can be.
func (e *Explorer) paneBytes() int64 { return e.opts.Tree.MaxMemory / 4 / MaxPanes }

// AddPane opens a pane for p at the end, watching from opened (Unix ns).
func (e *Explorer) AddPane(p Pattern, opened int64) (*Pane, error) {
	if len(e.panes) >= MaxPanes {
		return nil, fmt.Errorf("at most %d filter panes", MaxPanes)
	}
	e.nextID++
	pane := NewPane(e.nextID, p, e.opts.PaneDepth, e.paneBytes())
	pane.Opened = opened
	e.panes = append(e.panes, pane)
	e.rescope()
	return pane, nil
}

// ClosePane removes pane i (out of range: nothing).
func (e *Explorer) ClosePane(i int) {
	if i < 0 || i >= len(e.panes) {
		return
	}
	e.panes = slices.Delete(e.panes, i, i+1)
	e.rescope()
}

// ClearPanes removes every pane (before loading a saved set).
func (e *Explorer) ClearPanes() {
	e.panes = nil
	e.rescope()
}

// SwapPanes exchanges panes i and j in the display order. The scope order
// stays: the subscriptions are not made again.
func (e *Explorer) SwapPanes(i, j int) {
	e.panes[i], e.panes[j] = e.panes[j], e.panes[i]
}

// rescope takes the distinct pane patterns, first of each, as the order of
// subscription: the pane set changed, so the source is told again.
func (e *Explorer) rescope() {
	e.scopeOrder = e.scopeOrder[:0]
	for _, p := range e.panes {
		if !slices.ContainsFunc(e.scopeOrder, func(q Pattern) bool { return q.String() == p.Pattern.String() }) {
			e.scopeOrder = append(e.scopeOrder, p.Pattern)
		}
	}
}

// ScopeCount is how many patterns a scoped source subscribes (the
// header's "scoped: N filters"), without building them.
func (e *Explorer) ScopeCount() int { return len(e.scopeOrder) }

// ScopePatterns is what a scoped source must subscribe, in order: the
// distinct pane patterns as of the last pane added or closed.
func (e *Explorer) ScopePatterns() []string {
	out := make([]string, len(e.scopeOrder))
	for i, p := range e.scopeOrder {
		out[i] = p.String()
	}
	return out
}
