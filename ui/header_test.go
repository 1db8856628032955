package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

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

// headerScene is the golden scene (view_test.go) with options o and the
// source reporting st.
func headerScene(t *testing.T, w, h int, o Options, st model.SourceStatus) *Model {
	t.Helper()
	o.Start = sceneStart
	m := New(o)
	m.Apply(sceneMessages(), sceneNow, st)
	m.storeDropped = 1500
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m.Render()
	return m
}

// TestHeaderGolden (issue 15 items 1, 10 and 13): the header fits 80 and
// 200 columns by dropping and shortening fields in order, never by cutting
// a line: at 80x24 the throughput sparkline shows and line 2 ends whole.
// It names the natscli context in use (sanitized, no secret: the URL comes
// redacted) and shows a badge while --read-only is on.
func TestHeaderGolden(t *testing.T) {
	since := time.Date(2025, 6, 1, 11, 59, 50, 0, time.UTC)
	external := model.SourceStatus{
		URL: "tls://ops:***@prod-eu.example.com:4222", Context: "prod-eu", State: model.StateConnected,
		Tap: ">", ServerDropped: -1, Server: "prod-eu-2", ServerVersion: "2.11.4", Probe: "acct",
	}
	embedded := sceneStatus
	embedded.Server, embedded.ServerVersion, embedded.Probe = "natsx-embedded", "2.12.1", "embedded"
	trouble := sceneStatus
	trouble.Exposed, trouble.State = true, model.StateReconnecting
	trouble.SlowConsumerEvents, trouble.LossUnknownSince, trouble.Reconnects = 2, since, 3
	trouble.Probe = "embedded" // reconnecting: no server to name
	scoped := external
	scoped.Scoped, scoped.Tap, scoped.Probe = true, "", "?"
	for _, tc := range []struct {
		name string
		o    Options
		st   model.SourceStatus
	}{
		{"embedded", Options{}, embedded},
		{"context-read-only", Options{ReadOnly: true}, external},
		{"scoped", Options{Filters: []string{"orders.>", "sensors.*.1", "logs.app"}}, scoped},
		{"trouble", Options{}, trouble},
	} {
		for _, sz := range []struct{ w, h int }{{80, 24}, {200, 50}} {
			t.Run(fmt.Sprintf("%s-%dx%d", tc.name, sz.w, sz.h), func(t *testing.T) {
				m := headerScene(t, sz.w, sz.h, tc.o, tc.st)
				head := strings.Join(strings.Split(render(t, m, sz.w, sz.h), "\n")[:2], "\n")
				golden.RequireEqual(t, []byte(head))
				plain := ansi.Strip(head)
				if strings.Contains(plain, "…") {
					t.Errorf("header cut short:\n%s", plain)
				}
				if !strings.ContainsAny(strings.Split(plain, "\n")[0], "▁▂▃▄▅▆▇█") {
					t.Errorf("no throughput sparkline:\n%s", plain)
				}
				if strings.Contains(plain, "ops:") && !strings.Contains(plain, "ops:***@") {
					t.Errorf("a secret in the header:\n%s", plain)
				}
				if tc.o.ReadOnly != (strings.Contains(plain, " read-only ") || strings.Contains(plain, " RO ")) {
					t.Errorf("read-only %v, header:\n%s", tc.o.ReadOnly, plain)
				}
				// issue 14 item 6: the capability probe's word at every width.
				if !strings.Contains(strings.Split(plain, "\n")[0], " "+tc.st.Probe+" ") {
					t.Errorf("the probe's word %q is missing:\n%s", tc.st.Probe, plain)
				}
				if sz.w == 200 && tc.st.Server != "" && !strings.Contains(plain, "server "+tc.st.Server+" "+tc.st.ServerVersion) {
					t.Errorf("the server's name and version are missing:\n%s", plain)
				}
				if tc.st.Context != "" && !strings.Contains(plain, "prod-eu") {
					t.Errorf("the context's name is missing:\n%s", plain)
				}
			})
		}
	}
}

// TestHeaderContextSanitized: a context's name is a file name on the
// user's disk, shown through the sanitizer and bounded.
func TestHeaderContextSanitized(t *testing.T) {
	st := sceneStatus
	st.Embedded, st.Context = false, "evil\x1b]0;pwned\x07\u202e"+strings.Repeat("x", 100)
	m := headerScene(t, 200, 50, Options{}, st)
	out := render(t, m, 200, 50)
	head := ansi.Strip(strings.Split(out, "\n")[0])
	if !strings.Contains(head, `evil\x1b]0;pwned`) || strings.Count(head, "x") > maxContextName {
		t.Errorf("context name not sanitized and bounded:\n%s", head)
	}
}

// TestHeaderFitsEveryWidth: at every width the header's lines are exactly
// the width, and from 80 columns on neither is cut short.
func TestHeaderFitsEveryWidth(t *testing.T) {
	for w := 20; w <= 220; w++ {
		m := headerScene(t, w, 24, Options{ReadOnly: true}, sceneStatus)
		for i, l := range m.headerView(w) {
			if got := ansi.StringWidth(l); got != w {
				t.Fatalf("width %d: line %d is %d cells", w, i+1, got)
			}
			if w >= 80 && strings.Contains(ansi.Strip(l), "…") {
				t.Errorf("width %d: line %d cut: %q", w, i+1, ansi.Strip(l))
			}
		}
	}
}
