// Package srvstop shuts down a nats-server running in this process (the
// embedded broker, the tests' servers) without tripping over nats-server's
// own JetStream API workers.
//
// nats-server 2.15.2 starts its JetStream API workers when JetStream comes
// up, and each reads the server's JetStream state once, when it first
// runs. Shutdown clears that state first and stops the workers later. A
// worker the Go scheduler had not yet run (a server that lived a few
// milliseconds on a loaded machine) then starts with no JetStream state,
// takes a request still queued and dereferences nil in
// processJSAPIRoutedRequests, which kills the whole process: natsx quitting
// right after it started, or a test binary (it happened in CI). Waiting
// until no API request is queued or being served before Shutdown lets the
// workers run while the state is still there.
package srvstop

import (
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// drainTimeout bounds the wait for the JetStream API to go idle: a server
// that keeps receiving requests is shut down anyway after it.
const drainTimeout = 2 * time.Second

// Stop waits (up to drainTimeout) until s's JetStream API has no request
// queued or in flight, then shuts s down and waits for it.
func Stop(s *server.Server) {
	for deadline := time.Now().Add(drainTimeout); apiInflight(s) > 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	s.Shutdown()
	s.WaitForShutdown()
}

// apiInflight is the number of JetStream API requests s has queued or is
// serving (0 without JetStream).
func apiInflight(s *server.Server) uint64 {
	if !s.JetStreamEnabled() {
		return 0
	}
	v, err := s.Varz(nil)
	if err != nil || v.JetStream.Stats == nil {
		return 0
	}
	return v.JetStream.Stats.API.Inflight
}
