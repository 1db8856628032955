package engine

import (
	"errors"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// subscriberPoll is how often WaitForSubscriber looks: nats-server has no
// event for a new subscription short of the system account's advisories,
// which the embedded broker does not enable.
const subscriberPoll = 10 * time.Millisecond

// drainPoll is how often Drain looks at the clients' pending bytes.
const drainPoll = 5 * time.Millisecond

// ErrNoSubscriber means WaitForSubscriber stopped before a client subscribed.
var ErrNoSubscriber = errors.New("stopped before a client subscribed")

// Subscriptions is how many subscriptions the broker holds now; taken
// before any client connects, it counts the server's own.
func (e *Embedded) Subscriptions() uint32 { return e.srv.NumSubscriptions() }

// WaitForSubscriber waits until the broker holds more than before
// subscriptions (a client subscribed), or done is closed (ErrNoSubscriber):
// replay and open publish only once someone listens, so nothing is
// published into the void.
func (e *Embedded) WaitForSubscriber(done <-chan struct{}, before uint32) error {
	t := time.NewTicker(subscriberPoll)
	defer t.Stop()
	for e.srv.NumSubscriptions() <= before {
		select {
		case <-done:
			return ErrNoSubscriber
		case <-t.C:
		}
	}
	return nil
}

// Drain waits (up to timeout) until the broker has written out what it
// holds for its clients, so a subscriber gets a publisher's tail before the
// broker shuts down.
func (e *Embedded) Drain(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		cz, err := e.srv.Connz(&server.ConnzOptions{})
		if err != nil {
			return
		}
		pending := 0
		for _, c := range cz.Conns {
			pending += c.Pending
		}
		if pending == 0 {
			return
		}
		time.Sleep(drainPoll)
	}
}
