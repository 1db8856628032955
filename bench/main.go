// Command bench is a developer program, not part of natsx: it measures
// natsx's ingest (and, with --recorder, record and replay) against a bare
// nats.go client on the same flood, in one run, driving the real explorer
// in a pseudo-terminal. Run it with `go run ./bench`; BENCHMARKS.md says
// why it measures this way. It uses a pty, a terminal emulator, getrusage
// and /proc, which is why it is not in the product binary (which builds
// for Windows and macOS too).
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
)

func main() {
	if os.Getenv(echoEnv) != "" {
		_ = runEcho()
		return
	}
	if cfg := os.Getenv(childEnv); cfg != "" {
		if err := runChild(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "natsx bench child: %v\n", err)
			os.Exit(1)
		}
		return
	}
	var c BenchCmd
	kong.Parse(&c, kong.Name("bench"),
		kong.Description("Measure natsx's ingest against a bare nats.go subscriber (go run ./bench)."))
	if err := c.Run(os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "natsx bench: %v\n", err)
		os.Exit(1)
	}
}
