package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// TestPaneShowsRealDeliveries: on a real JetStream server, through the
// tap and the pull the live app uses, a pane on ">" marks a pull
// consumer's delivery as one (stream, consumer, stream sequence), marks
// the redelivery that follows an unacked ack wait with ×2, and its title
// counts the deliveries apart from the messages, at 80 columns and at 200.
func TestPaneShowsRealDeliveries(t *testing.T) {
	t.Parallel()
	srv := testkit.JetStreamServer(t)
	sess, err := engine.Open(engine.SessionOptions{Conn: engine.ConnOptions{Servers: srv.ClientURL()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	m := New(Options{Source: sess, Start: time.Now()})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	openPane(t, m, ">")

	nc := testkit.Conn(t, srv.ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}})
	if err != nil {
		t.Fatal(err)
	}
	cons, err := stream.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "notifier", AckPolicy: jetstream.AckExplicitPolicy, AckWait: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "orders.create", []byte(`{"id":1042}`)); err != nil {
		t.Fatal(err)
	}
	// The first delivery is left unacked: once its ack wait has passed
	// the server delivers it again, and that one is acked.
	for delivered := uint64(0); delivered < 2; {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for msg := range batch.Messages() {
			md, err := msg.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			delivered = md.NumDelivered
			if delivered == 2 {
				if err := msg.Ack(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if batch.Error() != nil {
			t.Fatal(batch.Error())
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	// What the tap took reaches the pane through the pulls: pull until the
	// redelivery is counted.
	title := "· 2 deliveries 1 redelivered"
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		pullInto(t, m)
		if strings.Contains(screenText(m), title) {
			break
		}
	}
	for _, tc := range []struct {
		w, h        int
		first, next string // the first delivery's mark, the redelivery's
	}{
		// Beside the long $JS.API subjects' column 80 columns leave room
		// for the preview and a cut mark: "⇢ noti… #1 {"id":1…".
		{80, 24, " #1 {", " #1 ×2 {"},
		{200, 50, "⇢ ORDERS/notifier #1 {", "⇢ ORDERS/notifier #1 ×2 {"},
	} {
		send(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
		out := screenText(m)
		// The server delivers a stored message on its own subject (to the
		// pull request's inbox): the delivery row reads orders.create.
		wants := []string{"orders.create", title}
		if tc.w >= 200 {
			wants = append(wants, " (2 deliveries)") // the header, among msgs
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%dx%d: no %q in\n%s", tc.w, tc.h, want, out)
			}
		}
		marked := 0
		for _, line := range strings.Split(out, "\n") {
			switch {
			case !strings.Contains(line, "⇢ "):
				continue
			case strings.Contains(line, tc.next):
				marked |= 2
			case strings.Contains(line, tc.first):
				marked |= 1
			default:
				continue
			}
			if !strings.Contains(line, " orders.create ") {
				t.Errorf("%dx%d: a delivery not on its stream's subject: %q", tc.w, tc.h, line)
			}
		}
		if marked != 3 {
			t.Errorf("%dx%d: no %q row and %q row in\n%s", tc.w, tc.h, tc.first, tc.next, out)
		}
		// The publish on orders.create is a message, not a delivery.
		p := m.ex.Panes()[0]
		if p.Deliveries != 2 || p.Redeliveries != 1 || p.Msgs <= p.Deliveries {
			t.Errorf("pane counts %d msgs, %d deliveries, %d redelivered", p.Msgs, p.Deliveries, p.Redeliveries)
		}
	}
}
