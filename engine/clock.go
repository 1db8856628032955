package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is a coarse clock for the per-message path: reading it is one atomic
// load instead of time.Now()'s ~50 ns. A goroutine refreshes it every tick
// while it is read; when nobody has read it for half a second it stops
// ticking (an idle natsx should cost nothing) and the next read falls back
// to time.Now() once and wakes it.
type Clock struct {
	now  atomic.Int64
	used atomic.Bool // read since the last tick
	idle atomic.Bool // the ticker is stopped until the next read
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// ClockResolution is how often the coarse clock advances: fine enough for
// per-second rates and for "received" times shown to a person.
const ClockResolution = 10 * time.Millisecond

// idleTicks is how many unread ticks put the clock to sleep.
const idleTicks = 50

// NewClock starts a coarse clock; Stop it when done.
func NewClock() *Clock {
	c := &Clock{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	c.now.Store(time.Now().UnixNano())
	go c.run()
	return c
}

func (c *Clock) run() {
	defer close(c.done)
	t := time.NewTicker(ClockResolution)
	defer t.Stop()
	unread := 0
	for {
		select {
		case now := <-t.C:
			c.now.Store(now.UnixNano())
			if c.used.Swap(false) {
				unread = 0
				continue
			}
			if unread++; unread < idleTicks {
				continue
			}
			// Nobody reads: sleep until someone does.
			t.Stop()
			c.idle.Store(true)
			select {
			case <-c.wake:
			case <-c.stop:
				c.idle.Store(false)
				return
			}
			c.now.Store(time.Now().UnixNano())
			c.idle.Store(false)
			unread = 0
			t.Reset(ClockResolution)
		case <-c.stop:
			return
		}
	}
}

// Now returns the time in Unix nanoseconds, at most ClockResolution old.
func (c *Clock) Now() int64 {
	if c.idle.Load() {
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return time.Now().UnixNano()
	}
	if !c.used.Load() {
		c.used.Store(true) // one store per tick, not per message
	}
	return c.now.Load()
}

// Stop ends the refresh goroutine and waits for it; the time then freezes.
func (c *Clock) Stop() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
