package main

import (
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/recorder"
	"natsx/ui"
)

// playerTimeline adapts recorder.Player to the explorer's ui.Timeline.
//
// A seek that goes back publishes messages the explorer has already
// counted. So every repositioning pauses the player first, and when
// messages will be published again it publishes ui.RewindSubject on the
// player's own connection before resuming: the broker keeps one
// connection's messages in order, so the marker lands exactly between the
// old messages and the replayed ones, and the explorer starts its counts
// over there.
type playerTimeline struct {
	p    *recorder.Player
	nc   *nats.Conn
	name string

	mu          sync.Mutex // one control at a time, so markers stay in place
	sentAtReset uint64     // Player's Sent at the last rewind
}

func newPlayerTimeline(p *recorder.Player, nc *nats.Conn, path string) *playerTimeline {
	return &playerTimeline{p: p, nc: nc, name: filepath.Base(path)}
}

func (t *playerTimeline) Status() ui.TimelineStatus {
	st := t.p.Status()
	return ui.TimelineStatus{Name: t.name, Playing: st.Playing, Done: st.Done, Speed: st.Speed,
		Pos: st.Pos, Start: st.Start, End: st.End, Total: st.Total, Markers: st.Markers,
		MoreMarkers: st.MoreMarkers, Err: st.Err}
}

func (t *playerTimeline) Toggle() (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.p.Status()
	switch {
	case st.Done:
		// At the end space plays it again: that is a rewind to the start.
		return t.reposition(func() error { return t.p.Seek(st.Start) }, true)
	case st.Playing:
		t.p.Pause()
	default:
		t.p.Play()
	}
	return false, nil
}

func (t *playerTimeline) Speed(up bool) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.p.SetSpeed(recorder.NextSpeed(t.p.Status().Speed, up))
	return false, nil
}

func (t *playerTimeline) Step() (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.p.Step(); err != nil {
		return false, friendly(err)
	}
	return false, nil
}

func (t *playerTimeline) SeekBy(d time.Duration) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reposition(func() error { return t.p.SeekBy(d) }, false)
}

func (t *playerTimeline) SeekTo(off time.Duration) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := t.p.Status().Start
	return t.reposition(func() error { return t.p.Seek(start.Add(off)) }, false)
}

func (t *playerTimeline) Marker(next bool) (bool, error) {
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
func (t *playerTimeline) reposition(seek func() error, play bool) (bool, error) {
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
		if err := t.nc.Publish(ui.RewindSubject, nil); err != nil {
			return false, err
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
	case errors.Is(err, recorder.ErrEndOfCapture):
		return errors.New("end of the capture: space plays it again from the start")
	case errors.Is(err, recorder.ErrNoMarker):
		return errors.New("no marker that way (m adds markers while recording)")
	}
	return err
}
