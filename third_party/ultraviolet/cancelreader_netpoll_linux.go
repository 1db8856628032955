//go:build linux

package uv

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/muesli/cancelreader"
	"golang.org/x/sys/unix"
)

// natsx patch (PATCH.md, change 4): on Linux a terminal is read through
// Go's network poller, not by a thread of its own blocked in epoll_wait.
//
// cancelreader's reader parks an OS thread in epoll_wait on the terminal
// and a cancel pipe. A key then waits for the kernel to run that thread,
// and then for the thread to get one of the program's Ps back. Under load
// (every core busy, the program's own threads running) the kernel can
// leave that one sleeping thread waiting for tens of milliseconds: a
// program that pegs its core still got its key late. With the terminal in
// the runtime's poller, any of the program's threads that looks for work
// (a P whose goroutines all wait, sysmon every 10 ms) finds the key, and
// the thread that runs the decoder is whichever is running already.
//
// The terminal is opened anew (its /proc/self/fd link), non-blocking, so
// the caller's descriptor, often a shell's stdin shared with the parent,
// is left as it was (blocking). Cancel sets a read deadline in the past,
// which wakes a Read in flight; a canceled Read closes the new descriptor
// (bubbletea makes a new reader when it takes the terminal back and never
// closes the old one).

// newNetpollReader returns a cancelable reader of r through the runtime's
// poller when r is a terminal it can open anew and register, else false.
func newNetpollReader(r io.Reader) (cancelreader.CancelReader, bool) {
	f, ok := r.(*os.File)
	if !ok || f == nil {
		return nil, false
	}
	fd := int(f.Fd())
	// The terminal itself (TIOCGDEV fails on what is not one), whatever
	// the node it was opened by: the new descriptor must name the same.
	was, err := unix.IoctlGetUint32(fd, unix.TIOCGDEV)
	if err != nil {
		return nil, false
	}
	nfd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(fd),
		unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, false
	}
	// Not the same terminal: a pty master's link opens a new pty,
	// /dev/tty's whichever terminal controls the process now.
	if now, err := unix.IoctlGetUint32(nfd, unix.TIOCGDEV); err != nil || now != was {
		_ = unix.Close(nfd)
		return nil, false
	}
	nf := os.NewFile(uintptr(nfd), f.Name())
	// A file the poller did not take has no deadlines.
	if err := nf.SetReadDeadline(time.Time{}); err != nil {
		_ = nf.Close()
		return nil, false
	}
	return &netpollReader{f: nf}, true
}

// netpollReader reads a terminal opened non-blocking, so its Read parks
// the goroutine in the runtime's poller rather than a thread in a system
// call.
type netpollReader struct {
	f        *os.File
	canceled atomic.Bool
}

// Read reads the terminal; after Cancel it returns
// cancelreader.ErrCanceled.
func (r *netpollReader) Read(p []byte) (int, error) {
	if r.canceled.Load() {
		_ = r.Close()
		return 0, cancelreader.ErrCanceled
	}
	n, err := r.f.Read(p)
	if err != nil && (r.canceled.Load() || errors.Is(err, os.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)) {
		_ = r.Close()
		return n, cancelreader.ErrCanceled
	}
	return n, err //nolint:wrapcheck
}

// Cancel wakes a Read in flight and fails those after it. It reports
// true: the reader reads nothing more.
func (r *netpollReader) Cancel() bool {
	r.canceled.Store(true)
	// Fails only when the file is closed already: nothing to wake.
	_ = r.f.SetReadDeadline(time.Unix(1, 0))
	return true
}

// Close closes the descriptor opened for reading (not the caller's); a
// Read in flight returns cancelreader.ErrCanceled.
func (r *netpollReader) Close() error {
	// Closed already (by a canceled Read, or twice): nothing to do.
	if err := r.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return err //nolint:wrapcheck
	}
	return nil
}
