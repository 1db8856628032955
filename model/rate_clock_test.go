package model

import (
	"fmt"
	"testing"
	"time"
)

// TestRateYoungWindowOnTheDataClock plays 66 msg/s and reads every rate
// natsx shows (the subject's, its parent's, the header's, a pane's) while
// the 10 s window is still filling. The window must be divided by the time
// it covers. natsx open starts the explorer at the wall clock but runs it
// on the capture's playhead, years earlier: the start says nothing about
// the data's clock, and dividing by the whole window showed 13/s for 66/s
// two seconds in (issue 12 item 11).
func TestRateYoungWindowOnTheDataClock(t *testing.T) {
	const rate = 66
	data := time.Unix(1_600_000_000, 0) // the capture's first message
	for _, c := range []struct {
		name  string
		start time.Time // NewExplorer's start
		first bool      // the first Apply comes before any message (the player waits)
		after time.Duration
	}{
		{"live, 2 s", data, false, 2 * time.Second},
		{"live, 5.5 s", data, false, 5500 * time.Millisecond},
		{"open, 2 s", time.Unix(1_700_000_000, 0), false, 2 * time.Second},
		{"open, 2 s, empty pull first", time.Unix(1_700_000_000, 0), true, 2 * time.Second},
		{"open, 7.3 s", time.Unix(1_700_000_000, 0), true, 7300 * time.Millisecond},
		{"open, 30 s (window full)", time.Unix(1_700_000_000, 0), false, 30 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := NewExplorer(ExplorerOptions{}, c.start)
			if _, err := e.AddPane(mustPattern(t, "orders.>"), e.Now().UnixNano()); err != nil {
				t.Fatal(err)
			}
			st := SourceStatus{State: StateConnected, Tap: ">"}
			if c.first {
				e.Apply(nil, st, data)
			}
			var batch []Message
			step := time.Second / rate
			for at := time.Duration(0); at < c.after; at += step {
				batch = append(batch, Message{Subject: "orders.eu", Received: data.Add(at).UnixNano(), Data: []byte("x"), Size: 1})
			}
			// In pulls of 50 ms, as the UI reads them.
			now := data
			for len(batch) > 0 {
				now = now.Add(50 * time.Millisecond)
				k := 0
				for k < len(batch) && batch[k].Received <= now.UnixNano() {
					k++
				}
				e.Apply(batch[:k], st, now)
				batch = batch[k:]
			}
			nowNS, since := now.UnixNano(), e.Tree().Since()
			msgs, _ := e.Throughput().Rates(nowNS)
			for what, got := range map[string]float64{
				"orders.eu": mustFind(t, e.Tree(), "orders.eu").Rate(nowNS, since),
				"orders":    mustFind(t, e.Tree(), "orders").Rate(nowNS, since),
				"header":    msgs,
				"pane":      e.Panes()[0].Rate(nowNS, max(e.Panes()[0].Opened, since)),
			} {
				if got < rate*0.95 || got > rate*1.05 {
					t.Errorf("%s: %s/s, want ~%d/s (since %s, now %s)", what, fmt.Sprintf("%.1f", got), rate,
						time.Unix(0, since).UTC().Format(time.TimeOnly), now.UTC().Format(time.TimeOnly))
				}
			}
		})
	}
}
