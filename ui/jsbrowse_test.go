package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

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

// run runs cmd and delivers its message (cmd is a page read or a listing).
func run(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command to run")
	}
	send(m, cmd())
}

// browsed is the sequences of the browser's page, first and last, and the
// selected one.
func browsed(m *Model) (first, last, sel uint64) {
	b := &m.streams.browse
	if len(b.page.Msgs) == 0 {
		return 0, 0, 0
	}
	return b.page.Msgs[0].Seq, b.page.Msgs[len(b.page.Msgs)-1].Seq, b.page.Msgs[b.sel].Seq
}

// TestStreamBrowser: on a real work-queue stream of 250 messages, b opens
// the newest page; the page before is read past its top, @ jumps to a
// sequence and a time, f filters by subject, bad input stays in the
// prompt with its reason, enter shows the message in the inspector ([ ]
// step, d diffs), esc goes back; the stream keeps its messages and its
// one consumer.
func TestStreamBrowser(t *testing.T) {
	j, s, _ := browseServer(t, 250)
	m := New(Options{Start: time.Now(), Streams: j})
	m.Apply(nil, time.Now(), sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	run(t, m, send(m, press("J")))
	selectStream(t, m, "WQ")
	run(t, m, send(m, press("b")))
	if f, l, sel := browsed(m); f != 151 || l != 250 || sel != 250 {
		t.Fatalf("opened on %d-%d, selected %d; want the newest page 151-250 with 250 selected", f, l, sel)
	}
	out := ansi.Strip(render(t, m, 80, 24))
	for _, want := range []string{"WQ · messages", "#151-#250", "stream 1-250, 250 messages", "wq.b", `{"job":250,"kind":"email"}`} {
		if !strings.Contains(out, want) {
			t.Fatalf("browser lacks %q:\n%s", want, out)
		}
	}
	// Up past the top of the page reads the page before.
	var cmd tea.Cmd
	for range 200 {
		if cmd = send(m, press("k")); cmd != nil {
			break
		}
	}
	run(t, m, cmd)
	if f, l, sel := browsed(m); f != 51 || l != 150 || sel != 150 {
		t.Fatalf("page before: %d-%d selected %d; want 51-150 with 150 selected", f, l, sel)
	}
	// @: a sequence, then bad input that keeps the prompt and the page.
	send(m, press("@"))
	typeText(m, "#42")
	run(t, m, send(m, press("enter")))
	if f, _, sel := browsed(m); f != 42 || sel != 42 || m.prompt.kind != promptNone || m.mode != modeStreams {
		t.Fatalf("jump to 42: first %d selected %d, prompt %v mode %v", f, sel, m.prompt.kind, m.mode)
	}
	for _, bad := range []string{"abc", "#0", "@25:99", "-forever"} {
		send(m, press("@"))
		typeText(m, bad)
		if cmd := send(m, press("enter")); cmd != nil || m.prompt.err == "" {
			t.Fatalf("jump %q: command %v, reason %q", bad, cmd, m.prompt.err)
		}
		if out := ansi.Strip(render(t, m, 80, 24)); !strings.Contains(out, "✗") || !strings.Contains(out, "WQ · messages") {
			t.Fatalf("jump %q: no reason beside the prompt over the browser:\n%s", bad, out)
		}
		send(m, press("esc"))
	}
	// Past the end: the page stays and the flash says why.
	send(m, press("@"))
	typeText(m, "999")
	run(t, m, send(m, press("enter")))
	if f, _, _ := browsed(m); f != 42 || !strings.Contains(m.flash.text, "nothing stored at or after sequence 999") {
		t.Fatalf("jump past the end: first %d, flash %q", f, m.flash.text)
	}
	// A time: everything was stored in the last hour.
	send(m, press("@"))
	typeText(m, "-1h")
	run(t, m, send(m, press("enter")))
	if f, _, _ := browsed(m); f != 1 {
		t.Fatalf("jump to an hour ago: first %d", f)
	}
	// f: only wq.b; a bad pattern stays in the prompt.
	send(m, press("f"))
	typeText(m, "a..b")
	if cmd := send(m, press("enter")); cmd != nil || m.prompt.err == "" {
		t.Fatalf("filter a..b: command %v, reason %q", cmd, m.prompt.err)
	}
	send(m, press("esc"))
	send(m, press("f"))
	typeText(m, "wq.b")
	run(t, m, send(m, press("enter")))
	for _, sm := range m.streams.browse.page.Msgs {
		if sm.Msg.Subject != "wq.b" {
			t.Fatalf("filtered page holds %s #%d", sm.Msg.Subject, sm.Seq)
		}
	}
	if _, l, _ := browsed(m); l != 250 || len(m.streams.browse.page.Msgs) != 100 {
		t.Fatalf("filtered page ends at %d with %d messages", l, len(m.streams.browse.page.Msgs))
	}
	// enter: the inspector shows the selected message; [ steps back, d diffs.
	send(m, press("enter"))
	out = ansi.Strip(render(t, m, 80, 24))
	for _, want := range []string{"WQ · sequence 250 · stored", `"job": 250`, "Job: 250"} {
		if !strings.Contains(out, want) {
			t.Fatalf("inspector lacks %q:\n%s", want, out)
		}
	}
	send(m, press("["))
	send(m, press("d"))
	out = ansi.Strip(render(t, m, 80, 24))
	if !strings.Contains(out, "sequence 248") || !strings.Contains(out, "diff vs previous") {
		t.Fatalf("[ then d: want 248 diffed against 246:\n%s", out)
	}
	// esc: the list, with the main inspector as it was; esc again: the streams.
	send(m, press("esc"))
	if m.streams.browse.open || m.insp.diff {
		t.Fatal("esc did not close the browser's inspector or give the main one back")
	}
	run(t, m, send(m, press("esc")))
	if m.streams.page != pageList || m.mode != modeStreams {
		t.Fatalf("esc from the browser: page %v mode %v", m.streams.page, m.mode)
	}
	if n := len(m.streams.browse.page.Msgs); n != 0 {
		t.Fatalf("the closed browser still holds %d messages", n)
	}
	// A read of a closed opening is dropped when the browser opens again.
	stale := send(m, press("b"))
	send(m, press("esc"))
	fresh := send(m, press("b"))
	send(m, stale())
	if m.streams.browse.loaded {
		t.Fatal("a read of an earlier opening was taken")
	}
	run(t, m, fresh)
	if !m.streams.browse.loaded {
		t.Fatal("the fresh read was not taken")
	}
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
	m := New(Options{Start: time.Now(), Streams: j})
	m.Apply(nil, time.Now(), sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	run(t, m, send(m, press("J")))
	run(t, m, send(m, press("b")))
	send(m, press("enter"))
	out := ansi.Strip(render(t, m, 200, 50))
	line := ""
	for l := range strings.SplitSeq(out, "\n") {
		if strings.Contains(l, "WQ · sequence 3") {
			line = l
		}
	}
	if !strings.Contains(line, "│") || !strings.Contains(out, "wq.a") {
		t.Fatalf("no inspector beside the list:\n%s", out)
	}
	// Down past the newest: the end of the stream, the page stays.
	send(m, press("esc"))
	run(t, m, send(m, press("j")))
	if _, l, _ := browsed(m); l != 3 || !strings.Contains(m.flash.text, "the end of the stream") || m.flash.isErr {
		t.Fatalf("past the end: last %d, flash %q (error %v)", l, m.flash.text, m.flash.isErr)
	}
	send(m, press("f"))
	typeText(m, "nothing.here")
	run(t, m, send(m, press("enter")))
	if m.streams.browse.filter != "" || !strings.Contains(m.flash.text, "no message matches nothing.here") || len(m.streams.browse.page.Msgs) != 3 {
		t.Fatalf("a filter matching nothing: filter %q flash %q, %d messages", m.streams.browse.filter, m.flash.text, len(m.streams.browse.page.Msgs))
	}
	evil := &nats.Msg{Subject: "wq.\x1b[2J", Header: nats.Header{"X-Evil": {"\x1b]0;pwned\x07"}}, Data: []byte("\x1b[31mred\x1b]52;c;Zm9v\x07")}
	if _, err := js.PublishMsg(context.Background(), evil); err != nil {
		t.Fatal(err)
	}
	run(t, m, send(m, press("G")))
	send(m, press("enter"))
	raw := render(t, m, 200, 50)
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x1b[31m", "\x1b]52", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("%q reached the screen:\n%s", bad, ansi.Strip(raw))
		}
	}
	if out := ansi.Strip(raw); !strings.Contains(out, "sequence 4") || !strings.Contains(out, "X-Evil") {
		t.Fatalf("the hostile message is not shown:\n%s", out)
	}
}

func TestParseStreamJump(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 30, 0, 0, time.Local)
	tests := []struct {
		in   string
		seq  uint64
		at   time.Time
		fail bool
	}{
		{in: "1234", seq: 1234},
		{in: "#7", seq: 7},
		{in: " 42 ", seq: 42},
		{in: "@15:04", at: time.Date(2026, 12, 1, 15, 4, 0, 0, time.Local)},
		{in: "@16:00", at: time.Date(2026, 11, 30, 16, 0, 0, 0, time.Local)}, // later today: yesterday's
		{in: "@15:04:05", at: time.Date(2026, 12, 1, 15, 4, 5, 0, time.Local)},
		{in: "-10m", at: now.Add(-10 * time.Minute)},
		{in: "-1h30m", at: now.Add(-90 * time.Minute)},
		{in: "", fail: true},
		{in: "0", fail: true},
		{in: "#", fail: true},
		{in: "abc", fail: true},
		{in: "@25:00", fail: true},
		{in: "-x", fail: true},
		{in: "99999999999999999999999", fail: true},
		{in: "9223372036854775808", fail: true}, // 2^63: the inspector's mark
	}
	for _, tt := range tests {
		seq, at, err := parseStreamJump(tt.in, now)
		if tt.fail {
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Errorf("%q: err %v, want one line", tt.in, err)
			}
			continue
		}
		if err != nil || seq != tt.seq || !at.Equal(tt.at) {
			t.Errorf("%q = %d, %v, %v; want %d, %v", tt.in, seq, at, err, tt.seq, tt.at)
		}
	}
}

// scenePage is ORDERS' newest messages in the golden scene.
func scenePage() *model.StreamPage {
	p := &model.StreamPage{FirstSeq: 1, LastSeq: 12840, Total: 12840}
	bodies := []string{
		`{"order_id":"ord-1001","customer":"c-17","items":[{"sku":"SKU-1","qty":2}],"total":41.5}`,
		`{"order_id":"ord-1001","status":"paid"}`,
		`{"order_id":"ord-1002","customer":"c-4","items":[{"sku":"SKU-9","qty":1}],"total":9.99}`,
		`{"order_id":"ord-1001","reason":"customer asked"}`,
		`{"order_id":"ord-1003","customer":"c-17","items":[{"sku":"SKU-1","qty":3}],"total":62.25}`,
	}
	subjects := []string{"orders.create", "orders.status", "orders.create", "orders.cancel", "orders.create"}
	for i, body := range bodies {
		m := model.Message{Subject: subjects[i], Received: sceneNow.Add(time.Duration(i-5) * time.Second).UnixNano(),
			Data: []byte(body), Size: len(body), Header: model.Header{"Content-Type": {"application/json"}}}
		p.Msgs = append(p.Msgs, model.StoredMessage{Seq: uint64(12836 + i), Msg: m})
	}
	return p
}

func TestViewGoldenStreamBrowser(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := streamsScene(t, sz.w, sz.h, &fakeStreams{rows: sceneStreams(), page: scenePage()})
			selectStream(t, m, "ORDERS")
			run(t, m, send(m, press("b")))
			send(m, press("k"))     // ord-1001 cancelled
			send(m, press("enter")) // in the inspector
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}
