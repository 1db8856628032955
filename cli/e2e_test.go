package cli

// End-to-end tests: the real binary in a real pseudo-terminal, its output fed
// into a terminal emulator whose screen the tests read, as a person would.
// Every wait is for a condition on the screen, never a sleep.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// e2eTimeout bounds every wait: generous for a loaded two-core machine
// running the race detector, and still quick to fail.
const e2eTimeout = 15 * time.Second

// buildNatsx builds the product binary into the test's temporary folder
// (removed when the test ends) and returns its path; tests that need it
// skip under -short.
func buildNatsx(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "natsx")
	if out, err := exec.Command("go", "build", "-o", bin, "natsx").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestE2E builds natsx once into the test's temporary folder (removed when
// it ends) and runs each scenario as a subtest against that binary.
func TestE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests build and run the binary")
	}
	bin := buildNatsx(t)
	t.Run("DemoTree", func(t *testing.T) { e2eDemoTree(t, bin) })
	t.Run("PublishNSeeN", func(t *testing.T) { e2ePublishNSeeN(t, bin) })
	t.Run("Sanitize", func(t *testing.T) { e2eSanitize(t, bin) })
	t.Run("BadInput", func(t *testing.T) { e2eBadInput(t, bin) })
	t.Run("FilterPane", func(t *testing.T) { e2eFilterPane(t, bin) })
	t.Run("PublishForm", func(t *testing.T) { e2ePublishForm(t, bin) })
	t.Run("OpenTimeline", func(t *testing.T) { e2eOpenTimeline(t, bin) })
	t.Run("Streams", func(t *testing.T) { e2eStreams(t, bin) })
	t.Run("StreamsDomain", func(t *testing.T) { e2eStreamsDomain(t, bin) })
	t.Run("KVCreateFollow", func(t *testing.T) { e2eKVCreateFollow(t, bin) })
	t.Run("StoredMarks", func(t *testing.T) { e2eStoredMarks(t, bin) })
	t.Run("Where", func(t *testing.T) { e2eWhere(t, bin) })
	t.Run("BreakOpen", func(t *testing.T) { e2eBreakOpen(t, bin) })
	t.Run("BreakLive", func(t *testing.T) { e2eBreakLive(t, bin) })
	t.Run("Who", func(t *testing.T) { e2eWho(t, bin) })
	t.Run("NoListenerAndConns", func(t *testing.T) { e2eNoListenerAndConns(t, bin) })
	t.Run("OneCPU", func(t *testing.T) { e2eOneCPU(t, bin) })
}

// e2eOpenTimeline: natsx open shows a capture paused on its timeline; a
// step, a speed change and play reach the screen, and the tree ends with
// every message of the capture, once.
func e2eOpenTimeline(t *testing.T, bin string) {
	path := timelineCapture(t, 300, 5*time.Millisecond, 600*time.Millisecond)
	term := e2eStart(t, bin, 100, 30, "open", path, "--paused", "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "connected", "⏸ 1x", "0:00.0", "◆", "300 msgs", "space play")
	})
	e2eSend(t, term, ".")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "msgs 1 ") })
	e2eSend(t, term, "++")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "⏸ 4x") })
	e2eSend(t, term, " ")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "■ 4x", "msgs 300 ", "▸ tl")
	})
	e2eQuit(t, term)
}

// e2eDemoTree: the demo tree appears, keys expand and move, help opens and
// closes, q exits 0 and leaves the alternate screen.
func e2eDemoTree(t *testing.T, bin string) {
	term := e2eStart(t, bin, 100, 30, "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		// All six roots must be there before moving, or j lands elsewhere
		// (jobs is the demo's work queue, published at its own pace).
		return strings.Contains(s, "connected") && e2eHasAll(s,
			"▸ drivers", "▸ jobs", "▸ logs", "▸ orders", "▸ sensors", "▸ telemetry")
	})
	// The selection follows the node that arrived first: go to the top,
	// then down the roots sorted by name: drivers, jobs, logs, orders, sensors.
	e2eSend(t, term, "gjjjj")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasLine(s, "sensors") })
	e2eSend(t, term, "l")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "▾ sensors", "▸ depot", "▸ hq", "▸ lab", "▸ plant")
	})
	e2eSend(t, term, "jj") // depot, then hq
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasLine(s, "sensors.hq") })
	e2eSend(t, term, "l")
	floor := regexp.MustCompile(`(?m)^ {4}▸ 1 +\d`)
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, "▾ hq") && floor.MatchString(s)
	})
	e2eSend(t, term, "?")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, "natsx keys") && strings.Contains(s, "search subjects") && !strings.Contains(s, "▾ hq")
	})
	e2eSend(t, term, "?")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return !strings.Contains(s, "natsx keys") && strings.Contains(s, "▾ hq")
	})
	e2eQuit(t, term)
	raw, alt := term.Raw()
	if !bytes.Contains(raw, []byte("\x1b[?1049l")) || alt {
		t.Fatalf("terminal not restored: alt screen still on=%v, leave sequence seen=%v", alt, bytes.Contains(raw, []byte("\x1b[?1049l")))
	}
}

// e2ePublishNSeeN: exactly N messages published from outside are exactly N
// on screen, at the smallest size natsx supports well.
func e2ePublishNSeeN(t *testing.T, bin string) {
	const n = 500
	term := e2eStart(t, bin, 80, 24, "--no-demo", "--listen", e2eListen(t))
	nc := e2eConnect(t, e2eWaitURL(t, term))
	for i := range n {
		if err := nc.Publish(fmt.Sprintf("e2e.a.%d", i%5), []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	row := regexp.MustCompile(`(?m)^▸ e2e +` + strconv.Itoa(n) + ` `)
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return row.MatchString(s) && strings.Contains(s, "msgs "+strconv.Itoa(n)+" ")
	})
	// Nothing more trickles in: the count stays exact.
	if s := term.Screen(); !row.MatchString(s) {
		t.Fatalf("count moved past %d:\n%s", n, s)
	}
	e2eQuit(t, term)
}

// e2eSanitize: escape sequences in a payload and a header reach the screen
// as visible escapes and never reach the terminal as bytes.
func e2eSanitize(t *testing.T, bin string) {
	term := e2eStart(t, bin, 100, 30, "--no-demo", "--listen", e2eListen(t))
	nc := e2eConnect(t, e2eWaitURL(t, term))
	// Enough plain text that three control bytes still read as text, not hex.
	payload := "log line \x1b]0;pwned\x07\x1b[2J then an ordinary sentence long enough to stay text"
	msg := nats.NewMsg("evil")
	msg.Data = []byte(payload)
	msg.Header.Set("X-Evil", "\x1b]2;hdrpwned\x07\x1b[31mred")
	if err := nc.PublishMsg(msg); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "evil") })
	e2eSend(t, term, "/evil")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "/evil") })
	e2eSend(t, term, "\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, `log line \x1b]0;pwned\x07\x1b[2J then`) &&
			strings.Contains(s, `X-Evil: \x1b]2;hdrpwned\x07\x1b[31mred`)
	})
	e2eQuit(t, term)
	raw, _ := term.Raw()
	for _, bad := range []string{"\x1b]0;pwned", "pwned\x07", "\x1b]2;hdrpwned", "hdrpwned\x07", "\x1b[31mred"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("raw terminal output contains %q from the wire", bad)
		}
	}
}

// e2eFilterPane: a filter pane opened with f fills with the messages that
// match it and no others; --filter with --no-tap runs in scoped mode, where
// the tree is built from what the panes' subscriptions receive.
func e2eFilterPane(t *testing.T, bin string) {
	t.Run("Prompt", func(t *testing.T) {
		term := e2eStart(t, bin, 120, 32, "--no-demo", "--listen", e2eListen(t))
		url := e2eWaitURL(t, term)
		e2eSend(t, term, "f")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "filter>") })
		e2eSend(t, term, "e2e.a.*")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "filter> e2e.a.*") })
		e2eSend(t, term, "\r")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return strings.Contains(s, "1 e2e.a.* 0 msgs") && strings.Contains(s, "waiting for e2e.a.*")
		})
		nc := e2eConnect(t, url)
		for i := range 20 {
			if err := nc.Publish("e2e.a.x", []byte(fmt.Sprintf("payload-a-%d", i))); err != nil {
				t.Fatalf("publish: %v", err)
			}
		}
		for i := range 5 {
			if err := nc.Publish("e2e.b.y", []byte(fmt.Sprintf("payload-b-%d", i))); err != nil {
				t.Fatalf("publish: %v", err)
			}
		}
		if err := nc.Flush(); err != nil {
			t.Fatalf("flush: %v", err)
		}
		// The pane's rows: receive time, subject, size, preview.
		row := regexp.MustCompile(`\d\d:\d\d:\d\d\.\d{3} e2e\.a\.x +12 B payload-a-1\d`)
		tree := regexp.MustCompile(`(?m)^▸ e2e +1 +25 `) // 1: pane 1 matches below it
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return strings.Contains(s, "1 e2e.a.* 20 msgs") && row.MatchString(s) && tree.MatchString(s) &&
				strings.Contains(s, "pane 1 · e2e.a.*") && strings.Contains(s, "payload-a-19")
		})
		if s := term.Screen(); strings.Contains(s, "e2e.b.y") || strings.Contains(s, "payload-b") {
			t.Fatalf("a message on e2e.b.y reached the e2e.a.* pane:\n%s", s)
		}
		e2eQuit(t, term)
	})
	t.Run("Scoped", func(t *testing.T) {
		term := e2eStart(t, bin, 120, 32, "--no-demo", "--listen", e2eListen(t), "--filter", "e2e.>", "--no-tap")
		url := e2eWaitURL(t, term)
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return strings.Contains(s, "scoped: 1 filters") && strings.Contains(s, "1 e2e.> 0 msgs")
		})
		nc := e2eConnect(t, url)
		// The pane subscribes once the UI learns the source is scoped:
		// probe until a message gets through, then count from there.
		deadline := time.Now().Add(e2eTimeout)
		for !strings.Contains(term.Screen(), "e2e.probe") {
			if time.Now().After(deadline) {
				t.Fatalf("no probe reached the pane within %v:\n%s", e2eTimeout, term.Screen())
			}
			if err := nc.Publish("e2e.probe", []byte("probe")); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if err := nc.Flush(); err != nil {
				t.Fatalf("flush: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for i := range 20 {
			if err := nc.Publish("e2e.x", []byte(strconv.Itoa(i))); err != nil {
				t.Fatalf("publish: %v", err)
			}
			// Outside every filter: scoped mode never subscribes to it.
			if err := nc.Publish("other.z", []byte(strconv.Itoa(i))); err != nil {
				t.Fatalf("publish: %v", err)
			}
		}
		if err := nc.Flush(); err != nil {
			t.Fatalf("flush: %v", err)
		}
		// Expand the tree's only root and find e2e.x counted exactly.
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "▸ e2e") })
		e2eSend(t, term, "gl")
		xRow := regexp.MustCompile(`(?m)^ +x +1 +20 `) // 1: pane 1 matches it
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return strings.Contains(s, "▾ e2e") && xRow.MatchString(s)
		})
		if s := term.Screen(); strings.Contains(s, "other") || !strings.Contains(s, "scoped: 1 filters") {
			t.Fatalf("scoped mode saw a subject outside its filters, or lost its header:\n%s", s)
		}
		e2eQuit(t, term)
	})
}

// e2ePublishForm: p opens the publish form; a message typed into it and
// sent with ctrl+s reaches the broker, comes back through the tap and shows
// in the tree and the inspector. With --read-only, p opens no form.
func e2ePublishForm(t *testing.T, bin string) {
	t.Run("Send", func(t *testing.T) {
		term := e2eStart(t, bin, 120, 32, "--no-demo", "--listen", e2eListen(t))
		e2eWaitURL(t, term)
		e2eSend(t, term, "p")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return e2eHasAll(s, "Publish", "subject", "reply-to", "headers", "payload", "ctrl+s send")
		})
		e2eSend(t, term, "e2e.form.x")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "e2e.form.x") })
		e2eSend(t, term, "\t\t\t") // subject → reply-to → headers → payload
		e2eSend(t, term, `{"hello":"form"}`)
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, `{"hello":"form"}`) })
		e2eSend(t, term, "\x13") // ctrl+s
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return strings.Contains(s, "published 16 B to e2e.form.x") && strings.Contains(s, "▸ e2e") &&
				!strings.Contains(s, "ctrl+s send")
		})
		// e2e is the only root: expand it, then form, down to x.
		e2eSend(t, term, "gljlj")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			// The inspector's title is the selected subject, right of the tree.
			return e2eHasAll(s, "▾ e2e", "▾ form", "│e2e.form.x", `"hello"`)
		})
		e2eQuit(t, term)
	})
	t.Run("ReadOnly", func(t *testing.T) {
		// --read-only disables p in the key map, so it does nothing at all:
		// no form and no flash. The ? pressed after it proves p was read
		// first and opened no form (a form would take ? as subject text).
		term := e2eStart(t, bin, 120, 32, "--no-demo", "--read-only", "--listen", e2eListen(t))
		e2eWaitURL(t, term)
		e2eSend(t, term, "p?")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return e2eHasAll(s, "natsx keys", "read-only: publish, request and edit are off")
		})
		if s := term.Screen(); e2eHasAll(s, "ctrl+s send") || strings.Contains(s, "publish…") {
			t.Fatalf("the publish form or its key is there in read-only mode:\n%s", s)
		}
		e2eSend(t, term, "?")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return !strings.Contains(s, "natsx keys") && strings.Contains(s, "waiting for messages")
		})
		e2eQuit(t, term)
	})
}

// e2eWaitURL waits for the header to show a connected embedded broker and
// returns its URL (a narrow header leaves out the nats:// scheme).
func e2eWaitURL(t *testing.T, term *testkit.Terminal) string {
	t.Helper()
	urlRe := regexp.MustCompile(`(?:nats://)?127\.0\.0\.1:\d+`)
	var url string
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		url = urlRe.FindString(s)
		return url != "" && strings.Contains(s, "connected")
	})
	return "nats://" + strings.TrimPrefix(url, "nats://")
}

// e2eBadInput: mistakes on the command line end with one line on stderr and
// a non-zero code, never a panic.
func e2eBadInput(t *testing.T, bin string) {
	for _, args := range [][]string{
		{"--bogus"},
		{"-s", "nats://127.0.0.1:1"},
		{"--creds", "/nonexistent"},
		{"-s", "nats://127.0.0.1:1", "--creds", "/nonexistent"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Env = e2eEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(e2eTimeout):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("still running after %v", e2eTimeout)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("want a non-zero exit, got %v", err)
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || lines[0] == "" || !strings.HasPrefix(lines[0], "natsx: ") {
				t.Errorf("stderr is not one line starting with natsx: %q", stderr.String())
			}
			if s := stderr.String() + stdout.String(); strings.Contains(s, "panic") || strings.Contains(s, "goroutine") {
				t.Errorf("panic text in output: %q", s)
			}
		})
	}
}

// e2eStart runs bin in a w×h pseudo-terminal and stops it when the test ends.
func e2eStart(t *testing.T, bin string, w, h int, args ...string) *testkit.Terminal {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A fresh config directory: no pane set saved by a person (or another
	// run) is restored into the test.
	cmd.Env = append(e2eEnv(), "TERM=xterm-256color", "XDG_CONFIG_HOME="+t.TempDir())
	term, err := testkit.Start(cmd, w, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(term.Close)
	return term
}

// e2eWaitFor waits until ok holds on the screen, failing with the screen
// when it does not within timeout or the program exits first.
func e2eWaitFor(t *testing.T, term *testkit.Terminal, timeout time.Duration, ok func(screen string) bool) {
	t.Helper()
	if term.WaitFor(timeout, ok) {
		return
	}
	select {
	case <-term.Exited():
		t.Fatalf("program exited (%v) while waiting; screen:\n%s", term.ExitErr(), term.Screen())
	default:
		t.Fatalf("condition not met within %v; screen:\n%s", timeout, term.Screen())
	}
}

// e2eSend types keys into the terminal.
func e2eSend(t *testing.T, term *testkit.Terminal, keys string) {
	t.Helper()
	if err := term.Send(keys); err != nil {
		t.Fatalf("send %q: %v", keys, err)
	}
}

// e2eQuit presses q and expects a clean exit.
func e2eQuit(t *testing.T, term *testkit.Terminal) {
	t.Helper()
	e2eSend(t, term, "q")
	if err := term.Wait(5 * time.Second); err != nil {
		t.Fatalf("after q: %v\nscreen:\n%s", err, term.Screen())
	}
}

// e2eListen picks a free loopback port for the embedded broker, so tests
// never collide with a natsx or nats-server already on 4222.
func e2eListen(t *testing.T) string {
	t.Helper()
	return testkit.FreeAddr(t)
}

// e2eConnect connects to the broker natsx shows in its header.
func e2eConnect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	return testkit.Conn(t, url, nats.Name("natsx-e2e"))
}

// e2eEnv is the test's environment without NATS_URL, which would point
// natsx at an external server.
func e2eEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NATS_URL=") {
			env = append(env, kv)
		}
	}
	return env
}

// e2eHasAll reports whether s contains every one of subs.
func e2eHasAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// e2eHasLine reports whether some line of s, trimmed, is exactly line: the
// inspector shows the selected subject alone on its line.
func e2eHasLine(s, line string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
