package main

// go run ./bench: natsx's real ingest path (tap, store, UI pulling batches on a
// tick, the real renderer writing into a pseudo-terminal) against a bare
// nats.go subscriber, on the same publisher flood, in one run. See
// BENCHMARKS.md for why it is measured this way.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/cli"
	"natsx/engine"
	"natsx/model"
	"natsx/where"
)

// BenchCmd measures natsx's ingest against a bare nats.go subscriber.
type BenchCmd struct {
	Server   string        `short:"s" help:"server to flood (default: a fresh embedded broker on a random loopback port)" placeholder:"URL"`
	Messages int           `default:"2000000" help:"messages per flood"`
	Subjects int           `default:"10000" help:"distinct subjects the publisher spreads the flood over, round-robin (as nats bench --multisubject): four tokens, or bench.N with --nats-bench"`
	Size     []int         `default:"16,128" help:"payload sizes in bytes, one flood each"`
	Idle     time.Duration `default:"10s" help:"how long to sample idle CPU: the real binary at start-up, natsx after each flood (0 skips both)"`
	Rounds   int           `default:"3" help:"rounds per payload size, alternating which side goes first; the median ratio is reported"`
	Recorder bool          `help:"measure natsx record and replay --speed max against a bare subscriber and publisher instead of the TUI"`
	// MaxMemory is natsx's budget, as its own flag.
	MaxMemory   cli.Size `default:"256MiB" help:"natsx's --max-memory in the ingest rounds" placeholder:"SIZE"`
	IdleProfile string   `help:"write a CPU profile of natsx's idle sample after the flood to this file (the last round's)" placeholder:"FILE" type:"path"`
	NatsxEnv    []string `help:"KEY=VALUE added to natsx's environment (e.g. GOMEMLIMIT=384MiB GOGC=100: the explorer before issue 11)" placeholder:"KEY=VALUE"`
	// NoKeys leaves natsx's terminal alone during the flood: the typing
	// (? every 20 ms, each press a full-screen redraw) is part of natsx's
	// CPU per message otherwise.
	NoKeys bool `help:"do not type into natsx during the floods (no key latency): its CPU per message is then the ingest's alone, without ~20 help-screen redraws a second"`
	// Pane opens a filter pane in natsx's side, as --filter does; the
	// payloads are then JSON objects with a number n, for a condition to
	// read.
	Pane string `help:"a filter pane natsx's side opens ('PATTERN where EXPR', as --filter); payloads become JSON {\"n\":1,\"pad\":\"…\"} of --size bytes" placeholder:"FILTER"`
	// TraceSlow keeps, for each press slower than slowPress, the last
	// seconds of natsx's Go execution trace (runtime/trace's flight
	// recorder), to read with go tool trace.
	TraceSlow string `help:"directory where natsx's side writes its last seconds of Go execution trace for each key press slower than 150 ms (go tool trace reads them; go run ./bench/slowtrace FILE prints what the goroutines on the key's path did)" placeholder:"DIR" type:"existingdir"`
	// NatsBench floods with natscli's own publisher, the one issue 11's
	// targets name: its subjects are bench.N (two tokens, N zero-padded),
	// its rate natscli's.
	NatsBench string `help:"flood with 'nats bench pub bench --multisubject --multisubjectmax SUBJECTS' run from this natscli binary (e.g. nats on PATH) instead of the bench's own publisher" placeholder:"NATS"`
	// AllCPUs is natsx's own --all-cpus: its threads on every CPU
	// instead of one (cli.OneCPU).
	AllCPUs bool `name:"all-cpus" help:"run natsx's side with its --all-cpus: on every CPU instead of one"`
}

// benchTimeout bounds every wait: a flood that stalls this long is over.
const benchTimeout = 5 * time.Second

// Run floods the server once per payload size for each subscriber and
// prints both rates and their ratio.
func (c *BenchCmd) Run(stdout io.Writer) error {
	if c.Messages <= 0 || c.Subjects <= 0 || len(c.Size) == 0 || c.Rounds <= 0 {
		return errors.New("bench: --messages, --subjects, --size and --rounds must be positive")
	}
	for _, s := range c.Size {
		if s < 0 || s > 1<<20 {
			return fmt.Errorf("bench: --size %d: want 0 to 1048576 bytes", s)
		}
	}
	if c.Pane != "" {
		if _, _, err := where.ParseFilter(c.Pane); err != nil {
			return fmt.Errorf("bench: --pane: %w", err)
		}
	}
	if c.NatsBench != "" {
		if c.Pane != "" || c.Recorder {
			return errors.New("bench: --nats-bench floods the ingest rounds with plain payloads: not with --pane or --recorder")
		}
		if slices.Contains(c.Size, 0) {
			return errors.New("bench: --nats-bench: nats bench pub sends no empty payloads (--size 0)")
		}
		path, err := exec.LookPath(c.NatsBench)
		if err != nil {
			return fmt.Errorf("bench: --nats-bench: %w", err)
		}
		c.NatsBench = path
	}
	if c.Recorder {
		url, emb, err := startBroker(c.Server)
		if err != nil {
			return err
		}
		if emb != nil {
			defer emb.Shutdown()
		}
		c.printHead(stdout, url)
		return c.runRecorder(stdout, url, emb, benchSubjects(c.Subjects))
	}
	if c.Idle > 0 {
		r, err := benchIdle(c.Idle)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "real binary (--no-demo, pty 120x40): first frame %s after exec; idle CPU %.2f%% of a core over %s\n",
			r.startup.Round(time.Millisecond), r.cpuPct, c.Idle)
		fmt.Fprintf(stdout, "  ? at idle, %d presses over %s: key p50 %s p90 %s max %s; %s CPU a press\n",
			len(r.keys), keysAtIdle, pct(r.keys, 50), pct(r.keys, 90), pct(r.keys, 100), r.keyCPU.Round(100*time.Microsecond))
	}
	fl, err := c.startFlooder()
	if err != nil {
		return err
	}
	defer fl.stop()
	c.printHead(stdout, fl.url)
	printAutogroup(stdout)
	return c.runIngest(stdout, fl)
}

// printHead is the run's first line: the flood and the server.
func (c *BenchCmd) printHead(stdout io.Writer, url string) {
	pub := "the bench's publisher"
	if c.NatsBench != "" {
		pub = "nats bench pub"
	}
	fmt.Fprintf(stdout, "natsx bench: %d messages over %d subjects from %s, server %s, %s\n",
		c.Messages, c.Subjects, pub, engine.RedactURL(url), time.Now().Format("2006-01-02 15:04"))
}

// printAutogroup is the explorer rounds' next line: the kernel's
// autogroup setting.
func printAutogroup(stdout io.Writer) {
	if ag := readAutogroup(); ag != "" {
		// Key latency depends on it more than on anything in natsx
		// (BENCHMARKS.md, "One CPU for natsx, and the kernel's
		// autogroup").
		what := "each session's processes share one CPU weight"
		if ag == "off" {
			what = "each thread has its own CPU weight"
		}
		fmt.Fprintf(stdout, "kernel: sched_autogroup %s (%s)\n", ag, what)
	}
}

// pct is the p-th percentile of ds, "-" when there are none.
func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(i, 0)].Round(100 * time.Microsecond).String()
}

// benchPayload is a flood's payload of size bytes: x's, or with --pane a
// JSON object with a number for the pane's condition, padded to size
// (never shorter than the object without padding).
func (c *BenchCmd) benchPayload(size int) []byte {
	if c.Pane == "" {
		return bytes.Repeat([]byte{'x'}, size)
	}
	const head, tail = `{"n":1,"pad":"`, `"}`
	return []byte(head + strings.Repeat("x", max(size-len(head)-len(tail), 0)) + tail)
}

// publish floods subjects round-robin from its own connection.
func publish(url string, subjects []string, n int, payload []byte) error {
	nc, err := engine.Connect(engine.ConnOptions{Servers: url, Name: "natsx-bench-pub"})
	if err != nil {
		return fmt.Errorf("bench: publisher: %w", err)
	}
	defer nc.Close()
	if err := publishOn(nc, subjects, n, payload); err != nil {
		return err
	}
	return nc.Flush()
}

// publishOn publishes n messages round-robin over subjects on nc.
func publishOn(nc *nats.Conn, subjects []string, n int, payload []byte) error {
	for i := range n {
		if err := nc.Publish(subjects[i%len(subjects)], payload); err != nil {
			return fmt.Errorf("bench: publish: %w", err)
		}
	}
	return nil
}

// inOrder runs a then b, or b then a when bFirst: rounds alternate which
// side goes first, so the machine's load drifting weighs on both.
func inOrder(bFirst bool, a, b func() error) error {
	if bFirst {
		a, b = b, a
	}
	if err := a(); err != nil {
		return err
	}
	return b()
}

// srvString is a server slow-consumer count as printed: n/a (-1) when the
// server is not the embedded broker.
func srvString(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return strconv.FormatInt(n, 10)
}

// waitCount waits until count reaches n or stops moving for benchTimeout.
func waitCount(count func() int64, n int64) {
	last, since := count(), time.Now()
	for {
		c := count()
		if c >= n {
			return
		}
		if c != last {
			last, since = c, time.Now()
		} else if time.Since(since) > benchTimeout {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type bareResult struct {
	rate float64
	lost int64
}

// benchBare is phase A: nats.Subscribe(">") counting in the callback, pending
// limits off, timed from the first message received to the last.
func benchBare(url string, subjects []string, n int, payload []byte) (bareResult, error) {
	nc, err := engine.Connect(engine.ConnOptions{Servers: url, Name: "natsx-bench-bare"})
	if err != nil {
		return bareResult{}, fmt.Errorf("bench: bare subscriber: %w", err)
	}
	defer nc.Close()
	var count, first, last atomic.Int64
	target := int64(n)
	sub, err := nc.Subscribe(">", func(*nats.Msg) {
		// Two clock reads per flood, not per message: the baseline must
		// not pay for time.Now() if natsx does not.
		switch c := count.Add(1); c {
		case 1:
			first.Store(time.Now().UnixNano())
		case target:
			last.Store(time.Now().UnixNano())
		}
	})
	if err != nil {
		return bareResult{}, fmt.Errorf("bench: subscribe: %w", err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return bareResult{}, err
	}
	if err := nc.Flush(); err != nil {
		return bareResult{}, err
	}
	if err := publish(url, subjects, n, payload); err != nil {
		return bareResult{}, err
	}
	waitCount(count.Load, target)
	got := count.Load()
	end := last.Load()
	if got < target {
		end = time.Now().Add(-benchTimeout).UnixNano() // when it stalled
	}
	if got == 0 || end <= first.Load() {
		return bareResult{}, errors.New("bench: bare subscriber received nothing")
	}
	return bareResult{rate: float64(got-1) / (float64(end-first.Load()) / 1e9), lost: target - got}, nil
}

// countingSource is the session as the UI sees it, counting what the UI
// reads: the UI applies every message it reads before it reads again.
type countingSource struct {
	*engine.Session
	read, missed atomic.Int64
	first, last  atomic.Int64 // tap (coarse clock) times of the first and newest message read
	// backlog is the most messages the UI was behind when it read: what
	// the store had to hold, dropped ones included.
	backlog atomic.Int64
}

// Read implements ui.Source.
func (s *countingSource) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	if b := int64(s.Session.Head() - cursor); b > s.backlog.Load() {
		s.backlog.Store(b)
	}
	n, next, missed := s.Session.Read(cursor, buf)
	if n > 0 {
		s.first.CompareAndSwap(0, buf[0].Received)
		s.last.Store(buf[n-1].Received)
	}
	s.read.Add(int64(n))
	s.missed.Add(int64(missed))
	return n, next, missed
}
