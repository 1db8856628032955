//go:build linux

package uv

import (
	"errors"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
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

// waitInRead waits until a goroutine waits in a reader's Read, in the
// poller or in a system call.
func waitInRead(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			waiting := strings.Contains(g, "[IO wait") || strings.Contains(g, "[syscall")
			if waiting && (strings.Contains(g, "(*netpollReader).Read") || strings.Contains(g, "(*epollCancelReader).Read")) {
				return
			}
		}
	}
	t.Fatal("no goroutine came to wait in Read")
}

// openFDs is how many descriptors the process has open.
func openFDs(t *testing.T) int {
	t.Helper()
	d, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(d)
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
	// Once the Read waits, look: cancelreader's epoll_wait reader is in a
	// system call.
	waitInRead(t)
	if n := notInGo(); n > before {
		t.Errorf("%d goroutines in system calls while the Read waits, %d before: the reader holds a thread", n, before)
	}
	if _, ok := cr.(*netpollReader); !ok {
		t.Errorf("a terminal's reader is %T, want the poller's", cr)
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
	open := openFDs(t)
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
	waitInRead(t)
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
	// bubbletea cancels again when it shuts down after releasing the
	// terminal, and waits for the read loop only when told true.
	if !cr.Cancel() {
		t.Error("a second Cancel, after the Read closed the file, said it canceled nothing")
	}
	if err := cr.Close(); err != nil {
		t.Fatalf("Close after a canceled Read: %v", err)
	}
	if n := openFDs(t); n != open {
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

// Cancel and Close with no Read in between let go of the descriptor, and
// Close with a Read waiting (no Cancel) ends it as canceled, not with a
// closed file's error.
func TestNetpollReaderClose(t *testing.T) {
	tty, _ := openPty(t)
	open := openFDs(t)
	cr, err := NewCancelReader(tty)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cr.(*netpollReader); !ok {
		t.Fatalf("a terminal's reader is %T, want the poller's", cr)
	}
	cr.Cancel()
	if err := cr.Close(); err != nil {
		t.Fatal(err)
	}
	if n := openFDs(t); n != open {
		t.Errorf("%d descriptors open after Cancel and Close, %d before", n, open)
	}

	cr, err = NewCancelReader(tty)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		var b [16]byte
		_, err := cr.Read(b[:])
		done <- err
	}()
	waitInRead(t)
	if err := cr.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, cancelreader.ErrCanceled) {
			t.Errorf("a Read ended by Close returned %v, want ErrCanceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the Read")
	}
}

// A pty's master side is a terminal too, but its /proc/self/fd link opens
// a new pty: it keeps cancelreader's reader, and nothing stays open.
func TestNetpollReaderNotAnotherTerminal(t *testing.T) {
	_, master := openPty(t)
	open := openFDs(t)
	cr, err := NewCancelReader(master)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	if _, ok := cr.(*netpollReader); ok {
		t.Fatal("a pty master is read through a descriptor of another pty")
	}
	// cancelreader's own: an epoll descriptor and a pipe.
	if n := openFDs(t); n != open+3 {
		t.Errorf("%d descriptors open, want %d (cancelreader's 3 more)", n, open+3)
	}
}
