package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// TestTracePanelCluster: natsx on n1, a subscriber on n3; T on orders.new
// shows the route hop to n3 and n3's client, indented under it, and
// natsx's own tap marked; w then asks who for the same subject.
func TestTracePanelCluster(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, nil)
	remote := testkit.Conn(t, servers[2].ClientURL(), nats.Name("remote-svc"))
	if _, err := remote.QueueSubscribe("orders.*", "workers", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := remote.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !servers[0].GlobalAccount().SubscriptionInterest("orders.new") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	tap := testkit.Conn(t, servers[0].ClientURL(), nats.Name("natsx"))
	if _, err := tap.Subscribe(">", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	m := panelScene(t, Options{Trace: engine.NewTracer(tap, engine.TraceOptions{})}, 100, 30, "orders.new")
	cmd := send(m, press("T"))
	if m.mode != modePanel || m.panel.kind != panelTrace {
		t.Fatalf("T: mode %v kind %v", m.mode, m.panel.kind)
	}
	answer(t, m, cmd)
	out := ansi.Strip(render(t, m, 100, 30))
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	want := []string{
		"Trace of orders.new  trace only, nothing delivered or stored, at 12:00:30",
		"n1 (cluster natsx-test, ",
		`  in      client "natsx" cid `,
		`  out     client "natsx" cid `,
		`  out     route "n3" cid `,
		"    n3 (cluster natsx-test, ",
		`      in      route "n1" cid `,
		`      out     client "remote-svc" cid `,
	}
	at := 0
	for _, l := range lines {
		if at < len(want) && strings.HasPrefix(l, want[at]) {
			at++
		}
	}
	if at < len(want) {
		t.Fatalf("no line %q in order:\n%s", want[at], out)
	}
	if !strings.Contains(out, "subscription orders.*, queue workers") || !strings.Contains(out, "(natsx itself)") {
		t.Fatalf("trace:\n%s", out)
	}
	// w asks the other question about the same subject (no asker here).
	send(m, press("w"))
	if m.panel.kind != panelWho || !strings.Contains(ansi.Strip(render(t, m, 100, 30)), "Who gets orders.new") {
		t.Fatalf("w from the trace:\n%s", ansi.Strip(render(t, m, 100, 30)))
	}
	send(m, press("w"))
	if m.mode != modeBrowse {
		t.Fatalf("w again: mode %v", m.mode)
	}
}

// TestTracePanelSendsTheMessage: T on a pane's message traces that
// message's subject with its headers and payload, natsx's Nats-Trace-*
// headers apart.
func TestTracePanelSendsTheMessage(t *testing.T) {
	t.Parallel()
	rec := &recordingTracer{}
	m := New(Options{Start: sceneStart, Trace: rec})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	msg := model.Message{Subject: "orders.eu.created", Header: model.Header{"Kind": {"test"}}, Data: []byte("{}"), Size: 2,
		Received: sceneNow.UnixNano()}
	if _, err := m.addPane("orders.>"); err != nil {
		t.Fatal(err)
	}
	m.Apply([]model.Message{msg}, sceneNow, sceneStatus)
	m.setFocus(focusPane)
	answer(t, m, send(m, press("T")))
	if rec.got.Subject != "orders.eu.created" || string(rec.got.Data) != "{}" || rec.got.Header["Kind"][0] != "test" {
		t.Fatalf("traced %+v", rec.got)
	}
	if !strings.Contains(ansi.Strip(render(t, m, 80, 24)), "trace not supported here") {
		t.Fatalf("the tracer's error is not shown:\n%s", ansi.Strip(render(t, m, 80, 24)))
	}
}

// recordingTracer keeps the message it was asked to trace and answers
// with an error (the engine's own tests trace for real).
type recordingTracer struct{ got model.Message }

func (r *recordingTracer) Trace(_ context.Context, msg model.Message) (model.TraceReport, error) {
	r.got = msg
	return model.TraceReport{}, errors.New("trace not supported here\nsecond line")
}

// fixedTrace is a trace across a route with a refusal and a hostile
// client name, for the golden frames.
type fixedTrace struct{}

func (fixedTrace) Trace(_ context.Context, msg model.Message) (model.TraceReport, error) {
	return model.TraceReport{Subject: msg.Subject, TraceOnly: true, Lines: []model.TraceLine{
		{Head: true, Text: "n1 (cluster east, 2.15.2)"},
		{Label: "in", Text: `client "natsx" cid 5, account APP, subject ` + msg.Subject},
		{Label: "js", Text: "stream ORDERS, subject " + msg.Subject},
		{Label: "out", Text: `client "natsx" cid 5, subscription > (natsx itself)  +7µs`, Own: true},
		{Label: "✗ out", Text: `client "slow" cid 9, subscription orders.>  +9µs: Not delivered because fast producer not stalled and consumer is slow`, Bad: true},
		{Label: "out", Text: `route "n3" cid 2  +12µs`},
		{Depth: 1, Head: true, Text: "n3 (cluster east, 2.15.2, hop 1)"},
		{Depth: 1, Label: "in", Text: `route "n1" cid 3, account APP, subject ` + msg.Subject},
		{Depth: 1, Label: "out", Text: `client "evil\x1b[2J" cid 4, subscription orders.*, queue workers  +3µs`},
	}, Problems: []string{"hop 2 (leafnode edge) sent no trace event"}}, nil
}

func TestViewGoldenTrace(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := panelScene(t, Options{Trace: fixedTrace{}}, sz.w, sz.h, "orders.new")
			answer(t, m, send(m, press("T")))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}
