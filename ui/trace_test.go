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

// deliverScene is the trace panel on orders.new against a real server
// with a subscriber, which counts what it receives.
func deliverScene(t *testing.T, readOnly bool) (*Model, chan *nats.Msg) {
	t.Helper()
	s := testkit.Server(t)
	tap := testkit.Conn(t, s.ClientURL(), nats.Name("natsx"))
	sub := testkit.Conn(t, s.ClientURL(), nats.Name("billing"))
	got := make(chan *nats.Msg, 16)
	if _, err := sub.ChanSubscribe("orders.new", got); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	m := panelScene(t, Options{Trace: engine.NewTracer(tap, engine.TraceOptions{}), ReadOnly: readOnly}, 100, 30, "orders.new")
	answer(t, m, send(m, press("T")))
	if out := ansi.Strip(render(t, m, 100, 30)); !strings.Contains(out, "trace only, nothing delivered") {
		t.Fatalf("trace-only first:\n%s", out)
	}
	return m, got
}

// received fails unless the subscriber got exactly want messages (polled
// until a deadline for want > 0; for 0, after a round trip that would
// have carried one).
func received(t *testing.T, got chan *nats.Msg, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if want == 0 {
		time.Sleep(100 * time.Millisecond)
	}
	if len(got) != want {
		t.Fatalf("the subscriber received %d messages, want %d", len(got), want)
	}
}

// TestTraceDeliverConfirmed: D in the trace panel asks, naming the
// subject and size; y publishes for real (the subscriber receives it,
// without the trace-only header) and the trace shows with a line saying so.
func TestTraceDeliverConfirmed(t *testing.T) {
	t.Parallel()
	m, got := deliverScene(t, false)
	if !strings.Contains(ansi.Strip(render(t, m, 100, 30)), "D deliver") {
		t.Fatalf("no D in the footer:\n%s", ansi.Strip(render(t, m, 100, 30)))
	}
	if cmd := send(m, press("D")); cmd != nil {
		t.Fatal("D published before the answer")
	}
	if out := ansi.Strip(render(t, m, 100, 30)); !strings.Contains(out, "publish orders.new for real (1 B) and trace it? y/N") {
		t.Fatalf("no question:\n%s", out)
	}
	received(t, got, 0)
	cmd := send(m, press("y"))
	if cmd == nil {
		t.Fatal("y started nothing")
	}
	answer(t, m, send(m, cmd()))
	received(t, got, 1)
	if h := (<-got).Header.Get("Nats-Trace-Only"); h != "" {
		t.Fatalf("delivered with Nats-Trace-Only %q", h)
	}
	out := ansi.Strip(render(t, m, 100, 30))
	for _, want := range []string{"Trace of orders.new  delivered for real, at", "delivered: orders.new was published for real",
		`out     client "billing" cid`} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q:\n%s", want, out)
		}
	}
	// r traces a copy again: nothing more is delivered.
	answer(t, m, send(m, press("r")))
	received(t, got, 0)
	if out := ansi.Strip(render(t, m, 100, 30)); !strings.Contains(out, "trace only, nothing delivered") {
		t.Fatalf("r after D:\n%s", out)
	}
}

// TestTraceDeliverCancelled: n or esc answers no: nothing is published
// and the panel stays open on the trace-only answer.
func TestTraceDeliverCancelled(t *testing.T) {
	t.Parallel()
	for _, no := range []string{"n", "esc"} {
		m, got := deliverScene(t, false)
		send(m, press("D"))
		if cmd := send(m, press(no)); cmd != nil {
			t.Fatalf("%s: a command ran", no)
		}
		received(t, got, 0)
		out := ansi.Strip(render(t, m, 100, 30))
		if m.mode != modePanel || !strings.Contains(out, "cancelled: nothing published") || !strings.Contains(out, "trace only") {
			t.Fatalf("%s: mode %v\n%s", no, m.mode, out)
		}
	}
}

// TestTraceDeliverReadOnly: with --read-only D is absent from the footer
// and the help, and does nothing.
func TestTraceDeliverReadOnly(t *testing.T) {
	t.Parallel()
	m, got := deliverScene(t, true)
	if out := ansi.Strip(render(t, m, 100, 30)); strings.Contains(out, "D deliver") {
		t.Fatalf("D in the read-only footer:\n%s", out)
	}
	if cmd := send(m, press("D")); cmd != nil || m.confirm.asking() {
		t.Fatal("D asked in read-only")
	}
	received(t, got, 0)
	for _, g := range m.keys.Groups() {
		for _, b := range g.Keys {
			if b.Enabled() && strings.Contains(b.Help().Desc, "for real") {
				t.Fatalf("help lists %q", b.Help().Desc)
			}
		}
	}
	if !DefaultKeyMap().TraceDeliver.Enabled() {
		t.Fatal("D off by default")
	}
}
