package tea

// natsx patch (see PATCH.md): the renderer's ticker runs only while there
// are frames to draw, and a frame for input is drawn at once.
//
// Upstream v2.1.1 flushes on an unconditional ticker for the program's
// whole life: an idle program wakes fps times a second to find that nothing
// changed, and a key's frame waits for the next tick (up to a frame).

import (
	"sync/atomic"
	"time"
)

// inputGap is the least time between an input frame and the frame before
// it: a held key or a wheel draws at most this often beyond the ticker.
const inputGap = 4 * time.Millisecond

// quietTicks is how many ticks in a row find nothing new before the ticker
// stops.
const quietTicks = 2

// frameSched is the renderer loop's schedule: the event loop asks for a
// frame after each Update (request), the loop flushes.
type frameSched struct {
	wake  chan struct{} // buffered 1: a request while the loop is busy is not lost
	dirty atomic.Bool   // a frame was asked for since the last flush
	input atomic.Bool   // the frame asked for answers input
	wakes atomic.Int64  // the loop's wake-ups, for tests: none while asleep
}

func newFrameSched() frameSched {
	return frameSched{wake: make(chan struct{}, 1)}
}

// request asks for a frame; input frames are drawn at once rather than at
// the next tick.
func (f *frameSched) request(input bool) {
	f.dirty.Store(true)
	if input {
		f.input.Store(true)
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// loop flushes while frames are asked for: on each tick that has one, and
// at once for the first request after a quiet spell (the ticker was
// stopped) or for input. Input that comes less than inputGap after the
// last frame (a key typed while a frame was being drawn: its request waits
// in wake until the flush returns) is drawn when the gap is over, not at
// the next tick, which is up to a whole frame later. The dirty flag is
// cleared before the flush, so a request that comes during a flush is
// drawn by the next tick, or after the gap if it is input.
func (f *frameSched) loop(t *time.Ticker, rate time.Duration, done <-chan struct{}, flush func()) {
	ticking, quiet := true, 0
	var last time.Time
	gap := time.NewTimer(time.Hour)
	gap.Stop()
	gapSet := false
	draw := func() {
		if gapSet { // this frame answers the input the timer waits for
			gap.Stop()
			gapSet = false
		}
		f.dirty.Store(false)
		f.input.Store(false)
		flush()
		last = time.Now()
		quiet = 0
	}
	for {
		var tick <-chan time.Time
		if ticking {
			tick = t.C
		}
		select {
		case <-done:
			t.Stop()
			gap.Stop()
			return
		case <-f.wake:
			f.wakes.Add(1)
			switch {
			case !ticking:
				draw()
				t.Reset(rate)
				ticking = true
			case !f.input.Load():
			case time.Since(last) >= inputGap:
				draw()
			case !gapSet:
				gap.Reset(inputGap - time.Since(last))
				gapSet = true
			}
		case <-gap.C:
			f.wakes.Add(1)
			gapSet = false
			if f.input.Load() { // not drawn by a tick since
				draw()
			}
		case <-tick:
			f.wakes.Add(1)
			if f.dirty.Load() {
				draw()
				continue
			}
			if quiet++; quiet >= quietTicks {
				t.Stop()
				ticking = false
			}
		}
	}
}

// isInputMsg reports whether msg is the user's input, whose frame is drawn
// at once. Mouse motion is not: it comes in floods.
func isInputMsg(msg Msg) bool {
	switch msg.(type) {
	case KeyPressMsg, MouseClickMsg, MouseWheelMsg, PasteMsg:
		return true
	}
	return false
}
