package model

// DefaultPaneDepth is how many messages a filter pane keeps by default.
const DefaultPaneDepth = 10000

// Pane is one wildcard filter's live view: a bounded ring of the messages
// that matched, its own counters and rate, and the list's scroll state.
type Pane struct {
	// ID is stable for the pane's life; Name defaults to the pattern.
	ID   int
	Name string
	// Pattern selects the pane's messages.
	Pattern Pattern
	// Msgs and Bytes count every match, kept or not.
	Msgs, Bytes uint64
	// Evicted counts messages the ring's bounds dropped.
	Evicted uint64
	// Paused freezes the list; counting goes on.
	Paused bool
	// PausedMissed counts matches that arrived while paused (not kept).
	PausedMissed uint64
	// Opened is when the pane began watching (Unix ns): a young pane's
	// rate divides by the time it has watched, as a young tree's does.
	Opened int64

	ring     *Ring[Message]
	depth    int
	bytes    int64
	maxBytes int64
	rate     rateRing

	follow bool   // the cursor tracks the newest message
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
	return &Pane{ID: id, Name: p.String(), Pattern: p, ring: NewRing[Message](depth), depth: depth, maxBytes: maxBytes,
		follow: true, height: 1}
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

// Add accounts a message that matched the pane's pattern.
func (p *Pane) Add(m *Message) {
	p.Msgs++
	p.Bytes += uint64(m.WireBytes())
	p.rate.add(m.Received/1e9, 1)
	if p.Paused {
		p.PausedMissed++
		return
	}
	kept := keptCopy(m, KeptPayload)
	cost := messageBytes(&kept)
	for p.Len() > 0 && (p.Len() >= p.depth || p.bytes+cost > p.maxBytes) {
		p.dropOldest()
	}
	p.ring.Push(kept) // never drops: the loop made room
	p.bytes += cost
	if !p.follow {
		p.unseen++
	}
	p.settle()
}

func (p *Pane) dropOldest() {
	old, _ := p.ring.PopOldest()
	p.bytes -= messageBytes(&old)
	p.first++
	p.Evicted++
}

// Clear forgets the kept messages; totals stay so rates remain continuous.
func (p *Pane) Clear() {
	p.first += uint64(p.Len())
	p.ring.Clear()
	p.bytes = 0
	p.cursor, p.offset = p.first, p.first
	p.follow, p.unseen = true, 0
}

// SetPaused pauses or resumes the list.
func (p *Pane) SetPaused(on bool) {
	p.Paused = on
	if !on {
		p.PausedMissed = 0
	}
}

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
	if p.Len() == 0 {
		return nil
	}
	return p.At(p.selIndex())
}

// selIndex is the selected row relative to the oldest kept message.
func (p *Pane) selIndex() int {
	if p.follow || p.Len() == 0 {
		return p.Len() - 1
	}
	if p.cursor < p.first {
		return 0 // the selected message was evicted: hold at the oldest
	}
	return min(int(p.cursor-p.first), p.Len()-1)
}

// Move scrolls the selection; moving up leaves follow mode, reaching the
// newest message resumes it.
func (p *Pane) Move(delta int) {
	if p.Len() == 0 {
		return
	}
	if p.follow {
		// Leave follow mode from the rows it shows, the newest, whether or
		// not Window has been asked since they arrived.
		p.offset = p.first + uint64(max(p.Len()-p.height, 0))
	}
	i := min(max(p.selIndex()+delta, 0), p.Len()-1)
	p.cursor = p.first + uint64(i)
	p.follow = i == p.Len()-1
	if p.follow {
		p.unseen = 0
	}
	p.settle()
}

// Follow jumps to the newest message and tracks it again.
func (p *Pane) Follow() {
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
	return off, min(off+p.height, p.Len()), sel
}

// window is the first row to show, keeping the selection on screen, and
// the selected row.
func (p *Pane) window() (off, sel int) {
	sel = p.selIndex()
	if p.offset > p.first {
		off = int(p.offset - p.first)
	}
	if p.follow {
		off = max(p.Len()-p.height, 0)
	}
	if sel < off {
		off = sel
	}
	if sel >= off+p.height {
		off = sel - p.height + 1
	}
	return min(max(off, 0), max(p.Len()-p.height, 0)), sel
}

// settle stores the scroll position Window shows, after anything that
// moves the list, the selection or the height.
func (p *Pane) settle() {
	off, _ := p.window()
	p.offset = p.first + uint64(off)
}
