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

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// embeddedWho is natsx's embedded broker with a client named billing
// subscribed to orders.* in the queue group workers, and natsx's own
// connection (its tap on ">") asking.
func embeddedWho(t *testing.T) (*engine.Embedded, *nats.Conn) {
	t.Helper()
	emb, err := engine.StartEmbedded(engine.EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	billing := testkit.Conn(t, emb.URL(), nats.Name("billing"))
	if _, err := billing.QueueSubscribe("orders.*", "workers", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := billing.Flush(); err != nil {
		t.Fatal(err)
	}
	tap := testkit.Conn(t, emb.URL(), nats.Name("natsx-own-tap"))
	if _, err := tap.Subscribe(">", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := tap.Flush(); err != nil {
		t.Fatal(err)
	}
	return emb, tap
}

// panelScene is the explorer with traffic on orders.new, orders.eu.x and
// payments.in, the tree's selection on subject, asking through o.
func panelScene(t *testing.T, o Options, w, h int, subject string) *Model {
	t.Helper()
	o.Start = sceneStart
	m := New(o)
	m.Apply(msgsOn(sceneNow, "orders.new", "orders.eu.x", "payments.in"), sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m.Render()
	n := m.ex.Tree().Find(subject)
	if n.IsZero() {
		t.Fatalf("no subject %q", subject)
	}
	m.ex.TreeView().Reveal(n, sceneNow.UnixNano())
	if got := selected(m); got != subject {
		t.Fatalf("selected %q, want %q", got, subject)
	}
	return m
}

// answer runs the panel's question and hands the answer to Update.
func answer(t *testing.T, m *Model, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	if cmd == nil {
		t.Fatal("no question asked")
	}
	msg := cmd()
	if _, ok := msg.(panelAnsweredMsg); !ok {
		t.Fatalf("the command answered %T", msg)
	}
	return send(m, msg)
}

// TestWhoPanelEmbedded: w on orders.new lists billing's subscription to
// orders.* with its queue group, leaves natsx's own tap out and says so;
// r asks again, esc closes.
func TestWhoPanelEmbedded(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Who: asker}, 100, 30, "orders.new")
	cmd := send(m, press("w"))
	if m.mode != modePanel {
		t.Fatalf("w: mode %v", m.mode)
	}
	if out := ansi.Strip(render(t, m, 100, 30)); !strings.Contains(out, "Who gets orders.new  asking…") {
		t.Fatalf("no asking title while the question runs:\n%s", out)
	}
	answer(t, m, cmd)
	out := ansi.Strip(render(t, m, 100, 30))
	for _, want := range []string{
		"Who gets orders.new  at 12:00:30",
		"orders.new: 1 subscriber (source: embedded; 1 server answered: natsx-embedded)",
		"NAME", "SUBSCRIPTION",
		"left out: 1 subscription of natsx's own",
		"esc back",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("panel lacks %q:\n%s", want, out)
		}
	}
	row := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "billing ") {
			row = l
		}
	}
	if f := strings.Fields(row); len(f) < 8 || f[1] != "go" || f[4] != "$G" || f[6] != "orders.*" || f[7] != "workers" {
		t.Fatalf("billing's row %q:\n%s", row, out)
	}
	if strings.Contains(out, "natsx-own-tap") {
		t.Fatalf("natsx's own subscription listed:\n%s", out)
	}

	// r asks again; a second r while that runs asks nothing.
	again := send(m, press("r"))
	if again == nil || send(m, press("r")) != nil {
		t.Fatal("r: want one question at a time")
	}
	answer(t, m, again)
	send(m, press("esc"))
	if m.mode != modeBrowse {
		t.Fatalf("esc: mode %v", m.mode)
	}
}

// TestWhoPanelBranch: on a branch with no message of its own the panel
// asks about the branch's subject and says what that means.
func TestWhoPanelBranch(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Who: asker}, 80, 24, "orders")
	answer(t, m, send(m, press("w")))
	out := ansi.Strip(render(t, m, 80, 24))
	for _, want := range []string{"Who gets orders ", "no message was seen on orders itself", "orders: 0 subscribers",
		"a message published on orders now goes nowhere"} {
		if !strings.Contains(out, want) {
			t.Fatalf("panel lacks %q:\n%s", want, out)
		}
	}
}

// TestWhoPanelOneQuestion: a question that outlives its opening is
// dropped, and the next opening's question waits for it: never two at
// once.
func TestWhoPanelOneQuestion(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Who: asker}, 80, 24, "orders.new")
	first := send(m, press("w"))
	send(m, press("esc"))
	if send(m, press("w")) != nil {
		t.Fatal("a second question while the first runs")
	}
	// The late answer is dropped and starts the waiting question.
	next := answer(t, m, first)
	if m.panel.who != nil {
		t.Fatal("an answer for the closed opening was shown")
	}
	answer(t, m, next)
	if m.panel.who == nil || m.panel.who.Subject != "orders.new" {
		t.Fatalf("the waiting question: %+v", m.panel.who)
	}
}

// TestWhoPanelErrors: a closed connection is one line in the panel,
// sanitized; without a server (natsx open) the panel says so; with
// nothing selected w asks nothing.
func TestWhoPanelErrors(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	nc := testkit.Conn(t, emb.URL())
	asker := engine.NewWhoAsker(nc, emb, engine.WhoOptions{Timeout: time.Second})
	nc.Close()
	m := panelScene(t, Options{Who: asker}, 80, 24, "orders.new")
	answer(t, m, send(m, press("w")))
	out := ansi.Strip(render(t, m, 80, 24))
	if !strings.Contains(out, "connection closed") {
		t.Fatalf("no error line:\n%s", out)
	}

	c := panelScene(t, Options{}, 80, 24, "orders.new")
	if send(c, press("w")) != nil || !strings.Contains(ansi.Strip(render(t, c, 80, 24)), "not available here") {
		t.Fatalf("without an asker:\n%s", ansi.Strip(render(t, c, 80, 24)))
	}

	e := New(Options{Start: sceneStart, Who: engine.NewWhoAsker(tap, emb, engine.WhoOptions{})})
	send(e, tea.WindowSizeMsg{Width: 80, Height: 24})
	if send(e, press("w")) != nil || e.mode != modeBrowse {
		t.Fatalf("w on an empty tree: mode %v", e.mode)
	}
}

// fixedWho is an answer as a cluster's system account would give it, with
// a hostile client name and a problem, for the golden frames.
type fixedWho struct{ r *model.WhoResult }

func (f fixedWho) Who(_ context.Context, subject string) (*model.WhoResult, error) {
	r := *f.r
	r.Subject = subject
	return &r, nil
}

func sceneWho() *model.WhoResult {
	return &model.WhoResult{Source: model.WhoSystem, Servers: []string{"n1", "n2", "n3"},
		Blind: "servers behind leafnode connections answer only if they share the system account",
		Subscribers: []model.Subscriber{
			{Name: "billing", Lang: "go", Version: "1.43.0", CID: 12, Kind: "Client", Account: "APP", Server: "n1", Pattern: "orders.*", Queue: "workers", Msgs: 1234},
			{Name: "billing", Lang: "go", Version: "1.43.0", CID: 7, Kind: "Client", Account: "APP", Server: "n2", Pattern: "orders.*", Queue: "workers", Msgs: 1180},
			{Name: "evil\x1b[2J", Lang: "python3", Version: "2.9.0", CID: 3, Kind: "Client", Account: "APP", Server: "n3", Pattern: "orders.>", Msgs: 9},
			{Name: "edge", CID: 4, Kind: "Leafnode", Account: "APP", Server: "n3", Pattern: "orders.new"},
		},
		Streams: []model.WhoStream{{Name: "ORDERS", Subject: "orders.>", Retention: "limits",
			Consumers: []model.WhoConsumer{{Name: "shipping", Filter: "orders.new", Pending: 3, Push: true, Bound: true}}}},
		OwnLeftOut: 1, Problems: []string{"n4 did not answer within 2s"}}
}

func TestViewGoldenWho(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := panelScene(t, Options{Who: fixedWho{sceneWho()}}, sz.w, sz.h, "orders.new")
			answer(t, m, send(m, press("w")))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}
