package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
)

// RecordStore holds whole payloads (up to the embedded broker's 8 MiB
// limit), unlike the UI's 64 KiB cap, so captures are complete. The bench
// program records with it too.
var RecordStore = engine.StoreOptions{Capacity: 1 << 18, MaxBytes: 512 << 20, MaxPayload: 8 << 20}

// RecordCmd records traffic to a capture file.
type RecordCmd struct {
	SourceFlags
	Out      string        `short:"o" required:"" help:"capture file to write (created 0600)" placeholder:"FILE"`
	Subject  []string      `help:"record only subjects matching PATTERN (repeatable)" placeholder:"PATTERN"`
	Duration time.Duration `help:"stop after this long"`
	Count    uint64        `help:"stop after N messages" placeholder:"N"`
	MaxSize  Size          `help:"stop once the file reaches SIZE (e.g. 100MiB)" placeholder:"SIZE"`
	Flush    time.Duration `default:"100ms" help:"write buffered messages at least this often (what a crash can lose)"`
	Compress string        `default:"none" enum:"none,zstd,s2" help:"block compression: none, zstd or s2"`
	Force    bool          `help:"replace --out if it exists (the old file stays until the new one is complete)"`
	WhereFlag
	StreamFlags
	JetStreamFlag
}

// whereFeed is the session's feed narrowed to the messages --where holds
// for; the session's other methods (Status, for the gap records) show
// through. Read fills buf from as many of the session's reads as it
// takes, so a selective filter does not make a busy feed look drained
// (Record waits for the next poll after a short read) — up to whereReads
// reads, so that a flood faster than the condition never keeps Read from
// returning (Record's --duration, flushes and ctrl+c wait on it).
type whereFeed struct {
	*engine.Session
	keep func(*model.Message) bool
}

const whereReads = 8

func (f whereFeed) Read(cursor uint64, buf []model.Message) (n int, next, missed uint64) {
	next = cursor
	for reads := 0; n < len(buf) && reads < whereReads; reads++ {
		room := len(buf) - n
		got, nx, miss := f.Session.Read(next, buf[n:])
		next, missed = nx, missed+miss
		n += len(keepWhere(buf[n:n+got], f.keep))
		if got < room {
			break // the session is drained
		}
	}
	return n, next, missed
}

// createCapture creates the capture file; a test swaps it for a writer
// that fails after some bytes, as a full disk does.
var createCapture = recorder.Create

// refusedHint adds how to replace a file the recorder refused to overwrite.
func refusedHint(err error) error {
	if strings.Contains(err.Error(), "refusing to overwrite") {
		return fmt.Errorf("%w (--force replaces it)", err)
	}
	return err
}

// Validate checks the flags at parse time.
func (c *RecordCmd) Validate() error {
	if c.Flush <= 0 {
		return flagErrorf("--flush %s: must be positive", c.Flush)
	}
	if c.Duration < 0 {
		return flagErrorf("--duration %s: must not be negative", c.Duration)
	}
	if err := validPatterns(c.Subject); err != nil {
		return err
	}
	if err := c.validateWhere(); err != nil {
		return err
	}
	if c.Stream != "" && c.Where != "" {
		return flagErrorf("--where applies to live traffic, not to --stream")
	}
	if err := c.validateStream(c.Subject, c.Duration); err != nil {
		return err
	}
	if c.JSDomain != "" && c.Stream == "" {
		return flagErrorf("--js-domain reads a stream: name it with --stream")
	}
	if err := c.applyDomain(&c.ConnFlags, c.SourceFlags.external()); err != nil {
		return err
	}
	return c.SourceFlags.validate()
}

// validPatterns checks --subject patterns.
func validPatterns(ps []string) error {
	for _, s := range ps {
		if err := recorder.ValidPattern(s); err != nil {
			return flagErrorf("--subject: %w", err)
		}
	}
	return nil
}

// Run records until a limit or ctrl+c, and always leaves a complete file.
func (c *RecordCmd) Run(env *Env) error {
	comp, err := recorder.ParseCompression(c.Compress)
	if err != nil {
		return err
	}
	// Refused before connecting: nothing is subscribed or started for a
	// recording that could not be written (Create checks again).
	if st, err := os.Stat(c.Out); err == nil && !c.Force && (st.Size() > 0 || !st.Mode().IsRegular()) {
		return fmt.Errorf("record: %s already exists (%s): refusing to overwrite it (--force replaces it)",
			c.Out, model.HumanBytes(uint64(st.Size())))
	}
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	if c.Stream != "" {
		return c.recordStream(env, so, comp)
	}
	so.Store = RecordStore
	so.PreciseTime = true // replay keeps the recorded gaps only with exact times
	if len(c.Subject) == 1 {
		so.Tap = c.Subject[0] // let the server filter; several patterns are filtered here
	}
	ctx, stop := interruptible()
	defer stop()
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	if sess.Scoped() {
		// The server refused the tap: subscribe to each pattern instead
		// (overlapping patterns then deliver a message once per match).
		if len(c.Subject) == 0 {
			return errors.New(`the server refuses a subscription to ">": name what to record with --subject`)
		}
		if err := sess.SetScope(c.Subject); err != nil {
			return err
		}
		for subj, e := range sess.Status().FilterErrors {
			return fmt.Errorf("subscribe %q: %s", subj, e)
		}
	}
	url := sess.Status().URL
	w, err := createCapture(c.Out, recorder.WriterOptions{
		Server: url, Subjects: c.Subject, NatsxVersion: env.Version, FlushInterval: c.Flush, Compression: comp,
		Replace: c.Force,
	})
	if err != nil {
		return refusedHint(err)
	}
	fmt.Fprintf(env.Err, "recording %s to %s (ctrl+c to stop)\n", url, c.Out)
	live := isTerminal(env.Err)
	var feed recorder.Feed = sess
	if keep := c.keepFunc(); keep != nil {
		feed = whereFeed{Session: sess, keep: keep}
	}
	defer c.reportMisses(env.Err)
	st, err := recorder.Record(ctx, feed, w, recorder.RecordOptions{
		Subjects: c.Subject, Count: c.Count, Duration: c.Duration, MaxSize: int64(c.MaxSize),
		Progress: func(st recorder.RecordStats) {
			if live {
				control(env.Err, "\r\x1b[K")
				fmt.Fprintf(env.Err, "● REC %s", st)
			}
		},
	})
	if live {
		control(env.Err, "\r\x1b[K")
	}
	if err != nil {
		if st.Reason == recorder.StopError {
			// A full disk: what the file holds is what the user needs to know.
			return fmt.Errorf("%w; %s kept %d of %d messages recorded", err, c.Out, st.Kept, st.Messages)
		}
		return err
	}
	fmt.Fprintf(env.Out, "recorded %s to %s (stopped: %s)\n", st, c.Out, st.Reason)
	return nil
}
