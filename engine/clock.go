package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a coarse clock for the per-message path: reading it is one atomic
// load instead of time.Now()'s ~50 ns. A goroutine refreshes it every tick.
type Clock struct {
	now  atomic.Int64
	stop chan struct{}
	once sync.Once
}

// ClockResolution is how often the coarse clock advances: fine enough for
// per-second rates and for "received" times shown to a person.
const ClockResolution = 10 * time.Millisecond

// NewClock starts a coarse clock; Stop it when done.
func NewClock() *Clock {
	c := &Clock{stop: make(chan struct{})}
	c.now.Store(time.Now().UnixNano())
	go c.run()
	return c
}

func (c *Clock) run() {
	t := time.NewTicker(ClockResolution)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			c.now.Store(now.UnixNano())
		case <-c.stop:
			return
		}
	}
}

// Now returns the time in Unix nanoseconds, at most ClockResolution old.
func (c *Clock) Now() int64 { return c.now.Load() }

// Stop ends the refresh goroutine.
func (c *Clock) Stop() { c.once.Do(func() { close(c.stop) }) }
