package cli

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
	"natsx/ui"
)

// RunCmd opens the explorer.
type RunCmd struct {
	SourceFlags
	ExplorerFlags
	MonitorFlag
	JetStreamFlag
	NoTap bool `help:"do not subscribe to '>': subscribe per filter pane only (scoped mode)"`
}

// Validate checks the flags at parse time.
func (c *RunCmd) Validate() error {
	if err := c.ExplorerFlags.validate(); err != nil {
		return err
	}
	if _, err := c.monitorURL(); err != nil {
		return err
	}
	if c.Monitor != "" && (c.Embedded || !c.SourceFlags.external()) {
		return flagErrorf("--monitor asks a running server's monitoring port: the embedded broker is asked in process (give --server, --context or NATS_URL)")
	}
	if err := c.applyDomain(&c.ConnFlags, c.SourceFlags.external()); err != nil {
		return err
	}
	return c.SourceFlags.validate()
}

// Run opens the explorer on live traffic.
func (c *RunCmd) Run(env *Env) error {
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	so.NoTap = c.NoTap
	b := SplitBudget(int64(c.MaxMemory))
	so = BudgetSession(so, b)
	start := time.Now()
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	c.ExplorerFlags.monitor, _ = c.monitorURL() // checked by Validate
	c.ExplorerFlags.jetstream = so.Conn.JetStream()
	return c.explore(env, sess, start, nil, b)
}

// ExplorerProcs is the explorer's GOMAXPROCS: at least 2, or 4 when it
// hosts the broker (embedded), so on a 2-core laptop under a flood the
// goroutines that answer keys and draw frames do not queue behind the busy
// ones (the tap's read loop and callback, an embedded broker's client
// loops) for a free P, 10 ms slices each hop: the kernel shares the cores
// among the threads instead, waking an idle one at once. Each P more also
// costs: more idle Ps spinning for work on every hand-off. Measured with
// go run ./bench at 2M messages over 1M subjects on an external broker (4
// alternated runs of 3 rounds): 2 Ps key p50 14-18 ms, p99 100-247 ms,
// 118k messages lost in 1 of 2 runs; 3 Ps p50 7-10 ms, p99 60-120 ms, CPU
// per message 1.98x bare (median round); 4 Ps p50 9-11 ms, p99 85-102 ms,
// 2.14x. The same flood into natsx's embedded broker (? in tmux, 2 runs
// each): 3 Ps p50 37-43 ms, 4 Ps 30-32 ms, p90 71-73 and 61-71. An
// explicit GOMAXPROCS in the environment wins. The bench program runs the
// explorer with it too. On an external broker the floor was 3 until the
// bench ran its terminal, flood and subscribers in sessions of their own
// (BENCHMARKS.md, "Two Ps again?"): there, 45 alternated rounds each over
// 1M subjects gave 2 Ps 8% less CPU per message (1.44-1.58x bare against
// 1.58-1.64), the same key p50 (6-7.6 ms), p99 53-70 ms against 53-77,
// slowest presses 87-172 ms against 81-191, and no drops either way. The
// earlier 2-P losses were on a smaller store (351k messages, now 422k) and
// with the terminal starved by the flood. On an external server natsx
// also keeps to one CPU (OneCPU): with oneCPU, the floor is OneCPUProcs.
func ExplorerProcs(embedded, oneCPU bool) int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	floor := 2
	switch {
	case embedded:
		floor = 4
	case oneCPU:
		floor = OneCPUProcs
	}
	return max(runtime.GOMAXPROCS(0), floor)
}

// OneCPUProcs is the explorer's Ps once OneCPU has kept it to one CPU: one
// for each of its busy goroutines under a flood (nats.go's read loop, the
// tap's callback, the UI applying), so that the key's goroutines (the
// terminal reader, the decoder, the event loop, the renderer) less often
// wait for a P, up to the runtime's 10 ms preemption, while the kernel
// interleaves the threads on the one CPU in its shorter slices. Measured
// with go run ./bench, autogroup on, alternated runs of 3 rounds against 2
// Ps (BENCHMARKS.md, "Three Ps on the one CPU"): with nats bench pub over
// 1M and 100k subjects, key p99 over 100 ms in fewer rounds; 4 Ps did as
// well on keys but cost more CPU a message, and dropped 27k messages
// once at 469k msg/s.
const OneCPUProcs = 3

// ScheduleExplorer keeps the explorer to one CPU (OneCPU) for live
// traffic from an external server (not embedded, live) without
// --all-cpus, then sets its Ps (ExplorerProcs): threads started for them
// inherit the CPU. A kernel that refuses the CPU leaves natsx where it
// was, working as before, so that error is not the user's to handle. The
// bench's natsx side calls it too. It returns the Ps and the CPU (-1 for
// every CPU).
func ScheduleExplorer(embedded, live, allCPUs bool) (procs, cpu int) {
	cpu = -1
	if live && !embedded && !allCPUs {
		cpu, _ = OneCPU()
	}
	procs = ExplorerProcs(embedded, cpu >= 0)
	runtime.GOMAXPROCS(procs)
	return procs, cpu
}

// explore runs the explorer on sess until the user quits; tl is the
// capture player of natsx open, nil for live traffic; b is --max-memory
// shared out (SplitBudget), sess opened with its store and pending shares.
func (f ExplorerFlags) explore(env *Env, sess *engine.Session, start time.Time, tl ui.Timeline, b model.Budget) error {
	if err := ChargeBase(&b, sess); err != nil {
		return err
	}
	SetExplorerGC(b.Total)
	ScheduleExplorer(sess.Embedded() != nil, tl == nil, f.AllCPUs)
	o := ExplorerOptions(sess, env.Version, b)
	var streams ui.StreamLister
	if tl == nil {
		// Live: the streams view asks the server natsx is connected to.
		js, err := engine.NewJetStream(sess.Conn(), f.jetstream)
		if err != nil {
			return err
		}
		defer js.Close()
		streams = js
		// w, T and :servers ask the same server, on natsx's own
		// connection (its tap is then left out of every answer).
		who := engine.NewWhoAsker(sess.Conn(), sess.Embedded(), engine.WhoOptions{Streams: js, Monitor: f.monitor})
		o.Who, o.Servers, o.Conns, o.Listeners = who, who, who, who
		// The header's probe word: "?" until the background probe answers.
		sess.SetProber(who)
		who.StartProbe()
		o.Trace = engine.NewTracer(sess.Conn(), engine.TraceOptions{})
	}
	o.Start = start
	o.Filters = f.Filter
	o.PaneDepth = f.PaneDepth
	o.StatePath = ui.DefaultStatePath()
	o.Mouse = f.Mouse
	o.ReadOnly = f.ReadOnly
	o.Timeline = tl
	o.Streams = streams
	o.JetStreamDomain = f.jetstream.Domain
	if _, err := tea.NewProgram(ui.New(o), tea.WithFPS(ui.FPS)).Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("terminal: %w", err)
	}
	return nil
}

// ExplorerOptions is the explorer's wiring of sess within b (after
// ChargeBase): the tree's part of the budget, the pull's batch, the
// header's whole-process mem and the recorder (R, F, m) with the flight
// recorder's share. natsx and the bench program's explorer both use it.
func ExplorerOptions(sess *engine.Session, version string, b model.Budget) ui.Options {
	return ui.Options{
		Source:    sess,
		Tree:      model.TreeOptions{MaxMemory: b.Tree},
		BatchSize: b.BatchSize,
		Budget:    b,
		Recorder:  tuiRecorder(sess, version, b.Flight),
	}
}

// flightSlack is what the flight recorder holds beyond the records it
// counts (chunks' unused ends, a spare chunk: a few 64ths of its bound),
// kept out of its share.
const flightSlack = 16

// tuiRecorder wires R (record from the store's head), F (flight recorder
// of the last minute, within flight bytes) and m (markers) to the
// recorder.
func tuiRecorder(sess *engine.Session, version string, flight int64) *ui.Recorder {
	hdr := recorder.HeaderInfo{Server: sess.Status().URL, NatsxVersion: version}
	return &ui.Recorder{
		Start: func(path string) (ui.Recording, error) {
			r, err := recorder.StartLive(sess, sess.Head(), path, hdr)
			if err != nil {
				return nil, err
			}
			return recorder.Recording{LiveRecorder: r}, nil
		},
		Save: func(path string, msgs iter.Seq[*model.Message]) (int, error) {
			return recorder.SaveAll(path, msgs, hdr)
		},
		Flight: recorder.NewFlightRecorder(0, flight-flight/flightSlack),
	}
}
