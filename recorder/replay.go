package recorder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// ReplayOptions say how to republish a capture.
type ReplayOptions struct {
	// Speed scales the recorded gaps: 1 keeps them, 2 halves them; 0 or
	// +Inf publishes as fast as possible.
	Speed float64
	// Loop starts over at the end until ctx is done.
	Loop bool
	// Subjects keeps only messages matching one of these patterns (before
	// remapping); empty keeps all.
	Subjects []string
	// Where, when set, keeps only the messages it holds for (after
	// Subjects, before remapping); the others count as Skipped.
	Where func(*model.Message) bool
	// Remap rewrites subjects; the first matching rule wins.
	Remap []Remap
	// DryRun prints what would be sent instead of publishing, at once.
	DryRun bool
	// Output receives dry-run lines (default os.Stdout).
	Output io.Writer
	// Progress, when set, is called about every ProgressEvery and at the end.
	Progress func(ReplayProgress)
	// ProgressEvery is the progress interval (default 100 ms).
	ProgressEvery time.Duration
}

// ReplayProgress is how far a replay has got.
type ReplayProgress struct {
	// Published counts messages sent (or printed, in a dry run).
	Published uint64
	// Pass is the current pass, from 1 (more with Loop).
	Pass int
	// Position is the capture time reached, from the first record.
	Position time.Duration
	// Span is the capture's length in time.
	Span time.Duration
	// Done is set on the last call.
	Done bool
}

// Fraction is how far through the current pass the replay is, 0 to 1.
func (p ReplayProgress) Fraction() float64 {
	if p.Done {
		return 1
	}
	if p.Span <= 0 {
		return 0
	}
	return min(1, max(0, float64(p.Position)/float64(p.Span)))
}

// ReplayStats count what a replay did.
type ReplayStats struct {
	// Published counts messages sent (or printed, in a dry run).
	Published uint64
	// Confirmed counts the messages the server is known to have received:
	// those before its last answer to a flush (one every confirmEvery, and
	// at the end). When the server goes away, Published minus Confirmed
	// may have been lost.
	Confirmed uint64
	// Skipped counts messages the subject filter left out.
	Skipped uint64
	// Truncated counts messages sent with a payload cut short at recording.
	Truncated uint64
	// Gaps and Missed count gap records met and the messages they stand for.
	Gaps, Missed uint64
	// Passes is the number of passes begun.
	Passes int
	// Elapsed is the wall time taken.
	Elapsed time.Duration
	// Problems lists damage met in the file (skipped blocks, torn tail).
	Problems []Problem
}

// spinWindow is how close to a send time replay stops sleeping and spins
// (yielding): time.Sleep overshoots by 0.3–0.5 ms on a loaded VM, the spin
// does not. BenchmarkReplayTiming measured p50 0.36 ms with a 100 µs
// window, 0.1 ms with 1 ms.
const spinWindow = time.Millisecond

// Replay republishes the capture at path on nc with its recorded timing,
// headers and reply subjects. nc may be nil in a dry run.
func Replay(ctx context.Context, nc *nats.Conn, path string, o ReplayOptions) (ReplayStats, error) {
	r, err := Open(path)
	if err != nil {
		return ReplayStats{}, err
	}
	defer r.Close()
	return ReplayReader(ctx, nc, r, o)
}

// MinReplaySpeed is the slowest replay: below it a recorded gap divided
// by the speed overflows a time.Duration (1e-300 sent everything at once).
const MinReplaySpeed = 0.001

// ReplayReader is Replay for an open capture.
func ReplayReader(ctx context.Context, nc *nats.Conn, r *Reader, o ReplayOptions) (st ReplayStats, err error) {
	if nc == nil && !o.DryRun {
		return st, errors.New("recorder: replay: no connection")
	}
	if math.IsNaN(o.Speed) || o.Speed < 0 || (o.Speed > 0 && o.Speed < MinReplaySpeed) {
		return st, fmt.Errorf("recorder: replay: speed %v: want at least %v, or 0 for max", o.Speed, MinReplaySpeed)
	}
	filter, err := compileFilter(o.Subjects)
	if err != nil {
		return st, err
	}
	timed := o.Speed > 0 && !math.IsInf(o.Speed, 1) && !o.DryRun
	if o.Output == nil {
		o.Output = os.Stdout
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 100 * time.Millisecond
	}
	info := r.Info()
	prog := ReplayProgress{Span: time.Duration(max(info.Last-info.First, 0))}
	start := time.Now()
	lastProgress, lastConfirm := start, start
	defer func() {
		st.Elapsed = time.Since(start)
		st.Problems = r.Problems()
		if o.Progress != nil {
			prog.Done = true
			o.Progress(prog)
		}
	}()

	var base time.Time // wall time of the current pass's first record
	for {
		st.Passes++
		prog.Pass = st.Passes
		it := r.Iter()
		it.transient() // each record is published (copied) and forgotten
		var first, last int64
		var seen bool
		for it.Next() {
			if err := ctx.Err(); err != nil {
				ferr := st.flush(nc, o.DryRun)
				return st, ferr
			}
			rec := it.Entry()
			if !seen {
				first, seen = rec.Time, true
				if base.IsZero() {
					base = time.Now()
				}
			}
			last = max(last, rec.Time)
			if rec.Kind == KindGap {
				st.Gaps, st.Missed = st.Gaps+1, st.Missed+rec.Missed
			}
			if rec.Kind != KindMessage {
				continue
			}
			m := &rec.Msg
			if !filter.match(m.Subject) || (o.Where != nil && !o.Where(m)) {
				st.Skipped++
				continue
			}
			if timed {
				// Against the pass's start, never the previous send, so
				// sleep overshoot does not add up.
				target := base.Add(time.Duration(float64(rec.Time-first) / o.Speed))
				if err := waitUntil(ctx, target); err != nil {
					ferr := st.flush(nc, o.DryRun)
					return st, ferr
				}
			}
			subject := m.Subject
			for _, rm := range o.Remap {
				if s, ok := rm.Apply(subject); ok {
					subject = s
					break
				}
			}
			if m.Truncated() {
				st.Truncated++
			}
			if o.DryRun {
				if err := dryRunLine(o.Output, rec, subject, rec.Time-info.First); err != nil {
					return st, err
				}
			} else {
				// nats.go buffers publishes while it reconnects, so a
				// vanished server would swallow the rest of the capture
				// without an error: stop at once instead.
				if !nc.IsConnected() {
					return st, fmt.Errorf("recorder: replay: the connection to the server was lost (%s)", strings.ToLower(nc.Status().String()))
				}
				if err := publish(nc, subject, m); err != nil {
					return st, fmt.Errorf("recorder: replay: publish %q (%d bytes): %w", model.Sanitize(subject), len(m.Data), err)
				}
			}
			st.Published++
			if !o.DryRun && time.Since(lastConfirm) >= confirmEvery {
				if err := st.flush(nc, false); err != nil {
					return st, err
				}
				lastConfirm = time.Now()
			}
			prog.Published, prog.Position = st.Published, time.Duration(rec.Time-first)
			if o.Progress != nil && time.Since(lastProgress) >= o.ProgressEvery {
				lastProgress = time.Now()
				o.Progress(prog)
			}
		}
		if err := it.Err(); err != nil {
			return st, err
		}
		if !o.Loop || !seen || ctx.Err() != nil {
			break
		}
		// The next pass starts where this one's last record fell.
		if timed {
			base = base.Add(time.Duration(float64(last-first) / o.Speed))
		}
	}
	ferr := st.flush(nc, o.DryRun)
	return st, ferr
}

// publish sends m on subject. Without headers it is nats.go's plain
// Publish, as a bare publisher calls it: a nats.Msg per message costs an
// allocation and PublishMsg's header handling.
func publish(nc *nats.Conn, subject string, m *model.Message) error {
	switch {
	case m.Header != nil:
		return nc.PublishMsg(&nats.Msg{Subject: subject, Reply: m.Reply, Data: m.Data, Header: nats.Header(m.Header)})
	case m.Reply != "":
		return nc.PublishRequest(subject, m.Reply, m.Data)
	}
	return nc.Publish(subject, m.Data)
}

// confirmEvery is how often a replay asks the server to confirm what it
// has received (one PING round trip, a millisecond or so): when the
// server goes away, the replay can say how many messages surely arrived.
const confirmEvery = time.Second

// flush waits until the server has everything published, so a caller that
// returns and closes the connection loses nothing, and counts it confirmed.
func (st *ReplayStats) flush(nc *nats.Conn, dry bool) error {
	if !dry && nc != nil {
		if err := nc.FlushTimeout(10 * time.Second); err != nil {
			return fmt.Errorf("recorder: replay: flush: %w", err)
		}
	}
	st.Confirmed = st.Published
	return nil
}

// waitUntil sleeps until shortly before target, then spins to it.
func waitUntil(ctx context.Context, target time.Time) error {
	for {
		d := time.Until(target)
		switch {
		case d <= 0:
			return nil
		case d > 50*time.Millisecond:
			t := time.NewTimer(d - spinWindow)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		case d > spinWindow:
			time.Sleep(d - spinWindow)
		default:
			for time.Until(target) > 0 {
				runtime.Gosched()
			}
			return nil
		}
	}
}

func dryRunLine(w io.Writer, rec *Entry, subject string, offset int64) error {
	m := &rec.Msg
	// Subjects come from the wire: never print their escape sequences.
	line := fmt.Sprintf("+%.6fs %s", time.Duration(offset).Seconds(), model.Sanitize(m.Subject))
	if subject != m.Subject {
		line += " -> " + model.Sanitize(subject)
	}
	if m.Reply != "" {
		line += " reply=" + model.Sanitize(m.Reply)
	}
	if n := len(m.Header); n > 0 {
		line += fmt.Sprintf(" headers=%d", n)
	}
	line += fmt.Sprintf(" %d bytes", len(m.Data))
	if m.Truncated() {
		line += fmt.Sprintf(" (truncated from %d)", m.Size)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
