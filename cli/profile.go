package cli

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// Profiled runs f under a CPU profile written to $NATSX_CPUPROFILE, when
// set: how the idle and flood figures in BENCHMARKS.md were profiled, in
// the real binary (main) and in the bench's explorer child alike. A
// profile that cannot be started is one line on stderr and exit code 1.
func Profiled(stderr io.Writer, f func() int) int {
	path := os.Getenv("NATSX_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "natsx: NATSX_CPUPROFILE: %v\n", err)
		return 1
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(stderr, "natsx: NATSX_CPUPROFILE: %v\n", err)
		return 1
	}
	defer pprof.StopCPUProfile()
	return f()
}
