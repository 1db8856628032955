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
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go"

	"natsx/cli"
	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
	"natsx/ui"
)

// BenchCmd measures natsx's ingest against a bare nats.go subscriber.
type BenchCmd struct {
	Server   string        `short:"s" help:"server to flood (default: a fresh embedded broker on a random loopback port)" placeholder:"URL"`
	Messages int           `default:"2000000" help:"messages per flood"`
	Subjects int           `default:"10000" help:"distinct four-token subjects"`
	Size     []int         `default:"16,128" help:"payload sizes in bytes, one flood each"`
	Idle     time.Duration `default:"10s" help:"how long to sample the real binary's idle CPU (0 skips it)"`
	Rounds   int           `default:"3" help:"rounds per payload size, alternating which side goes first; the median ratio is reported"`
	Recorder bool          `help:"measure natsx record and replay --speed max against a bare subscriber and publisher instead of the TUI"`
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
	url := c.Server
	var emb *engine.Embedded
	if url == "" {
		var err error
		emb, err = engine.StartEmbedded(engine.EmbeddedOptions{RandomPort: true})
		if err != nil {
			return err
		}
		defer emb.Shutdown()
		url = emb.URL()
	}
	fmt.Fprintf(stdout, "natsx bench: %d messages over %d subjects, server %s, %s\n",
		c.Messages, c.Subjects, engine.RedactURL(url), time.Now().Format("2006-01-02 15:04"))
	subjects := make([]string, c.Subjects)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("bench.%d.%d.%d", i/1000, i/10%100, i)
	}
	if c.Recorder {
		return c.runRecorder(stdout, url, emb, subjects)
	}
	if c.Idle > 0 {
		startup, idle, err := benchIdle(c.Idle)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "real binary (--no-demo, pty 120x40): first frame %s after exec; idle CPU %.2f%% of a core over %s\n",
			startup.Round(time.Millisecond), idle, c.Idle)
	}
	return c.runIngest(stdout, url, emb, subjects)
}

// runIngest runs, per payload size, c.Rounds rounds of phase A (the bare
// subscriber) and phase B (natsx), A first in odd rounds and B first in
// even ones, so a change in the machine's load during a round weighs on
// both sides over the run. It prints every round and a summary row.
func (c *BenchCmd) runIngest(stdout io.Writer, url string, emb *engine.Embedded, subjects []string) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tround\tbare msg/s\tnatsx msg/s\tratio\tbare lost\tnatsx lost (buf/cli/srv)\tkey p50\tkey p99\tkey max\tkeys\t")
	for _, size := range c.Size {
		payload := bytes.Repeat([]byte{'x'}, size)
		var bares, natsxs, ratios []float64
		var all natsxResult
		var bareLost int64
		for round := range c.Rounds {
			var bare bareResult
			var nx natsxResult
			err := inOrder(round%2 == 1,
				func() (err error) { bare, err = benchBare(url, subjects, c.Messages, payload); return err },
				func() (err error) { nx, err = benchNatsx(url, emb, subjects, c.Messages, payload); return err })
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%dB\t%d\t%.0f\t%.0f\t%.3f\t%d\t%d/%d/%s\t%s\t%s\t%s\t%d\t\n", size, round+1,
				bare.rate, nx.rate, nx.rate/bare.rate, bare.lost, nx.bufLost, nx.cliLost, srvString(nx.srvLost),
				pct(nx.keys, 50), pct(nx.keys, 99), pct(nx.keys, 100), len(nx.keys))
			bares, natsxs, ratios = append(bares, bare.rate), append(natsxs, nx.rate), append(ratios, nx.rate/bare.rate)
			bareLost += bare.lost
			all.bufLost += nx.bufLost
			all.cliLost += nx.cliLost
			all.keys = append(all.keys, nx.keys...)
			all.srvLost += max(nx.srvLost, 0)
		}
		if emb == nil {
			all.srvLost = -1
		}
		fmt.Fprintf(tw, "%dB\tall\t%.0f\t%.0f\t%.3f\t%d\t%d/%d/%s\t%s\t%s\t%s\t%d\t\n", size,
			median(bares), median(natsxs), median(ratios), bareLost, all.bufLost, all.cliLost, srvString(all.srvLost),
			pct(all.keys, 50), pct(all.keys, 99), pct(all.keys, 100), len(all.keys))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, "all: median rates, median of the rounds' ratios, losses summed, key latencies over every round's presses")
	return err
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
}

// Read implements ui.Source.
func (s *countingSource) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	n, next, missed := s.Session.Read(cursor, buf)
	if n > 0 {
		s.first.CompareAndSwap(0, buf[0].Received)
		s.last.Store(buf[n-1].Received)
	}
	s.read.Add(int64(n))
	s.missed.Add(int64(missed))
	return n, next, missed
}

type natsxResult struct {
	rate             float64
	bufLost, cliLost int64
	srvLost          int64 // -1: not the embedded broker (n/a)
	keys             []time.Duration
}

// benchNatsx is phase B: the session's tap and the real UI model, run by a
// real bubbletea program whose renderer writes into a pseudo-terminal read
// by a terminal emulator, as on a person's screen. Keys typed into the
// terminal during the flood time the UI's answer.
func benchNatsx(url string, emb *engine.Embedded, subjects []string, n int, payload []byte) (natsxResult, error) {
	const budget = 256 << 20    // natsx's default --max-memory
	defer cli.SetExplorerGC()() // the explorer's collector settings, as the binary sets them
	// The explorer's scheduling, as the binary sets it.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cli.ExplorerProcs()))
	var srvBefore int64
	if emb != nil {
		srvBefore = emb.SlowConsumers()
	}
	sess, err := engine.Open(engine.SessionOptions{Conn: engine.ConnOptions{Servers: url, Name: "natsx"}})
	if err != nil {
		return natsxResult{}, err
	}
	defer sess.Close()
	src := &countingSource{Session: sess}
	m := ui.New(ui.Options{Source: src, Start: time.Now(), Tree: model.TreeOptions{MaxMemory: budget}})
	term, err := testkit.Open(120, 40)
	if err != nil {
		return natsxResult{}, err
	}
	defer term.Close()
	p := tea.NewProgram(m, tea.WithInput(term.TTY()), tea.WithOutput(term.TTY()),
		tea.WithEnvironment(append(os.Environ(), "TERM=xterm-256color")), tea.WithoutSignalHandler(),
		tea.WithFPS(ui.FPS)) // as the binary runs
	ran := make(chan error, 1)
	go func() { _, err := p.Run(); ran <- err }()
	defer func() {
		p.Quit()
		select {
		case <-ran:
		case <-time.After(benchTimeout):
			p.Kill()
		}
	}()
	if !term.WaitFor(benchTimeout, func(s string) bool { return strings.Contains(s, "connected") }) {
		return natsxResult{}, fmt.Errorf("bench: natsx showed no connected frame; screen:\n%s", term.Screen())
	}

	target := int64(n)
	var res natsxResult
	pubDone := make(chan error, 1)
	go func() { pubDone <- publish(url, subjects, n, payload) }()
	// Key latency: ? opens help and ? closes it; each press is timed until
	// the screen shows its effect. Only presses made during the flood count.
	var keyWG sync.WaitGroup
	stopKeys := make(chan struct{})
	keyWG.Add(1)
	go func() {
		defer keyWG.Done()
		help := func(s string) bool { return strings.Contains(s, "natsx keys") }
		for open := false; ; open = !open {
			select {
			case <-stopKeys:
				if open {
					_ = term.Send("?")
				}
				return
			case <-time.After(20 * time.Millisecond):
			}
			t0 := time.Now()
			_ = term.Send("?")
			want := !open
			if !term.WaitFor(time.Second, func(s string) bool { return help(s) == want }) {
				res.keys = append(res.keys, time.Second) // counted as a miss at the bound
				continue
			}
			if src.read.Load() < target {
				res.keys = append(res.keys, time.Since(t0))
			}
		}
	}()
	waitCount(src.read.Load, target)
	close(stopKeys)
	keyWG.Wait()
	if err := <-pubDone; err != nil {
		return natsxResult{}, err
	}
	st := sess.Status()
	got := src.read.Load()
	res.bufLost = src.missed.Load()
	res.cliLost = int64(st.ClientDropped)
	res.srvLost = -1
	if emb != nil {
		res.srvLost = emb.SlowConsumers() - srvBefore
	}
	span := float64(src.last.Load()-src.first.Load()) / 1e9
	if got == 0 || span <= 0 {
		return natsxResult{}, errors.New("bench: natsx received nothing")
	}
	res.rate = float64(got-1) / span
	if got < target {
		return res, fmt.Errorf("bench: natsx applied %d of %d messages (buffer lost %d, client %d)", got, target, res.bufLost, res.cliLost)
	}
	return res, nil
}
