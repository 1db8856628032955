package engine

import (
	"errors"
	"testing"
	"time"

	"natsx/testkit"
)

// TestWaitForSubscriber: no client, the wait ends when done closes; a
// client's subscription ends it at once.
func TestWaitForSubscriber(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	before := e.Subscriptions()
	done := make(chan struct{})
	close(done)
	if err := e.WaitForSubscriber(done, before); !errors.Is(err, ErrNoSubscriber) {
		t.Fatalf("closed done: %v, want ErrNoSubscriber", err)
	}
	nc := testkit.Conn(t, e.URL())
	if _, err := nc.SubscribeSync("x"); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- e.WaitForSubscriber(make(chan struct{}), before) }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a subscriber did not end the wait")
	}
}

// TestDrain: after a publisher's flush, Drain returns once the subscriber
// has every message, well before its timeout.
func TestDrain(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	sub := testkit.Conn(t, e.URL())
	s, err := sub.SubscribeSync("d")
	if err != nil {
		t.Fatal(err)
	}
	_ = sub.Flush()
	pub := testkit.Conn(t, e.URL())
	for range 1000 {
		_ = pub.Publish("d", make([]byte, 100))
	}
	_ = pub.Flush()
	start := time.Now()
	e.Drain(5 * time.Second)
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("Drain took %v", d)
	}
	for i := range 1000 {
		if _, err := s.NextMsg(5 * time.Second); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}
