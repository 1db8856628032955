package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
	"natsx/testkit/keys"
	"natsx/ui"
)

// The stream browser on a real server, driven through the UI model as
// natsx wires it (ui.Options.Streams is the engine's JetStream). These live
// here, not in ui: linking nats-server into ui's tests races with their
// TestMain, which sets the time zone the goldens need.

// browseServer is a real JetStream server with a work-queue stream WQ of
// n messages (wq.a and wq.b alternating, a header and a JSON payload
// each) and a consumer nobody pulls, and the engine's JetStream on it.
func browseServer(t *testing.T, n int) (*engine.JetStream, jetstream.Stream, jetstream.JetStream) {
	t.Helper()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "WQ", Subjects: []string{"wq.>"}, Retention: jetstream.WorkQueuePolicy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		subj := "wq.a"
		if i%2 == 0 {
			subj = "wq.b"
		}
		m := &nats.Msg{Subject: subj, Header: nats.Header{"Job": {fmt.Sprint(i)}}, Data: fmt.Appendf(nil, `{"job":%d,"kind":"email"}`, i)}
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	j, err := engine.NewJetStream(nc, engine.JetStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	return j, s, js
}

// browser is the UI model at a size, driven by keys; the commands of the
// keys that list or read are run and their results delivered.
type browser struct {
	t    testing.TB
	m    *ui.Model
	w, h int
}

func newBrowser(t testing.TB, j *engine.JetStream, w, h int) *browser {
	m := ui.New(ui.Options{Start: time.Now(), Streams: j})
	m.Apply(nil, time.Now(), model.SourceStatus{State: model.StateConnected})
	b := &browser{t: t, m: m, w: w, h: h}
	b.update(tea.WindowSizeMsg{Width: w, Height: h})
	return b
}

func (b *browser) update(msg tea.Msg) tea.Cmd {
	_, cmd := b.m.Update(msg)
	return cmd
}

// press presses keys; the last one's command is returned, not run.
func (b *browser) press(ks ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range ks {
		cmd = b.update(keys.Press(k))
	}
	return cmd
}

// read presses k and runs the listing or the read it starts.
func (b *browser) read(k string) {
	b.t.Helper()
	cmd := b.press(k)
	if cmd == nil {
		b.t.Fatalf("%s started no read:\n%s", k, b.screen())
	}
	b.update(cmd())
}

// typeIn types s into the open prompt.
func (b *browser) typeIn(s string) {
	for _, r := range s {
		b.press(string(r))
	}
}

func (b *browser) screen() string { return ansi.Strip(b.m.Render()) }

// wants fails unless the screen shows every one of subs.
func (b *browser) wants(what string, subs ...string) {
	b.t.Helper()
	s := b.screen()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			b.t.Fatalf("%s: no %q on screen:\n%s", what, sub, s)
		}
	}
}

// TestStreamBrowser: on a real work-queue stream of 250 messages, b opens
// the newest page; the page before is read past its top, @ jumps to a
// sequence and a time, f filters by subject, bad input stays in the
// prompt with its reason, enter shows the message in the inspector ([ ]
// step, d diffs), esc goes back; the stream keeps its messages and its
// one consumer.
func TestStreamBrowser(t *testing.T) {
	j, s, _ := browseServer(t, 250)
	b := newBrowser(t, j, 80, 24)
	b.read("J")
	b.wants("streams", "JetStream streams", "WQ")
	b.read("b")
	b.wants("opened", "WQ · messages", "#151-#250", "stream 1-250, 250 messages", `{"job":250,"kind":"email"}`)
	b.press("enter")
	b.wants("newest selected", "WQ · sequence 250 · stored", `"job": 250`, "Job: 250")
	b.press("esc")
	// Up past the top of the page reads the page before, the message
	// just above selected.
	var cmd tea.Cmd
	for range 200 {
		if cmd = b.press("k"); cmd != nil {
			break
		}
	}
	if cmd == nil {
		t.Fatalf("no read past the top:\n%s", b.screen())
	}
	b.update(cmd())
	b.wants("page before", "#51-#150")
	b.press("enter")
	b.wants("page before", "WQ · sequence 150 ·")
	b.press("esc")
	// @: a sequence; bad input keeps the prompt (with its reason) over
	// the browser and the page as it was.
	b.press("@")
	b.typeIn("#42")
	b.read("enter")
	b.wants("jump to 42", "#42-#141")
	for _, bad := range []string{"abc", "#0", "@25:99", "-forever"} {
		b.press("@")
		b.typeIn(bad)
		if cmd := b.press("enter"); cmd != nil {
			t.Fatalf("jump %q read a page", bad)
		}
		b.wants("jump "+bad, "✗", "WQ · messages", "#42-#141")
		b.press("esc")
	}
	// Past the end: the page stays and the footer says why.
	b.press("@")
	b.typeIn("999")
	b.read("enter")
	b.wants("past the end", "#42-#141", "nothing stored at or after sequence 999")
	// A time: everything was stored in the last hour.
	b.press("@")
	b.typeIn("-1h")
	b.read("enter")
	b.wants("an hour ago", "#1-#100")
	// f: a bad pattern stays in the prompt; wq.b keeps only wq.b.
	b.press("f")
	b.typeIn("a..b")
	if cmd := b.press("enter"); cmd != nil {
		t.Fatal("the filter a..b read a page")
	}
	b.wants("filter a..b", "✗")
	b.press("esc")
	b.press("f")
	b.typeIn("wq.b")
	b.read("enter")
	b.wants("filtered", "· wq.b", "#52-#250")
	for l := range strings.SplitSeq(b.screen(), "\n") {
		if strings.Contains(l, "wq.a") {
			t.Fatalf("a wq.a row under the wq.b filter: %q", l)
		}
	}
	// enter, then [ and d: the message before in the filtered page,
	// diffed against the one before it.
	b.press("enter", "[", "d")
	b.wants("[ then d", "WQ · sequence 248", "diff vs previous")
	// esc: the list; esc again: the streams, the browser's page let go.
	b.press("esc")
	if strings.Contains(b.screen(), "Inspector") {
		t.Fatalf("esc left the inspector open:\n%s", b.screen())
	}
	b.read("esc")
	b.wants("back", "JetStream streams")
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 1 || info.State.Msgs != 250 {
		t.Fatalf("after browsing: %d consumers, %d messages; want 1 and 250", info.State.Consumers, info.State.Msgs)
	}
}

// TestStreamBrowserWide: at 200x50 the inspector sits beside the list;
// past the newest message the page stays; a filter matching nothing
// leaves the page as it was; a hostile subject, header and payload reach
// the screen sanitized.
func TestStreamBrowserWide(t *testing.T) {
	j, _, js := browseServer(t, 3)
	b := newBrowser(t, j, 200, 50)
	b.read("J")
	b.read("b")
	b.press("enter")
	line := ""
	for l := range strings.SplitSeq(b.screen(), "\n") {
		if strings.Contains(l, "WQ · sequence 3") {
			line = l
		}
	}
	if !strings.Contains(line, "│") {
		t.Fatalf("no inspector beside the list:\n%s", b.screen())
	}
	b.press("esc")
	b.read("j")
	b.wants("past the end", "#1-#3", "the end of the stream")
	b.press("f")
	b.typeIn("nothing.here")
	b.read("enter")
	b.wants("a filter matching nothing", "#1-#3", "no message matches nothing.here")
	if strings.Contains(b.screen(), "· nothing.here") {
		t.Fatalf("the title took a filter that matched nothing:\n%s", b.screen())
	}
	evil := &nats.Msg{Subject: "wq.\x1b[2J", Header: nats.Header{"X-Evil": {"\x1b]0;pwned\x07"}}, Data: []byte("\x1b[31mred\x1b]52;c;Zm9v\x07")}
	if _, err := js.PublishMsg(context.Background(), evil); err != nil {
		t.Fatal(err)
	}
	b.read("G")
	b.press("enter")
	raw := b.m.Render()
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x1b[31m", "\x1b]52", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("%q reached the screen:\n%s", bad, ansi.Strip(raw))
		}
	}
	b.wants("hostile message", "WQ · sequence 4", "X-Evil", `wq.\x1b[2J`)
}
