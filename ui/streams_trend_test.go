package ui

import (
	"strings"
	"testing"
)

// TestStreamsTrend: each listing adds a stream's message count to its
// sparkline (wide terminals only); a growing count rises from ▁ to █, a
// steady one stays flat.
func TestStreamsTrend(t *testing.T) {
	lister := &fakeStreams{rows: sceneStreams()}
	m := streamsScene(t, 160, 30, lister)
	for i := range 3 {
		rows := sceneStreams() // the view sorts what it is given: a fresh listing each time
		rows[0].Messages += uint64(10 * (i + 1))
		lister.rows = rows
		cmd := send(m, streamsTickMsg{tag: m.streams.tag})
		run(t, m, cmd)
	}
	if !strings.Contains(screenText(m), "MSGS TREND") {
		t.Fatalf("no trend column at 160 columns:\n%s", screenText(m))
	}
	var orders, jobs string
	for l := range strings.SplitSeq(screenText(m), "\n") {
		switch {
		case strings.HasPrefix(l, "ORDERS "):
			orders = l
		case strings.HasPrefix(l, "JOBS "):
			jobs = l
		}
	}
	if !strings.Contains(orders, "▁") || !strings.Contains(orders, "█") || strings.Index(orders, "▁") > strings.Index(orders, "█") {
		t.Errorf("ORDERS grew, its trend does not rise: %q", orders)
	}
	if !strings.Contains(jobs, "▁▁▁▁") || strings.Contains(jobs, "█") {
		t.Errorf("JOBS is steady, its trend is not flat: %q", jobs)
	}
	m = streamsScene(t, 80, 24, &fakeStreams{rows: sceneStreams()})
	if strings.Contains(screenText(m), "TREND") {
		t.Error("a trend column at 80 columns")
	}
}
