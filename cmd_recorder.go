package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
)

// recordStore holds whole payloads (up to the embedded broker's 8 MiB
// limit), unlike the UI's 64 KiB cap, so captures are complete.
var recordStore = engine.StoreOptions{Capacity: 1 << 18, MaxBytes: 512 << 20, MaxPayload: 8 << 20}

// RecordCmd records traffic to a capture file.
type RecordCmd struct {
	SourceFlags
	Out      string        `short:"o" required:"" help:"capture file to write (created 0600)" placeholder:"FILE"`
	Subject  []string      `help:"record only subjects matching PATTERN (repeatable)" placeholder:"PATTERN"`
	Duration time.Duration `help:"stop after this long"`
	Count    uint64        `help:"stop after N messages" placeholder:"N"`
	MaxSize  string        `help:"stop once the file reaches SIZE (e.g. 100MiB)" placeholder:"SIZE"`
	Flush    time.Duration `default:"100ms" help:"write buffered messages at least this often (what a crash can lose)"`
	Compress string        `default:"none" enum:"none,zstd,s2" help:"block compression: none, zstd or s2"`
}

// ReplayCmd republishes a capture with its timing.
type ReplayCmd struct {
	ConnFlags
	File    string   `arg:"" help:"capture file" placeholder:"FILE"`
	Listen  string   `help:"address of the embedded broker used without --server" placeholder:"HOST[:PORT]"`
	NoWait  bool     `help:"without --server: start at once instead of waiting for a subscriber"`
	Speed   string   `default:"1" help:"scale the recorded gaps: 0.5, 1, 2, … or max" placeholder:"X|max"`
	Loop    bool     `help:"start over at the end until interrupted"`
	Subject []string `help:"replay only subjects matching PATTERN (repeatable)" placeholder:"PATTERN"`
	Remap   []string `help:"rewrite subjects, e.g. orders.>=sandbox.orders.> (repeatable)" placeholder:"FROM=TO"`
	DryRun  bool     `help:"print what would be sent, send nothing"`
}

// InspectCmd summarizes a capture.
type InspectCmd struct {
	File string `arg:"" help:"capture file" placeholder:"FILE"`
	JSON bool   `help:"print JSON"`
}

// ExportCmd writes a capture as NDJSON.
type ExportCmd struct {
	File   string `arg:"" help:"capture file" placeholder:"FILE"`
	Format string `default:"ndjson" enum:"ndjson" help:"output format (ndjson)"`
}

// ImportCmd builds a capture from NDJSON or a natscli dump directory.
type ImportCmd struct {
	Src string `arg:"" help:"NDJSON file (as natsx export writes it) or a 'nats sub --dump' directory" placeholder:"FILE.ndjson|DIR"`
	Out string `short:"o" required:"" help:"capture file to write" placeholder:"FILE"`
}

// interruptible is a context that ends on ctrl+c or SIGTERM.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func stderrIsTerminal() bool { return term.IsTerminal(os.Stderr.Fd()) }

// Run records until a limit or ctrl+c, and always leaves a complete file.
func (c *RecordCmd) Run(stdout io.Writer) error {
	if c.Flush <= 0 {
		return fmt.Errorf("--flush %s: must be positive", c.Flush)
	}
	if c.Duration < 0 {
		return fmt.Errorf("--duration %s: must not be negative", c.Duration)
	}
	var maxSize int64
	if c.MaxSize != "" {
		n, err := model.ParseBytes(c.MaxSize)
		if err != nil || n <= 0 {
			return fmt.Errorf("--max-size %q: want a size such as 100MiB", c.MaxSize)
		}
		maxSize = n
	}
	for _, s := range c.Subject {
		if err := recorder.ValidPattern(s); err != nil {
			return fmt.Errorf("--subject: %w", err)
		}
	}
	comp, err := recorder.ParseCompression(c.Compress)
	if err != nil {
		return err
	}
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	so.Store = recordStore
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
	w, err := recorder.Create(c.Out, recorder.WriterOptions{
		Server: url, Subjects: c.Subject, NatsxVersion: version, FlushInterval: c.Flush, Compression: comp,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "recording %s to %s (ctrl+c to stop)\n", url, c.Out)
	live := stderrIsTerminal()
	st, err := recorder.Record(ctx, sess, w, recorder.RecordOptions{
		Subjects: c.Subject, Count: c.Count, Duration: c.Duration, MaxSize: maxSize,
		Progress: func(st recorder.RecordStats) {
			if live {
				fmt.Fprintf(os.Stderr, "\r\x1b[K● REC %s", st)
			}
		},
	})
	if live {
		fmt.Fprint(os.Stderr, "\r\x1b[K")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "recorded %s to %s (stopped: %s)\n", st, c.Out, st.Reason)
	return nil
}

// parseSpeed reads 0.5, 1, 2x or max (0 means max to the recorder).
func parseSpeed(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "max" {
		return 0, nil
	}
	t = strings.TrimSuffix(t, "x")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("--speed %q: want a positive number (0.5, 1, 2) or max", s)
	}
	return v, nil
}

// connOptions resolves the connection flags; external is false when
// nothing names a server (then natsx starts its own broker).
func (f ConnFlags) connOptions() (engine.ConnOptions, bool, error) {
	c := engine.ConnOptions{
		Servers: f.Server, User: f.User, Password: f.Password, Token: f.Token,
		Creds: f.Creds, NKey: f.Nkey, TLSCert: f.TLSCert, TLSKey: f.TLSKey, TLSCA: f.TLSCA,
		Context: f.Context, Name: "natsx-replay",
	}
	if c.Servers == "" && c.Context == "" && os.Getenv("NATS_URL") == "" {
		if c.User != "" || c.Token != "" || c.Creds != "" || c.NKey != "" || c.TLSCert != "" || c.TLSCA != "" {
			return c, false, errors.New("credentials given without --server: the embedded broker needs none")
		}
		return c, false, nil
	}
	r, err := c.Resolve(os.Getenv)
	return r, true, err
}

// Run replays the capture into --server, or into a fresh embedded broker.
func (c *ReplayCmd) Run(stdout io.Writer) error {
	speed, err := parseSpeed(c.Speed)
	if err != nil {
		return err
	}
	o := recorder.ReplayOptions{Speed: speed, Loop: c.Loop, Subjects: c.Subject, DryRun: c.DryRun, Output: stdout}
	for _, s := range c.Subject {
		if err := recorder.ValidPattern(s); err != nil {
			return fmt.Errorf("--subject: %w", err)
		}
	}
	for _, s := range c.Remap {
		rm, err := recorder.ParseRemap(s)
		if err != nil {
			return fmt.Errorf("--remap: %w", err)
		}
		o.Remap = append(o.Remap, rm)
	}
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	ctx, stop := interruptible()
	defer stop()
	if c.DryRun {
		st, err := recorder.ReplayReader(ctx, nil, r, o)
		reportProblems(st.Problems)
		return err
	}

	co, external, err := c.connOptions()
	if err != nil {
		return err
	}
	if external && c.Listen != "" {
		return errors.New("--listen applies to the embedded broker, not to --server")
	}
	target := ""
	if !external {
		emb, err := engine.StartEmbedded(engine.EmbeddedOptions{Listen: c.Listen})
		if err != nil {
			return err
		}
		defer emb.Shutdown()
		co = engine.ConnOptions{Servers: emb.URL(), Name: "natsx-replay"}
		fmt.Fprintln(stdout, emb.URL())
		if !c.NoWait {
			fmt.Fprintf(os.Stderr, "replaying into %s once a client subscribes (ctrl+c to stop)\n", emb.URL())
			// The server's own subscriptions, if any, are not a client.
			if err := waitForSubscriber(ctx.Done(), emb, emb.Server().NumSubscriptions()); err != nil {
				return nil // interrupted before anyone came: nothing to report
			}
		}
	}
	nc, err := engine.Connect(co)
	if err != nil {
		return err
	}
	defer nc.Close()
	target = engine.RedactURL(nc.ConnectedUrl())
	if stderrIsTerminal() {
		o.Progress = func(p recorder.ReplayProgress) {
			fmt.Fprintf(os.Stderr, "\r\x1b[K%s %3.0f%% %d sent, pass %d", progressBar(p.Fraction(), 30), 100*p.Fraction(), p.Published, p.Pass)
			if p.Done {
				fmt.Fprint(os.Stderr, "\r\x1b[K")
			}
		}
	}
	st, err := recorder.ReplayReader(ctx, nc, r, o)
	reportProblems(st.Problems)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("replayed %d messages to %s in %s", st.Published, target, st.Elapsed.Round(time.Millisecond))
	if st.Passes > 1 {
		line += fmt.Sprintf(" (%d passes)", st.Passes)
	}
	if st.Skipped > 0 {
		line += fmt.Sprintf(", %d filtered out", st.Skipped)
	}
	if st.Truncated > 0 {
		line += fmt.Sprintf(", %d with payloads truncated at recording", st.Truncated)
	}
	fmt.Fprintln(stdout, line)
	return nil
}

// progressBar draws a bar of width cells. Hand-written: bubbles' progress
// bar would pull in harmonica, an extra module, for one line of text.
func progressBar(frac float64, width int) string {
	full := int(frac*float64(width) + 0.5)
	full = min(max(full, 0), width)
	return strings.Repeat("█", full) + strings.Repeat("░", width-full)
}

// waitForSubscriber waits until the embedded broker has more than before
// subscriptions (a client subscribed), or done is closed.
func waitForSubscriber(done <-chan struct{}, emb *engine.Embedded, before uint32) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for emb.Server().NumSubscriptions() <= before {
		select {
		case <-done:
			return errors.New("stopped before a client subscribed")
		case <-t.C:
		}
	}
	return nil
}

// reportProblems warns about damage met while reading, one line each.
func reportProblems(ps []recorder.Problem) {
	for _, p := range ps {
		fmt.Fprintf(os.Stderr, "natsx: warning: %s\n", p)
	}
}

// inspectJSON is `natsx inspect --json`.
type inspectJSON struct {
	File          string   `json:"file"`
	FormatVersion int      `json:"format_version"`
	Created       string   `json:"created"`
	Server        string   `json:"server"`
	Filters       []string `json:"filters"`
	NatsxVersion  string   `json:"natsx_version"`
	Compression   string   `json:"compression"`
	FileBytes     int64    `json:"file_bytes"`
	Messages      uint64   `json:"messages"`
	Subjects      int      `json:"subjects"`
	First         string   `json:"first,omitempty"`
	Last          string   `json:"last,omitempty"`
	DurationNS    int64    `json:"duration_ns"`
	Bytes         uint64   `json:"bytes"`
	PayloadBytes  uint64   `json:"payload_bytes"`
	Truncated     uint64   `json:"truncated"`
	Gaps          uint64   `json:"gaps"`
	Missed        uint64   `json:"missed"`
	Markers       uint64   `json:"markers"`
	TornBytes     int64    `json:"torn_bytes"`
	CorruptBlocks int      `json:"corrupt_blocks"`
	CorruptBytes  int64    `json:"corrupt_bytes"`
	Indexed       bool     `json:"indexed"`
	Problems      []string `json:"problems"`
}

func stamp(ns int64, layout string) string {
	return time.Unix(0, ns).UTC().Format(layout)
}

// Run prints the summary.
func (c *InspectCmd) Run(stdout io.Writer) error {
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	s, err := r.Stats()
	if err != nil {
		return err
	}
	h := s.Header
	j := inspectJSON{
		File: c.File, FormatVersion: h.Version, Created: h.Created.Format(time.RFC3339Nano), Server: h.Server,
		Filters: h.Subjects, NatsxVersion: h.NatsxVersion, Compression: h.Compression, FileBytes: s.FileBytes,
		Messages: s.Messages, Subjects: s.Subjects, DurationNS: int64(s.Duration()), Bytes: s.WireBytes,
		PayloadBytes: s.PayloadBytes, Truncated: s.Truncated, Gaps: s.Gaps, Missed: s.Missed, Markers: s.Markers,
		TornBytes: s.TornBytes, CorruptBlocks: s.CorruptBlocks, CorruptBytes: s.CorruptBytes, Indexed: s.Indexed,
		Problems: []string{},
	}
	if j.Filters == nil {
		j.Filters = []string{}
	}
	if s.Messages+s.Gaps+s.Markers > 0 {
		j.First, j.Last = stamp(s.First, time.RFC3339Nano), stamp(s.Last, time.RFC3339Nano)
	}
	for _, p := range s.Problems {
		j.Problems = append(j.Problems, p.String())
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	}
	filters := "everything"
	if len(j.Filters) > 0 {
		filters = strings.Join(j.Filters, " ")
	}
	lines := [][2]string{
		{"file", fmt.Sprintf("%s (%s, format %d, compression %s)", c.File, model.HumanBytes(uint64(s.FileBytes)), h.Version, h.Compression)},
		{"recorded", fmt.Sprintf("%s from %s by natsx %s", j.Created, model.Sanitize(h.Server), model.Sanitize(h.NatsxVersion))},
		{"filters", model.Sanitize(filters)},
		{"messages", fmt.Sprintf("%d (%s as received)", s.Messages, model.HumanBytes(s.WireBytes))},
		{"subjects", strconv.Itoa(s.Subjects)},
		{"first", j.First},
		{"last", j.Last},
		{"duration", s.Duration().String()},
		{"gaps", fmt.Sprintf("%d (%d messages lost before recording)", s.Gaps, s.Missed)},
		{"markers", strconv.FormatUint(s.Markers, 10)},
		{"truncated", strconv.FormatUint(s.Truncated, 10)},
		{"torn", fmt.Sprintf("%d bytes", s.TornBytes)},
		{"corrupt", fmt.Sprintf("%d blocks, %d bytes skipped", s.CorruptBlocks, s.CorruptBytes)},
	}
	for _, l := range lines {
		fmt.Fprintf(stdout, "%-10s %s\n", l[0], l[1])
	}
	for _, p := range j.Problems {
		fmt.Fprintf(stdout, "problem    %s\n", p)
	}
	return nil
}

// Run writes NDJSON to stdout.
func (c *ExportCmd) Run(stdout io.Writer) error {
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = recorder.ExportNDJSON(stdout, r)
	reportProblems(r.Problems())
	return err
}

// Run imports into a new capture; on failure it removes the partial file.
func (c *ImportCmd) Run(stdout io.Writer) (err error) {
	st, err := os.Stat(c.Src)
	if err != nil {
		return fmt.Errorf("import %s: %w", c.Src, errors.Unwrap(err))
	}
	w, err := recorder.Create(c.Out, recorder.WriterOptions{NatsxVersion: version})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(c.Out)
		}
	}()
	var n uint64
	if st.IsDir() {
		n, err = recorder.ImportDumpDir(c.Src, w)
	} else {
		var f *os.File
		if f, err = os.Open(c.Src); err != nil {
			return fmt.Errorf("import %s: %w", c.Src, errors.Unwrap(err))
		}
		defer f.Close()
		n, err = recorder.ImportNDJSON(f, w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d records from %s to %s\n", n, c.Src, c.Out)
	return nil
}
