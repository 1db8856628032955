package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/cli"
	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
	"natsx/ui"
	"natsx/where"
)

func TestParseProcStat(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name, stat string
		want       procStat
		ok         bool
	}{
		{"plain", "1234 (natsx) S 1 1234 1234 34816 1234 4194560 500 0 0 0 150 25 0 0 20 0 9 0 100 0 0", procStat{ms(1500), ms(250), 500}, true},
		{"spaces and parens in the name", "7 (a) b (c) S 1 7 7 0 -1 0 9 0 0 0 3 4 0 0 20 0 1 0 5 0 0", procStat{ms(30), ms(40), 9}, true},
		{"no name", "1234 natsx S 1", procStat{}, false},
		{"truncated", "1234 (natsx) S 1 2 3", procStat{}, false},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 x 4 0", procStat{}, false},
		{"faults not a number", "1 (x) S 1 1 1 0 -1 0 y 0 0 0 3 4 0", procStat{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.stat)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("parseProcStat = %+v, %v; want %+v, ok %v", got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestParseHostStat(t *testing.T) {
	// A 2-vCPU guest's /proc/stat, and the kernel's own file: the parse
	// must find the steal column (the 8th number) in either.
	a, err := parseHostStat("cpu  100 5 50 800 10 0 5 30 0 0\ncpu0 50 2 25 400 5 0 2 15 0 0\n")
	if err != nil || a != (hostStat{total: 1000, steal: 30}) {
		t.Fatalf("parseHostStat = %+v, %v; want total 1000, steal 30", a, err)
	}
	b := hostStat{total: 1200, steal: 80}
	if got := stealSince(a, b); got != 0.25 {
		t.Errorf("stealSince = %v, want 0.25", got)
	}
	if got := stealSince(b, b); got != 0 {
		t.Errorf("stealSince over no time = %v, want 0", got)
	}
	if _, err := parseHostStat("intr 1 2 3\n"); err == nil {
		t.Error("parseHostStat took a file without a cpu line")
	}
	if _, err := parseHostStat("cpu 1 2 x 4 5\n"); err == nil {
		t.Error("parseHostStat took a field that is not a number")
	}
	if _, err := readHostStat(); err != nil {
		t.Errorf("this machine's /proc/stat: %v", err)
	}
}

func TestParseAutogroup(t *testing.T) {
	for in, want := range map[string]string{"1\n": "on", "0\n": "off", "": "", "2\n": "", "on": ""} {
		if got := parseAutogroup(in); got != want {
			t.Errorf("parseAutogroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHistSince(t *testing.T) {
	b := []float64{math.Inf(-1), 1e-3, 2e-3, 4e-3, math.Inf(1)}
	was := []uint64{5, 0, 0, 0}
	now := []uint64{5 + 98, 1, 0, 1}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{
		{50, time.Millisecond},      // the first bucket's upper bound
		{99, 2 * time.Millisecond},  // the 99th of 100 is in [1, 2) ms
		{100, 4 * time.Millisecond}, // the last bucket has no upper bound: its lower one
	} {
		if got := quantile(now, was, b, tc.p); got != tc.want {
			t.Errorf("quantile(p%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := quantile(was, was, b, 100); got != 0 {
		t.Errorf("quantile with nothing new = %v, want 0", got)
	}
	// The runtime's own histograms, through a report's JSON and back.
	var r childReport
	readMetrics(&r)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("a report with the runtime's histograms: %v", err)
	}
	var back childReport
	if err := json.Unmarshal(js, &back); err != nil || len(bucketsOf(back.Runnable.Name)) != len(back.Runnable.Counts)+1 {
		t.Fatalf("the runnable histogram came back as %+v (%v)", back.Runnable, err)
	}
}

func TestPct(t *testing.T) {
	ms := func(n ...int) (out []time.Duration) {
		for _, v := range n {
			out = append(out, time.Duration(v)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		ds   []time.Duration
		p    int
		want string
	}{
		{nil, 99, "-"},
		{ms(5), 50, "5ms"},
		{ms(4, 1, 3, 2), 50, "2ms"},
		{ms(4, 1, 3, 2), 100, "4ms"},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 99, "100ms"},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100), 90, "18ms"},
	}
	for _, tc := range tests {
		if got := pct(tc.ds, tc.p); got != tc.want {
			t.Errorf("pct(%v, %d) = %s, want %s", tc.ds, tc.p, got, tc.want)
		}
	}
}

func TestBenchFlagsRejected(t *testing.T) {
	for _, c := range []BenchCmd{
		{Messages: 0, Subjects: 1, Size: []int{16}, Rounds: 1},
		{Messages: 1, Subjects: 0, Size: []int{16}, Rounds: 1},
		{Messages: 1, Subjects: 1, Rounds: 1},
		{Messages: 1, Subjects: 1, Size: []int{-1}, Rounds: 1},
		{Messages: 1, Subjects: 1, Size: []int{16}, Rounds: 0},
	} {
		if err := c.Run(nil); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// BenchmarkStartupFirstFrame is issue 6's start-up target, in process: the
// embedded broker (Start called directly), the connection, the tap's
// subscription and its flush (engine.Open), the UI model, and the first
// frame rendered at 120x40. The real binary adds exec and runtime start-up:
// go run ./bench times that from exec to the first frame on a pty's screen.
func BenchmarkStartupFirstFrame(b *testing.B) {
	var total time.Duration
	for b.Loop() {
		t0 := time.Now()
		sess, err := engine.Open(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}})
		if err != nil {
			b.Fatal(err)
		}
		m := ui.New(ui.Options{Source: sess, Start: t0, Tree: model.DefaultTreeOptions()})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if frame := m.Render(); frame == "" {
			b.Fatal("empty first frame")
		}
		total += time.Since(t0)
		b.StopTimer()
		sess.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-frame")
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

// TestBenchRecorder runs go run ./bench --recorder on a small flood against
// an embedded broker: two rounds per size, each recording the flood with
// nothing lost and replaying it whole (benchRecord and benchReplay fail the
// run otherwise), then the median row.
func TestBenchRecorder(t *testing.T) {
	var out strings.Builder
	c := BenchCmd{Recorder: true, Messages: 5000, Subjects: 100, Size: []int{16, 128}, Rounds: 2}
	if err := c.Run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	rows := map[string]int{}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasSuffix(f[0], "B") {
			continue
		}
		rows[f[0]+" "+f[1]]++
		if f[1] == "median" {
			if len(f) != 6 {
				t.Errorf("median row %q: want four ratios", line)
			}
			continue
		}
		if len(f) != 11 || f[6] != "0/0" {
			t.Errorf("round row %q: want 11 columns and nothing lost", line)
		}
	}
	for _, want := range []string{"16B 1", "16B 2", "16B median", "128B 1", "128B 2", "128B median"} {
		if rows[want] != 1 {
			t.Errorf("row %q appears %d times in\n%s", want, rows[want], out.String())
		}
	}
}

// TestBenchIngestRounds runs go run ./bench on a small flood for two rounds:
// one row per round, nothing lost, and the summary row; then natsx's
// memory row per round, measured in its own process.
func TestBenchIngestRounds(t *testing.T) {
	var out strings.Builder
	c := BenchCmd{Messages: 20000, Subjects: 100, Size: []int{16}, Rounds: 2, MaxMemory: 256 << 20}
	if err := c.Run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	ingest, memory, ok := strings.Cut(out.String(), "\nall: ")
	if !ok {
		t.Fatalf("no summary line in\n%s", out.String())
	}
	var rounds []string
	for _, line := range strings.Split(ingest, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "16B" {
			continue
		}
		rounds = append(rounds, f[1])
		lost := 8 // bare lost, then natsx's; the all row has no CPU per message columns
		if f[1] == "all" {
			lost = 6
		}
		if len(f) <= lost+1 || f[lost] != "0" || f[lost+1] != "0/0/0" {
			t.Errorf("row %q: want nothing lost", line)
		}
	}
	if strings.Join(rounds, " ") != "1 2 all" {
		t.Errorf("rows %v, want rounds 1 2 all in\n%s", rounds, out.String())
	}
	memory, slow, ok := strings.Cut(memory, "each round's slowest press")
	if !ok {
		t.Fatalf("no slowest-press table in\n%s", out.String())
	}
	var slows int
	for _, line := range strings.Split(slow, "\n") {
		f := strings.Fields(line)
		if len(f) != 13 || f[0] != "16B" {
			continue
		}
		slows++
		if !regexp.MustCompile(`^[0-9]+\.[0-9]%$`).MatchString(f[9]) {
			t.Errorf("slowest-press row %q: steal %q is not a share", line, f[9])
		}
		// natsx's goroutines waited for a P (some did, in a flood), and
		// its collections: a test's small flood may need none.
		if !regexp.MustCompile(`^[0-9.]+(ms|µs)/[0-9.]+(ms|µs)$`).MatchString(f[10]) || strings.HasSuffix(f[10], "/0µs") {
			t.Errorf("slowest-press row %q: runnable %q is not two times, the last above 0", line, f[10])
		}
		n, err := strconv.Atoi(f[11])
		if err != nil || n < 0 {
			t.Errorf("slowest-press row %q: %q is not a number of collections", line, f[11])
		}
		// A finished collection stopped the world; a stop with none
		// finished is one under way when the flood ended.
		if !regexp.MustCompile(`^[0-9.]+(ms|µs)$`).MatchString(f[12]) || (n > 0 && f[12] == "0µs") {
			t.Errorf("slowest-press row %q: GC stop %q after %d collections", line, f[12], n)
		}
		f = f[:9]
		// The press and its three parts, timed; the echo pinged during it
		// and over the flood, when the flood lasted a ping (20 ms). A
		// press that timed out (1 s) may have no Update to split it at.
		dur := regexp.MustCompile(`^[0-9.]+(ms|µs|ns|s)$`)
		timedOut := f[2] == ms(time.Second)
		for i, v := range f[2:] {
			split := i >= 1 && i <= 3
			if !dur.MatchString(v) && !(i >= 4 && v == "-") && !(split && timedOut && v == "?") {
				t.Errorf("slowest-press row %q: %q is not a time", line, v)
			}
		}
	}
	if slows != 2 {
		t.Errorf("%d slowest-press rows, want 2 in\n%s", slows, out.String())
	}
	var mem int
	for _, line := range strings.Split(memory, "\n") {
		f := strings.Fields(line)
		if len(f) != 16 || f[0] != "16B" {
			continue
		}
		mem++
		// natsx's own answer to the keys, the backlog against what the
		// store held, RSS peak, steady, header mem, heap: measured, not
		// blank.
		if !regexp.MustCompile(`^[0-9.]+[µm]?s/[0-9.]+[µm]?s$`).MatchString(f[2]) ||
			!regexp.MustCompile(`^\d+k/[1-9]\d*k$`).MatchString(f[3]) || f[4] == "0MiB" || f[5] == "0MiB" ||
			!strings.Contains(f[6], "/256MiB") || f[7] == "0MiB" ||
			!regexp.MustCompile(`^\d+\.\dk/\d+\.\dk$`).MatchString(f[11]) || !regexp.MustCompile(`^\d+%/\d+%$`).MatchString(f[12]) {
			t.Errorf("memory row %q: want natsx's answers, the backlog, RSS, the header's mem, the heap, both sides' page faults and system CPU", line)
		}
		// The CPU and Ps natsx's side reported: on two CPUs (CI's), its
		// one CPU with cli.OneCPUProcs.
		if cpu := cli.PlannedCPU(); cpu >= 0 && os.Getenv("GOMAXPROCS") == "" {
			if want := fmt.Sprintf("%d/%d", cpu, cli.OneCPUProcs); f[15] != want {
				t.Errorf("memory row %q: CPU/Ps %q, want %q", line, f[15], want)
			}
		} else if !regexp.MustCompile(`^(all|\d+)/[1-9]\d*$`).MatchString(f[15]) {
			t.Errorf("memory row %q: CPU/Ps %q, want CPU/Ps", line, f[15])
		}
	}
	if mem != 2 {
		t.Errorf("%d memory rows, want 2 in\n%s", mem, out.String())
	}
}

// TestMain lets the bench re-execute the test binary as its child process,
// as go run ./bench re-executes itself.
func TestMain(m *testing.M) {
	if os.Getenv(echoEnv) != "" {
		_ = runEcho()
		os.Exit(0)
	}
	if cfg := os.Getenv(childEnv); cfg != "" {
		if err := runChild(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "bench child: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestParseProcStatusMem(t *testing.T) {
	rss, peak, err := parseProcStatusMem("Name:\tnatsx\nVmHWM:\t  450560 kB\nVmRSS:\t  401408 kB\nThreads:\t9\n")
	if err != nil || rss != 401408<<10 || peak != 450560<<10 {
		t.Errorf("got %d, %d, %v", rss, peak, err)
	}
	if _, _, err := parseProcStatusMem("Name:\tnatsx\n"); err == nil {
		t.Error("no VmRSS: want an error")
	}
}

func TestHeaderMem(t *testing.T) {
	for screen, want := range map[string]string{
		"natsx  connected  mem 188 MiB/256 MiB  drops 0": "188MiB/256MiB",
		"│ mem 512 KiB/1 GiB │":                          "512KiB/1GiB",
		"no header":                                      "?",
	} {
		if got := headerMem(screen); got != want {
			t.Errorf("headerMem(%q) = %q, want %q", screen, got, want)
		}
	}
}

// TestBenchPayload: --pane makes the payloads JSON objects the pane's
// condition can read, of the flood's size; without it they stay x's.
func TestBenchPayload(t *testing.T) {
	c := BenchCmd{}
	if p := c.benchPayload(16); string(p) != strings.Repeat("x", 16) {
		t.Errorf("without --pane: %q", p)
	}
	c.Pane = "bench.> where .n > 0"
	for _, size := range []int{16, 128, 4096} {
		p := c.benchPayload(size)
		f := where.MustCompile(".n > 0")
		ok, err := f.Match(&model.Message{Subject: "bench.1", Data: p, Size: len(p)})
		if !ok || err != nil || len(p) != max(size, len(`{"n":1,"pad":""}`)) {
			t.Errorf("--size %d: %q (%d bytes) matches %v, %v", size, p, len(p), ok, err)
		}
	}
	c = BenchCmd{Messages: 1, Subjects: 1, Size: []int{16}, Rounds: 1, Pane: "bench.> where .n >"}
	if err := c.Run(os.Stdout); err == nil || !strings.Contains(err.Error(), "--pane") {
		t.Errorf("a malformed --pane: %v", err)
	}
}

// TestBenchNatsBench: --nats-bench refuses a binary that is not there and
// the combinations it cannot flood; with natscli on PATH (../shared/
// peers.sh puts it there; CI does not build it), a round flooded by nats
// bench pub loses nothing and says where its flood came from.
func TestBenchNatsBench(t *testing.T) {
	for _, c := range []BenchCmd{
		{Messages: 1, Subjects: 1, Size: []int{16}, Rounds: 1, NatsBench: "natsx-no-such-natscli"},
		{Messages: 1, Subjects: 1, Size: []int{16}, Rounds: 1, NatsBench: "sh", Pane: "bench.> where .n > 1"},
		{Messages: 1, Subjects: 1, Size: []int{16}, Rounds: 1, NatsBench: "sh", Recorder: true},
	} {
		if err := c.Run(io.Discard); err == nil || !strings.Contains(err.Error(), "--nats-bench") {
			t.Errorf("%+v: %v, want an error about --nats-bench", c, err)
		}
	}
	c := BenchCmd{Messages: 10, Subjects: 10, Size: []int{16, 0}, Rounds: 1, NatsBench: "sh"}
	if err := c.Run(io.Discard); err == nil || !strings.Contains(err.Error(), "--size 0") {
		t.Errorf("--nats-bench with --size 0: %v, want it refused", err)
	}
	// A natscli that fails: its last line, escape sequence and all, comes
	// back quoted in the error.
	fake := filepath.Join(t.TempDir(), "nats")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho starting\nprintf 'nats: error: boom \\033]0;title\\007\\n'\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c = BenchCmd{Messages: 10, Subjects: 10, Size: []int{16}, Rounds: 1, MaxMemory: 256 << 20, NatsBench: fake}
	err := c.Run(io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"nats: error: boom \x1b]0;title\a"`) || strings.ContainsAny(err.Error(), "\x1b\a") {
		t.Errorf("a failing natscli: %v, want its last line quoted", err)
	}
	if _, err := exec.LookPath("nats"); err != nil {
		t.Skip("natscli (nats) is not on PATH: the flood through it is not tried")
	}
	var out strings.Builder
	c = BenchCmd{Messages: 20000, Subjects: 1000, Size: []int{16}, Rounds: 1, MaxMemory: 256 << 20, NatsBench: "nats"}
	if err := c.Run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "subjects from nats bench pub") {
		t.Errorf("the head does not name nats bench pub:\n%s", out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 9 && f[0] == "16B" && f[1] == "1" && strings.Contains(f[9], "/") {
			if f[8] != "0" || f[9] != "0/0/0" {
				t.Errorf("round %q: want nothing lost", line)
			}
			return
		}
	}
	t.Errorf("no round row in\n%s", out.String())
}

// TestEchoRoundTrips pings the echo in its pty: every ping comes back, in
// far less than the second a lost one would count.
func TestEchoRoundTrips(t *testing.T) {
	e, err := startEcho()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	trips := e.Trips()
	if len(trips) < 3 {
		t.Fatalf("%d pings in 200 ms, want one every 20 ms", len(trips))
	}
	for _, tr := range trips {
		if tr.Took >= time.Second {
			t.Errorf("ping at %d: no echo (%s)", tr.At, tr.Took)
		}
	}
	if w := worstTrip(trips, trips[0].At, trips[len(trips)-1].At); w <= 0 || w >= time.Second {
		t.Errorf("worst trip %s", w)
	}
	if w := worstTrip(trips, 0, 1); w != 0 {
		t.Errorf("worst trip long before the pings: %s, want 0", w)
	}
}

// TestPressKeysSlowAnswerAfterStop: a program in a pty that answers each
// ? after 300 ms, with the flood over 50 ms in: the first press went out
// at once and counts, answered after the stop, with its whole time (the
// slowest presses are the likeliest to outlast the flood).
func TestPressKeysSlowAnswerAfterStop(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := `stty raw -echo; open=0; while IFS= read -r -n1 c; do sleep 0.3; ` +
		`if [ $open = 0 ]; then printf '\033[2J\033[Hnatsx keys'; open=1; else printf '\033[2J\033[H'; open=0; fi; done`
	term, err := testkit.Start(exec.Command(bash, "-c", script), 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(term.Close)
	time.Sleep(200 * time.Millisecond) // the script's stty
	stop := make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(stop) })
	keys, at := pressKeys(term, stop, nil)
	if len(keys) != 1 || len(at) != 1 {
		t.Fatalf("%d presses timed (%v), want the first, answered after the stop", len(keys), keys)
	}
	if keys[0] < 300*time.Millisecond || keys[0] >= time.Second {
		t.Errorf("the press took %v, want its answer's 300 ms and more, under the 1 s timeout", keys[0])
	}
}

// TestGCPausesCaughtUp: a finished collection has two stops of the world
// in the histogram, and readMetrics's reports hold them, forced
// collections and all.
func TestGCPausesCaughtUp(t *testing.T) {
	for _, tc := range []struct {
		cycles uint64
		pauses []uint64
		want   bool
	}{
		{0, nil, true},
		{1, []uint64{0, 2}, true},
		{1, []uint64{1, 0}, false},   // the mark termination's stop not yet recorded
		{2, []uint64{1, 2, 2}, true}, // a third under way
		{3, []uint64{5}, false},
	} {
		if got := gcPausesCaughtUp(tc.cycles, tc.pauses); got != tc.want {
			t.Errorf("gcPausesCaughtUp(%d, %v) = %v, want %v", tc.cycles, tc.pauses, got, tc.want)
		}
	}
	var before childReport
	readMetrics(&before)
	for range 20 {
		runtime.GC()
	}
	var r childReport
	readMetrics(&r)
	if r.GCCycles < before.GCCycles+20 || !gcPausesCaughtUp(r.GCCycles, r.GCPauses.Counts) {
		t.Errorf("after 20 collections: %d cycles (was %d), pauses %v", r.GCCycles, before.GCCycles, r.GCPauses.Counts)
	}
}
