package ui

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

var tlStart = time.Date(2026, 11, 26, 23, 59, 0, 0, time.UTC)

func tlStatus(pos, span time.Duration) model.TimelineStatus {
	return model.TimelineStatus{Name: "x.natsx", Speed: 1, Start: tlStart, End: tlStart.Add(span), Pos: tlStart.Add(pos), Total: 1234}
}

func TestParseSeek(t *testing.T) {
	st := tlStatus(30*time.Second, 2*time.Minute) // 23:59:00 to 00:01:00 the next day
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"1:23", 83 * time.Second, ""},
		{"1:23.5", 83500 * time.Millisecond, ""},
		{"0:01:05", 65 * time.Second, ""},
		{"90s", 90 * time.Second, ""},
		{"1m30s", 90 * time.Second, ""},
		{"90", 90 * time.Second, ""},
		{"12.25", 12250 * time.Millisecond, ""},
		{"0", 0, ""},
		{"+10s", 40 * time.Second, ""},
		{"-10s", 20 * time.Second, ""},
		{"-0:30", 0, ""},
		{"@23:59:10", 10 * time.Second, ""},
		{"@00:00:30.5", 90500 * time.Millisecond, ""}, // past midnight: the next day
		{"@23:59", 0, ""},
		{"@23:59:00.000", 0, ""},
		{"  2:00 ", 2 * time.Minute, ""},
		{"2:01", 0, "past the capture's end (2:00.0)"},
		{"-31s", 0, "before the capture's start"},
		{"@12:00", 0, "past the capture's end"},
		{"", 0, "type a time"},
		{"1:60", 0, "want 1:23"},
		{"1.5:00", 0, "want 1:23"},
		{"1:2:3:4", 0, "want 1:23"},
		{"1e3", 0, "want 1:23"},
		{"inf", 0, "want 1:23"},
		{"NaN", 0, "want 1:23"},
		{"0x10", 0, "want 1:23"},
		{"-", 0, "want 1:23"},
		{"+-5", 0, "want 1:23"},
		{"::", 0, "want 1:23"},
		{"99999999999", 0, "want 1:23"},
		{"@25:00", 0, "time of day"},
		{"@noon", 0, "time of day"},
		{"ten", 0, "want 1:23"},
	}
	for _, c := range cases {
		got, err := parseSeek(c.in, st)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err == "" && got != c.want:
			t.Errorf("%q: got %v, want %v", c.in, got, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: got %v, %v; want an error about %q", c.in, got, err, c.err)
		}
	}
}

// TestParseSeekClockFraction: a capture that starts mid-second takes its
// starting second, typed without the fraction, as its start.
func TestParseSeekClockFraction(t *testing.T) {
	st := tlStatus(0, time.Minute)
	st.Start = st.Start.Add(500 * time.Millisecond)
	st.End = st.Start.Add(time.Minute)
	if off, err := parseSeek("@23:59:00", st); err != nil || off != 0 {
		t.Fatalf("@23:59:00: %v, %v", off, err)
	}
	if off, err := parseSeek("@23:59:01", st); err != nil || off != 500*time.Millisecond {
		t.Fatalf("@23:59:01: %v, %v", off, err)
	}
}

func TestOffsetString(t *testing.T) {
	cases := []struct {
		d, span time.Duration
		want    string
	}{
		{0, time.Minute, "0:00.0"},
		{83*time.Second + 460*time.Millisecond, 2 * time.Minute, "1:23.4"},
		{59*time.Minute + 59*time.Second, 59*time.Minute + 59*time.Second, "59:59.0"},
		{3723 * time.Second, 2 * time.Hour, "1:02:03"},
		{-time.Second, time.Minute, "0:00.0"},
	}
	for _, c := range cases {
		if got := offsetString(c.d, c.span); got != c.want {
			t.Errorf("offsetString(%v, %v) = %q, want %q", c.d, c.span, got, c.want)
		}
	}
	if speedString(math.Inf(1)) != "max" || speedString(0.25) != "0.25x" || speedString(2) != "2x" {
		t.Fatal("speedString")
	}
}

// TestTimelineKeysUnique: in natsx open the timeline's keys work wherever
// the focus is, so no other key the user can press may share one.
func TestTimelineKeysUnique(t *testing.T) {
	k := TimelineKeyMap(DefaultKeyMap())
	timeline := map[string]string{}
	groups := k.Groups()
	for _, b := range groups[len(groups)-1].Keys {
		if !b.Enabled() {
			t.Fatalf("timeline key %v is off", b.Keys())
		}
		for _, s := range b.Keys() {
			timeline[s] = b.Help().Desc
		}
	}
	for _, s := range []string{"space", "+", "-", ".", "left", "right", "t", "[", "]"} {
		if _, ok := timeline[s]; !ok {
			t.Errorf("no timeline key %q", s)
		}
	}
	for _, g := range groups[:len(groups)-1] {
		for _, b := range g.Keys {
			if !b.Enabled() {
				continue
			}
			for _, s := range b.Keys() {
				if d, ok := timeline[s]; ok {
					t.Errorf("%q is both %q and the timeline's %q", s, b.Help().Desc, d)
				}
			}
		}
	}
	// The live explorer has no timeline: its keys are off there.
	live := DefaultKeyMap().Groups()
	for _, b := range live[len(live)-1].Keys {
		if b.Enabled() {
			t.Errorf("timeline key %v is on in the live explorer", b.Keys())
		}
	}
}

// TestTimelineView: the line fills the width exactly at every size, the
// playhead sits where the position says, and markers show.
func TestTimelineView(t *testing.T) {
	m := New(Options{})
	m.opts.Timeline = nil
	st := tlStatus(30*time.Second, 2*time.Minute)
	st.Markers = []time.Time{tlStart.Add(90 * time.Second)}
	st.Playing = true
	m.timeline.status = st
	for _, w := range []int{20, 40, 60, 80, 100, 120, 200} {
		line := ansi.Strip(m.timeline.View(w))
		if got := ansi.StringWidth(line); got != w {
			t.Errorf("width %d: line is %d wide: %q", w, got, line)
		}
		if !strings.HasPrefix(line, "▶ 1x") {
			t.Errorf("width %d: %q", w, line)
		}
		if w >= 60 {
			bar := line[strings.Index(line, "0:30.0 ")+len("0:30.0 "):]
			bar = bar[:strings.Index(bar, " ")]
			cells := []rune(bar)
			head, mark := -1, -1
			for i, r := range cells {
				switch r {
				case '●':
					head = i
				case '◆':
					mark = i
				}
			}
			// 30 s of 120 is a quarter, the marker at three quarters.
			if q := float64(head) / float64(len(cells)-1); q < 0.2 || q > 0.3 {
				t.Errorf("width %d: playhead at %.2f of the bar %q", w, q, bar)
			}
			if q := float64(mark) / float64(len(cells)-1); q < 0.7 || q > 0.8 {
				t.Errorf("width %d: marker at %.2f of the bar %q", w, q, bar)
			}
		}
	}
	m.timeline.status.Playing, m.timeline.status.Done = false, true
	if line := ansi.Strip(m.timeline.View(80)); !strings.HasPrefix(line, "■") {
		t.Errorf("done: %q", line)
	}
	// An empty capture, and one message: span 0, the counts said right.
	m.timeline.status = model.TimelineStatus{Done: true, Speed: 1, Start: tlStart, End: tlStart, Pos: tlStart}
	for _, w := range []int{20, 80, 120} {
		line := ansi.Strip(m.timeline.View(w))
		if ansi.StringWidth(line) != w || (w >= 80 && !strings.Contains(line, " 0 msgs")) {
			t.Errorf("empty capture at %d: %q", w, line)
		}
	}
	m.timeline.status.Total = 1
	if line := ansi.Strip(m.timeline.View(80)); !strings.Contains(line, " 1 msg ") && !strings.HasSuffix(line, " 1 msg") {
		t.Errorf("one message: %q", line)
	}
	m.timeline.status = st
	m.timeline.status.Playing = false
	if line := ansi.Strip(m.timeline.View(80)); !strings.HasPrefix(line, "⏸") {
		t.Errorf("paused: %q", line)
	}
	// A hostile file name cannot reach the terminal.
	m.timeline.status.Name = "evil\x1b]52;c;aGk=\x07.natsx"
	if line := m.timeline.View(200); strings.Contains(line, "\x1b]52") || strings.Contains(line, "\x07") {
		t.Errorf("name not sanitized: %q", line)
	}
}

// recordingPublisher is a feed that accepts publishing.
type recordingPublisher struct{ feed }

func (p *recordingPublisher) Publish(string, string, model.Header, []byte) error { return nil }
func (p *recordingPublisher) Request(string, model.Header, []byte, time.Duration) (model.Message, time.Duration, error) {
	return model.Message{}, 0, nil
}

// TestPublishFormFooter: while the form is open the footer lists the
// form's keys, not the tree's, which do nothing then.
func TestPublishFormFooter(t *testing.T) {
	m := New(Options{Source: &recordingPublisher{}})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	before := ansi.Strip(m.footerView(100))
	if !strings.Contains(before, "search") {
		t.Fatalf("tree footer: %q", before)
	}
	m.Update(press("p"))
	if m.mode != modeForm {
		t.Fatal("p did not open the form")
	}
	footer := ansi.Strip(m.footerView(100))
	if !strings.Contains(footer, "ctrl+s send") || strings.Contains(footer, "search") {
		t.Fatalf("footer with the form open: %q", footer)
	}
}

// orderTimeline records the order its controls are called in.
type orderTimeline struct{ calls []string }

func (o *orderTimeline) Status() model.TimelineStatus {
	return model.TimelineStatus{Speed: 1, Start: tlStart, End: tlStart.Add(time.Minute), Pos: tlStart}
}
func (o *orderTimeline) call(s string) (bool, error) { o.calls = append(o.calls, s); return false, nil }
func (o *orderTimeline) Toggle() (bool, error)       { return o.call("toggle") }
func (o *orderTimeline) Speed(up bool) (bool, error) { return o.call(fmt.Sprint("speed ", up)) }
func (o *orderTimeline) Step() (bool, error)         { return o.call("step") }
func (o *orderTimeline) SeekBy(d time.Duration) (bool, error) {
	return o.call(fmt.Sprint("seekby ", d))
}
func (o *orderTimeline) SeekTo(d time.Duration) (bool, error) {
	return o.call(fmt.Sprint("seekto ", d))
}
func (o *orderTimeline) Marker(next bool) (bool, error)     { return o.call(fmt.Sprint("marker ", next)) }
func (o *orderTimeline) Stamp([]model.Message, int64, bool) {}
func (o *orderTimeline) RewindSubject() string              { return model.RewindPrefix + "test" }
func (o *orderTimeline) Break(func(*model.Message) bool)    {}

// TestTimelineControlsInOrder: controls pressed faster than the player
// answers run one at a time, in the order of the keys.
func TestTimelineControlsInOrder(t *testing.T) {
	o := &orderTimeline{}
	m := New(Options{Timeline: o})
	var cmds []tea.Cmd
	for _, k := range []string{"space", ".", "+", "left", "]", "."} {
		if _, cmd := m.Update(press(k)); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	if len(cmds) != 1 {
		t.Fatalf("%d controls started at once, want 1", len(cmds))
	}
	for cmd := cmds[0]; cmd != nil; {
		_, cmd = m.Update(cmd())
	}
	want := []string{"toggle", "step", "speed true", "seekby -10s", "marker true", "step"}
	if fmt.Sprint(o.calls) != fmt.Sprint(want) {
		t.Fatalf("calls %v, want %v", o.calls, want)
	}
	if len(m.timeline.queue) != 0 {
		t.Fatalf("%d controls left queued", len(m.timeline.queue))
	}
}

// TestEditDropsJetStreamAck: editing a consumer's delivery does not carry
// its $JS.ACK reply into the form (resent, its receiver would ack a
// message of the stream); an ordinary reply is kept.
func TestEditDropsJetStreamAck(t *testing.T) {
	for reply, want := range map[string]string{"$JS.ACK.S.c.1.1.1.1.0": "", "_INBOX.x": "_INBOX.x"} {
		p := &recordingPublisher{}
		m := New(Options{Source: p, Start: sceneStart})
		send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
		msg := paneMsg(sceneNow, "orders", "{}", "")
		msg.Reply = reply
		p.publish(msg)
		pullInto(t, m)
		send(m, press("e"))
		if m.mode != modeForm || m.form.reply.Value() != want {
			t.Errorf("edit of a message replying to %q: form reply %q, want %q", reply, m.form.reply.Value(), want)
		}
	}
}

// TestTimelineViewSaysDamage (issue 12 item 10): a damaged capture says so
// on the timeline line at every width, before anything that can be cut.
func TestTimelineViewSaysDamage(t *testing.T) {
	m := New(Options{})
	st := tlStatus(30*time.Second, 2*time.Minute)
	m.timeline.status = st
	if line := ansi.Strip(m.timeline.View(120)); strings.Contains(line, "damaged") {
		t.Fatalf("an intact capture says damaged: %q", line)
	}
	st.Damaged, st.SkippedBytes = 11, 626024
	m.timeline.status = st
	for _, w := range []int{40, 80, 200} {
		line := ansi.Strip(m.timeline.View(w))
		if !strings.HasPrefix(line, "⚠ damaged ×11, 611 KiB skipped") {
			t.Errorf("width %d: %q", w, line)
		}
		if got := ansi.StringWidth(line); got > w {
			t.Errorf("width %d: line is %d wide", w, got)
		}
	}
}

// TestTimelineBarShowsOutages (issue 12 item 5): the stretches the
// recorder was disconnected are drawn on the bar, where they happened.
func TestTimelineBarShowsOutages(t *testing.T) {
	m := New(Options{})
	st := tlStatus(0, 2*time.Minute)
	st.Outages = []model.Span{{Start: tlStart.Add(60 * time.Second), End: tlStart.Add(90 * time.Second)}}
	m.timeline.status = st
	line := ansi.Strip(m.timeline.View(120))
	rest := line[strings.Index(line, "0:00.0 ")+len("0:00.0 "):]
	bar := []rune(rest[:strings.IndexByte(rest, ' ')])
	first, last := -1, -1
	for i, r := range bar {
		if r == '╳' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	n := float64(len(bar) - 1)
	if first < 0 || float64(first)/n < 0.45 || float64(first)/n > 0.55 || float64(last)/n < 0.7 || float64(last)/n > 0.8 {
		t.Fatalf("outage cells %d..%d of %d, want about half to three quarters: %q", first, last, len(bar), string(bar))
	}
}
