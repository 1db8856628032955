package main

// The ingest rounds of go run ./bench: the bare subscriber and natsx, each
// in its own child process, on the same flood from the parent's publisher.

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"natsx/model"
	"natsx/testkit"
)

// floodTimeout bounds a flood: 2M messages take seconds, a stalled one is
// over after benchTimeout without progress, reported by the child.
const floodTimeout = 10 * time.Minute

// sideResult is what one side of a round measured.
type sideResult struct {
	rate      float64 // messages/s, first to last received
	cpuPerMsg float64 // ns of the process's CPU (getrusage via /proc) per message published
	sysShare  float64 // the kernel's share of that CPU
	faults    uint64  // minor page faults during the flood
	read      int64
	bufLost   int64
	cliLost   int64
	srvLost   int64 // slow-consumer disconnects; -1 when nobody can tell
	keys      []time.Duration
	pressed   []int64 // when each key was typed (UnixNano)
	echo      []trip  // the echo's round trips during the flood (echo.go)
	steal     float64 // the machine's CPU time its hypervisor took during the flood

	// natsx only: memory and idle.
	rssPeak, rssSteady       int64         // VmHWM at the end, VmRSS after the idle sample
	headerMem                string        // the header's "mem" as on screen
	heapObjects, heapLive    uint64        // Go heap in use, and live at the last GC
	idle                     float64       // % of a core after the flood
	gcShare                  float64       // the GC's share of the process's CPU during the flood
	gcCycles                 uint64        // collections during the flood
	gcPauseMax               time.Duration // the longest stop of the world for the GC during the flood
	runnableP99, runnableMax time.Duration // how long goroutines waited for a P during the flood
	status                   model.SourceStatus
	backlog, held            int64      // the UI's most messages behind; what the store held after the flood
	spans                    [][2]int64 // each key's Update and View in natsx (UnixNano; keyTimer)
	procs, onCPU             int        // natsx's Ps, and its one CPU (-1: every CPU)
}

// answers are natsx's own times for the keys, from their spans.
func (r *sideResult) answers() []time.Duration {
	ds := make([]time.Duration, len(r.spans))
	for i, sp := range r.spans {
		ds[i] = time.Duration(sp[1] - sp[0])
	}
	return ds
}

// runIngest runs, per payload size, c.Rounds rounds of the bare subscriber
// and natsx, the bare side first in odd rounds and natsx first in even
// ones, so a change in the machine's load weighs on both sides over the
// run. It prints every round, a summary row, then natsx's memory and idle.
func (c *BenchCmd) runIngest(stdout io.Writer, fl *flooder) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tround\tbare msg/s\tnatsx msg/s\tratio\tbare ns/msg\tnatsx ns/msg\tcpu x\tbare lost\tnatsx lost (buf/cli/srv)\tkey p50\tkey p99\tkey max\tkeys\t")
	var mem, slow []string
	for _, size := range c.Size {
		var bares, natsxs, ratios, cpus []float64
		var all sideResult
		var bareLost int64
		for round := range c.Rounds {
			var bare, nx sideResult
			err := inOrder(round%2 == 1,
				func() (err error) { bare, err = c.benchSide(false, fl, size); return err },
				func() (err error) { nx, err = c.benchSide(true, fl, size); return err })
			if err != nil {
				return err
			}
			lost := int64(c.Messages) - bare.read
			fmt.Fprintf(tw, "%dB\t%d\t%.0f\t%.0f\t%.3f\t%.0f\t%.0f\t%.2f\t%d\t%d/%d/%s\t%s\t%s\t%s\t%d\t\n", size, round+1,
				bare.rate, nx.rate, nx.rate/bare.rate, bare.cpuPerMsg, nx.cpuPerMsg, nx.cpuPerMsg/bare.cpuPerMsg,
				lost, nx.bufLost, nx.cliLost, srvString(nx.srvLost),
				pct(nx.keys, 50), pct(nx.keys, 99), pct(nx.keys, 100), len(nx.keys))
			bares, natsxs = append(bares, bare.rate), append(natsxs, nx.rate)
			ratios, cpus = append(ratios, nx.rate/bare.rate), append(cpus, nx.cpuPerMsg/bare.cpuPerMsg)
			bareLost += lost
			all.bufLost += nx.bufLost
			all.cliLost += nx.cliLost
			all.keys = append(all.keys, nx.keys...)
			all.srvLost += max(nx.srvLost, 0)
			slow = append(slow, slowest(size, round+1, nx))
			answers := nx.answers()
			mem = append(mem, fmt.Sprintf("%dB\t%d\t%s/%s\t%dk/%dk\t%s\t%s\t%s\t%s\t%s\t%.2f%%\t%.1f%%\t%.1fk/%.1fk\t%.0f%%/%.0f%%\t%d\t%s\t%s\t", size, round+1,
				pct(answers, 99), pct(answers, 100), nx.backlog/1000, nx.held/1000,
				mib(nx.rssPeak), mib(nx.rssSteady), nx.headerMem, mib(int64(nx.heapObjects)), mib(int64(nx.heapLive)),
				nx.idle, 100*nx.gcShare, float64(nx.faults)/1000, float64(bare.faults)/1000, 100*nx.sysShare, 100*bare.sysShare,
				nx.status.SlowConsumerEvents, lossSince(nx.status.LossUnknownSince), schedule(nx.onCPU, nx.procs)))
		}
		fmt.Fprintf(tw, "%dB\tall\t%.0f\t%.0f\t%.3f\t\t\t%.2f\t%d\t%d/%d/%s\t%s\t%s\t%s\t%d\t\n", size,
			median(bares), median(natsxs), median(ratios), median(cpus), bareLost, all.bufLost, all.cliLost, srvString(all.srvLost),
			pct(all.keys, 50), pct(all.keys, 99), pct(all.keys, 100), len(all.keys))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "all: median rates, median of the rounds' ratios (rate and CPU per message), losses summed, key latencies over every round's presses")
	fmt.Fprintf(stdout, "natsx (--max-memory %s) after each flood; idle CPU over %s, a second after the flood; page faults and the kernel's share of the CPU during the flood, natsx's and the bare subscriber's; the CPU natsx's side kept to (all: every CPU) and its Ps:\n", model.HumanBytes(uint64(c.MaxMemory)), c.Idle)
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tround\tanswer p99/max\tbacklog/store\tRSS peak\tRSS steady\theader mem\theap in use\theap live\tidle CPU\tGC share\tfaults natsx/bare\tsys CPU natsx/bare\tslow consumer\tloss unknown since\tCPU/Ps\t")
	for _, row := range mem {
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "each round's slowest press: to natsx's Update, its Update and View, then to the screen; beside it, the longest round trip through another pty whose program only echoes (echo.go) during that press, and over the flood; last, the share of the machine's CPU time its hypervisor ran something else on its virtual CPUs (steal) during natsx's flood; and in natsx during its flood, how long its goroutines waited for a P to run on (runtime/metrics, to a bucket), and its collections with their longest stop of the world:")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tround\tslowest press\tto Update\tUpdate-View\tView-screen\techo during\techo p99\techo max\tsteal\trunnable p99/max\tGCs\tGC stop max\t")
	for _, row := range slow {
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

// slowest is the row of nx's slowest press: how long it took, its parts,
// and the echo's round trips during it and over the flood.
func slowest(size, round int, nx sideResult) string {
	row := fmt.Sprintf("%dB\t%d\t", size, round)
	if len(nx.keys) > 0 {
		i := slices.Index(nx.keys, slices.Max(nx.keys))
		from := nx.pressed[i]
		to := from + int64(nx.keys[i])
		row += ms(nx.keys[i]) + "\t"
		// The span natsx timed for this press: the first Update at or
		// after it was typed.
		j, _ := slices.BinarySearchFunc(nx.spans, from, func(s [2]int64, t int64) int { return cmp.Compare(s[0], t) })
		// A press that timed out has no answer time: to is a second on,
		// and an Update within it whose View came later cannot split it.
		if j < len(nx.spans) && nx.spans[j][0] <= to && nx.spans[j][1] <= to {
			sp := nx.spans[j]
			row += fmt.Sprintf("%s\t%s\t%s\t", ms(time.Duration(sp[0]-from)), ms(time.Duration(sp[1]-sp[0])), ms(time.Duration(to-sp[1])))
		} else {
			row += "?\t?\t?\t"
		}
		row += ms(worstTrip(nx.echo, from, to)) + "\t"
	} else {
		row += "-\t-\t-\t-\t-\t"
	}
	trips := make([]time.Duration, len(nx.echo))
	for i, e := range nx.echo {
		trips[i] = e.Took
	}
	return row + fmt.Sprintf("%s\t%s\t%.1f%%\t%s/%s\t%d\t%s\t", pct(trips, 99), pct(trips, 100), 100*nx.steal,
		fine(nx.runnableP99), fine(nx.runnableMax), nx.gcCycles, fine(nx.gcPauseMax))
}

// fine formats d in microseconds under a millisecond (a stop of the world
// is tens of them), else as ms does.
func fine(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
	return ms(d)
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }

// benchSide runs one side (natsx or the bare subscriber) in a child
// process and floods it from the flood child with size-byte payloads.
func (c *BenchCmd) benchSide(natsx bool, fl *flooder, size int) (sideResult, error) {
	n := int64(c.Messages)
	srvBefore, err := fl.slowConsumers()
	if err != nil {
		return sideResult{}, err
	}
	var env []string
	if natsx {
		env = c.NatsxEnv
	}
	ch, err := startChild(childConfig{Natsx: natsx, URL: fl.url, N: n, Budget: int64(c.MaxMemory), Pane: c.Pane, TraceSlow: c.TraceSlow, AllCPUs: c.AllCPUs}, env)
	if err != nil {
		return sideResult{}, err
	}
	defer ch.stop()
	ready, err := ch.next("ready", benchTimeout)
	if err != nil {
		return sideResult{}, err
	}
	if natsx && !ch.term.WaitFor(benchTimeout, func(s string) bool { return strings.Contains(s, "connected") }) {
		return sideResult{}, fmt.Errorf("bench: natsx showed no connected frame%s", ch.screen())
	}
	st0, err := readProcStat(ch.pid())
	if err != nil {
		return sideResult{}, err
	}
	var host0 hostStat // the steal during natsx's flood
	if natsx {
		if host0, err = readHostStat(); err != nil {
			return sideResult{}, err
		}
	}
	// The echo runs beside natsx's terminal while keys are typed: the
	// terminal's own round trip at the same moments (echo.go).
	var echo *echoPing
	if natsx && !c.NoKeys {
		if echo, err = startEcho(); err != nil {
			return sideResult{}, err
		}
	}
	pubDone := make(chan error, 1)
	go func() { pubDone <- fl.flood(size) }()
	var res sideResult
	stopKeys := make(chan struct{})
	var keyWG sync.WaitGroup
	if echo != nil {
		keyWG.Add(1)
		go func() {
			defer keyWG.Done()
			res.keys, res.pressed = pressKeys(ch.term, stopKeys, c.traceSlow(ch))
			res.echo = echo.Trips()
		}()
	}
	done, err := ch.next("done", floodTimeout)
	close(stopKeys)
	keyWG.Wait()
	if err != nil {
		return sideResult{}, err
	}
	st1, err := readProcStat(ch.pid())
	if err != nil {
		return sideResult{}, err
	}
	if natsx {
		host1, err := readHostStat()
		if err != nil {
			return sideResult{}, err
		}
		res.steal = stealSince(host0, host1)
	}
	if err := <-pubDone; err != nil {
		return sideResult{}, err
	}
	res.read, res.bufLost, res.cliLost = done.Read, done.Missed, int64(done.Status.ClientDropped)
	res.backlog, res.held = done.Backlog, done.Held
	cpu := st1.cpu() - st0.cpu()
	res.cpuPerMsg = float64(cpu) / float64(n)
	if cpu > 0 {
		res.sysShare = float64(st1.sys-st0.sys) / float64(cpu)
	}
	res.faults = st1.minflt - st0.minflt
	if span := float64(done.Last-done.First) / 1e9; done.Read > 1 && span > 0 {
		res.rate = float64(done.Read-1) / span
	}
	if cpu := done.CPU - ready.CPU; cpu > 0 {
		res.gcShare = (done.GCCPU - ready.GCCPU) / cpu
	}
	if !natsx {
		return res, nil
	}
	res.procs, res.onCPU = ready.Procs, ready.OnCPU
	res.gcCycles = done.GCCycles - ready.GCCycles
	res.gcPauseMax = done.GCPauses.since(ready.GCPauses, 100)
	res.runnableP99, res.runnableMax = done.Runnable.since(ready.Runnable, 99), done.Runnable.since(ready.Runnable, 100)
	res.srvLost = int64(done.Status.SlowConsumerEvents)
	if srvBefore >= 0 {
		srvAfter, err := fl.slowConsumers()
		if err != nil {
			return sideResult{}, err
		}
		res.srvLost = srvAfter - srvBefore
	}
	if c.Idle > 0 {
		time.Sleep(time.Second) // the last frames and batches
		if c.IdleProfile != "" {
			_, _ = ch.ctl.WriteString("profile " + c.IdleProfile + "\n")
		}
		if res.idle, err = cpuSince(ch.pid(), c.Idle); err != nil {
			return sideResult{}, err
		}
		if c.IdleProfile != "" {
			_, _ = ch.ctl.WriteString("profile\n")
		}
	}
	st, err := ch.stats()
	if err != nil {
		return sideResult{}, err
	}
	// The spans of the timed presses, the last one's too when it was
	// answered after "done"; not the ? that closed the help after them.
	res.heapObjects, res.heapLive, res.status = st.HeapObjects, st.HeapLive, st.Status
	if n := len(res.pressed); n > 0 {
		last := res.pressed[n-1] + int64(res.keys[n-1])
		res.spans = slices.DeleteFunc(st.AnswerSpans, func(sp [2]int64) bool { return sp[0] < res.pressed[0] || sp[0] > last })
	}
	if res.rssSteady, res.rssPeak, err = procMem(ch.pid()); err != nil {
		return sideResult{}, err
	}
	res.headerMem = headerMem(ch.term.Screen())
	return res, nil
}

// slowPress is a press --trace-slow writes natsx's trace for.
const slowPress = 150 * time.Millisecond

// traceSlow is what pressKeys calls on a press slower than slowPress: with
// --trace-slow, ask natsx's child to write its flight recorder's window to
// DIR/slow-<press UnixNano>-<ms>.trace; nil without.
func (c *BenchCmd) traceSlow(ch *child) func(time.Time, time.Duration) {
	if c.TraceSlow == "" {
		return nil
	}
	return func(at time.Time, took time.Duration) {
		name := fmt.Sprintf("slow-%d-%dms.trace", at.UnixNano(), took.Milliseconds())
		_, _ = fmt.Fprintf(ch.ctl, "trace %s\n", filepath.Join(c.TraceSlow, name))
	}
}

// pressKeys types ? every 20 ms until stop (? opens help and ? closes it)
// and times each press until the screen shows its effect; a press not
// answered within 1 s counts as 1 s. The first press goes out at once,
// even when the flood is in already, so that every round has one, and a
// press typed before stop counts however late its answer: the slowest
// presses are the likeliest to end after the flood, and leaving them out
// would flatter the tail. (So the echo beside them, stopped when the
// presses are, may ping up to a second past the flood.)
func pressKeys(term *testkit.Terminal, stop <-chan struct{}, slow func(at time.Time, took time.Duration)) (keys []time.Duration, at []int64) {
	help := func(s string) bool { return strings.Contains(s, "natsx keys") }
	for open := false; ; open = !open {
		if len(keys) > 0 {
			select {
			case <-stop:
				if open {
					_ = term.Send("?")
				}
				return keys, at
			case <-time.After(20 * time.Millisecond):
			}
		}
		t0 := time.Now()
		_ = term.Send("?")
		want := !open
		ok := term.WaitFor(time.Second, func(s string) bool { return help(s) == want })
		at = append(at, t0.UnixNano())
		if !ok {
			keys = append(keys, time.Second)
			continue
		}
		took := time.Since(t0)
		keys = append(keys, took)
		if took > slowPress && slow != nil {
			slow(t0, took)
		}
	}
}

var headerMemRE = regexp.MustCompile(`mem (\S+ ?\S*B/\S+ ?\S*B)`)

// headerMem is the "mem used/budget" the header shows, "?" when not found.
func headerMem(screen string) string {
	if m := headerMemRE.FindStringSubmatch(screen); m != nil {
		return strings.ReplaceAll(m[1], " ", "")
	}
	return "?"
}

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.0fMiB", float64(b)/(1<<20)) }

// schedule is natsx's CPU and Ps as the CPU/Ps column shows them:
// "1/3" on CPU 1 with 3 Ps, "all/2" on every CPU with 2.
func schedule(cpu, procs int) string {
	if cpu < 0 {
		return fmt.Sprintf("all/%d", procs)
	}
	return fmt.Sprintf("%d/%d", cpu, procs)
}

// lossSince is the time loss became unknown, "-" when it never did.
func lossSince(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("15:04:05")
}
