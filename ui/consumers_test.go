package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// sceneConsumers are ORDERS' consumers in the golden scene: one for each
// diagnosis, one that keeps up, and one whose name and filter carry
// escapes a hostile server could send.
func sceneConsumers() map[string][]model.ConsumerSummary {
	ago := func(d time.Duration) time.Time { return sceneNow.Add(-d) }
	return map[string][]model.ConsumerSummary{"ORDERS": {
		{Name: "notifier", Pull: true, Filter: "orders.create", Waiting: 1, AckPending: 2, MaxAckPending: 1000, Redelivered: 2,
			LastDelivered: ago(time.Second), LastAcked: ago(3 * time.Second)},
		{Name: "audit", Pull: true, Pending: 12840, MaxAckPending: 1000},
		{Name: "mailer", Pending: 40, MaxAckPending: 1000, LastDelivered: ago(3 * time.Hour), LastAcked: ago(3 * time.Hour)},
		{Name: "billing", Pull: true, Pending: 310, Waiting: 2, AckPending: 8, MaxAckPending: 8, LastDelivered: ago(time.Second), LastAcked: ago(2 * time.Second)},
		{Name: "paused", Pull: true, Pending: 100, MaxAckPending: 1000, Paused: true, PauseRemaining: 4 * time.Minute},
		{Name: "evil\x1b[2J", PushBound: true, Filter: "\x1b]0;pwned\x07", AckNone: true, LastDelivered: ago(2 * time.Second)},
	}}
}

// selectStream moves the streams view's selection to the stream name.
func selectStream(t *testing.T, m *Model, name string) {
	t.Helper()
	send(m, press("g"))
	for range m.streams.rows {
		if m.streams.rows[m.streams.sel].Name == name {
			return
		}
		send(m, press("j"))
	}
	t.Fatalf("no stream %q listed", name)
}

// consumersScene is the golden scene with ORDERS' consumers board open
// and listed once.
func consumersScene(t *testing.T, w, h int, lister *fakeStreams) *Model {
	t.Helper()
	m := streamsScene(t, w, h, lister)
	selectStream(t, m, "ORDERS")
	cmd := send(m, press("enter"))
	if m.streams.page != pageConsumers || cmd == nil {
		t.Fatalf("enter on ORDERS: page %v, command %v; want the consumers board listing", m.streams.page, cmd)
	}
	send(m, cmd())
	return m
}

func TestViewGoldenConsumers(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			lister := &fakeStreams{rows: sceneStreams(), consumers: sceneConsumers()}
			m := consumersScene(t, sz.w, sz.h, lister)
			// Two more refreshes, ORDERS' audit backlog growing: the
			// trend has three values.
			for i := range 2 {
				lister.consumers["ORDERS"][1].Pending += uint64(1000 * (i + 1))
				send(m, send(m, streamsTickMsg{tag: m.streams.tag})())
			}
			send(m, press("j")) // billing, in name order the second row
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestConsumersBoard: the board names what holds each consumer back, its
// refresh lists the consumers (not the streams) and only on the tick,
// esc goes back to the list, which lists again, and J closes the view.
func TestConsumersBoard(t *testing.T) {
	lister := &fakeStreams{rows: sceneStreams(), consumers: sceneConsumers()}
	m := consumersScene(t, 200, 50, lister)
	out := ansi.Strip(render(t, m, 200, 50))
	for _, want := range []string{"ORDERS · consumers", "nobody pulling", "push consumer without a subscriber",
		"ack pending at its limit (8)", "redelivering 2", "paused, 4m00s left"} {
		if !strings.Contains(out, want) {
			t.Fatalf("board lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b]0;") || strings.Contains(render(t, m, 200, 50), "\x1b[2J") {
		t.Fatal("a consumer's name or filter reached the terminal unsanitized")
	}
	if n := lister.calls.Load(); n != 1 {
		t.Fatalf("%d stream listings, want the one on opening", n)
	}
	tag := m.streams.tag
	cmd := send(m, streamsTickMsg{tag: tag})
	if cmd == nil {
		t.Fatal("no consumer listing on the refresh tick")
	}
	if send(m, streamsTickMsg{tag: tag}) != nil {
		t.Fatal("a second listing while one runs")
	}
	if msg, ok := cmd().(consumersListedMsg); !ok || msg.stream != "ORDERS" {
		t.Fatalf("the tick listed %T, want ORDERS' consumers", msg)
	} else if send(m, msg) == nil {
		t.Fatal("no refresh armed after the board's listing")
	}
	if p, _ := m.streams.cons.board.Trend("audit"); len(p) != 2 {
		t.Fatalf("audit's trend has %d values after two listings", len(p))
	}
	// A late stream listing (from before the board opened) is dropped.
	send(m, streamsListedMsg{tag: tag, err: errors.New("late")})
	if m.streams.err != "" || m.streams.page != pageConsumers {
		t.Fatalf("a stream listing changed the board: page %v err %q", m.streams.page, m.streams.err)
	}
	// The selection moves over the consumers and the details follow it.
	send(m, press("G"))
	if got := m.streams.cons.rows()[m.streams.cons.sel].Name; got != "paused" {
		t.Fatalf("G selected %q", got)
	}
	if out := ansi.Strip(render(t, m, 200, 50)); !strings.Contains(out, "paused · pull · max ack pending 1000") {
		t.Fatalf("no details of the selected consumer:\n%s", out)
	}
	// esc: back to the list, listing the streams again; the board's
	// pending tick is dropped.
	cmd = send(m, press("esc"))
	if m.mode != modeStreams || m.streams.page != pageList || cmd == nil {
		t.Fatalf("esc: mode %v page %v command %v", m.mode, m.streams.page, cmd)
	}
	if _, ok := cmd().(streamsListedMsg); !ok {
		t.Fatal("esc did not list the streams")
	}
	send(m, consumersListedMsg{tag: tag, stream: "ORDERS"})
	if m.streams.page != pageList {
		t.Fatal("a late consumer listing reopened the board")
	}
	if m.streams.rows[m.streams.sel].Name != "ORDERS" {
		t.Fatalf("back on %q, want ORDERS still selected", m.streams.rows[m.streams.sel].Name)
	}
	// J from the board closes the whole view.
	send(m, send(m, press("enter"))())
	send(m, press("J"))
	if m.mode != modeBrowse {
		t.Fatalf("J on the board: mode %v", m.mode)
	}
	if send(m, streamsTickMsg{tag: m.streams.tag - 1}) != nil {
		t.Fatal("a listing after the view closed")
	}
}

// TestConsumersBoardErrors: a failed listing is one line; a stream
// without consumers says so; enter with no stream listed does nothing.
func TestConsumersBoardErrors(t *testing.T) {
	lister := &fakeStreams{rows: sceneStreams(), consErr: errors.New("stream \"ORDERS\": stream not found\nmore")}
	m := consumersScene(t, 80, 24, lister)
	out := ansi.Strip(render(t, m, 80, 24))
	if !strings.Contains(out, "stream not found") || strings.Contains(out, "more") {
		t.Fatalf("error not shown as one line:\n%s", out)
	}
	lister.consErr = nil
	send(m, press("esc"))
	selectStream(t, m, "EMPTY")
	send(m, send(m, press("enter"))())
	if out := ansi.Strip(render(t, m, 80, 24)); !strings.Contains(out, "EMPTY · consumers") || !strings.Contains(out, "no consumers on this stream") {
		t.Fatalf("empty board:\n%s", out)
	}
	empty := streamsScene(t, 80, 24, &fakeStreams{})
	if cmd := send(empty, press("enter")); cmd != nil || empty.streams.page != pageList {
		t.Fatal("enter without streams opened a board")
	}
}
