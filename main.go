// Command natsx is a terminal UI for exploring and debugging NATS traffic.
// main only parses the command line and wires engine, model, ui and
// recorder together.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/alecthomas/kong"

	"natsx/engine"
	"natsx/model"
	"natsx/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// ConnFlags are natscli-compatible connection flags.
type ConnFlags struct {
	Server   string `short:"s" help:"NATS server URL(s), comma-separated (default: embedded broker; env NATS_URL)" placeholder:"URL"`
	User     string `help:"username"`
	Password string `help:"password"`
	Token    string `help:"authentication token"`
	Creds    string `help:"user credentials (.creds) file" type:"path"`
	Nkey     string `help:"nkey seed file" type:"path"`
	TLSCert  string `name:"tlscert" help:"TLS client certificate" type:"path"`
	TLSKey   string `name:"tlskey" help:"TLS client key" type:"path"`
	TLSCA    string `name:"tlsca" help:"TLS CA certificate" type:"path"`
	Context  string `help:"natscli context name or .json file"`
}

// SourceFlags choose between the embedded broker and an external server.
type SourceFlags struct {
	ConnFlags
	Listen   string `help:"address the embedded broker listens on (default 127.0.0.1, port 4222 if free)" placeholder:"HOST[:PORT]"`
	NoDemo   bool   `help:"no demo traffic on the embedded broker"`
	DemoRate string `default:"200" help:"demo messages per second, or max for a flood" placeholder:"N|max"`
}

// ExplorerFlags are the explorer's own flags, shared by run and open.
type ExplorerFlags struct {
	MaxMemory string   `default:"256MiB" help:"memory budget for subjects and kept messages" placeholder:"SIZE"`
	Filter    []string `short:"f" help:"open a filter pane for this pattern (repeatable; wins over the saved set)" placeholder:"PATTERN"`
	PaneDepth int      `default:"10000" help:"messages kept per filter pane"`
	Mouse     bool     `help:"click to focus and select, wheel to scroll"`
	ReadOnly  bool     `help:"no publish, request or edit from the UI"`
}

// RunCmd opens the explorer.
type RunCmd struct {
	SourceFlags
	ExplorerFlags
	NoTap bool `help:"do not subscribe to '>': subscribe per filter pane only (scoped mode)"`
}

// TreeCmd prints the subject tree once.
type TreeCmd struct {
	SourceFlags
	For  time.Duration `default:"2s" help:"how long to listen"`
	JSON bool          `help:"print JSON"`
}

// ServeCmd runs the embedded broker headless.
type ServeCmd struct {
	Listen   string `help:"address to listen on (default 127.0.0.1, port 4222 if free)" placeholder:"HOST[:PORT]"`
	Demo     bool   `help:"publish demo traffic"`
	DemoRate string `default:"200" help:"demo messages per second, or max" placeholder:"N|max"`
}

// CLI is natsx's command line.
type CLI struct {
	Run     RunCmd           `cmd:"" default:"withargs" help:"explore live traffic (default)"`
	Tree    TreeCmd          `cmd:"" help:"listen for a while and print the subject tree"`
	Serve   ServeCmd         `cmd:"" help:"run the embedded broker until interrupted"`
	Record  RecordCmd        `cmd:"" help:"record traffic to a capture file"`
	Replay  ReplayCmd        `cmd:"" help:"republish a capture with its timing"`
	Open    OpenCmd          `cmd:"" help:"explore a capture with a timeline: play, pause, speed, step, seek, markers"`
	Inspect InspectCmd       `cmd:"" help:"summarize a capture file"`
	Export  ExportCmd        `cmd:"" help:"write a capture as NDJSON"`
	Import  ImportCmd        `cmd:"" help:"build a capture from NDJSON or a 'nats sub --dump' directory"`
	Bench   BenchCmd         `cmd:"" help:"measure natsx's ingest against a bare nats.go subscriber"`
	Version kong.VersionFlag `help:"print the version"`
}

func main() {
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdout, os.Stderr) }))
}

// profiled runs f under a CPU profile written to $NATSX_CPUPROFILE, when
// set: how the idle and flood figures in BENCHMARKS.md were profiled in
// the real binary.
func profiled(f func() int) int {
	path := os.Getenv("NATSX_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "natsx: NATSX_CPUPROFILE: %v\n", err)
		return 1
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "natsx: NATSX_CPUPROFILE: %v\n", err)
		return 1
	}
	defer pprof.StopCPUProfile()
	return f()
}

// run is main without os.Exit, so every failure is one line and a code.
func run(args []string, stdout, stderr io.Writer) int {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("natsx"),
		kong.Description("A terminal UI for exploring and debugging NATS traffic."),
		kong.Vars{"version": version},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "natsx: %v\n", err)
		return 2
	}
	code, done := func() (code int, done bool) {
		// kong calls Exit after --help and --version; turn that into a return.
		defer func() {
			if r := recover(); r != nil {
				c, ok := r.(exitCode)
				if !ok {
					panic(r)
				}
				code, done = int(c), true
			}
		}()
		ctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintf(stderr, "natsx: %v (see natsx --help)\n", err)
			return 2, true
		}
		ctx.BindTo(stdout, (*io.Writer)(nil))
		if err := ctx.Run(); err != nil {
			fmt.Fprintf(stderr, "natsx: %s\n", oneLine(err))
			return 1, true
		}
		return 0, true
	}()
	if !done {
		return 1
	}
	return code
}

type exitCode int

func oneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// sessionOptions decides between the embedded broker and an external
// server: any connection flag, NATS_URL or a context means external.
func (f SourceFlags) sessionOptions() (engine.SessionOptions, error) {
	rate, err := parseRate(f.DemoRate)
	if err != nil {
		return engine.SessionOptions{}, err
	}
	c := engine.ConnOptions{
		Servers: f.Server, User: f.User, Password: f.Password, Token: f.Token,
		Creds: f.Creds, NKey: f.Nkey, TLSCert: f.TLSCert, TLSKey: f.TLSKey, TLSCA: f.TLSCA,
		Context: f.Context, Name: "natsx",
	}
	external := c.Servers != "" || c.Context != "" || os.Getenv("NATS_URL") != ""
	if !external {
		if c.User != "" || c.Token != "" || c.Creds != "" || c.NKey != "" || c.TLSCert != "" || c.TLSCA != "" {
			return engine.SessionOptions{}, errors.New("credentials given without --server: the embedded broker needs none")
		}
		return engine.SessionOptions{
			Embedded:    &engine.EmbeddedOptions{Listen: f.Listen},
			Demo:        !f.NoDemo,
			DemoOptions: engine.DemoOptions{Rate: rate},
		}, nil
	}
	if f.Listen != "" {
		return engine.SessionOptions{}, errors.New("--listen applies to the embedded broker, not to --server")
	}
	resolved, err := c.Resolve(os.Getenv)
	if err != nil {
		return engine.SessionOptions{}, err
	}
	return engine.SessionOptions{Conn: resolved}, nil
}

func parseRate(s string) (float64, error) {
	if strings.EqualFold(s, "max") {
		return math.Inf(1), nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("--demo-rate %q: want a positive number of messages per second or max", s)
	}
	return r, nil
}

// Run opens the explorer.
func (c *RunCmd) Run(stdout io.Writer) error {
	budget, err := c.check()
	if err != nil {
		return err
	}
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	so.NoTap = c.NoTap
	start := time.Now()
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	return c.explore(sess, start, budget, nil)
}

// check validates the explorer's flags and returns the memory budget.
func (f ExplorerFlags) check() (int64, error) {
	budget, err := model.ParseBytes(f.MaxMemory)
	if err != nil {
		return 0, fmt.Errorf("--max-memory: %w", err)
	}
	if budget < 16<<20 {
		return 0, fmt.Errorf("--max-memory %s: at least 16MiB", f.MaxMemory)
	}
	for _, p := range f.Filter {
		if _, err := model.ParsePattern(p); err != nil {
			return 0, fmt.Errorf("--filter: %w", err)
		}
	}
	if f.PaneDepth < 1 {
		return 0, fmt.Errorf("--pane-depth %d: must be at least 1", f.PaneDepth)
	}
	return budget, nil
}

// explorerProcs is the explorer's GOMAXPROCS: at least 4, so on a 2-core
// laptop under a flood the goroutines that answer keys and draw frames do
// not queue behind the busy ones (the tap's read loop and callback, an
// embedded broker's client loops) for a free P, 10 ms slices each hop: the
// kernel shares the cores among the threads instead, waking an idle one at
// once. Measured with natsx bench at 2M messages: key p50 50-60 ms and p99
// 120-170 ms with 2 Ps, 15-20 ms and 80 ms with 4. An explicit GOMAXPROCS
// in the environment wins.
func explorerProcs() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	return max(runtime.GOMAXPROCS(0), 4)
}

// explore runs the explorer on sess until the user quits; tl is the
// capture player of natsx open, nil for live traffic.
func (f ExplorerFlags) explore(sess *engine.Session, start time.Time, budget int64, tl ui.Timeline) error {
	// A soft limit a little above the budget makes the GC work harder
	// before the process grows past what the user allowed.
	debug.SetMemoryLimit(budget + 128<<20)
	runtime.GOMAXPROCS(explorerProcs())
	m := ui.New(ui.Options{
		Source:    sess,
		Start:     start,
		Tree:      model.TreeOptions{MaxMemory: budget},
		Filters:   f.Filter,
		PaneDepth: f.PaneDepth,
		StatePath: ui.DefaultStatePath(),
		Mouse:     f.Mouse,
		ReadOnly:  f.ReadOnly,
		Recorder:  tuiRecorder(sess),
		Timeline:  tl,
	})
	if _, err := tea.NewProgram(m, tea.WithFPS(ui.FPS)).Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("terminal: %w", err)
	}
	return nil
}

// Run listens for the given time and prints the tree.
func (c *TreeCmd) Run(stdout io.Writer) error {
	if c.For <= 0 {
		return fmt.Errorf("--for %s: must be positive", c.For)
	}
	so, err := c.sessionOptions()
	if err != nil {
		return err
	}
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	return printTree(stdout, sess, c.For, c.JSON)
}

// Run serves until interrupted.
func (c *ServeCmd) Run(stdout io.Writer) error {
	rate, err := parseRate(c.DemoRate)
	if err != nil {
		return err
	}
	emb, err := engine.StartEmbedded(engine.EmbeddedOptions{Listen: c.Listen})
	if err != nil {
		return err
	}
	defer emb.Shutdown()
	if c.Demo {
		nc, err := engine.Connect(engine.ConnOptions{Servers: emb.URL(), Name: "natsx-demo"})
		if err != nil {
			return err
		}
		defer nc.Close()
		d, err := engine.StartDemo(nc, engine.DemoOptions{Rate: rate})
		if err != nil {
			return err
		}
		defer d.Stop()
	}
	fmt.Fprintln(stdout, emb.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// printTree reads the session for d into a fresh tree and prints it.
func printTree(w io.Writer, sess *engine.Session, d time.Duration, asJSON bool) error {
	start := time.Now()
	tree := model.NewTree(model.TreeOptions{HistoryDepth: 1}, start.UnixNano())
	buf := make([]model.Message, 1<<14)
	var cursor, missed uint64
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(ui.TickInterval)
	defer tick.Stop()
	drain := func() {
		for {
			n, next, miss := sess.Read(cursor, buf)
			for i := 0; i < n; i++ {
				tree.Apply(&buf[i])
			}
			cursor, missed = next, missed+miss
			if n < len(buf) {
				return
			}
		}
	}
	for done := false; !done; {
		select {
		case <-tick.C:
			drain()
		case <-deadline.C:
			drain()
			done = true
		}
	}
	rep := model.NewTreeReport(tree, time.Now().UnixNano(), sess.Status().URL, missed+sess.Status().ClientDropped)
	if asJSON {
		return rep.WriteJSON(w)
	}
	return rep.WriteText(w)
}
