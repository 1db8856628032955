// Package srvstop shuts down a nats-server running in this process (the
// embedded broker, the tests' servers) without tripping over nats-server's
// own JetStream API workers.
//
// nats-server 2.15.2 starts its JetStream API workers when JetStream comes
// up, and each reads the server's JetStream state once, when it first
// runs. Shutdown clears that state first and closes the connections later.
// A worker the Go scheduler had not yet run (a server that lived a few
// milliseconds on a loaded machine) then starts with no JetStream state,
// takes a request still queued and dereferences nil in
// processJSAPIRoutedRequests, which kills the whole process: natsx quitting
// right after it started, or a test binary (it happened in CI).
//
// Stop first waits for the connections the caller just closed to go (the
// server reads what they sent last, requests included, before it takes
// them down), then until no API request is queued or being served, so
// nothing is left for such a worker. A request that arrives after that,
// before Shutdown closes the connections (a client of the embedded broker
// other than natsx's own), is not covered.
package srvstop

import (
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// closedTimeout bounds the wait for the connections the caller closed.
const closedTimeout = 2 * time.Second

// drainTimeout bounds the wait for the JetStream API to go idle: a server
// that keeps receiving requests (other clients of the embedded broker) is
// shut down anyway after it.
const drainTimeout = 2 * time.Second

// Stop waits (up to 2 s) until the connections with the client IDs closed
// (nats.Conn.GetClientID, taken before Close) are gone from s, then (up to
// 2 s) until its JetStream API has no request queued or in flight; then it
// shuts s down and waits for it.
func Stop(s *server.Server, closed ...uint64) {
	deadline := time.Now().Add(closedTimeout)
	for _, cid := range closed {
		for s.GetClient(cid) != nil && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	for deadline := time.Now().Add(drainTimeout); apiInflight(s) > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // Jsz reads every stream's state
	}
	s.Shutdown()
	s.WaitForShutdown()
}

// apiInflight is the number of JetStream API requests s has queued or is
// serving (0 without JetStream).
func apiInflight(s *server.Server) uint64 {
	jsi, err := s.Jsz(&server.JSzOptions{})
	if err != nil || jsi == nil {
		return 0
	}
	return jsi.API.Inflight
}
