package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// TestInspectorDurations reads the inspector's durations as a person does
// (model.HumanDuration): a gap of 380µs is not "+0s after previous", a
// request answered in 212µs not "in 210µs", and an rtt of 1.196123s is
// 1.2s.
func TestInspectorDurations(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	t0 := start.Add(time.Second)
	at := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	msgs := []model.Message{
		{Subject: "tick", Received: at(0), Data: []byte("a")},
		{Subject: "tick", Received: at(380 * time.Microsecond), Data: []byte("b")},
		{Subject: "slow", Received: at(0), Data: []byte("a")},
		{Subject: "slow", Received: at(1196123 * time.Microsecond), Data: []byte("b")},
		{Subject: "svc.echo", Reply: "_INBOX.q.1", Received: at(2 * time.Second), Data: []byte("ping")},
		{Subject: "_INBOX.q.1", Received: at(2*time.Second + 212*time.Microsecond), Data: []byte("pong")},
	}
	for i := range msgs {
		msgs[i].Seq, msgs[i].Size = uint64(i+1), len(msgs[i].Data)
	}
	m := New(Options{Start: start})
	m.Apply(msgs, t0.Add(3*time.Second), model.SourceStatus{State: model.StateConnected})
	send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	m.Render()
	for _, tc := range []struct {
		subject string
		want    []string
	}{
		{"tick", []string{"2/2 · +380µs after previous"}},
		{"slow", []string{"2/2 · +1.2s after previous"}},
		{"svc.echo", []string{"answered  in 212µs", "1 answered · p50 ", "max 212µs"}},
		{"_INBOX.q.1", []string{"answers   svc.echo (212µs)"}},
	} {
		m.ex.TreeView().Reveal(m.ex.Tree().Find(tc.subject), m.ex.Now().UnixNano())
		send(m, press("l")) // any key: the inspector syncs in Update
		out := ansi.Strip(m.Render())
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", tc.subject, w, out)
			}
		}
	}
	send(m, requestDoneMsg{subject: "svc.echo", msg: model.Message{Subject: "_INBOX.r.1", Seq: 99, Data: []byte("pong")}, rtt: 1196123 * time.Microsecond})
	if out := ansi.Strip(m.Render()); !strings.Contains(out, "rtt       1.2s") {
		t.Errorf("response: no rtt 1.2s in\n%s", out)
	}
}
