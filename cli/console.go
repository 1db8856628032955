package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

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

// reportProblems warns about damage met while reading, one line each.
func reportProblems(w io.Writer, ps []recorder.Problem) {
	for _, p := range ps {
		fmt.Fprintf(w, "natsx: warning: %s\n", p)
	}
}
