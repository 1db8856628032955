package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
)

// StreamFlags make record read what a JetStream stream kept instead of
// live traffic.
type StreamFlags struct {
	Stream   string `help:"record what this JetStream stream holds, with each message's stored time, instead of live traffic" placeholder:"NAME"`
	Since    string `help:"with --stream: start at messages stored this long ago (1h, 90m) or since this time (RFC 3339)" placeholder:"AGE|TIME"`
	StartSeq uint64 `name:"start-seq" help:"with --stream: start at this stream sequence" placeholder:"N"`
}

// validateStream refuses stream flags without --stream, and live-traffic
// flags with it.
func (f StreamFlags) validateStream(subjects []string, duration time.Duration) error {
	if f.Stream == "" {
		if f.Since != "" || f.StartSeq != 0 {
			return flagErrorf("--since and --start-seq read a stream: name it with --stream")
		}
		return nil
	}
	switch {
	case f.Since != "" && f.StartSeq != 0:
		return flagErrorf("--since and --start-seq: give one of them")
	case len(subjects) > 1:
		return flagErrorf("--stream takes one --subject (the server filters by one pattern)")
	case duration != 0:
		return flagErrorf("--duration is for live traffic; --stream records what the stream holds (--count bounds it)")
	}
	if _, err := parseSince(f.Since, time.Now()); err != nil {
		return err
	}
	return nil
}

// parseSince reads --since: an age (a Go duration) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, flagErrorf("--since %s: want a positive age such as 1h", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, flagErrorf("--since %q: want an age (1h, 90m) or an RFC 3339 time (2026-12-01T15:04:05Z)", s)
}

// recordStream writes what --stream holds in the range the flags give to
// --out: the file appears when complete (or stopped by ctrl+c), and only
// if there is a message to put in it.
func (c *RecordCmd) recordStream(env *Env, so engine.SessionOptions, comp recorder.Compression) error {
	since, err := parseSince(c.Since, time.Now())
	if err != nil {
		return err
	}
	var filter string
	if len(c.Subject) == 1 {
		filter = c.Subject[0]
	}
	ctx, stop := interruptible()
	defer stop()
	so.NoTap = true // nothing live is recorded
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	js, err := engine.NewJetStream(sess.Conn(), so.Conn.JetStream())
	if err != nil {
		return err
	}
	defer js.Close()
	url := sess.Status().URL
	var w *recorder.Writer
	defer func() {
		if w != nil {
			// After an error: a part of the range would pass for all of
			// it, so nothing is kept (ctrl+c keeps what was read).
			_ = w.Discard()
		}
	}()
	var first, last *engine.StoredMsg
	reason := "end of stream"
	// A long stream takes a while: on a terminal, say how far it got.
	live := isTerminal(env.Err)
	var shown time.Time
	progress := func(n uint64, seq uint64) {
		if live && time.Since(shown) >= 200*time.Millisecond {
			shown = time.Now()
			control(env.Err, "\r\x1b[K")
			fmt.Fprintf(env.Err, "● REC %d messages of %s, at sequence %d", n, c.Stream, seq)
		}
	}
	clearProgress := func() {
		if live && !shown.IsZero() {
			control(env.Err, "\r\x1b[K")
			shown = time.Time{}
		}
	}
	defer clearProgress() // before an error's line
	for m, err := range js.Read(ctx, c.Stream, engine.StreamRange{Filter: filter, StartSeq: c.StartSeq, Since: since, Count: c.Count}) {
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				reason = "interrupted"
				break
			}
			if w != nil {
				return fmt.Errorf("%w (%s not written)", err, c.Out)
			}
			return err
		}
		if w == nil {
			w, err = createCapture(c.Out, recorder.WriterOptions{
				Server: url, Subjects: c.Subject, NatsxVersion: env.Version, Compression: comp,
				Created: m.Time, Replace: c.Force, Atomic: true, FlushInterval: -1,
			})
			if err != nil {
				return refusedHint(err)
			}
			first = m
		}
		mm := m.Message()
		if err := w.WriteMessage(&mm); err != nil {
			return fmt.Errorf("%w (%s not written)", err, c.Out)
		}
		last = m
		progress(w.Messages(), m.Seq)
		if c.MaxSize > 0 && w.Size() >= int64(c.MaxSize) {
			reason = "max size"
			break
		}
		if c.Count > 0 && w.Messages() >= c.Count {
			reason = "count"
		}
	}
	if w == nil {
		return fmt.Errorf("stream %q holds no message%s: nothing recorded", c.Stream, rangeSaid(filter, c.StartSeq, c.Since))
	}
	clearProgress()
	n := w.Messages()
	err = w.Close()
	w = nil
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "recorded %d messages of stream %s (sequences %d to %d, stored %s to %s) to %s (stopped: %s)\n",
		n, c.Stream, first.Seq, last.Seq, first.Time.UTC().Format(time.RFC3339), last.Time.UTC().Format(time.RFC3339), c.Out, reason)
	return nil
}

// rangeSaid is the flags' range in words, for "holds no message …".
func rangeSaid(filter string, start uint64, since string) string {
	s := ""
	if filter != "" {
		s += " on " + filter
	}
	if start != 0 {
		s += fmt.Sprintf(" from sequence %d", start)
	}
	if since != "" {
		s += " since " + since
	}
	return model.Sanitize(s)
}
