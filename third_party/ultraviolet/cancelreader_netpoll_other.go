//go:build !linux && !windows

package uv

import (
	"io"

	"github.com/muesli/cancelreader"
)

// newNetpollReader is Linux's (cancelreader_netpoll_linux.go). Elsewhere
// it is not tried: on macOS kqueue fails on /dev/tty
// (cancelreader falls back to select there), and the BSDs are untested.
func newNetpollReader(io.Reader) (cancelreader.CancelReader, bool) { return nil, false }
