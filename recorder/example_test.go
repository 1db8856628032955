package recorder_test

import (
	"context"
	"flag"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/recorder"
	"natsx/testkit"
)

var update = flag.Bool("update", false, "rewrite testdata/orders.natsx")

// TestCaptureAsFixture shows a capture used as a test fixture: start an
// embedded nats-server, subscribe the code under test, replay the capture
// into the server at full speed, and check what the code saw.
func TestCaptureAsFixture(t *testing.T) {
	// testkit.Server is server.NewServer with Port -1, NoLog and NoSigs,
	// then Start and ReadyForConnections: copy it into your own tests.
	s := testkit.Server(t)
	nc := testkit.Conn(t, s.ClientURL())

	// The code under test: count the orders created in the EU.
	var created atomic.Int64
	if _, err := nc.Subscribe("orders.eu.created", func(*nats.Msg) { created.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	st, err := recorder.Replay(context.Background(), nc, "testdata/orders.natsx", recorder.ReplayOptions{Speed: math.Inf(1)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for created.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st.Published != 6 || created.Load() != 3 {
		t.Fatalf("published %d, saw %d orders.eu.created, want 6 and 3", st.Published, created.Load())
	}
}

// TestWriteOrdersFixture rewrites testdata/orders.natsx with -update.
func TestWriteOrdersFixture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/orders.natsx")
	}
	w, err := recorder.Create("testdata/orders.natsx", recorder.WriterOptions{
		Created: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), Server: "nats://demo:4222", NatsxVersion: "fixture",
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	for i, m := range []model.Message{
		{Subject: "orders.eu.created", Data: []byte(`{"id":1,"total":12.5}`)},
		{Subject: "orders.us.created", Data: []byte(`{"id":2,"total":99}`), Header: model.Header{"Nats-Msg-Id": {"2"}}},
		{Subject: "orders.eu.created", Data: []byte(`{"id":3,"total":7}`), Reply: "_INBOX.ack.3"},
		{Subject: "orders.eu.shipped", Data: []byte(`{"id":1}`)},
		{Subject: "orders.eu.created", Data: []byte(`{"id":4,"total":1}`)},
		{Subject: "payments.eu.done", Data: []byte(`{"order":1}`)},
	} {
		m.Received = t0 + int64(i)*int64(25*time.Millisecond)
		m.Size = len(m.Data)
		if err := w.WriteMessage(&m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
