package recorder

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"natsx/model"
)

// LivePoll is how often a live recording reads its feed when nothing wakes
// it: often enough that the store (sized for ~0.2 s of a flood) does not
// overwrite what the recorder has not read yet.
const LivePoll = 20 * time.Millisecond

// maxMarkerLabel bounds a marker's label: it is typed by a person, and a
// pasted megabyte should fail clearly rather than bloat the capture.
const maxMarkerLabel = 4096

// ErrLiveStopped is returned by Mark once the recording has stopped.
var ErrLiveStopped = errors.New("recorder: recording stopped")

// HeaderInfo is what a capture's header says about its source.
type HeaderInfo struct {
	// Server is the source server URL; the caller redacts it (the writer
	// redacts user info again).
	Server string
	// Subjects are the subject filters in force; stored in the header only,
	// the live recorder keeps everything its feed delivers.
	Subjects []string
	// NatsxVersion is the version of natsx writing the file.
	NatsxVersion string
	// Compression compresses blocks (default none).
	Compression Compression
}

func (h HeaderInfo) writerOptions(created time.Time) WriterOptions {
	return WriterOptions{Server: h.Server, Subjects: h.Subjects, NatsxVersion: h.NatsxVersion,
		Compression: h.Compression, Created: created}
}

// headFeed is a feed that knows the sequence its next message gets (the
// engine Session and Store do): markers are then placed exactly between
// the messages read before and after the keypress.
type headFeed interface {
	Head() uint64
}

// LiveStatus is a snapshot of a live recording.
type LiveStatus struct {
	// Path is the capture file.
	Path string
	// Messages, Gaps and Markers count the records written.
	Messages, Gaps, Markers uint64
	// Missed is the number of messages the gap records stand for.
	Missed uint64
	// Disconnects counts the connection losses recorded (each is in the
	// file as a disconnection and a reconnection record).
	Disconnects uint64
	// Disconnected is true while the connection is down and nothing is
	// being recorded: the header should say so, not look quiet.
	Disconnected bool
	// Bytes is the file size so far.
	Bytes uint64
	// Started is when recording began.
	Started time.Time
	// Err is the error that ended recording, empty while it runs.
	Err string
	// Kept is, once Err is set (a full disk), how many messages the file
	// holds: those in blocks written whole.
	Kept uint64
}

// pendingMark is a marker waiting for the recording goroutine: at is the
// feed's head when it was set (hasAt false for feeds without Head).
type pendingMark struct {
	t     int64
	at    uint64
	hasAt bool
	label string
}

// LiveRecorder records a feed to a capture file in its own goroutine, for
// the TUI's R key. Its methods are safe for concurrent use.
type LiveRecorder struct {
	feed    Feed
	head    headFeed
	w       *Writer
	path    string
	started time.Time

	messages, gaps, missed, markers, bytes atomic.Uint64
	disconnects                            atomic.Uint64
	disconnected                           atomic.Bool
	err                                    atomic.Pointer[string]

	mu      sync.Mutex
	marks   []pendingMark
	stopped bool
	stopAt  int64
	final   error // written by run before done is closed

	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

// StartLive creates path (0600; an existing file is refused unless it is
// empty), writes the header, and records feed from cursor from on (pass
// the store's head to record only new traffic) until Stop. Missed messages
// and client-side drops become gap records.
func StartLive(feed Feed, from uint64, path string, hdr HeaderInfo) (*LiveRecorder, error) {
	if feed == nil {
		return nil, errors.New("recorder: live: no feed")
	}
	started := time.Now()
	w, _, err := createNew(path, hdr.writerOptions(started))
	if err != nil {
		return nil, err
	}
	r := &LiveRecorder{feed: feed, w: w, path: path, started: started,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	r.head, _ = feed.(headFeed)
	r.bytes.Store(uint64(w.Size()))
	go r.run(from, newGaps(feed))
	return r, nil
}

// Status is cheap (atomic loads): the TUI calls it on every tick.
func (r *LiveRecorder) Status() LiveStatus {
	st := LiveStatus{Path: r.path, Messages: r.messages.Load(), Gaps: r.gaps.Load(), Markers: r.markers.Load(),
		Missed: r.missed.Load(), Bytes: r.bytes.Load(), Started: r.started,
		Disconnects: r.disconnects.Load(), Disconnected: r.disconnected.Load()}
	if p := r.err.Load(); p != nil {
		st.Err, st.Kept = *p, r.w.Kept() // the writer's lock, only once recording has failed
	}
	return st
}

// Mark adds a labelled marker at this moment: after every message the
// feed held when Mark was called, before every later one. It does not
// wait for the write; a write failure shows in Status and Stop.
func (r *LiveRecorder) Mark(label string) error {
	if len(label) > maxMarkerLabel {
		return fmt.Errorf("recorder: marker label of %d bytes: at most %d", len(label), maxMarkerLabel)
	}
	m := pendingMark{t: time.Now().UnixNano(), label: label}
	if r.head != nil {
		m.at, m.hasAt = r.head.Head(), true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.err.Load(); p != nil {
		return errors.New(*p)
	}
	if r.stopped {
		return ErrLiveStopped
	}
	r.marks = append(r.marks, m)
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

// Stop records what the feed holds up to now, writes the index and footer
// and closes the file. It returns the final status and the first error;
// calling it again returns the same.
func (r *LiveRecorder) Stop() (LiveStatus, error) {
	r.mu.Lock()
	if !r.stopped {
		r.stopped, r.stopAt = true, time.Now().UnixNano()
		close(r.stop)
	}
	r.mu.Unlock()
	<-r.done
	return r.Status(), r.final
}

func (r *LiveRecorder) run(cursor uint64, lost gaps) {
	defer close(r.done)
	buf := make([]model.Message, 1024)
	tick := time.NewTicker(LivePoll)
	defer tick.Stop()
	var err error
	for stopping := false; err == nil && !stopping; {
		var until int64
		select {
		case <-tick.C:
		case <-r.wake:
		case <-r.stop:
			r.mu.Lock()
			stopping, until = true, r.stopAt
			r.mu.Unlock()
		}
		err = r.drain(&cursor, &lost, buf, until, stopping)
	}
	if cerr := r.w.Close(); err == nil {
		err = cerr
	}
	r.bytes.Store(uint64(r.w.Size()))
	if err != nil {
		msg := err.Error()
		r.err.Store(&msg)
	}
	r.final = err
}

// drain writes what the feed holds. The final drain (last) stops at the
// first batch that reaches past until, so a flood cannot keep Stop busy,
// and then writes every marker still pending.
func (r *LiveRecorder) drain(cursor *uint64, lost *gaps, buf []model.Message, until int64, last bool) error {
	var marks []pendingMark
	for {
		n, next, missed := r.feed.Read(*cursor, buf)
		*cursor = next
		r.mu.Lock()
		marks = append(marks, r.marks...)
		r.marks = r.marks[:0]
		r.mu.Unlock()
		at := time.Now().UnixNano()
		if n > 0 {
			at = buf[0].Received
		}
		records, lostN, err := lost.note(r.w, at, missed)
		r.gaps.Add(records)
		r.missed.Add(lostN)
		r.disconnects.Store(lost.disconnects)
		r.disconnected.Store(lost.down())
		if err != nil {
			return err
		}
		for i := range buf[:n] {
			m := &buf[i]
			for len(marks) > 0 && marks[0].before(m) {
				if err := r.mark(marks[0], m.Received); err != nil {
					return err
				}
				marks = marks[1:]
			}
			if err := r.w.WriteMessage(m); err != nil {
				return err
			}
			r.messages.Add(1)
		}
		r.bytes.Store(uint64(r.w.Size()))
		past := until != 0 && n > 0 && buf[n-1].Received > until
		clear(buf[:n]) // drop payload references for the GC
		if n < len(buf) || past {
			break
		}
	}
	// A marker whose head is not read yet waits for the next drain: the
	// messages before it are still arriving.
	kept := marks[:0]
	for _, mk := range marks {
		if !last && mk.hasAt && mk.at > *cursor {
			kept = append(kept, mk)
			continue
		}
		if err := r.mark(mk, mk.t); err != nil {
			return err
		}
	}
	if len(kept) > 0 {
		r.mu.Lock()
		r.marks = append(kept, r.marks...)
		r.mu.Unlock()
	}
	return nil
}

// before reports whether the marker belongs before message m.
func (mk pendingMark) before(m *model.Message) bool {
	if mk.hasAt {
		return m.Seq >= mk.at
	}
	return m.Received > mk.t
}

// mark writes a marker no later than the message it precedes, so the
// times stay in order even with the engine's coarse clock.
func (r *LiveRecorder) mark(mk pendingMark, notAfter int64) error {
	if err := r.w.WriteMarker(min(mk.t, notAfter), mk.label); err != nil {
		return err
	}
	r.markers.Add(1)
	return nil
}
