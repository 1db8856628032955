// Package testkit holds the test helpers natsx's packages share: a real
// embedded nats-server and a client connection for engine, recorder and
// cli tests, and a pseudo-terminal rendered by a terminal emulator for the
// end-to-end tests and the bench program. It imports no natsx package
// (internal/srvstop aside), so every package's internal tests may use it.
package testkit

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/internal/srvstop"
)

// readyTimeout bounds the wait for a started server to accept clients.
const readyTimeout = 5 * time.Second

// Server starts a real nats-server on a random loopback port for one test
// and shuts it down when the test ends. Each mod changes the options (auth,
// TLS, payload limit) before the server starts.
func Server(t testing.TB, mods ...func(*server.Options)) *server.Server {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	for _, mod := range mods {
		if mod != nil {
			mod(opts)
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("testkit: new server: %v", err)
	}
	// Start returns once the listeners run; ReadyForConnections confirms.
	s.Start()
	if !s.ReadyForConnections(readyTimeout) {
		t.Fatal("testkit: server not ready")
	}
	t.Cleanup(func() {
		// The test's connections closed just before (their cleanups ran
		// first): let the server take them down, reading what they sent
		// last, before srvstop drains the JetStream API.
		for deadline := time.Now().Add(250 * time.Millisecond); s.NumClients() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		srvstop.Stop(s)
	})
	return s
}

// Conn connects a test client to url and closes it when the test ends. It
// silences nats.go's default error handler, which prints slow-consumer
// errors to stderr; opts come after, so a test may set its own.
func Conn(t testing.TB, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	all := append([]nats.Option{nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})}, opts...)
	nc, err := nats.Connect(url, all...)
	if err != nil {
		t.Fatalf("testkit: connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// Monitor is a Server option that opens the HTTP monitoring port on a
// random loopback port; MonitorURL names it once the server runs.
func Monitor(o *server.Options) { o.HTTPHost, o.HTTPPort = "127.0.0.1", -1 }

// MonitorURL is the http:// URL of s's monitoring port (Monitor).
func MonitorURL(t testing.TB, s *server.Server) string {
	t.Helper()
	a := s.MonitorAddr()
	if a == nil {
		t.Fatal("testkit: the server has no monitoring port (testkit.Monitor)")
	}
	return "http://" + a.String()
}
