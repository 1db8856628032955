package srvstop

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// TestStopDrainsTheAPI: requests queued for the JetStream API when Stop is
// called are all served before the server shuts down, so no API worker
// can meet a queued request after JetStream is gone.
func TestStopDrainsTheAPI(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var answered atomic.Int64
	if _, err := nc.Subscribe("answers", func(*nats.Msg) { answered.Add(1) }); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for range n {
		if err := nc.PublishRequest("$JS.API.INFO", "answers", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil { // the server has queued them all
		t.Fatal(err)
	}
	Stop(s)
	time.Sleep(200 * time.Millisecond)
	if got := answered.Load(); got != n {
		t.Fatalf("%d of %d requests answered", got, n)
	}
}
