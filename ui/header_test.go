package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// TestHeaderSaysLossIsUnknown (issue 11 target 6): after the server cut
// natsx off as a slow consumer, or any disconnect, the header says so and
// since when the loss is unknown: never silence.
func TestHeaderSaysLossIsUnknown(t *testing.T) {
	since := time.Date(2026, 12, 1, 9, 41, 7, 0, time.Local)
	for _, tc := range []struct {
		name   string
		status model.SourceStatus
		want   []string
		not    []string
	}{
		{"never lost", model.SourceStatus{State: model.StateConnected}, nil, []string{"slow consumer", "loss unknown", "no auth"}},
		// issue 12 item 23: --listen 0.0.0.0 is said in the header, not only once on stderr.
		{"exposed", model.SourceStatus{State: model.StateConnected, Embedded: true, Exposed: true}, []string{"open to the network, no auth"}, []string{"loss unknown"}},
		{"reconnected", model.SourceStatus{State: model.StateConnected, Reconnects: 1, LossUnknownSince: since},
			[]string{"loss unknown since 09:41:07", "reconnects 1"}, []string{"slow consumer"}},
		{"slow consumer", model.SourceStatus{State: model.StateConnected, Reconnects: 2, SlowConsumerEvents: 2, LossUnknownSince: since},
			[]string{"slow consumer ×2", "loss unknown since 09:41:07"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &feed{status: tc.status}
			m := New(Options{Source: f, Start: sceneStart})
			send(m, tea.WindowSizeMsg{Width: 200, Height: 30})
			b, _ := runPull(t, m.pullCmd(0))
			send(m, b)
			head := strings.Join(strings.Split(screenText(m), "\n")[:2], "\n")
			for _, w := range tc.want {
				if !strings.Contains(head, w) {
					t.Errorf("header lacks %q:\n%s", w, head)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(head, w) {
					t.Errorf("header has %q:\n%s", w, head)
				}
			}
		})
	}
}
