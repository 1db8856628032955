package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// TestInspectorEventSummary: a JetStream advisory selected in the tree
// reads as one line above its JSON, hostile bytes in it sanitized; an
// ordinary message has no such line.
func TestInspectorEventSummary(t *testing.T) {
	t.Parallel()
	m := New(Options{Start: sceneStart})
	adv := model.Message{Subject: "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.ORDERS.worker", Received: sceneNow.UnixNano(),
		Data: []byte(`{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"ORDERS","consumer":"worker","stream_seq":42,"deliveries":3,"reason":"bad\u001b[2J"}`)}
	adv.Size = len(adv.Data)
	m.Apply(append(msgsOn(sceneNow, "orders.new"), adv), sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 200, Height: 30}, press("."))
	m.ex.TreeView().Reveal(m.ex.Tree().Find(adv.Subject), sceneNow.UnixNano())
	m.layoutParts()
	raw := render(t, m, 200, 30)
	if strings.Contains(raw, "\x1b[2J") {
		t.Fatal("the advisory's reason reached the terminal unsanitized")
	}
	out := ansi.Strip(raw)
	if !strings.Contains(out, `event     terminated: consumer worker of stream ORDERS gave up on message 42 after 3`) ||
		!strings.Contains(out, `          deliveries: bad`) {
		t.Fatalf("no event line:\n%s", out)
	}
	m.ex.TreeView().Reveal(m.ex.Tree().Find("orders.new"), sceneNow.UnixNano())
	m.layoutParts()
	if out := ansi.Strip(render(t, m, 200, 30)); strings.Contains(out, "event  ") {
		t.Fatalf("an ordinary message with an event line:\n%s", out)
	}
}
