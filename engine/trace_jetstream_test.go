package engine

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestTraceJetStream: the trace names the stream that would store the
// message, and the trace-only copy is not stored.
func TestTraceJetStream(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, func(o *server.Options) {
		o.JetStream, o.StoreDir = true, t.TempDir()
	})
	nc := testkit.Conn(t, s.ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Storage: jetstream.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	r := trace(t, nc, "orders.new")
	if r.Origin == nil || r.Origin.JetStream == nil || r.Origin.JetStream.Stream != "ORDERS" || r.Origin.JetStream.Error != "" {
		t.Fatalf("origin %+v problems %v", r.Origin, r.Problems)
	}
	info, err := st.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Fatalf("a trace-only message was stored: %d messages", info.State.Msgs)
	}
}
