package recorder

import (
	"context"
	"fmt"
	"time"

	"natsx/model"
)

// Feed is where the recorder reads traffic: the engine's store through a
// Session. Read copies messages from cursor on into buf and returns how
// many, the next cursor, and how many were dropped before this reader saw
// them.
type Feed interface {
	Read(cursor uint64, buf []model.Message) (n int, next, missed uint64)
}

// statusFeed is a feed that also reports client-side drops (the engine
// Session does); Record turns their growth into gap records.
type statusFeed interface {
	Status() model.SourceStatus
}

// gaps turns what a feed lost into records: gap records for messages the
// store dropped before the reader got them and for the client's
// slow-consumer drops since recording began (the drops before were not
// the recording's), and disconnection and reconnection records for the
// times the connection was down.
type gaps struct {
	sf          statusFeed // nil when the feed has no status
	dropped     uint64     // client drops already accounted
	conn        connWatch
	disconnects uint64 // disconnection records written
}

func newGaps(feed Feed) gaps {
	var g gaps
	if g.sf, _ = feed.(statusFeed); g.sf != nil {
		st := g.sf.Status()
		g.dropped, g.conn.reconnects = st.ClientDropped, st.Reconnects
	}
	return g
}

// down reports whether the connection was down at the last note.
func (g *gaps) down() bool { return g.conn.down }

// note writes, at t, a gap for storeMissed, one for new client drops and
// any connection change, and returns how many gap records and messages
// the losses stand for (connection records are counted in disconnects).
func (g *gaps) note(w *Writer, t int64, storeMissed uint64) (records, missed uint64, err error) {
	if storeMissed > 0 {
		if err := w.WriteGap(t, GapStore, storeMissed); err != nil {
			return records, missed, err
		}
		records, missed = records+1, missed+storeMissed
	}
	if g.sf == nil {
		return records, missed, nil
	}
	st := g.sf.Status()
	if d := st.ClientDropped; d > g.dropped {
		if err := w.WriteGap(t, GapClient, d-g.dropped); err != nil {
			return records, missed, err
		}
		records, missed = records+1, missed+d-g.dropped
		g.dropped = d
	}
	for _, e := range g.conn.note(st, t) {
		if err := w.WriteEntry(&e); err != nil {
			return records, missed, err
		}
		if e.Source == GapDisconnected {
			g.disconnects++
		}
	}
	return records, missed, nil
}

// RecordOptions say what to record and when to stop.
type RecordOptions struct {
	// Cursor is where reading starts; 0 is everything the feed still holds.
	Cursor uint64
	// Subjects keeps only matching messages; empty keeps all.
	Subjects []string
	// Count stops after this many messages (0: no limit).
	Count uint64
	// Duration stops after this long (0: no limit).
	Duration time.Duration
	// MaxSize stops once the file reaches this many bytes (0: no limit).
	MaxSize int64
	// Poll is how often the feed is read when it is idle (default 5 ms).
	Poll time.Duration
	// Progress, when set, is called about every ProgressEvery with the stats so far.
	Progress func(RecordStats)
	// ProgressEvery is the progress interval (default 250 ms).
	ProgressEvery time.Duration
}

// StopReason says why recording ended.
type StopReason string

// Reasons recording ends.
const (
	StopCount    StopReason = "count"
	StopDuration StopReason = "duration"
	StopSize     StopReason = "max-size"
	StopCanceled StopReason = "interrupted"
	StopError    StopReason = "error"
)

// RecordStats count what was recorded.
type RecordStats struct {
	// Messages is the number of message records written.
	Messages uint64
	// Kept is the number of messages the file holds: Messages, unless a
	// write error (a full disk) cut the recording short, when it is those
	// in the blocks written whole.
	Kept uint64
	// Gaps and Missed count gap records and the messages they stand for.
	Gaps, Missed uint64
	// Disconnects counts the times the connection was lost while
	// recording (each one is in the file, with its reconnection).
	Disconnects uint64
	// Disconnected is true while the connection is down: nothing is being
	// recorded, which the status line must say rather than look quiet.
	Disconnected bool
	// Bytes is the file size so far.
	Bytes int64
	// Elapsed is the time since recording began.
	Elapsed time.Duration
	// Reason is why recording stopped (set at the end).
	Reason StopReason
}

// Record copies messages from feed into w until a limit is reached or ctx
// is done, turning missed messages into gap records, and always closes w:
// the file is complete when Record returns, whatever the reason.
func Record(ctx context.Context, feed Feed, w *Writer, o RecordOptions) (st RecordStats, err error) {
	filter, err := compileFilter(o.Subjects)
	if err != nil {
		return st, err
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Millisecond
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 250 * time.Millisecond
	}
	start := time.Now()
	defer func() {
		if cerr := w.Close(); err == nil && cerr != nil {
			err, st.Reason = cerr, StopError
		}
		st.Bytes, st.Elapsed, st.Kept = w.Size(), time.Since(start), w.Kept()
		if o.Progress != nil {
			o.Progress(st)
		}
	}()
	var deadline <-chan time.Time
	if o.Duration > 0 {
		t := time.NewTimer(o.Duration)
		defer t.Stop()
		deadline = t.C
	}
	lost := newGaps(feed)
	buf := make([]model.Message, 4096)
	cursor := o.Cursor
	poll := time.NewTicker(o.Poll)
	defer poll.Stop()
	lastProgress := start
	for {
		// Drain what is there, then wait for the next poll.
		for {
			n, next, missed := feed.Read(cursor, buf)
			cursor = next
			now := time.Now().UnixNano()
			records, lostN, err := lost.note(w, now, missed)
			st.Gaps, st.Missed = st.Gaps+records, st.Missed+lostN
			st.Disconnects, st.Disconnected = lost.disconnects, lost.down()
			if err != nil {
				return stop(st, StopError), err
			}
			for i := range buf[:n] {
				m := &buf[i]
				if !filter.match(m.Subject) {
					continue
				}
				if err := w.WriteMessage(m); err != nil {
					return stop(st, StopError), err
				}
				st.Messages++
				if o.Count > 0 && st.Messages >= o.Count {
					return stop(st, StopCount), nil
				}
			}
			clear(buf[:n]) // drop payload references for the GC
			if o.MaxSize > 0 && w.Size() >= o.MaxSize {
				return stop(st, StopSize), nil
			}
			if n < len(buf) {
				break
			}
		}
		if o.Progress != nil && time.Since(lastProgress) >= o.ProgressEvery {
			lastProgress = time.Now()
			st.Bytes, st.Elapsed = w.Size(), time.Since(start)
			o.Progress(st)
		}
		select {
		case <-ctx.Done():
			return stop(st, StopCanceled), nil
		case <-deadline:
			return stop(st, StopDuration), nil
		case <-poll.C:
		}
	}
}

func stop(st RecordStats, r StopReason) RecordStats {
	st.Reason = r
	return st
}

// String is a one-line summary for the command line.
func (s RecordStats) String() string {
	line := fmt.Sprintf("%d messages, %s in %s", s.Messages, model.HumanBytes(uint64(max(s.Bytes, 0))), s.Elapsed.Round(time.Millisecond))
	if s.Elapsed > 0 {
		line += fmt.Sprintf(" (%s msg/s)", model.HumanRate(float64(s.Messages)/s.Elapsed.Seconds()))
	}
	if s.Missed > 0 {
		line += fmt.Sprintf(", %d missed in %d gaps", s.Missed, s.Gaps)
	}
	if s.Disconnects > 0 {
		line += fmt.Sprintf(", %d disconnections", s.Disconnects)
	}
	if s.Disconnected {
		line += " (DISCONNECTED: recording nothing until the server is back)"
	}
	return line
}
