package recorder

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// Playback speeds a Player accepts besides math.Inf(1) (as fast as possible).
const (
	MinSpeed = 0.25
	MaxSpeed = 16
)

// Errors a Player's controls return.
var (
	// ErrEndOfCapture means there is no message left to publish.
	ErrEndOfCapture = errors.New("recorder: end of capture")
	// ErrNoMarker means there is no marker in the direction asked.
	ErrNoMarker = errors.New("recorder: no marker there")
	// ErrPlayerClosed means Close was called.
	ErrPlayerClosed = errors.New("recorder: player closed")
)

// PlayerStatus is a snapshot of a Player.
type PlayerStatus struct {
	// Playing is true while messages are published on schedule.
	Playing bool
	// Speed is the playback speed; math.Inf(1) is as fast as possible.
	Speed float64
	// Pos is the playhead in capture time; Start and End bound the capture.
	Pos, Start, End time.Time
	// LastSent is the capture time of the last message published (zero
	// before the first): a seek to it or earlier publishes it again.
	LastSent time.Time
	// Sent counts messages published; Total is the capture's message count
	// (0 until known for a capture without an index).
	Sent, Total uint64
	// Markers are the marker times in order, at most 1000 of them; the
	// slice is shared between snapshots: read it, do not change it.
	Markers []time.Time
	// MoreMarkers is true when the capture has more markers than listed.
	MoreMarkers bool
	// Outages is how many disconnections the capture holds (found so far,
	// while the background scan runs); Player.Outages lists them.
	Outages int
	// Breaks counts the stops at a breakpoint (Player.Break).
	Breaks uint64
	// Done is true once every message was published and flushed to the server.
	Done bool
	// Err is the last error (a publish failure pauses playback).
	Err string
}

// request is a control sent to the goroutine that owns the reader.
type request struct {
	op    func(*Player) error
	reply chan error
}

// Player republishes a capture into a broker under control: play, pause,
// speed, step, seek and jumps between markers, for `natsx open`. One
// goroutine owns the reader and publishes; the controls are requests to
// it, so they are safe to call from any goroutine (the UI's).
//
// Timing follows Replay: each message is due at an absolute time from an
// anchor (wall time, capture time), so sleep overshoot does not add up;
// play, speed changes and seeks set a new anchor at the playhead.
type Player struct {
	r    *Reader
	nc   *nats.Conn
	ctl  chan request
	quit chan struct{}
	done chan struct{}
	scan chan struct{}
	once sync.Once

	// Owned by the run goroutine.
	observe func(*model.Message)
	brk     func(*model.Message) bool
	it      *Iter
	next    Entry
	start   int64

	// mu guards the state below: written by the run goroutine (and the
	// marker scan), read by Status and by the run goroutine without lock.
	mu          sync.Mutex
	playing     bool
	finished    bool
	speed       float64
	pos         int64 // playhead when paused; last message sent while playing
	lastSent    int64 // time of the last message published
	anchorWall  time.Time
	anchorCap   int64
	nextTime    int64 // time of the message read ahead (p.next), when nextOK
	nextOK      bool  // p.next holds the message to publish next
	sent        uint64
	breaks      uint64
	err         string
	end         int64
	total       uint64
	markers     []int64
	listed      []time.Time // Status's markers, rebuilt when markers change
	moreMarkers bool
	outages     outageList // disconnections found by the scan
	scanned     bool       // the scan is over: markers, total and end are final
}

// OpenPlayer opens the capture at path for publishing on nc. It reads the
// header and index only; playback starts with Play. A background scan
// lists the markers (and counts the messages of a capture without index).
func OpenPlayer(path string, nc *nats.Conn) (*Player, error) {
	if nc == nil {
		return nil, errors.New("recorder: player: no connection")
	}
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	info := r.Info()
	p := &Player{r: r, nc: nc, ctl: make(chan request), quit: make(chan struct{}), done: make(chan struct{}),
		scan: make(chan struct{}), start: info.First, speed: 1, pos: info.First, end: max(info.Last, info.First)}
	if info.Indexed {
		p.total = info.Messages
	}
	p.it = r.Iter()
	if !p.loadNext() {
		p.finished = true
	}
	// Gap records may be disconnections, which the timeline draws.
	if info.Indexed && info.Markers == 0 && info.Gaps == 0 {
		p.scanned = true
		close(p.scan)
	} else {
		go p.scanMarkers(!info.Indexed)
	}
	go p.run()
	return p, nil
}

// Play starts or resumes playback from the playhead; at the end it starts
// over (the explorer then counts the messages again).
func (p *Player) Play() { _ = p.call(func(p *Player) error { p.play(); return nil }) }

// Pause stops publishing; nothing is sent until Play or Step.
func (p *Player) Pause() { _ = p.call(func(p *Player) error { p.pause(); return nil }) }

// Toggle plays when paused and pauses when playing (the space key).
func (p *Player) Toggle() {
	_ = p.call(func(p *Player) error {
		if p.playing {
			p.pause()
		} else {
			p.play()
		}
		return nil
	})
}

// SetSpeed changes the speed, keeping the playhead: x is clamped to
// MinSpeed..MaxSpeed, math.Inf(1) publishes as fast as possible, NaN is
// ignored.
func (p *Player) SetSpeed(x float64) {
	if math.IsNaN(x) {
		return
	}
	if !math.IsInf(x, 1) {
		x = min(max(x, MinSpeed), MaxSpeed)
	}
	_ = p.call(func(p *Player) error {
		head := p.head()
		p.mu.Lock()
		p.speed = x
		p.mu.Unlock()
		p.anchor(head)
		return nil
	})
}

// NextSpeed is the speed after cur going up (the + key) or down (-):
// 0.25, 0.5, 1, 2, 4, 8, 16 and max.
func NextSpeed(cur float64, up bool) float64 {
	steps := []float64{0.25, 0.5, 1, 2, 4, 8, 16, math.Inf(1)}
	if up {
		for _, s := range steps {
			if s > cur {
				return s
			}
		}
		return steps[len(steps)-1]
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i] < cur {
			return steps[i]
		}
	}
	return steps[0]
}

// Step publishes exactly the next message and leaves the player paused;
// ErrEndOfCapture when none is left.
func (p *Player) Step() error {
	return p.call(func(p *Player) error {
		p.pause()
		if !p.nextOK {
			return ErrEndOfCapture
		}
		err := p.publishNext()
		p.ensureMore()
		return err
	})
}

// Seek moves the playhead to t: the next message published is the first
// one recorded at or after t. Messages before t are not republished, so
// the explorer does not see them; seeking back publishes messages again.
// Playback goes on if it was playing and stays paused otherwise.
func (p *Player) Seek(t time.Time) error {
	ns := t.UnixNano()
	return p.call(func(p *Player) error { p.seek(ns); return nil })
}

// SeekBy moves the playhead by d (the arrow keys: ±10 s), within the capture.
func (p *Player) SeekBy(d time.Duration) error {
	return p.call(func(p *Player) error {
		p.seek(p.head() + int64(d))
		return nil
	})
}

// Observe calls f on the publishing goroutine with every message the
// player publishes from now on, just before it is sent, its Received the
// time it was recorded; f must be quick and must not keep the message.
// natsx open uses it to show messages at their recorded times. nil stops.
func (p *Player) Observe(f func(*model.Message)) {
	_ = p.call(func(p *Player) error { p.observe = f; return nil })
}

// Break makes the player pause right after publishing a message stop
// holds for (nil: never), at any speed: the playhead stops exactly at that
// message, the next Play goes on after it. stop runs on the publishing
// goroutine, before the next message is read; it must be quick and must
// not keep the message.
func (p *Player) Break(stop func(*model.Message) bool) {
	_ = p.call(func(p *Player) error { p.brk = stop; return nil })
}

// Status is a snapshot, cheap enough for every UI tick.
func (p *Player) Status() PlayerStatus {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	st := PlayerStatus{Playing: p.playing, Speed: p.speed, Pos: nsTime(p.playhead(now)), Start: nsTime(p.start),
		End: nsTime(p.end), LastSent: nsTime(p.lastSent), Sent: p.sent, Breaks: p.breaks, Total: p.total, MoreMarkers: p.moreMarkers, Done: p.finished, Err: p.err}
	stride := (len(p.markers) + maxStatusMarkers - 1) / maxStatusMarkers
	st.MoreMarkers = st.MoreMarkers || stride > 1
	if p.listed == nil && len(p.markers) > 0 {
		for i := 0; i < len(p.markers); i += stride {
			p.listed = append(p.listed, nsTime(p.markers[i]))
		}
	}
	st.Markers = p.listed
	st.Outages = len(p.outages.list)
	return st
}

// Outages lists the capture's disconnections in time order (at most
// 10,000), for the timeline to draw: stretches in which nothing was
// recorded. One still open ends at the capture's end. The list grows
// while the background scan runs (PlayerStatus.Outages counts it).
func (p *Player) Outages() []Outage {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := outageList{list: slices.Clone(p.outages.list)}
	return l.finish(p.end)
}

// Problems lists damage met in the capture (skipped blocks, torn tail).
func (p *Player) Problems() []Problem { return p.r.Problems() }

// Closed is closed once Close has stopped the player.
func (p *Player) Closed() <-chan struct{} { return p.done }

// Close stops playback and closes the capture; it does not close the
// connection. Controls called later return ErrPlayerClosed.
func (p *Player) Close() {
	p.once.Do(func() {
		close(p.quit)
		<-p.done
		<-p.scan
		_ = p.r.Close()
	})
}

func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// call runs op on the goroutine that owns the reader and waits for it.
func (p *Player) call(op func(*Player) error) error {
	req := request{op: op, reply: make(chan error, 1)}
	select {
	case p.ctl <- req:
	case <-p.done:
		return ErrPlayerClosed
	}
	return <-req.reply // run always answers a request it took
}

// run publishes on schedule and serves the controls in between.
func (p *Player) run() {
	defer close(p.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var due <-chan time.Time
		if p.playing {
			if !p.nextOK {
				p.finish()
				continue
			}
			if wait := p.until(p.next.Time); wait > 0 {
				timer.Reset(wait)
				due = timer.C
			} else {
				// Due now: publish, but let a waiting control in first.
				select {
				case req := <-p.ctl:
					req.reply <- req.op(p)
				case <-p.quit:
					return
				default:
					_ = p.publishNext() // a failure pauses; Status shows it
					p.ensureMore()
				}
				continue
			}
		}
		select {
		case req := <-p.ctl:
			timer.Stop()
			req.reply <- req.op(p)
		case <-p.quit:
			timer.Stop()
			return
		case <-due:
		}
	}
}

// until is how long until capture time t is due at the current anchor.
func (p *Player) until(t int64) time.Duration {
	if math.IsInf(p.speed, 1) {
		return 0
	}
	return time.Until(p.anchorWall.Add(time.Duration(float64(t-p.anchorCap) / p.speed)))
}

// playhead is the capture time shown on the timeline: while playing it
// moves with the wall clock, never past the next message due. p.mu must
// be held (head takes it).
func (p *Player) playhead(now time.Time) int64 {
	if !p.playing || math.IsInf(p.speed, 1) {
		return p.pos
	}
	h := p.anchorCap + int64(float64(now.Sub(p.anchorWall))*p.speed)
	limit := p.end
	if p.nextOK {
		limit = p.nextTime
	}
	return max(min(h, limit), p.pos)
}

// head is the playhead now, for the run goroutine.
func (p *Player) head() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.playhead(time.Now())
}

// anchor restarts the schedule at capture time head, now.
func (p *Player) anchor(head int64) {
	p.mu.Lock()
	p.anchorWall, p.anchorCap, p.pos = time.Now(), head, head
	p.mu.Unlock()
}

func (p *Player) play() {
	if p.finished {
		p.seek(p.start)
	}
	if !p.playing {
		head := p.pos
		p.mu.Lock()
		p.playing = true
		p.mu.Unlock()
		p.anchor(head)
	}
}

func (p *Player) pause() {
	if !p.playing {
		return
	}
	head := p.head()
	p.mu.Lock()
	p.playing, p.pos = false, head
	p.mu.Unlock()
}

// seek repositions the reader at the first record at or after t; past
// the last message the player is done, its playhead at the end.
func (p *Player) seek(t int64) {
	t = max(t, p.start)
	p.it = p.r.SeekTime(t)
	more := p.loadNext()
	p.mu.Lock()
	p.finished = !more
	if !more {
		p.playing = false
	}
	t = min(t, p.end)
	p.mu.Unlock()
	p.anchor(t)
}

// loadNext reads ahead to the next message record; false at the end.
func (p *Player) loadNext() bool {
	for p.it.Next() {
		if e := p.it.Entry(); e.Kind == KindMessage {
			p.next = *e
			p.mu.Lock()
			p.nextTime, p.nextOK = e.Time, true
			p.mu.Unlock()
			return true
		}
	}
	p.mu.Lock()
	p.nextOK = false
	if err := p.it.Err(); err != nil {
		p.err = err.Error()
	}
	p.mu.Unlock()
	return false
}

// ensureMore reads ahead after a publish (or a failed one: that message is
// skipped); at the end of a Step it marks the player done.
func (p *Player) ensureMore() {
	if !p.loadNext() && !p.playing {
		p.finish()
	}
}

// publishNext publishes the message read ahead, headers and reply intact.
// A failure pauses playback; the message is skipped, so Play goes on after it.
func (p *Player) publishNext() error {
	e := &p.next
	m := &e.Msg
	if p.observe != nil {
		p.observe(m)
	}
	err := publish(p.nc, m.Subject, m)
	// The breakpoints' conditions run before the lock: Status (the UI's,
	// every tick) would wait for them.
	stop := err == nil && p.brk != nil && p.brk(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos, p.nextOK = e.Time, false
	if err != nil {
		p.playing = false
		p.err = fmt.Sprintf("recorder: player: publish %q (%d bytes): %v", m.Subject, len(m.Data), err)
		return errors.New(p.err)
	}
	p.sent++
	p.lastSent = e.Time
	if stop {
		p.playing = false
		p.breaks++
	}
	return nil
}

// finish ends playback: everything sent is flushed to the server before
// Done is reported, so a caller that sees Done may shut the broker down.
func (p *Player) finish() {
	err := p.nc.FlushTimeout(10 * time.Second)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.playing, p.finished = false, true
	p.pos = max(p.pos, p.end)
	if err != nil && p.err == "" {
		p.err = fmt.Sprintf("recorder: player: flush: %v", err)
	}
}
