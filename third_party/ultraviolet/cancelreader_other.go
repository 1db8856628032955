//go:build !windows
// +build !windows

package uv

import (
	"io"

	"github.com/muesli/cancelreader"
)

// NewCancelReader creates a new [cancelreader.CancelReader] that provides a
// cancelable reader interface that can be used to cancel reads.
//
// natsx patch (PATCH.md, change 4): on Linux a terminal is read through
// the runtime's poller (cancelreader_netpoll_linux.go).
func NewCancelReader(r io.Reader) (cancelreader.CancelReader, error) {
	if pr, ok := newNetpollReader(r); ok {
		return pr, nil
	}
	return cancelreader.NewReader(r) //nolint:wrapcheck
}
