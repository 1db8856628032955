package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"natsx/model"
	"natsx/recorder"
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

	sent   *sentLog // what the player published, for Stamp
	rewind string   // the rewind marker's subject, with this process's secret
}

// newPlayerTimeline adapts p; sent must be the log p reports to (see
// openPlayer), from before its first message.
func newPlayerTimeline(p *recorder.Player, nc *nats.Conn, path string, sent *sentLog) *playerTimeline {
	return &playerTimeline{p: p, nc: nc, name: filepath.Base(path), sent: sent, rewind: model.RewindPrefix + nuid.Next()}
}

// Stamp gives the messages the player published their recorded times.
func (t *playerTimeline) Stamp(msgs []model.Message, playhead int64, resync bool) {
	t.sent.stamp(msgs, playhead, resync)
}

// RewindSubject is the rewind marker's subject.
func (t *playerTimeline) RewindSubject() string { return t.rewind }

// sentLogSize bounds the publications remembered for Stamp (2.5 MiB): a
// message the explorer reads that many publications after the player sent
// it shows at the playhead's time instead of its own.
const sentLogSize = 1 << 16

// sentLookahead is how far past the oldest remembered publication Stamp
// looks for a message's match: publications the explorer never saw (its
// store dropped them) are skipped this way.
const sentLookahead = 256

// sentLog is a bounded FIFO of the player's publications in order. The
// broker delivers one connection's messages in order, so the explorer
// reads them in this order, interleaved with other clients' messages.
type sentLog struct {
	mu   sync.Mutex
	ring []sentRec
	head int // oldest
	n    int
}

type sentRec struct {
	subject string
	size    int
	at      int64
}

func newSentLog(n int) *sentLog { return &sentLog{ring: make([]sentRec, n)} }

func (l *sentLog) add(m *model.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == len(l.ring) { // the explorer lags far behind: forget the oldest
		l.head = (l.head + 1) % len(l.ring)
		l.n--
	}
	l.ring[(l.head+l.n)%len(l.ring)] = sentRec{subject: m.Subject, size: len(m.Data), at: m.Received}
	l.n++
}

// stamp matches each message with the oldest remembered publication of the
// same subject and size (within sentLookahead), taking it and any older
// ones off; a message with no match came from another client. After the
// feed dropped messages (resync) the first one is looked for in the whole
// log: the publications of the dropped ones are skipped over.
func (l *sentLog) stamp(msgs []model.Message, playhead int64, resync bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range msgs {
		m := &msgs[i]
		m.Received = playhead
		ahead := min(l.n, sentLookahead)
		if resync && i == 0 {
			ahead = l.n
		}
		for j := 0; j < ahead; j++ {
			r := &l.ring[(l.head+j)%len(l.ring)]
			if r.size == m.Size && r.subject == m.Subject {
				m.Received = r.at
				for k := 0; k <= j; k++ {
					l.ring[(l.head+k)%len(l.ring)] = sentRec{} // release the subject
				}
				l.head = (l.head + j + 1) % len(l.ring)
				l.n -= j + 1
				break
			}
		}
	}
}

func (t *playerTimeline) Status() model.TimelineStatus {
	st := t.p.Status()
	return model.TimelineStatus{Name: t.name, Playing: st.Playing, Done: st.Done, Speed: st.Speed,
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
	case errors.Is(err, recorder.ErrEndOfCapture):
		return errors.New("end of the capture: space plays it again from the start")
	case errors.Is(err, recorder.ErrNoMarker):
		return errors.New("no marker that way (m adds markers while recording)")
	}
	return err
}
