package model

// DefaultPaneDepth is how many messages a filter pane keeps by default.
const DefaultPaneDepth = 10000

// Condition is a content filter a pane applies to the messages its pattern
// matched (natsx/where compiles one from an expression). Match is false
// with an error when the message could not be decided (a missing field, a
// payload that is not JSON): no match, counted as a miss.
type Condition interface {
	Match(m *Message) (bool, error)
	String() string
}

// Pane is one wildcard filter's live view: a bounded ring of the messages
// that matched, its own counters and rate, and the list's scroll state.
type Pane struct {
	// ID is stable for the pane's life; Name defaults to the pattern.
	ID   int
	Name string
	// Pattern selects the pane's messages.
	Pattern Pattern
	// Where, when set, keeps only the messages it holds for among those
	// the pattern matched: it never runs on a subject the pattern refused.
	Where Condition
	// Misses counts messages Where could not decide (no match either);
	// LastMiss is the latest one's reason.
	Misses   uint64
	LastMiss string
	// Msgs and Bytes count every match since the pane opened or was
	// last cleared, kept or not.
	Msgs, Bytes uint64
	// Deliveries counts the matches a JetStream consumer delivered (a
	// $JS.ACK reply, see ParseJSDelivery) and Redeliveries those among
	// them delivered more than once: Msgs less Deliveries were published.
	Deliveries, Redeliveries uint64
	// Evicted counts messages the ring's bounds dropped since then.
	Evicted uint64
	// Paused freezes the list: what arrives is kept below it, out of
	// sight, as less +F does, and shows on resume.
	Paused bool
	// PausedNew counts matches that arrived during the pause.
	PausedNew uint64
	// PausedLost counts those the pane could not keep (its depth or its
	// budget was reached): the list marks the gap where they belong.
	PausedLost uint64
	// Opened is when the pane began watching (Unix ns): a young pane's
	// rate divides by the time it has watched, as a young tree's does.
	Opened int64

	ring     *Ring[Message]
	bytes    int64
	maxBytes int64
	rate     rateRing

	follow bool // the cursor tracks the newest message
	// frozen is the absolute index past the last row shown while paused;
	// refollow resumes following on resume (it was on at the pause).
	frozen   uint64
	refollow bool
	// gaps marks where paused arrivals were lost: before the message at
	// an absolute index. lost waits for the first message after resume.
	gaps   []paneGap
	lost   uint64
	cursor uint64 // absolute index of the selected message (see first)
	first  uint64 // absolute index of buf's oldest message
	unseen uint64 // arrived since the user scrolled away from the tail
	offset uint64 // absolute index of the first visible row
	height int
}

// NewPane returns an empty pane keeping up to depth messages and maxBytes
// of payload (0 means the defaults: 10,000 messages, 32 MiB).
func NewPane(id int, p Pattern, depth int, maxBytes int64) *Pane {
	if depth <= 0 {
		depth = DefaultPaneDepth
	}
	if maxBytes <= 0 {
		maxBytes = 32 << 20
	}
	return &Pane{ID: id, Name: p.String(), Pattern: p, ring: NewRing[Message](depth), maxBytes: maxBytes,
		follow: true, height: 1}
}

// Spec is the pane's selection as typed: its pattern, and " where EXPR"
// when a condition narrows it.
func (p *Pane) Spec() string {
	if p.Where == nil {
		return p.Pattern.String()
	}
	return p.Pattern.String() + " where " + p.Where.String()
}

// MemoryUsed is what the pane's kept messages cost the memory budget.
func (p *Pane) MemoryUsed() int64 { return p.bytes }

// Len is the number of messages kept.
func (p *Pane) Len() int { return p.ring.Len() }

// At returns the i-th kept message, oldest first.
func (p *Pane) At(i int) *Message { return p.ring.At(i) }

// Rate is the pane's msgs/s over the sliding window.
func (p *Pane) Rate(now, since int64) float64 { return p.rate.rate(now, since) }

// Spark fills out with the pane's per-second counts.
func (p *Pane) Spark(now int64, out []float64) { p.rate.spark(now, out) }

// paneGap is a run of messages lost while paused, before the message at
// absolute index at.
type paneGap struct{ at, n uint64 }

// maxPaneGaps bounds the gap marks (one per pause that overflowed).
const maxPaneGaps = 64

// Add accounts a message that matched the pane's pattern. While paused it
// is kept below the frozen list without evicting what the list shows; a
// full pane counts it lost instead.
func (p *Pane) Add(m *Message) { p.add(m, m.WireBytes(), deliveryCount(m.Reply)) }

// add is Add with the message's wire size, worked out once per message by
// the explorer.
func (p *Pane) add(m *Message, wire int, dlv uint64) {
	if p.Where != nil {
		ok, err := p.Where.Match(m)
		if err != nil {
			p.Misses++
			p.LastMiss = err.Error()
		}
		if !ok {
			return
		}
	}
	p.Msgs++
	p.Bytes += uint64(wire)
	if dlv > 0 {
		p.Deliveries++
		if dlv > 1 {
			p.Redeliveries++
		}
	}
	p.rate.add(m.Received/1e9, 1)
	// The copy is made only once the pane keeps the message: a paused,
	// full pane loses it uncopied.
	cut := *m
	cut.Data = cut.Data[:min(len(cut.Data), KeptPayload)]
	cost := messageBytes(&cut)
	full := func() bool { return p.Len() > 0 && (p.ring.Full() || p.bytes+cost > p.maxBytes) }
	if p.Paused {
		p.PausedNew++
		if full() {
			p.PausedLost++
			p.lost++
			return
		}
	}
	for full() {
		p.dropOldest()
	}
	if p.lost > 0 {
		if len(p.gaps) == maxPaneGaps {
			p.gaps = p.gaps[1:]
		}
		p.gaps = append(p.gaps, paneGap{at: p.first + uint64(p.Len()), n: p.lost})
		p.lost = 0
	}
	p.ring.Push(m.Owned(KeptPayload)) // never drops: full made room
	p.bytes += cost
	if !p.follow && !p.Paused {
		p.unseen++ // while paused, PausedNew counts them
	}
	p.settle()
}

func (p *Pane) dropOldest() {
	old, _ := p.ring.PopOldest()
	p.bytes -= messageBytes(&old)
	p.first++
	p.Evicted++
	for len(p.gaps) > 0 && p.gaps[0].at < p.first {
		p.gaps = p.gaps[1:]
	}
}

// GapBefore is how many messages were lost during a pause just before
// the i-th kept message (0: none).
func (p *Pane) GapBefore(i int) uint64 {
	at := p.first + uint64(i)
	for _, g := range p.gaps {
		if g.at == at {
			return g.n
		}
	}
	return 0
}

// Clear forgets the kept messages and starts the counts again: a header
// saying "564 msgs" over an empty list contradicted it. The rate's window
// stays, so the rate remains continuous.
func (p *Pane) Clear() {
	p.first += uint64(p.Len())
	p.ring.Clear()
	p.bytes = 0
	p.cursor, p.offset, p.frozen = p.first, p.first, p.first
	p.follow, p.unseen = !p.Paused, 0
	p.refollow = p.refollow || p.Paused
	p.Msgs, p.Bytes, p.Evicted, p.Misses, p.LastMiss = 0, 0, 0, 0, ""
	p.Deliveries, p.Redeliveries = 0, 0
	p.PausedNew, p.PausedLost, p.gaps = 0, 0, nil
}

// SetPaused pauses or resumes the list. Pausing holds the selection and
// the rows where they are; resuming shows what was kept meanwhile and
// follows the newest again if the list followed it at the pause.
func (p *Pane) SetPaused(on bool) {
	if on == p.Paused {
		return
	}
	p.Paused = on
	if on {
		p.frozen = p.first + uint64(p.Len())
		p.refollow = p.follow
		if p.follow && p.Len() > 0 {
			p.offset = p.first + uint64(max(p.Len()-p.height, 0))
			p.cursor = p.frozen - 1
		}
		p.follow = false
		p.settle()
		return
	}
	if p.refollow {
		p.follow = true
	} else {
		p.unseen += p.PausedNew - p.PausedLost
	}
	p.PausedNew, p.PausedLost, p.refollow = 0, 0, false
	p.settle()
}

// shown is how many kept messages the list shows: while paused, those
// kept before the pause.
func (p *Pane) shown() int {
	if !p.Paused {
		return p.Len()
	}
	return int(min(max(p.frozen, p.first)-p.first, uint64(p.Len())))
}

// Shown is how many kept messages the list shows (fewer than Len while
// paused: the newer ones wait for the resume).
func (p *Pane) Shown() int { return p.shown() }

// Following reports whether the list tracks the newest message.
func (p *Pane) Following() bool { return p.follow }

// Unseen is how many messages arrived since the user scrolled up.
func (p *Pane) Unseen() uint64 { return p.unseen }

// SetHeight sets how many rows the list shows.
func (p *Pane) SetHeight(h int) {
	p.height = max(h, 1)
	p.settle()
}

// Selected returns the selected message, nil when empty.
func (p *Pane) Selected() *Message {
	if p.shown() == 0 {
		return nil
	}
	return p.At(p.selIndex())
}

// SelectedIndex is the selected message's index among the kept ones
// (oldest 0), -1 when the list shows none.
func (p *Pane) SelectedIndex() int {
	if p.shown() == 0 {
		return -1
	}
	return p.selIndex()
}

// SelectionGone reports whether the message the user selected has been
// evicted: the list then highlights the oldest kept one, which is another
// message, and the inspector must not pass it off as the one selected.
func (p *Pane) SelectionGone() bool {
	return !p.follow && p.Len() > 0 && p.cursor < p.first
}

// selIndex is the selected row relative to the oldest kept message.
func (p *Pane) selIndex() int {
	n := p.shown()
	if p.follow || n == 0 {
		return n - 1
	}
	if p.cursor < p.first {
		return 0 // the selected message was evicted: hold at the oldest
	}
	return min(int(p.cursor-p.first), n-1)
}

// Move scrolls the selection and leaves follow mode, even at the newest
// message: once the user has moved, arrivals must not move what they
// read. Follow (G) tracks the newest again.
func (p *Pane) Move(delta int) {
	n := p.shown()
	if n == 0 {
		return
	}
	if p.follow {
		// Leave follow mode from the rows it shows, the newest, whether or
		// not Window has been asked since they arrived.
		p.offset = p.first + uint64(max(n-p.height, 0))
	}
	i := min(max(p.selIndex()+delta, 0), n-1)
	p.cursor = p.first + uint64(i)
	p.follow = false
	p.refollow = false // moved while paused: resuming holds here
	if i == n-1 && !p.Paused {
		p.unseen = 0 // the newest is on screen: nothing below is unseen
	}
	p.settle()
}

// Hold leaves follow mode at the message shown, as a move would, without
// moving: the inspector calls it when the user starts reading there.
func (p *Pane) Hold() { p.Move(0) }

// Follow jumps to the newest message and tracks it again (resuming a
// paused list: following means showing what arrives).
func (p *Pane) Follow() {
	if p.Paused {
		p.SetPaused(false)
	}
	p.follow, p.unseen = true, 0
	p.settle()
}

// Top jumps to the oldest kept message.
func (p *Pane) Top() { p.Move(-p.Len()) }

// Window returns the indices [from, to) of the rows to show and the
// selected row. It only reads: the scroll position is kept up to date by
// the calls that change it (settle), so drawing moves nothing.
func (p *Pane) Window() (from, to, sel int) {
	off, sel := p.window()
	return off, min(off+p.height, p.shown()), sel
}

// window is the first row to show, keeping the selection on screen, and
// the selected row.
func (p *Pane) window() (off, sel int) {
	n := p.shown()
	sel = p.selIndex()
	if p.offset > p.first {
		off = int(p.offset - p.first)
	}
	if p.follow {
		off = max(n-p.height, 0)
	}
	if sel < off {
		off = sel
	}
	if sel >= off+p.height {
		off = sel - p.height + 1
	}
	return min(max(off, 0), max(n-p.height, 0)), sel
}

// settle stores the scroll position Window shows, after anything that
// moves the list, the selection or the height.
func (p *Pane) settle() {
	off, _ := p.window()
	p.offset = p.first + uint64(off)
}
