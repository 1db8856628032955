package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// TestInspectorJetStreamDelivery: a consumer's delivery is named as one
// in the inspector, at a size where it is compact too; its ack is not a
// reply with a latency; a plain message has no such line.
func TestInspectorJetStreamDelivery(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	at := func(d time.Duration) int64 { return start.Add(time.Second + d).UnixNano() }
	ack := "$JS.ACK._.HASH.ORDERS.notifier.2.41.57.1700000000000000000.3.tok"
	msgs := []model.Message{
		{Subject: "orders.create", Received: at(0), Data: []byte(`{"id":1}`)},
		{Subject: "deliver.notifier", Reply: ack, Received: at(time.Millisecond), Data: []byte(`{"id":1}`)},
		{Subject: ack, Received: at(2 * time.Millisecond)},
	}
	for i := range msgs {
		msgs[i].Seq, msgs[i].Size = uint64(i+1), len(msgs[i].Data)
	}
	for _, sz := range []struct{ w, h int }{{200, 50}, {80, 24}} {
		m := New(Options{Start: start})
		m.Apply(msgs, start.Add(2*time.Second), model.SourceStatus{State: model.StateConnected})
		send(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		show := func(subject string) string {
			m.ex.TreeView().Reveal(m.ex.Tree().Find(subject), m.ex.Now().UnixNano())
			send(m, press("l"))
			return ansi.Strip(m.Render())
		}
		out := show("deliver.notifier")
		want := "delivery  stream ORDERS seq 41 → consumer notifier, delivery 2"
		if !strings.Contains(out, want) {
			t.Errorf("%dx%d: no %q in\n%s", sz.w, sz.h, want, out)
		}
		if strings.Contains(out, "answered") {
			t.Errorf("%dx%d: the ack is taken as a reply:\n%s", sz.w, sz.h, out)
		}
		if out := show("orders.create"); strings.Contains(out, "delivery  ") {
			t.Errorf("%dx%d: a publish shown as a delivery:\n%s", sz.w, sz.h, out)
		}
	}
}
