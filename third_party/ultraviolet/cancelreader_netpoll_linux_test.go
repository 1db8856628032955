//go:build linux

package uv

import (
	"errors"
	"os"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/muesli/cancelreader"
	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal: the side a program reads (its
// terminal) and the side that types into it.
func openPty(t *testing.T) (tty, typist *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	// Raw, as a program reading keys sets it: bytes come as typed.
	tio, err := unix.IoctlGetTermios(int(s.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Lflag &^= unix.ICANON | unix.ECHO
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(int(s.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	return s, m
}

// notInGo is how many goroutines are in a system call (or cgo).
func notInGo() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines/not-in-go:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A terminal is read through the runtime's poller: a Read waiting for a
// key holds no thread in a system call, the key is read, and the caller's
// descriptor stays blocking (a shell's stdin is shared with the shell).
func TestNetpollReaderReadsTheTerminal(t *testing.T) {
	tty, typist := openPty(t)
	cr, err := NewCancelReader(tty)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	if _, ok := cr.(*netpollReader); !ok {
		t.Fatalf("a terminal's reader is %T, want the poller's", cr)
	}
	before := notInGo()
	got := make(chan string)
	go func() {
		var b [16]byte
		n, err := cr.Read(b[:])
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(b[:n])
	}()
	// Let the Read park, then look: an epoll_wait reader is in a system
	// call now.
	time.Sleep(100 * time.Millisecond)
	if n := notInGo(); n > before {
		t.Errorf("%d goroutines in system calls while the Read waits, %d before: the reader holds a thread", n, before)
	}
	if _, err := typist.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "abc" {
			t.Fatalf("read %q, want abc", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the key never came")
	}
	fl, err := unix.FcntlInt(tty.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fl&unix.O_NONBLOCK != 0 {
		t.Error("the caller's terminal descriptor was made non-blocking")
	}
}

// Cancel wakes a Read in flight with ErrCanceled, fails the Reads after
// it and lets go of the descriptor it opened; the terminal is still the
// caller's to read.
func TestNetpollReaderCancel(t *testing.T) {
	tty, typist := openPty(t)
	fds := func() int {
		d, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(d)
	}
	open := fds()
	cr, err := NewCancelReader(tty)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cr.(*netpollReader); !ok {
		t.Fatalf("a terminal's reader is %T, want the poller's", cr)
	}
	done := make(chan error)
	go func() {
		var b [16]byte
		_, err := cr.Read(b[:])
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if !cr.Cancel() {
		t.Error("Cancel said it canceled nothing")
	}
	select {
	case err := <-done:
		if !errors.Is(err, cancelreader.ErrCanceled) {
			t.Fatalf("the canceled Read returned %v, want ErrCanceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Cancel did not wake the Read")
	}
	var b [16]byte
	if _, err := cr.Read(b[:]); !errors.Is(err, cancelreader.ErrCanceled) {
		t.Fatalf("a Read after Cancel returned %v, want ErrCanceled", err)
	}
	if err := cr.Close(); err != nil {
		t.Fatalf("Close after a canceled Read: %v", err)
	}
	if n := fds(); n != open {
		t.Errorf("%d descriptors open after Cancel and Close, %d before", n, open)
	}
	// A new reader reads the same terminal (bubbletea makes one when it
	// takes the terminal back).
	cr2, err := NewCancelReader(tty)
	if err != nil {
		t.Fatal(err)
	}
	defer cr2.Close()
	if _, err := typist.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if n, err := cr2.Read(b[:]); err != nil || string(b[:n]) != "x" {
		t.Fatalf("the next reader read %q, %v", b[:n], err)
	}
}

// What is not a terminal keeps cancelreader's reader.
func TestNetpollReaderOnlyTerminals(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cr, err := NewCancelReader(r)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	if _, ok := cr.(*netpollReader); ok {
		t.Fatal("a pipe is read through the poller's terminal reader")
	}
}
