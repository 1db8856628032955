// Package cli is natsx's command line: each command is thin wiring in a
// file of its own (flags → one call into engine, recorder or ui), the flag
// types are shared once (flags.go, values.go), and Main turns every
// failure into one line and an exit code.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/alecthomas/kong"
)

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
	Who     WhoCmd           `cmd:"" help:"list who would receive a message on a subject now, on every server"`
	Trace   TraceCmd         `cmd:"" help:"trace a message through the servers without delivering it (nats-server 2.11+)"`
	Version kong.VersionFlag `help:"print the version"`
}

// Env is what every command's Run is given: where to write, and the
// version recorded in the captures it writes. Commands never write to
// os.Stdout or os.Stderr themselves, so tests read what they print.
type Env struct {
	Out, Err io.Writer
	Version  string
}

// Main runs natsx with args (without the program name) and returns the
// exit code: 0, 1 for a runtime error or a bad flag value, 2 for a command
// line kong cannot parse. Every failure is one line on stderr, and
// everything printed goes through the sanitizer (safeWriter).
func Main(version string, args []string, stdout, stderr io.Writer) int {
	// Everything printed, by any command, kong or an error, is sanitized.
	out, errw := newSafeWriter(stdout), newSafeWriter(stderr)
	defer out.flush()
	defer errw.flush()
	stdout, stderr = out, errw
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("natsx"),
		kong.Description("A terminal UI for exploring and debugging NATS traffic."),
		kong.Vars{"version": version},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Help(help),
		kong.TypeMapper(reflect.TypeFor[[]string](), kong.MapperFunc(nonEmptyList)),
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
		var fe *flagError
		switch {
		case errors.As(err, &fe):
			// A flag's value or a rule between flags: said as the command
			// says it, without kong's prefix, and exit 1 as before kong
			// checked them at parse time.
			fmt.Fprintf(stderr, "natsx: %s\n", oneLine(fe))
			return 1, true
		case err != nil:
			fmt.Fprintf(stderr, "natsx: %v (see natsx --help)\n", err)
			return 2, true
		}
		warnExposed(stderr, listenFlag(ctx))
		ctx.Bind(&Env{Out: stdout, Err: stderr, Version: version})
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

// listenFlag is the --listen the parsed command starts its embedded
// broker with, "" when it starts none (no such flag, or --dry-run).
func listenFlag(ctx *kong.Context) string {
	var listen string
	for _, f := range ctx.Flags() {
		switch f.Name {
		case "dry-run":
			if v, _ := ctx.FlagValue(f).(bool); v {
				return ""
			}
		case "listen":
			listen, _ = ctx.FlagValue(f).(string)
		}
	}
	return listen
}

func oneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// writeJSON prints v as indented JSON, the form every --json takes.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
