package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

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

// TestStreamBrowserReads: the browser opens on the newest page with the
// newest selected; closing it lets the page go; a read of an earlier
// opening is dropped when the browser opens again. The browser on a real
// server is tested in cli (streams_browse_test.go): nats-server linked
// into ui's tests would race with TestMain's time zone.
func TestStreamBrowserReads(t *testing.T) {
	m := streamsScene(t, 80, 24, &fakeStreams{rows: sceneStreams(), page: scenePage()})
	selectStream(t, m, "ORDERS")
	run(t, m, send(m, press("b")))
	if f, l, sel := browsed(m); f != 12836 || l != 12840 || sel != 12840 {
		t.Fatalf("opened on %d-%d, selected %d", f, l, sel)
	}
	run(t, m, send(m, press("esc")))
	if m.streams.page != pageList || len(m.streams.browse.page.Msgs) != 0 {
		t.Fatalf("esc: page %v, %d messages kept", m.streams.page, len(m.streams.browse.page.Msgs))
	}
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

// TestStreamBrowserShortTerminal: with a message open under the list, a
// short terminal still gets a frame of exactly its height (the list took
// at least 5 lines and pushed the frame past it, scrolling the screen).
func TestStreamBrowserShortTerminal(t *testing.T) {
	for h := 6; h <= 12; h++ {
		m := streamsScene(t, 100, h, &fakeStreams{rows: sceneStreams(), page: scenePage()})
		selectStream(t, m, "ORDERS")
		run(t, m, send(m, press("b")))
		send(m, press("enter"))
		if got := strings.Count(m.Render(), "\n") + 1; got != h {
			t.Errorf("100x%d with a message open: %d lines", h, got)
		}
	}
}
