package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

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

// deliveryScene is a pane on ">" holding what a pull consumer's traffic
// looks like on the wire (as TestPaneShowsRealDeliveries sees it from a
// real server): a publish and its stream ack, the pull request, the
// delivery on the stream's subject with its $JS.ACK reply, a redelivery
// after the ack wait, the ack; and a forged $JS.ACK reply with an escape
// in the stream's name.
func deliveryScene(t *testing.T, w, h int) *Model {
	t.Helper()
	ts := "1748779201000000000"
	ack := func(n, seq, cseq int) string {
		return fmt.Sprintf("$JS.ACK._.AHASH.ORDERS.notifier.%d.%d.%d.%s.0.tok", n, seq, cseq, ts)
	}
	at := func(ms int) int64 {
		return sceneStart.Add(20*time.Second + time.Duration(ms)*time.Millisecond).UnixNano()
	}
	order := `{"id":1042,"customer":"Zoë","total":99.5}`
	msgs := []model.Message{
		{Subject: "orders.create", Reply: "_INBOX.k3Jq.1", Data: []byte(order)},
		{Subject: "_INBOX.k3Jq.1", Data: []byte(`{"stream":"ORDERS","seq":41}`)},
		{Subject: "$JS.API.CONSUMER.MSG.NEXT.ORDERS.notifier", Reply: "_INBOX.p9Fx", Data: []byte(`{"batch":1,"expires":1000000000}`)},
		{Subject: "orders.create", Reply: ack(1, 41, 57), Data: []byte(order)},
		{Subject: "$JS.API.CONSUMER.MSG.NEXT.ORDERS.notifier", Reply: "_INBOX.p9Fy", Data: []byte(`{"batch":1,"expires":1000000000}`)},
		{Subject: "orders.create", Reply: ack(2, 41, 58), Data: []byte(order)},
		{Subject: ack(2, 41, 58), Data: []byte("+ACK")},
		{Subject: "orders.fake", Reply: "$JS.ACK.EV\x1b[2JIL.c.1.7.7.0.0", Data: []byte("forged")},
	}
	for i := range msgs {
		msgs[i].Seq, msgs[i].Received, msgs[i].Size = uint64(i+1), at(i*100), len(msgs[i].Data)
	}
	m := New(Options{Start: sceneStart, Filters: []string{">"}})
	m.Apply(msgs, sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	send(m, press("tab"), press("k"), press("k")) // onto the redelivery
	m.Render()
	return m
}

// TestViewGoldenPaneDeliveries: a pane on ">" at 80, 120 and 200 columns
// marks the deliveries, the redelivery in the warning colour, and its
// title counts them; the header counts them among msgs where it has room.
func TestViewGoldenPaneDeliveries(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := deliveryScene(t, sz.w, sz.h)
			out := render(t, m, sz.w, sz.h)
			text := ansi.Strip(out)
			wants := []string{"· 3 deliveries 1 redelivered", " #41 ×2 {", " #41 {"}
			switch {
			case sz.w >= 200:
				wants = append(wants, "msgs 8 (3 deliveries)")
			case sz.w >= 120:
				wants = append(wants, "msgs 8 (3 dlv)")
			}
			for _, want := range wants {
				if !strings.Contains(text, want) {
					t.Errorf("no %q in\n%s", want, text)
				}
			}
			// The delivery's reply is its ack's subject: the request
			// latencies of orders.create (the publish, answered by the
			// stream) are not the delivery's.
			if strings.Contains(text, "answered") {
				t.Errorf("the delivery shows request latencies:\n%s", text)
			}
			if strings.Contains(out, "\x1b[2J") {
				t.Error("a forged stream name reaches the terminal unsanitized")
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// TestDeliveryMarkFits: the mark gives way in order, stream, consumer,
// sequence, redelivery, and never takes more than its room.
func TestDeliveryMarkFits(t *testing.T) {
	st := DefaultStyles(true)
	first := "$JS.ACK.ORDERS.notifier.1.41.57.0.0"
	again := "$JS.ACK.ORDERS.notifier.3.41.59.0.0"
	for _, tc := range []struct {
		reply string
		room  int
		want  string
	}{
		{first, 40, "⇢ ORDERS/notifier #41 "},
		{again, 40, "⇢ ORDERS/notifier #41 ×3 "},
		{again, 25, "⇢ ORDERS/notifier #41 ×3 "},
		{again, 24, "⇢ notifier #41 ×3 "},
		{again, 17, "⇢ notifi… #41 ×3 "},
		{again, 16, "⇢ notif… #41 ×3 "},
		{again, 15, "⇢ #41 ×3 "},
		{first, 8, "⇢ #41 "},
		{again, 8, "⇢ ×3 "},
		{again, 4, "⇢ "},
		{again, 1, ""},
		{"_INBOX.x", 40, ""},
		{"$JS.ACK.not.a.delivery", 40, ""},
	} {
		plain, colored := deliveryMark(&st, tc.reply, tc.room)
		if plain != tc.want || ansi.Strip(colored) != plain {
			t.Errorf("%q in %d: %q (coloured %q), want %q", tc.reply, tc.room, plain, ansi.Strip(colored), tc.want)
		}
		if w := ansi.StringWidth(plain); w > max(tc.room, 0) {
			t.Errorf("%q in %d: %d cells", tc.reply, tc.room, w)
		}
	}
}

// TestPaneTitleStateBeforeDeliveries: on a narrow pane the title keeps
// what the pane's state says (paused) and cuts the delivery counts first.
func TestPaneTitleStateBeforeDeliveries(t *testing.T) {
	m := deliveryScene(t, 120, 32)
	send(m, press("space")) // the focused pane pauses
	title := ansi.Strip(m.band.pane(0, true, 44, 10)[0])
	if !strings.Contains(title, "⏸ paused") {
		t.Fatalf("a narrow title lost its pause to the delivery counts: %q", title)
	}
	if title = ansi.Strip(m.band.pane(0, true, 120, 10)[0]); !strings.Contains(title, "⏸ paused +0 · 3 deliveries 1 redelivered") {
		t.Fatalf("a wide title: %q", title)
	}
}

// TestHeaderDeliveriesGiveWayToWarnings: the header's count of deliveries
// is a total, so it goes before a warning is shortened: at no width does
// "(3 dlv)" sit beside "reconn 1" cut from "reconnects 1".
func TestHeaderDeliveriesGiveWayToWarnings(t *testing.T) {
	m := deliveryScene(t, 200, 50)
	seen := 0
	for w := 50; w <= 200; w++ {
		line := ansi.Strip(m.headerLine2(w))
		if !strings.Contains(line, "dlv") && !strings.Contains(line, "deliveries") {
			continue
		}
		seen++
		if !strings.Contains(line, "reconnects 1") {
			t.Errorf("at %d: the deliveries kept over the warning: %q", w, line)
		}
	}
	if seen == 0 {
		t.Fatal("the header never counted the deliveries")
	}
}
