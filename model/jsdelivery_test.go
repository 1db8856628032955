package model

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseJSDelivery(t *testing.T) {
	ts := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tsTok := "1796126400000000000"
	if ts.UnixNano() != 1796126400000000000 {
		t.Fatalf("the test's timestamp token is %d", ts.UnixNano())
	}
	tests := []struct {
		reply string
		want  JSDelivery
		ok    bool
	}{
		{"$JS.ACK.ORDERS.notifier.2.41.57." + tsTok + ".3",
			JSDelivery{Stream: "ORDERS", Consumer: "notifier", Delivered: 2, StreamSeq: 41, ConsumerSeq: 57, Stored: ts, Pending: 3}, true},
		{"$JS.ACK._.ABCHASH.ORDERS.notifier.1.41.57." + tsTok + ".0.XyZ",
			JSDelivery{AccountHash: "ABCHASH", Stream: "ORDERS", Consumer: "notifier", Delivered: 1, StreamSeq: 41, ConsumerSeq: 57, Stored: ts}, true},
		// v2 without its last token (11 in all): nats.go takes it too.
		{"$JS.ACK.hub.H.JOBS.workers.1.9.9." + tsTok + ".12",
			JSDelivery{Domain: "hub", AccountHash: "H", Stream: "JOBS", Consumer: "workers", Delivered: 1, StreamSeq: 9, ConsumerSeq: 9, Stored: ts, Pending: 12}, true},
		{"$JS.ACK.ORDERS.c.1.5.5.0.0", JSDelivery{Stream: "ORDERS", Consumer: "c", Delivered: 1, StreamSeq: 5, ConsumerSeq: 5}, true},
		{"$JS.ACK.ORDERS.c.1.5.5.1", JSDelivery{}, false},                      // too short
		{"$JS.ACK.D.H.ORDERS.c.1.5.5.1", JSDelivery{}, false},                  // between the forms
		{"$JS.ACK.ORDERS.c.x.5.5.1.0", JSDelivery{}, false},                    // not a number
		{"$JS.ACK.ORDERS.c.-1.5.5.1.0", JSDelivery{}, false},                   // signed
		{"$JS.ACK.ORDERS.c.+1.5.5.1.0", JSDelivery{}, false},                   // signed
		{"$JS.ACK.ORDERS.c.1.99999999999999999999.5.1.0", JSDelivery{}, false}, // overflows
		{"$JS.ACK..c.1.5.5.1.0", JSDelivery{}, false},                          // no stream
		{"$JS.FC.ORDERS.c.1", JSDelivery{}, false},
		{"_INBOX.abc", JSDelivery{}, false},
		{"", JSDelivery{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseJSDelivery(tt.reply)
		if ok != tt.ok || !got.Stored.Equal(tt.want.Stored) {
			t.Errorf("%q: %+v %v, want %+v %v", tt.reply, got, ok, tt.want, tt.ok)
			continue
		}
		got.Stored, tt.want.Stored = time.Time{}, time.Time{}
		if got != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.reply, got, tt.want)
		}
	}
	d, _ := ParseJSDelivery("$JS.ACK.hub.H.OR\x1b[2JDERS.notifier.2.41.57." + tsTok + ".3.t")
	s := d.String()
	if strings.Contains(s, "\x1b") || !strings.HasPrefix(s, "stream OR") || !strings.HasSuffix(s, "seq 41 → consumer notifier, delivery 2 (consumer seq 57, 3 pending, domain hub)") {
		t.Fatalf("String() = %q", s)
	}
}

func FuzzParseJSDelivery(f *testing.F) {
	for _, s := range []string{"$JS.ACK.ORDERS.notifier.2.41.57.1.3", "$JS.ACK._.H.S.C.1.2.3.4.5.t", "$JS.ACK...", "$JS.ACK.a.b.c.d.e.f.g.h.i.j.k.l.m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseJSDelivery(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(s, "$JS.ACK.") || d.Stream == "" || d.Consumer == "" {
			t.Fatalf("%q decoded as %+v", s, d)
		}
		_ = d.String()
	})
}

// TestPaneCountsDeliveries: a pane counts which of its matches a consumer
// delivered and which of those were redeliveries; a publish, an ack, a
// request and a forged $JS.ACK reply that does not decode are not
// deliveries; Clear starts the counts over. The tree counts them too.
func TestPaneCountsDeliveries(t *testing.T) {
	p := NewPane(1, MustPattern(">"), 0, 0)
	msgs := []Message{
		{Subject: "orders.create"},
		{Subject: "_INBOX.a.1", Reply: "$JS.ACK._.H.ORDERS.notifier.1.41.57.1700000000000000000.3.t"},
		{Subject: "_INBOX.a.2", Reply: "$JS.ACK.ORDERS.notifier.2.41.58.1700000000000000000.2"},
		{Subject: "$JS.ACK.ORDERS.notifier.2.41.58.1700000000000000000.2"},
		{Subject: "svc.echo", Reply: "_INBOX.b.1"},
		{Subject: "orders.fake", Reply: "$JS.ACK.not.a.delivery"},
	}
	for _, m := range msgs {
		p.Add(&m)
	}
	if p.Msgs != 6 || p.Deliveries != 2 || p.Redeliveries != 1 {
		t.Fatalf("msgs %d, deliveries %d, redeliveries %d; want 6, 2, 1", p.Msgs, p.Deliveries, p.Redeliveries)
	}
	p.Clear()
	if p.Deliveries != 0 || p.Redeliveries != 0 {
		t.Fatalf("Clear kept deliveries %d, redeliveries %d", p.Deliveries, p.Redeliveries)
	}
	// The tree counts the same among its totals, and starts over with them.
	start := time.Unix(1_700_000_000, 0)
	e := NewExplorer(ExplorerOptions{}, start)
	e.Apply(msgs, SourceStatus{State: StateConnected}, start)
	if tr := e.Tree(); tr.Msgs != 6 || tr.Deliveries != 2 {
		t.Fatalf("tree: msgs %d, deliveries %d; want 6, 2", tr.Msgs, tr.Deliveries)
	}
	e.Rewind(start.UnixNano())
	if d := e.Tree().Deliveries; d != 0 {
		t.Fatalf("a rewind kept %d deliveries", d)
	}
}

// TestPaneDeliveryCountAllocatesNothing: counting deliveries runs on every
// message a pane takes, so decoding one allocates nothing.
func TestPaneDeliveryCountAllocatesNothing(t *testing.T) {
	for _, reply := range []string{
		"$JS.ACK._.H.ORDERS.notifier.1.41.57.1700000000000000000.3.t",
		"$JS.ACK.ORDERS.notifier.2.41.58.1700000000000000000.2",
		"_INBOX.b.1",
	} {
		if n := testing.AllocsPerRun(100, func() { ParseJSDelivery(reply) }); n != 0 {
			t.Errorf("%q: %v allocations a decode", reply, n)
		}
	}
}

// BenchmarkPaneAddDeliveries is a pane taking plain publishes and taking
// JetStream deliveries (each with its $JS.ACK reply, one in four a
// redelivery): counting the deliveries adds no allocation and little
// time per message.
func BenchmarkPaneAddDeliveries(b *testing.B) {
	data := []byte(`{"id":1042,"total":99.5}`)
	for _, c := range []struct {
		name  string
		reply func(i int) string
	}{
		{"publishes", func(int) string { return "" }},
		{"deliveries", func(i int) string {
			return fmt.Sprintf("$JS.ACK._.AHASH.ORDERS.notifier.%d.%d.%d.1700000000000000000.0.tok", 1+i%4/3, i, i)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			msgs := make([]Message, 1024)
			for i := range msgs {
				msgs[i] = Message{Subject: "orders.create", Reply: c.reply(i), Received: paneT0 + int64(i), Data: data, Size: len(data)}
			}
			p := NewPane(1, MustPattern(">"), 0, 0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.Add(&msgs[i%len(msgs)])
				i++
			}
		})
	}
}
