// Command natsx is a terminal UI for exploring and debugging NATS traffic.
// main is the front door: the version, the profiling hook and the exit
// code; the commands are in package cli.
package main

import (
	"os"

	"natsx/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Profiled(os.Stderr, func() int { return cli.Main(version, os.Args[1:], os.Stdout, os.Stderr) }))
}
