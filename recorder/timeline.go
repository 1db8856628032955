package recorder

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"natsx/model"
)

// Timeline drives a Player from the explorer's timeline controls (natsx
// open); it has the methods of the UI's Timeline interface, which it
// implements without importing ui.
//
// A seek that goes back publishes messages the explorer has already
// counted. So every repositioning pauses the player first, and when
// messages will be published again it publishes the rewind marker
// (RewindSubject) on the player's own connection before resuming: the
// broker keeps one connection's messages in order, so the marker lands
// exactly between the old messages and the replayed ones, and the explorer
// starts its counts over there.
type Timeline struct {
	p    *Player
	nc   *nats.Conn
	name string

	mu          sync.Mutex // one control at a time, so markers stay in place
	sentAtReset uint64     // Player's Sent at the last rewind

	sent   *sentLog // what the player published, for Stamp
	rewind string   // the rewind marker's subject, with this process's secret

	omu     sync.Mutex   // the outage list Status hands out, rebuilt when it grows
	outages []model.Span // shared by every Status until the player finds more
}

// NewTimeline drives p, which publishes on nc, for the capture at path.
// It observes p's publications from now on (for Stamp), so call it before
// p plays.
func NewTimeline(p *Player, nc *nats.Conn, path string) *Timeline {
	t := &Timeline{p: p, nc: nc, name: filepath.Base(path), sent: newSentLog(sentLogSize),
		rewind: model.RewindPrefix + nuid.Next()}
	p.Observe(t.sent.add)
	return t
}

// Stamp gives the messages the player published their recorded times.
func (t *Timeline) Stamp(msgs []model.Message, playhead int64, resync bool) {
	t.sent.stamp(msgs, playhead, resync)
}

// RewindSubject is the rewind marker's subject.
func (t *Timeline) RewindSubject() string { return t.rewind }

// Break makes the player pause right after a message stop holds for.
func (t *Timeline) Break(stop func(*model.Message) bool) { t.p.Break(stop) }

// Status is the player's state as the timeline bar shows it.
func (t *Timeline) Status() model.TimelineStatus {
	st := t.p.Status()
	ts := model.TimelineStatus{Name: t.name, Playing: st.Playing, Done: st.Done, Speed: st.Speed,
		Pos: st.Pos, Start: st.Start, End: st.End, Total: st.Total, Markers: st.Markers,
		MoreMarkers: st.MoreMarkers, Err: st.Err}
	for _, p := range t.p.Problems() {
		ts.Damaged++
		ts.SkippedBytes += p.Bytes
	}
	ts.Outages = t.outageSpans(st.Outages)
	return ts
}

// outageSpans is the capture's outages as spans; the list is rebuilt only
// when the player's background scan has found more (the UI asks 20 times
// a second, and a flapping server can leave thousands).
func (t *Timeline) outageSpans(n int) []model.Span {
	t.omu.Lock()
	defer t.omu.Unlock()
	if len(t.outages) != n {
		t.outages = t.outages[:0:0]
		for _, o := range t.p.Outages() {
			t.outages = append(t.outages, model.Span{Start: time.Unix(0, o.Start), End: time.Unix(0, o.End)})
		}
	}
	return t.outages
}

// Toggle plays or pauses; at the end it plays the capture again from the
// start, which is a rewind.
func (t *Timeline) Toggle() (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.p.Status()
	switch {
	case st.Done:
		return t.reposition(func() error { return t.p.Seek(st.Start) }, true)
	case st.Playing:
		t.p.Pause()
	default:
		t.p.Play()
	}
	return false, nil
}

// Speed moves to the next faster or slower playback speed.
func (t *Timeline) Speed(up bool) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.p.SetSpeed(NextSpeed(t.p.Status().Speed, up))
	return false, nil
}

// Step publishes the next message, paused.
func (t *Timeline) Step() (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.p.Step(); err != nil {
		return false, friendly(err)
	}
	return false, nil
}

// SeekBy moves the playhead by d (back when negative).
func (t *Timeline) SeekBy(d time.Duration) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reposition(func() error { return t.p.SeekBy(d) }, false)
}

// SeekTo moves the playhead to off after the capture's start.
func (t *Timeline) SeekTo(off time.Duration) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := t.p.Status().Start
	return t.reposition(func() error { return t.p.Seek(start.Add(off)) }, false)
}

// Marker moves the playhead to the next (or previous) marker.
func (t *Timeline) Marker(next bool) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if next {
		return t.reposition(t.p.NextMarker, false)
	}
	return t.reposition(t.p.PrevMarker, false)
}

// reposition runs a seek with the player paused, publishes the rewind
// marker when messages already sent will be sent again, and plays on if
// the player was playing (or play is set) and is not at the end. t.mu
// is held.
func (t *Timeline) reposition(seek func() error, play bool) (bool, error) {
	before := t.p.Status()
	t.p.Pause()
	if err := seek(); err != nil {
		if before.Playing {
			t.p.Play()
		}
		return false, friendly(err)
	}
	after := t.p.Status()
	// The next message is the first at or after the new playhead: it was
	// sent already if the playhead is not past the last one sent.
	rewound := before.Sent > t.sentAtReset && !after.Done && !after.Pos.After(before.LastSent)
	if rewound {
		if err := t.nc.Publish(t.rewind, nil); err != nil {
			// Without the marker the explorer cannot start over: say so,
			// and play on as before.
			if before.Playing || play {
				t.p.Play()
			}
			t.sentAtReset = after.Sent
			return false, fmt.Errorf("seek back: counts not restarted: %w", err)
		}
		t.sentAtReset = after.Sent
	}
	if (before.Playing || play) && !after.Done {
		t.p.Play()
	}
	return rewound, nil
}

// friendly turns the player's sentinel errors into what the user can do.
func friendly(err error) error {
	switch {
	case errors.Is(err, ErrEndOfCapture):
		return errors.New("end of the capture: space plays it again from the start")
	case errors.Is(err, ErrNoMarker):
		return errors.New("no marker that way (m adds markers while recording)")
	}
	return err
}
