package srvstop

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// requests is how many JetStream API requests a test queues: well under
// the server's queue limit (10,000).
const requests = 2000

// jetStreamServer starts a nats-server with JetStream, and a connection
// that counts the answers to requests sent with the reply subject
// "answers".
func jetStreamServer(t *testing.T) (*server.Server, *atomic.Int64) {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	answered := new(atomic.Int64)
	if _, err := nc.Subscribe("answers", func(*nats.Msg) { answered.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return s, answered
}

// ask publishes the requests on nc.
func ask(t *testing.T, nc *nats.Conn) {
	t.Helper()
	for range requests {
		if err := nc.PublishRequest("$JS.API.INFO", "answers", nil); err != nil {
			t.Fatal(err)
		}
	}
}

// wantAnswered waits a little for every answer the server sent before it
// stopped to arrive, then checks there is one per request.
func wantAnswered(t *testing.T, answered *atomic.Int64) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); answered.Load() < requests && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if got := answered.Load(); got != requests {
		t.Fatalf("%d of %d requests answered", got, requests)
	}
}

// TestStopDrainsTheAPI: requests queued for the JetStream API when Stop is
// called are all served before the server shuts down, so none is left for
// an API worker that starts after JetStream is gone.
func TestStopDrainsTheAPI(t *testing.T) {
	s, answered := jetStreamServer(t)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ask(t, nc)
	if err := nc.Flush(); err != nil { // the server has queued them all
		t.Fatal(err)
	}
	Stop(s)
	wantAnswered(t, answered)
}

// TestStopWaitsForClosedConnections: a connection closed right after its
// requests (natsx quitting) may still have them unread on the server; Stop
// told its client ID waits for it to go, so it serves them all (another
// client, the one counting answers, stays connected).
func TestStopWaitsForClosedConnections(t *testing.T) {
	s, answered := jetStreamServer(t)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	cid, err := nc.GetClientID()
	if err != nil {
		t.Fatal(err)
	}
	ask(t, nc)
	nc.Close() // flushes what it buffered, without waiting for the server
	Stop(s, cid)
	wantAnswered(t, answered)
}
