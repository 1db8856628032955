package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// listenRoundNow runs one round of the no-listener checker to its answer.
func listenRoundNow(t *testing.T, m *Model) {
	t.Helper()
	cmd := send(m, listenTickMsg{})
	if cmd == nil {
		t.Fatal("the tick asked nothing")
	}
	msg := cmd()
	if _, ok := msg.(listenCheckedMsg); !ok {
		t.Fatalf("the round answered %T", msg)
	}
	if next := send(m, msg); next == nil {
		t.Fatal("the round did not arm the next")
	}
}

// rowOf is the rendered tree row whose name is name.
func rowOf(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

// TestNoListenerMarks: on the embedded broker, payments.in has no
// subscriber but natsx's own tap on ">": the check marks it ∅, the
// messages after the check count as gone nowhere (header, inspector), and
// the inspector says "no listener when received"; a subscriber unmarks
// it. orders.new, which billing's orders.* takes, is never marked.
func TestNoListenerMarks(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Listeners: asker}, 120, 30, "payments.in")
	m.ex.TreeView().Reveal(m.ex.Tree().Find("orders.new"), sceneNow.UnixNano())
	m.ex.TreeView().Reveal(m.ex.Tree().Find("payments.in"), sceneNow.UnixNano())
	m.layoutParts()

	listenRoundNow(t, m)
	later := sceneNow.Add(time.Second)
	m.Apply(msgsOn(later, "payments.in", "payments.in", "orders.new"), later, sceneStatus)
	out := ansi.Strip(render(t, m, 120, 30))
	if row := rowOf(out, "in"); !strings.Contains(row, noListenerMark) {
		t.Fatalf("payments.in not marked:\n%s", out)
	}
	if row := rowOf(out, "payments"); !strings.Contains(row, noListenerMark) {
		t.Fatalf("the branch holding payments.in not marked:\n%s", out)
	}
	if row := rowOf(out, "new"); row == "" || strings.Contains(row, noListenerMark) {
		t.Fatalf("orders.new (billing listens) marked or missing: %q\n%s", row, out)
	}
	for _, want := range []string{"no listener when received", "2 unheard"} {
		if !strings.Contains(out, want) {
			t.Fatalf("inspector lacks %q:\n%s", want, out)
		}
	}
	// The header counts at the checks: the next round takes the two in.
	listenRoundNow(t, m)
	out = ansi.Strip(render(t, m, 120, 30))
	if !strings.Contains(out, noListenerMark+" unheard 2 msgs, 1 subj") {
		t.Fatalf("header lacks the count:\n%s", out)
	}

	// A listener comes: the next check unmarks payments.in.
	sub := testkit.Conn(t, emb.URL(), nats.Name("payments"))
	if _, err := sub.Subscribe("payments.in", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	later = later.Add(time.Second)
	m.Apply(msgsOn(later, "payments.in"), later, sceneStatus)
	listenRoundNow(t, m)
	even := later.Add(time.Second)
	m.Apply(msgsOn(even, "payments.in"), even, sceneStatus)
	out = ansi.Strip(render(t, m, 120, 30))
	if row := rowOf(out, "in"); row == "" || strings.Contains(row, noListenerMark) {
		t.Fatalf("payments.in still marked with a subscriber: %q\n%s", row, out)
	}
	if row := rowOf(out, "payments"); row == "" || strings.Contains(row, noListenerMark) {
		t.Fatalf("payments still marked with a subscriber: %q\n%s", row, out)
	}
	if strings.Contains(out, "no listener when received") {
		t.Fatalf("the newest message arrived with a listener:\n%s", out)
	}
	// The message before this check still went nowhere: 3 in all.
	if !strings.Contains(out, "3 unheard") || !strings.Contains(out, noListenerMark+" unheard 3 msgs, 0 subj") {
		t.Fatalf("count after the listener came:\n%s", out)
	}
}

// TestNoListenerStops: a checker that cannot tell stops the rounds; a
// passing error costs one round only.
func TestNoListenerStops(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	m := panelScene(t, Options{Listeners: engine.NewWhoAsker(tap, emb, engine.WhoOptions{})}, 100, 30, "payments.in")
	if cmd := send(m, listenCheckedMsg{err: errors.New("nats: timeout")}); cmd == nil {
		t.Fatal("a passing error stopped the checker")
	}
	if cmd := send(m, listenCheckedMsg{err: model.ErrNoListenerSource}); cmd != nil || m.listen.off == "" {
		t.Fatal("no source: the checker must stop")
	}
	if cmd := send(m, listenTickMsg{}); cmd != nil {
		t.Fatal("a stopped checker asked again")
	}
	// Without a checker (a capture) nothing is asked or marked.
	c := New(Options{})
	if cmd := send(c, listenTickMsg{}); cmd != nil {
		t.Fatal("no checker, yet a round")
	}
}

// TestNoListenerIdleAsksNothing: without messages since the last round a
// tick asks the server nothing (an idle natsx stays idle); messages bring
// the rounds back, and so does listenIdleEvery without any.
func TestNoListenerIdleAsksNothing(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Listeners: asker}, 120, 30, "payments.in")
	listenRoundNow(t, m)
	send(m, listenTickMsg{})
	if m.listen.asking {
		t.Fatal("a tick without new messages started a round")
	}
	later := sceneNow.Add(time.Second)
	m.Apply(msgsOn(later, "payments.in"), later, sceneStatus)
	listenRoundNow(t, m)
	m.wall = m.wall.Add(listenIdleEvery)
	listenRoundNow(t, m)
}
