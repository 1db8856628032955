//go:build !linux && !windows

package uv

import (
	"io"

	"github.com/muesli/cancelreader"
)

// newNetpollReader is Linux's (cancelreader_netpoll_linux.go): elsewhere
// a terminal may not be pollable (macOS's kqueue does not take ttys).
func newNetpollReader(io.Reader) (cancelreader.CancelReader, bool) { return nil, false }
