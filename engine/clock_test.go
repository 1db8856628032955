package engine

import (
	"testing"
	"time"
)

func TestClockAdvances(t *testing.T) {
	before := time.Now().UnixNano()
	c := NewClock()
	defer c.Stop()
	t0 := c.Now()
	if t0 < before || t0 > time.Now().UnixNano() {
		t.Fatalf("Now() = %d right after NewClock, want the current time", t0)
	}
	// Wait for a few ticks rather than timing them; the bound on staleness is
	// loose on purpose (a loaded machine delays tickers), but catches a clock
	// that stopped or counts in the wrong unit.
	var maxLag int64
	last := t0
	for range 3 {
		sessionWait(t, 5*time.Second, "the clock to advance", func() bool { return c.Now() > last })
		got, real := c.Now(), time.Now().UnixNano()
		if got > real {
			t.Fatalf("Now() = %d is ahead of time.Now() = %d", got, real)
		}
		maxLag = max(maxLag, real-got)
		last = got
	}
	if maxLag > int64(time.Second) {
		t.Fatalf("Now() lagged time.Now() by %s, resolution %s", time.Duration(maxLag), ClockResolution)
	}
	t.Logf("largest lag seen %s (resolution %s)", time.Duration(maxLag), ClockResolution)
}

func TestClockStop(t *testing.T) {
	c := NewClock()
	c.Stop()
	c.Stop() // idempotent: a second Stop must not panic on a closed channel
	// After Stop the goroutine is gone and the time freezes.
	time.Sleep(5 * ClockResolution)
	frozen := c.Now()
	time.Sleep(5 * ClockResolution)
	if got := c.Now(); got != frozen {
		t.Fatalf("Now() moved from %d to %d after Stop", frozen, got)
	}
}

// BenchmarkClockNow against BenchmarkTimeNow is the reason Clock exists.
func BenchmarkClockNow(b *testing.B) {
	c := NewClock()
	defer c.Stop()
	var sink int64
	for b.Loop() {
		sink += c.Now()
	}
	_ = sink
}

func BenchmarkTimeNow(b *testing.B) {
	var sink int64
	for b.Loop() {
		sink += time.Now().UnixNano()
	}
	_ = sink
}

// TestClockSleepsWhenUnread: an unread clock stops ticking (idle natsx costs
// nothing) and a read still returns the current time and wakes it.
func TestClockSleepsWhenUnread(t *testing.T) {
	c := NewClock()
	defer c.Stop()
	sessionWait(t, 10*time.Second, "the clock to go idle", func() bool { return c.idle.Load() })
	time.Sleep(3 * ClockResolution)
	before := time.Now().UnixNano()
	if got := c.Now(); got < before {
		t.Fatalf("idle clock returned a stale time: %d < %d", got, before)
	}
	sessionWait(t, 5*time.Second, "the clock to wake", func() bool { return !c.idle.Load() })
}
