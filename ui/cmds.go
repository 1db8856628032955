package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// Source is where the UI's messages come from: the engine's bounded store,
// read with the UI's own cursor, and the connection's status.
type Source interface {
	// Read copies messages from cursor on into buf; see engine.Store.Read.
	Read(cursor uint64, buf []model.Message) (n int, next, missed uint64)
	// Status reports connection state and drop counters.
	Status() model.SourceStatus
}

// TickInterval is how often the UI pulls from the feed: 20 Hz, whatever
// the message rate.
const TickInterval = 50 * time.Millisecond

// pull waits d, then reads a batch. The cursor and buffer are captured by
// value, so the command touches no model state.
func pull(src Source, tag int, cursor uint64, buf []model.Message, d time.Duration) tea.Cmd {
	read := func(now time.Time) tea.Msg {
		n, next, missed := src.Read(cursor, buf)
		return batchMsg{tag: tag, now: now, buf: buf, n: n, next: next, missed: missed, status: src.Status()}
	}
	if d <= 0 {
		return func() tea.Msg { return read(time.Now()) }
	}
	return tea.Tick(d, read)
}

// FPS caps how often the renderer flushes frames. bubbletea's renderer
// wakes at this rate even when idle; data arrives at 20 Hz, so 30 frames a
// second keeps keys snappy (≤33 ms) at half the idle wake-ups of the
// default 60.
const FPS = 30
