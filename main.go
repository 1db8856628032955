// Command natsx is a terminal UI for exploring and debugging NATS traffic.
// main is the front door: the version, the profiling hook and the exit
// code; the commands are in package cli.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"natsx/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(profiled(func() int { return cli.Main(version, os.Args[1:], os.Stdout, os.Stderr) }))
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
