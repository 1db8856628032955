package main

// The subscriber side of go run ./bench runs in a child process (this same
// program, re-executed with childEnv set), so that its CPU, RSS and idle
// CPU are its own; the broker and the publisher are another child
// (flood.go). The child reports on fd 3 (one JSON object a line) and takes
// commands on fd 4 ("stats", "quit"); natsx's child has the pty the parent
// types keys into as its terminal.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go"

	"natsx/cli"
	"natsx/engine"
	"natsx/model"
	"natsx/ui"
)

// childEnv carries a childConfig as JSON: set, the program is a child.
const childEnv = "NATSX_BENCH_CHILD"

// childConfig says what a child subscribes with.
type childConfig struct {
	Natsx  bool   // natsx's explorer; else the bare nats.go subscriber
	URL    string // the broker
	N      int64  // messages in the flood
	Budget int64  // natsx's --max-memory
	Pane   string // a filter pane natsx opens (--pane), "" for none
	// TraceSlow, set, runs Go's trace flight recorder in natsx's child
	// (--trace-slow).
	TraceSlow string
	// AllCPUs runs natsx on every CPU (its --all-cpus).
	AllCPUs bool

	// Flood makes the child the flood's (flood.go): the broker unless URL
	// names one, and the publisher of N messages over Subjects subjects.
	Flood    bool
	Subjects int
	// NatsBench, set, is the natscli binary whose bench pub floods
	// instead of the child's own publisher (--nats-bench).
	NatsBench string
}

// childReport is one line a child writes on fd 3.
type childReport struct {
	Event       string // "ready", "done" or "stats"
	Read        int64  // messages the subscriber counted, or the UI read
	Missed      int64  // natsx: dropped by the store before the UI read them
	First, Last int64  // receive times (UnixNano) of the first and last message
	// HeapObjects is the Go heap in use (/memory/classes/heap/objects:bytes),
	// HeapLive the heap marked live by the last GC (/gc/heap/live:bytes).
	HeapObjects, HeapLive uint64
	// GCCPU and CPU are the runtime's estimate of the GC's and the whole
	// process's CPU seconds (/cpu/classes/...), for the GC's share.
	GCCPU, CPU float64
	// GCCycles counts the collections so far (/gc/cycles/total:gc-cycles);
	// Runnable is how long goroutines waited for a P to run on
	// (/sched/latencies:seconds), GCPauses how long the collector stopped
	// every goroutine, waiting for the last to stop included
	// (/sched/pauses/total/gc:seconds): histograms since the start, so
	// two reports give what happened between them.
	GCCycles           uint64
	Runnable, GCPauses hist
	Status             model.SourceStatus // natsx only
	// Backlog is the most messages the UI was behind when it read; Held
	// what the store holds when the flood is in: all of it, or as many of
	// its messages as the store can (natsx only).
	Backlog, Held int64
	// AnswerSpans are natsx's own time for each key: when the Update
	// that got it began and the View after it ended (UnixNano; natsx
	// only; in "stats", which the parent asks for once the last press is
	// answered), to lay beside the parent's press times. The key's trip
	// through the terminal, both ways, is the rest of the parent's key
	// latency.
	AnswerSpans [][2]int64
	// Procs and OnCPU are the Ps and the one CPU (-1: every CPU) that
	// natsx's side runs with, as cli.ScheduleExplorer set them ("ready").
	Procs, OnCPU int

	// The flood child's: its broker's URL ("ready"), a failed flood
	// ("published"), the embedded broker's slow consumers ("stats").
	URL           string
	Err           string
	SlowConsumers int64
}

// runChild is the child's main: subscribe, report "ready", report "done"
// when the flood is in (or stalled), answer "stats", exit on "quit".
func runChild(js string) error {
	var cfg childConfig
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		return fmt.Errorf("bench child: %w", err)
	}
	out, in := os.NewFile(3, "report"), os.NewFile(4, "control")
	if out == nil || in == nil {
		return errors.New("bench child: no report and control pipes")
	}
	enc := json.NewEncoder(out)
	if cfg.Flood {
		return childFlood(cfg, enc, in)
	}
	if cfg.Natsx {
		// --natsx-env NATSX_CPUPROFILE=FILE profiles this side as it
		// profiles the real binary.
		var err error
		if cli.Profiled(os.Stderr, func() int { err = childNatsx(cfg, enc, in); return 0 }) != 0 {
			return errors.New("bench child: NATSX_CPUPROFILE could not be written")
		}
		return err
	}
	return childBare(cfg, enc, in)
}

// readMetrics fills the runtime's figures into r.
//
// The runtime counts a finished collection before it records that
// collection's last stop of the world (startTheWorldWithSema restarts the
// Ps first), so a read in between sees the collection without its stop:
// readMetrics reads again until every finished collection has its two
// stops (gcPausesCaughtUp), a few microseconds at most.
func readMetrics(r *childReport) {
	for try := 0; ; try++ {
		readMetricsOnce(r)
		if gcPausesCaughtUp(r.GCCycles, r.GCPauses.Counts) || try == 100 {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// gcPausesCaughtUp reports whether pauses, the histogram of the GC's
// stops of the world, holds both stops (sweep termination and mark
// termination) of each of cycles finished collections.
func gcPausesCaughtUp(cycles uint64, pauses []uint64) bool {
	var n uint64
	for _, c := range pauses {
		n += c
	}
	return n >= 2*cycles
}

func readMetricsOnce(r *childReport) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: runnableMetric},
		{Name: gcPausesMetric},
	}
	metrics.Read(s)
	r.HeapObjects, r.HeapLive = s[0].Value.Uint64(), s[1].Value.Uint64()
	r.GCCPU, r.CPU = s[2].Value.Float64(), s[3].Value.Float64()
	r.GCCycles = s[4].Value.Uint64()
	r.Runnable, r.GCPauses = histOf(s[5].Name, s[5].Value.Float64Histogram()), histOf(s[6].Name, s[6].Value.Float64Histogram())
}

// hist is a runtime/metrics histogram's counts as a report carries them
// (JSON has no infinities for its bucket bounds): Counts[i] events fell in
// [Buckets[i], Buckets[i+1]), and Buckets are the same in the parent, the
// same program on the same runtime, which reads them itself (bucketsOf).
type hist struct {
	Name   string
	Counts []uint64
}

func histOf(name string, h *metrics.Float64Histogram) hist {
	return hist{Name: name, Counts: h.Counts} // readMetrics's samples are its own
}

// The histograms a report carries.
const (
	runnableMetric = "/sched/latencies:seconds"
	gcPausesMetric = "/sched/pauses/total/gc:seconds"
)

// histBounds is the runtime's bucket bounds for the histograms a report
// carries, read once: they are fixed for the program's life.
var histBounds = sync.OnceValue(func() map[string][]float64 {
	s := []metrics.Sample{{Name: runnableMetric}, {Name: gcPausesMetric}}
	metrics.Read(s)
	bounds := map[string][]float64{}
	for _, x := range s {
		if x.Value.Kind() == metrics.KindFloat64Histogram {
			bounds[x.Name] = x.Value.Float64Histogram().Buckets
		}
	}
	return bounds
})

// bucketsOf is the runtime's bucket bounds for the histogram name.
func bucketsOf(name string) []float64 { return histBounds()[name] }

// since is what h counted after was, as the time at which the p-th
// percentile (0 < p <= 100) of those events falls: the upper bound of its
// bucket, so the figure is at most a bucket's width (a few percent at
// these scales) over the real one. Zero when nothing was counted; an event
// in the last bucket, which has no upper bound, gives its lower one.
func (h hist) since(was hist, p float64) time.Duration {
	return quantile(h.Counts, was.Counts, bucketsOf(h.Name), p)
}

// quantile is since's work on counts now and before, with bounds.
func quantile(now, before []uint64, bounds []float64, p float64) time.Duration {
	if len(bounds) != len(now)+1 {
		return 0
	}
	var total uint64
	diff := make([]uint64, len(now))
	for i, c := range now {
		if len(before) == len(now) {
			c -= before[i]
		}
		diff[i] = c
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(float64(total) * p / 100))
	var seen uint64
	for i, c := range diff {
		if seen += c; seen >= rank && c > 0 {
			upper := bounds[i+1]
			if math.IsInf(upper, 1) {
				upper = bounds[i]
			}
			return time.Duration(upper * float64(time.Second))
		}
	}
	return 0
}

// serve answers the parent's commands until "quit" or the pipe closes.
func serve(in *os.File, enc *json.Encoder, stats func() childReport) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch sc.Text() {
		case "stats":
			r := stats()
			r.Event = "stats"
			readMetrics(&r)
			_ = enc.Encode(r)
		case "quit":
			return
		default:
			// "trace PATH" writes the flight recorder's window (--trace-slow).
			if path, ok := strings.CutPrefix(sc.Text(), "trace "); ok && flight != nil {
				if f, err := os.Create(path); err == nil {
					_, _ = flight.WriteTo(f)
					_ = f.Close()
				}
			}
			// "profile PATH" starts a CPU profile, "profile" alone stops it.
			if path, ok := strings.CutPrefix(sc.Text(), "profile"); ok {
				toggleProfile(strings.TrimSpace(path))
			}
		}
	}
}

// flight is natsx's execution-trace flight recorder (--trace-slow), nil
// when off.
var flight *trace.FlightRecorder

// profile is the CPU profile being written, nil when none.
var profile *os.File

// toggleProfile starts a CPU profile into path, or stops the running one
// when path is empty. A profile that fails to start is skipped: the
// measurement matters more.
func toggleProfile(path string) {
	if path == "" {
		if profile != nil {
			pprof.StopCPUProfile()
			_ = profile.Close()
			profile = nil
		}
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	if pprof.StartCPUProfile(f) != nil {
		_ = f.Close()
		return
	}
	profile = f
}

// childBare is the baseline: nats.Subscribe(">") counting in its
// callback, pending limits off.
func childBare(cfg childConfig, enc *json.Encoder, in *os.File) error {
	nc, err := engine.Connect(engine.ConnOptions{Servers: cfg.URL, Name: "natsx-bench-bare"})
	if err != nil {
		return err
	}
	defer nc.Close()
	var count, first, last atomic.Int64
	sub, err := nc.Subscribe(">", func(*nats.Msg) {
		// Two clock reads per flood, not per message: the baseline must
		// not pay for time.Now() if natsx does not.
		switch c := count.Add(1); c {
		case 1:
			first.Store(time.Now().UnixNano())
		case cfg.N:
			last.Store(time.Now().UnixNano())
		}
	})
	if err != nil {
		return err
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return err
	}
	if err := nc.Flush(); err != nil {
		return err
	}
	r := childReport{Event: "ready"}
	readMetrics(&r)
	if err := enc.Encode(r); err != nil {
		return err
	}
	go func() {
		waitCount(count.Load, cfg.N)
		r := childReport{Event: "done", Read: count.Load(), First: first.Load(), Last: last.Load()}
		if r.Last == 0 {
			r.Last = time.Now().Add(-benchTimeout).UnixNano() // when it stalled
		}
		readMetrics(&r)
		_ = enc.Encode(r)
	}()
	serve(in, enc, func() childReport { return childReport{Read: count.Load()} })
	return nil
}

// childNatsx runs the explorer as natsx does (its GC and scheduling
// settings, the tap and store, the UI with the flight recorder, the
// renderer at the binary's FPS) on the terminal the parent gave it.
func childNatsx(cfg childConfig, enc *json.Encoder, in *os.File) error {
	b := cli.SplitBudget(cfg.Budget)
	sess, err := engine.Open(cli.BudgetSession(engine.SessionOptions{Conn: engine.ConnOptions{Servers: cfg.URL, Name: "natsx"}}, b))
	if err != nil {
		return err
	}
	defer sess.Close()
	if err := cli.ChargeBase(&b, sess); err != nil {
		return err
	}
	cli.SetExplorerGC(cfg.Budget)
	procs, onCPU := cli.ScheduleExplorer(sess.Embedded() != nil, true, cfg.AllCPUs)
	src := &countingSource{Session: sess}
	o := cli.ExplorerOptions(sess, "bench", b)
	o.Source, o.Start = src, time.Now()
	if cfg.Pane != "" {
		o.Filters = []string{cfg.Pane}
	}
	m := ui.New(o)
	km := &keyTimer{Model: m}
	p := tea.NewProgram(km, tea.WithFPS(ui.FPS), tea.WithoutSignalHandler())
	ran := make(chan error, 1)
	go func() { _, err := p.Run(); ran <- err }()
	r := childReport{Event: "ready", Procs: procs, OnCPU: onCPU}
	readMetrics(&r)
	if cfg.TraceSlow != "" {
		// The last seconds of natsx's execution trace, written out when
		// the parent sees a slow press ("trace").
		flight = trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 3 * time.Second})
		if err := flight.Start(); err != nil {
			return fmt.Errorf("bench child: flight recorder: %w", err)
		}
	}
	if err := enc.Encode(r); err != nil {
		return err
	}
	// Done when every message is read or counted as dropped, or nothing
	// moved for benchTimeout (a server disconnect loses messages that no
	// counter holds).
	progress := func() int64 {
		return src.read.Load() + src.missed.Load() + int64(sess.Status().ClientDropped)
	}
	go func() {
		waitCount(progress, cfg.N)
		r := childReport{Event: "done", Read: src.read.Load(), Missed: src.missed.Load(),
			First: src.first.Load(), Last: src.last.Load(), Status: sess.Status(),
			Backlog: src.backlog.Load(), Held: int64(sess.Held())}
		readMetrics(&r)
		_ = enc.Encode(r)
	}()
	serve(in, enc, func() childReport {
		return childReport{Status: sess.Status(), AnswerSpans: km.spanTimes()}
	})
	p.Quit()
	select {
	case err = <-ran:
	case <-time.After(benchTimeout):
		p.Kill()
	}
	return err
}

// keyTimer is the explorer's model, timing each key from the Update that
// gets it to the View that follows: what natsx itself takes to answer.
type keyTimer struct {
	*ui.Model
	pressed time.Time // a key's Update began; zero when answered

	mu    sync.Mutex
	spans [][2]int64 // each key's Update and View (UnixNano)
}

// Update implements tea.Model.
func (k *keyTimer) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok && k.pressed.IsZero() {
		k.pressed = time.Now()
		trace.Log(context.Background(), "key", "update")
	}
	_, cmd := k.Model.Update(msg)
	return k, cmd
}

// View implements tea.Model.
func (k *keyTimer) View() tea.View {
	v := k.Model.View()
	if !k.pressed.IsZero() {
		k.mu.Lock()
		k.spans = append(k.spans, [2]int64{k.pressed.UnixNano(), time.Now().UnixNano()})
		k.mu.Unlock()
		k.pressed = time.Time{}
	}
	return v
}

// spanTimes is a copy of the keys' Update and View times so far.
func (k *keyTimer) spanTimes() [][2]int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.spans)
}
