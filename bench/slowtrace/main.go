// Command slowtrace reads one of the execution traces that go run ./bench
// --trace-slow DIR writes for a slow key press (DIR/slow-<press
// UnixNano>-<ms>.trace) and prints what natsx's goroutines on the key's
// path did from just before the press to its answer: the terminal reader,
// the key decoder, the event loop, nats.go's read loop and the tap's
// callback, each state change with its thread (M) and P, and the key's
// Update (the child's "key" log). Times are from
// the press, as the parent typed it.
//
//	go run ./bench/slowtrace /tmp/slow/slow-1796285807517178229-205ms.trace
//
// A goroutine is told by the functions on its stacks, so the table says
// which goroutine waited for a P (Runnable), for the kernel in a system
// call (Syscall), or for something else (Waiting), and for how long.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/exp/trace"

	"natsx/model"
)

// roles name the goroutines on a key's path by a function each one's
// stacks hold (the first that matches wins).
var roles = []role{
	{"reader", "TerminalReader).sendBytes"},
	{"decoder", "TerminalReader).StreamEvents"},
	{"evloop", "Program).eventLoop"},
	{"natsRead", "Conn).readLoop"},
	{"callback", "Conn).waitForMsgs"},
}

type role struct{ name, fn string }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: slowtrace slow-<press UnixNano>-<ms>.trace")
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Args[1]); err != nil {
		// The path is the user's, and a file name may hold any byte.
		fmt.Fprintln(os.Stderr, "slowtrace:", model.Sanitize(err.Error()))
		os.Exit(1)
	}
}

var nameRE = regexp.MustCompile(`^slow-(\d+)-(\d+)ms\.trace$`)

func run(w io.Writer, path string) error {
	m := nameRE.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return fmt.Errorf("%s: not a slow-<UnixNano>-<ms>.trace file", path)
	}
	press, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return fmt.Errorf("%s: the press time in the name: %w", path, err)
	}
	ms, err := strconv.Atoi(m[2])
	if err != nil || ms > int(time.Hour/time.Millisecond) {
		return fmt.Errorf("%s: the press's answer in the name is not a time up to an hour", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lines, err := summarize(f, time.Unix(0, press), time.Duration(ms)*time.Millisecond, roles)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "press at %s, answered after %d ms; times from the press:\n", time.Unix(0, press).UTC().Format("15:04:05.000"), ms)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return nil
}

// summarize reads a trace and returns, for the span from 5 ms before press
// to 5 ms after its answer (took later), the state changes of the
// goroutines rs name and the "key" logs, one line each.
func summarize(r io.Reader, press time.Time, took time.Duration, rs []role) ([]string, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return nil, err
	}
	// change is one event on the press's path, formatted only when it is
	// printed: a key log (key set), or a goroutine's state change.
	type change struct {
		at       trace.Time
		g        trace.GoID
		key      string
		from, to trace.GoState
		m        trace.ThreadID
		p        trace.ProcID
	}
	var (
		changes []change
		fns     = map[trace.GoID]map[string]bool{} // the functions on each goroutine's own stacks
		sync    *trace.ClockSnapshot
	)
	for {
		ev, err := tr.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch ev.Kind() {
		case trace.EventSync:
			if s := ev.Sync(); sync == nil && s.ClockSnapshot != nil {
				sync = s.ClockSnapshot
			}
		case trace.EventLog:
			if l := ev.Log(); l.Category == "key" {
				changes = append(changes, change{at: ev.Time(), g: trace.NoGoroutine, key: l.Message})
			}
		case trace.EventStateTransition:
			st := ev.StateTransition()
			switch st.Resource.Kind {
			case trace.ResourceGoroutine:
				from, to := st.Goroutine()
				g := st.Resource.Goroutine()
				addFuncs(fns, g, st.Stack)
				if ev.Goroutine() == g {
					addFuncs(fns, g, ev.Stack())
				}
				changes = append(changes, change{at: ev.Time(), g: g, from: from, to: to, m: ev.Thread(), p: ev.Proc()})
			}
		}
	}
	if sync == nil {
		return nil, errors.New("the trace has no clock snapshot to place the press in it")
	}
	// The press on the trace's clock: the snapshot pairs a trace time with
	// the wall clock the parent stamped the press with.
	at := sync.Trace + trace.Time(press.Sub(sync.Wall))
	lo, hi := at-trace.Time(5*time.Millisecond), at+trace.Time(took+5*time.Millisecond)
	named := map[trace.GoID]string{}
	for g, f := range fns {
		named[g] = roleOf(f, rs)
	}
	var out []string
	for _, c := range changes {
		if c.at < lo || c.at > hi {
			continue
		}
		who := ""
		if c.g != trace.NoGoroutine {
			if who = named[c.g]; who == "" {
				continue
			}
			who = fmt.Sprintf("%s (g%d) ", who, c.g)
		}
		text := "key " + c.key
		if c.g != trace.NoGoroutine {
			text = fmt.Sprintf("%-12s M=%d P=%d", fmt.Sprintf("%v->%v", c.from, c.to), c.m, c.p)
		}
		out = append(out, fmt.Sprintf("%+9.2fms  %s%s", float64(c.at-at)/1e6, who, text))
	}
	return out, nil
}

// addFuncs notes the functions on stack as goroutine g's.
func addFuncs(fns map[trace.GoID]map[string]bool, g trace.GoID, stack trace.Stack) {
	if stack == trace.NoStack {
		return
	}
	if fns[g] == nil {
		fns[g] = map[string]bool{}
	}
	for f := range stack.Frames() {
		fns[g][f.Func] = true
	}
}

// roleOf names a goroutine by the functions seen on its own stacks: the
// first role one of them matches, "" for none (the goroutine is left out).
func roleOf(fns map[string]bool, rs []role) string {
	for _, r := range rs {
		for fn := range fns {
			if strings.Contains(fn, r.fn) {
				return r.name
			}
		}
	}
	return ""
}
