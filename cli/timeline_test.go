package cli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
	"natsx/ui"
)

// timelineStart is when the test captures were recorded.
var timelineStart = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// timelineCapture writes n messages step apart on tl.0 … tl.3, with
// markers at the given offsets.
func timelineCapture(t *testing.T, n int, step time.Duration, marks ...time.Duration) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "timeline.natsx")
	w, err := recorder.Create(path, recorder.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := timelineStart.UnixNano()
	mi := 0
	for i := range n {
		at := start + int64(i)*int64(step)
		for mi < len(marks) && start+int64(marks[mi]) <= at {
			if err := w.WriteMarker(start+int64(marks[mi]), fmt.Sprintf("mark %d", mi+1)); err != nil {
				t.Fatal(err)
			}
			mi++
		}
		m := model.Message{Received: at, Subject: fmt.Sprintf("tl.%d", i%4), Data: []byte(strconv.Itoa(i))}
		m.Size = len(m.Data)
		if err := w.WriteMessage(&m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// explorerRig runs the real explorer model on a real session, the real
// player and an embedded broker, pumping its commands synchronously the
// way bubbletea would, so the test reads the screen between steps.
type explorerRig struct {
	t     *testing.T
	m     *ui.Model
	queue []tea.Cmd
}

func newExplorerRig(t *testing.T, path string) *explorerRig {
	t.Helper()
	randomOpenBroker(t)
	pb, err := openPlayback(path, "", 1, true, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pb.Close)
	sess, err := engine.Open(engine.SessionOptions{Conn: engine.ConnOptions{Servers: pb.emb.URL(), Name: "natsx"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	m := ui.New(ui.Options{Source: sess, Tree: model.TreeOptions{MaxMemory: 64 << 20},
		Timeline: pb.tl})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	return &explorerRig{t: t, m: m, queue: []tea.Cmd{m.Init()}}
}

// press sends keys: single characters, or "space", "left", "right", "enter".
func (r *explorerRig) press(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "space":
			msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		case "left":
			msg = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		default:
			ch := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: ch, Text: k}
		}
		_, cmd := r.m.Update(msg)
		// Controls run in order, as a user's presses reach the player.
		r.runNow(cmd)
	}
}

// runNow runs cmd and what it leads to, except the next pull, which goes
// back on the queue.
func (r *explorerRig) runNow(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			r.runNow(c)
		}
	default:
		_, next := r.m.Update(msg)
		r.queue = append(r.queue, next)
	}
}

// until pumps the model (pulls included) until the screen satisfies ok.
func (r *explorerRig) until(what string, ok func(screen string) bool) string {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := ansi.Strip(r.m.Render())
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: not within 10s; screen:\n%s", what, s)
		}
		if len(r.queue) == 0 {
			r.t.Fatalf("%s: nothing left to run; screen:\n%s", what, s)
		}
		cmd := r.queue[0]
		r.queue = r.queue[1:]
		r.runNow(cmd)
	}
}

var msgsRe = regexp.MustCompile(`msgs (\d+) `)

// msgs is the header's message count.
func msgs(screen string) int {
	m := msgsRe.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestOpenTimeline drives natsx open's timeline the way a user does and
// checks the explorer counts every message the player publishes once:
// steps add one each, a seek back starts the counts over instead of
// counting the replayed stretch twice, a seek forward skips, and play runs
// to the end.
func TestOpenTimeline(t *testing.T) {
	const n = 200
	path := timelineCapture(t, n, 10*time.Millisecond, 500*time.Millisecond, 1500*time.Millisecond)
	r := newExplorerRig(t, path)
	s := r.until("paused at the start", func(s string) bool {
		return strings.Contains(s, "⏸ 1x") && strings.Contains(s, "0:00.0") && strings.Contains(s, "0:01.9") && msgs(s) == 0
	})
	if c := strings.Count(s, "◆"); c != 2 {
		t.Fatalf("want 2 markers on the timeline, got %d:\n%s", c, s)
	}

	// A pane lists messages with their times: the capture's, not the
	// replay's.
	r.press("f", "t", "l", ".", ">", "enter")
	r.press(".", ".", ".", ".", ".")
	recorded := func(i int) string {
		return timelineStart.Add(time.Duration(i) * 10 * time.Millisecond).Local().Format("15:04:05.000")
	}
	s = r.until("5 steps", func(s string) bool { return msgs(s) == 5 })
	for i := range 5 {
		if !strings.Contains(s, recorded(i)+" tl.") {
			t.Fatalf("message %d not listed at its recorded time %s:\n%s", i, recorded(i), s)
		}
	}

	// Back to the start: the five are published again, counted once.
	r.press("t", "0", "enter")
	r.until("rewound", func(s string) bool { return strings.Contains(s, "counts start over") })
	r.press(".", ".", ".")
	s = r.until("3 steps after the rewind", func(s string) bool { return msgs(s) == 3 })
	if !strings.Contains(s, "tl") {
		t.Fatalf("tree lost its subjects:\n%s", s)
	}

	// Forward to the first marker (0.5 s): the messages in between are
	// skipped, the next step publishes message 50.
	r.press("]")
	r.until("at the marker", func(s string) bool { return strings.Contains(s, "at 0:00.5") })
	r.press(".")
	r.until("one more", func(s string) bool { return msgs(s) == 4 })

	// Play to the end as fast as possible: 51 … 199 are added.
	r.press("+", "+", "+", "+", "+", "space")
	s = r.until("played to the end", func(s string) bool { return strings.Contains(s, "■ max") && msgs(s) == 4+149 })
	if !strings.Contains(s, "■ max  0:01.9 ━") || !strings.Contains(s, "━● 0:01.9") {
		t.Fatalf("playhead not at the end:\n%s", s)
	}

	// Space at the end plays it all again: exactly n, not n+153.
	r.press("space")
	r.until("played again", func(s string) bool { return strings.Contains(s, "■ max") && msgs(s) == n })

	// Nothing more arrives.
	for range 5 {
		cmd := r.queue[0]
		r.queue = r.queue[1:]
		r.runNow(cmd)
	}
	if got := msgs(ansi.Strip(r.m.Render())); got != n {
		t.Fatalf("count moved to %d after the end", got)
	}
}

// TestOpenTimelineRewindStamps: messages played before a rewind that the
// explorer reads in the same batch as the marker still use up their own
// publications, so the replayed ones show their own recorded times.
func TestOpenTimelineRewindStamps(t *testing.T) {
	path := timelineCapture(t, 50, 10*time.Millisecond)
	r := newExplorerRig(t, path)
	r.until("paused", func(s string) bool { return strings.Contains(s, "⏸ 1x") })
	r.press("f", "t", "l", ".", ">", "enter")
	// Ten steps and a seek back with no pull in between: one batch holds
	// the ten, the marker and what follows.
	for range 10 {
		r.press(".")
	}
	r.press("t", "0", ".", "0", "5", "enter")
	r.press(".")
	recorded := timelineStart.Add(50 * time.Millisecond).Local().Format("15:04:05.000")
	s := r.until("one message after the rewind", func(s string) bool { return msgs(s) == 1 })
	if !strings.Contains(s, recorded+" tl.1") {
		t.Fatalf("message 5 not shown at its recorded time %s:\n%s", recorded, s)
	}
}
