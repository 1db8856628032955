package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"natsx/engine"
	"natsx/recorder"
)

// interruptible is a context that ends on ctrl+c or SIGTERM.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// isTerminal reports whether w is a terminal: progress lines that redraw
// themselves are written only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

// warnExposed says once, before a command starts, that the embedded broker
// it is about to start can be reached from the network by anyone, without
// authentication: --listen 0.0.0.0 is a choice, but not one to make unawares.
func warnExposed(w io.Writer, listen string) {
	if engine.ListenExposed(listen) {
		fmt.Fprintf(w, "natsx: warning: --listen %s: the embedded broker is reachable from the network without authentication (anyone who can reach it can read and publish everything)\n", listen)
	}
}

// reportProblems warns about damage met while reading, one line each.
func reportProblems(w io.Writer, ps []recorder.Problem) {
	for _, p := range ps {
		fmt.Fprintf(w, "natsx: warning: %s\n", p)
	}
}
