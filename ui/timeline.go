package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// Timeline is the capture player behind `natsx open`: main adapts
// recorder.Player to it (the UI does not import the recorder). The
// controls may block briefly, so the UI calls them from a Cmd.
//
// Every control reports whether it rewound: whether messages already
// played will be published again. When it did, the player published
// RewindSubject() in between, on the same connection as the messages.
type Timeline interface {
	Status() model.TimelineStatus
	// Toggle plays or pauses; at the end it plays again from the start.
	Toggle() (rewound bool, err error)
	// Speed steps the playback speed up or down (0.25x … 16x, max).
	Speed(up bool) (rewound bool, err error)
	// Step publishes the next message and leaves the player paused.
	Step() (rewound bool, err error)
	// SeekBy moves the playhead by d; SeekTo to offset from the start.
	SeekBy(d time.Duration) (rewound bool, err error)
	SeekTo(offset time.Duration) (rewound bool, err error)
	// Marker jumps to the next (or previous) marker.
	Marker(next bool) (rewound bool, err error)
	// Stamp sets each message's Received to the time it was recorded when
	// the player published it, and to the playhead when another client
	// did: the explorer of a capture runs on the capture's clock.
	// resync is set when the feed dropped messages before these.
	Stamp(msgs []model.Message, playhead int64, resync bool)
	// Break makes the player pause right after a message stop holds for
	// (nil: never); stop runs on the player's goroutine.
	Break(stop func(*model.Message) bool)
	// RewindSubject is the subject of the rewind marker (model.RewindPrefix and
	// a secret).
	RewindSubject() string
}

// SeekStep is how far ← and → move the playhead.
const SeekStep = 10 * time.Second

// timelineMsg reports a control's result.
type timelineMsg struct {
	what    string
	rewound bool
	err     error
}

// timelineOp is a control waiting for its turn.
type timelineOp struct {
	what string
	op   func(Timeline) (bool, error)
}

// timelineControls drive the capture player of natsx open: the controls
// run off the UI goroutine, one at a time in the order of the keys (Cmds
// alone would race each other: space then . could reach the player as .
// then space), and the timeline line shows the player as of the last pull.
type timelineControls struct {
	tl     Timeline
	status model.TimelineStatus
	queue  []timelineOp // controls in key order; the first is running
	st     *Styles
}

// maxTimelineQueue bounds the controls waiting (a held key repeats fast).
const maxTimelineQueue = 64

// enqueue queues a control; ok is false when the queue is full.
func (c *timelineControls) enqueue(what string, op func(Timeline) (bool, error)) (tea.Cmd, bool) {
	if len(c.queue) >= maxTimelineQueue {
		return nil, false
	}
	c.queue = append(c.queue, timelineOp{what, op})
	if len(c.queue) > 1 {
		return nil, true // runs when the one before it is done
	}
	return c.runHead(), true
}

// runHead runs the control at the head of the queue.
func (c *timelineControls) runHead() tea.Cmd {
	tl, next := c.tl, c.queue[0]
	return func() tea.Msg {
		rewound, err := next.op(tl)
		return timelineMsg{what: next.what, rewound: rewound, err: err}
	}
}

// done takes the finished control off the queue and starts the next.
func (c *timelineControls) done() tea.Cmd {
	c.status = c.tl.Status()
	if len(c.queue) == 0 {
		return nil
	}
	c.queue = c.queue[1:]
	if len(c.queue) > 0 {
		return c.runHead()
	}
	return nil
}

// timelineCmd queues a control.
func (m *Model) timelineCmd(what string, op func(Timeline) (bool, error)) tea.Cmd {
	cmd, ok := m.timeline.enqueue(what, op)
	if !ok {
		m.setFlash("the player is busy: key dropped", true)
	}
	return cmd
}

// timelineKey is what a timeline key asks for: a control to queue, or
// the seek prompt.
type timelineKey struct {
	what   string
	op     func(Timeline) (bool, error)
	seekTo bool
}

// Key maps a key to the player's control in natsx open; ok is false when
// the key is not one of the timeline's (or there is no player).
func (c *timelineControls) Key(msg tea.KeyPressMsg, k KeyMap) (tk timelineKey, ok bool) {
	if c.tl == nil {
		return tk, false
	}
	switch {
	case key.Matches(msg, k.Play):
		return timelineKey{op: Timeline.Toggle}, true
	case key.Matches(msg, k.Faster), key.Matches(msg, k.Slower):
		up := key.Matches(msg, k.Faster)
		return timelineKey{what: "speed", op: func(t Timeline) (bool, error) { return t.Speed(up) }}, true
	case key.Matches(msg, k.Step):
		return timelineKey{op: Timeline.Step}, true
	case key.Matches(msg, k.SeekBack), key.Matches(msg, k.SeekFwd):
		d := SeekStep
		if key.Matches(msg, k.SeekBack) {
			d = -d
		}
		return timelineKey{what: "seek", op: func(t Timeline) (bool, error) { return t.SeekBy(d) }}, true
	case key.Matches(msg, k.SeekTo):
		return timelineKey{seekTo: true}, true
	case key.Matches(msg, k.NextMarker), key.Matches(msg, k.PrevMarker):
		next := key.Matches(msg, k.NextMarker)
		return timelineKey{what: "marker", op: func(t Timeline) (bool, error) { return t.Marker(next) }}, true
	}
	return tk, false
}

// timelineInput acts on a timeline key; false when it is not one.
func (m *Model) timelineInput(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	tk, ok := m.timeline.Key(msg, m.keys)
	switch {
	case !ok:
		return nil, false
	case tk.seekTo:
		return m.openPrompt(promptSeek, "seek to> ", ""), true
	}
	return m.timelineCmd(tk.what, tk.op), true
}

// timelineDone shows a control's outcome; the rewind itself happens where
// the feed carries RewindSubject.
func (m *Model) timelineDone(msg timelineMsg) tea.Cmd {
	cmd := m.timeline.done()
	switch {
	case msg.err != nil:
		m.setFlash(msg.err.Error(), true)
	case msg.rewound:
		m.setFlash(fmt.Sprintf("back to %s: counts start over from here", m.timeline.offsetString(m.timeline.status.Pos)), false)
	case msg.what == "seek" || msg.what == "marker":
		m.setFlash(fmt.Sprintf("at %s (messages in between were not played)", m.timeline.offsetString(m.timeline.status.Pos)), false)
	case msg.what == "speed":
		m.setFlash("speed "+speedString(m.timeline.status.Speed), false)
	}
	return cmd
}

// timelineBatch prepares a pulled batch in natsx open: the player's
// state, a rewind if the batch holds one (counts start over after the last
// RewindSubject: the messages before it belong to the stretch being played
// again and go with the old counts), and the capture's times. It returns
// the messages to apply.
func (m *Model) timelineBatch(msgs []model.Message, dropped bool) []model.Message {
	tl := m.opts.Timeline
	prevErr := m.timeline.status.Err
	m.timeline.status = tl.Status()
	st := m.timeline.status
	if st.Err != "" && st.Err != prevErr {
		m.setFlash("player: "+st.Err, true)
	}
	head := st.Pos.UnixNano()
	// Stamp all of it, the stretch before a rewind too, so each
	// publication the player remembers is matched by its own message.
	tl.Stamp(msgs, head, dropped)
	if rest, since, ok := model.AfterRewind(msgs, tl.RewindSubject(), head); ok {
		msgs = rest
		m.rewind(since)
	}
	return msgs
}

// clock is the time the explorer's data runs on: the wall clock, or in
// natsx open the playhead.
func (m *Model) clock(wall time.Time) time.Time {
	if m.opts.Timeline != nil && !m.timeline.status.Pos.IsZero() {
		return m.timeline.status.Pos
	}
	return wall
}

// rewind starts every count over from since (Unix ns): tree, throughput,
// request/reply links, pane lists and the inspector. Panes keep their
// patterns, names and places; sort, noise and the memory budget stay.
func (m *Model) rewind(since int64) {
	m.ex.Rewind(since)
	m.insp.reset()
	m.flightReset()
	m.watch.reset()
}

// offsetString is t as an offset from the capture's start.
func (c *timelineControls) offsetString(t time.Time) string {
	return offsetString(t.Sub(c.status.Start), c.status.End.Sub(c.status.Start))
}

// offsetString formats d as m:ss.t, or h:mm:ss when span reaches an hour.
func offsetString(d, span time.Duration) string {
	d = max(d, 0)
	if span >= time.Hour {
		s := int64(d / time.Second)
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	t := int64(d / (100 * time.Millisecond))
	return fmt.Sprintf("%d:%02d.%d", t/600, t/10%60, t%10)
}

func speedString(x float64) string {
	if math.IsInf(x, 1) {
		return "max"
	}
	return strconv.FormatFloat(x, 'g', -1, 64) + "x"
}

// View is the timeline line above the footer in `natsx open`:
//
//	▶ 1x  0:12.3 ━━━━━━━◆━━●──────◆──── 1:05.0  1,234 msgs  @10:32:04.1  capture.natsx
func (c *timelineControls) View(w int) string {
	st := c.st
	t := c.status
	icon := st.Good.Render("▶")
	switch {
	case t.Done:
		icon = st.Muted.Render("■")
	case !t.Playing:
		icon = st.Warn.Render("⏸")
	}
	span := t.End.Sub(t.Start)
	pos := t.Pos.Sub(t.Start)
	left := fmt.Sprintf("%s %-4s %s ", icon, speedString(t.Speed), offsetString(pos, span))
	if t.Damaged > 0 {
		// First, so no width hides it: the capture has holes the player
		// skipped, and the counts below them are short.
		left = st.Bad.Render(fmt.Sprintf("⚠ damaged ×%d, %s skipped", t.Damaged, model.HumanBytes(uint64(t.SkippedBytes)))) + " " + left
	}
	right := " " + offsetString(span, span)
	if w >= 70 {
		// Total is 0 until a capture without index has been scanned.
		total := "… msgs"
		switch {
		case t.Total == 1:
			total = "1 msg"
		case t.Total > 0 || t.Done:
			total = model.HumanCount(t.Total) + " msgs"
		}
		right += st.Muted.Render("  " + total)
	}
	if w >= 90 && !t.Pos.IsZero() {
		right += st.Muted.Render("  @" + t.Pos.Format("15:04:05.0"))
	}
	if w >= 110 && t.Name != "" {
		right += "  " + st.Muted.Render(model.Sanitize(t.Name))
	}
	barW := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if barW < 8 {
		return fit(left+right, w)
	}
	return left + c.bar(barW, pos, span) + right
}

// timelineBar draws the played part, the playhead and the markers.
func (c *timelineControls) bar(w int, pos, span time.Duration) string {
	cell := func(d time.Duration) int {
		if span <= 0 {
			return 0
		}
		return min(max(int(float64(d)/float64(span)*float64(w-1)+0.5), 0), w-1)
	}
	marks := make([]bool, w)
	for _, mk := range c.status.Markers {
		marks[cell(mk.Sub(c.status.Start))] = true
	}
	// Cells where the recorder was disconnected: a silence that is not
	// quiet traffic must not look like it.
	var offline []bool
	if len(c.status.Outages) > 0 {
		offline = make([]bool, w)
		for _, o := range c.status.Outages {
			for i := cell(o.Start.Sub(c.status.Start)); i <= cell(o.End.Sub(c.status.Start)); i++ {
				offline[i] = true
			}
		}
	}
	head := cell(pos)
	// Runs of one kind are styled together: one escape sequence per run.
	const (
		played = iota
		ahead
		marker
		playhead
		outage
	)
	styles := [...]lipgloss.Style{c.st.Accent, c.st.Muted, c.st.Warn, c.st.Value.Bold(true), c.st.Bad}
	var b, run strings.Builder
	kind := played
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(styles[kind].Render(run.String()))
			run.Reset()
		}
	}
	put := func(k int, r rune) {
		if k != kind {
			flush()
			kind = k
		}
		run.WriteRune(r)
	}
	for i := 0; i < w; i++ {
		switch {
		case i == head:
			put(playhead, '●')
		case marks[i]:
			put(marker, '◆')
		case offline != nil && offline[i]:
			put(outage, '╳')
		case i < head:
			put(played, '━')
		default:
			put(ahead, '─')
		}
	}
	flush()
	return b.String()
}
