package engine

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

// runServer starts a real nats-server on a random loopback port for one test.
// Extra settings (auth, TLS) are applied by mod before the server starts.
func runServer(t testing.TB, mod func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	if mod != nil {
		mod(opts)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	s.Start()
	if !s.ReadyForConnections(5e9) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}
