package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"natsx/model"
)

// temps are sensor readings with sequence numbers from seq on.
func temps(seq uint64, readings ...string) []model.Message {
	var out []model.Message
	for i, r := range readings {
		subj, val, _ := strings.Cut(r, "=")
		m := paneMsg(sceneNow.Add(time.Duration(seq)*time.Millisecond), subj, fmt.Sprintf(`{"temp": %s, "seq": %d}`, val, seq+uint64(i)), "")
		m.Seq = seq + uint64(i)
		out = append(out, m)
	}
	return out
}

// TestBreakpointStopsDisplay: b sets a breakpoint with a condition; the
// first matching message stops the display on it (tree and inspector on
// it, panes paused, the footer names the breakpoint and its hits) while
// traffic is still counted; b continues to the next match; :break lists,
// disables and deletes.
func TestBreakpointStopsDisplay(t *testing.T) {
	m := paneModel(nil, 160, 40, "sensors.>")
	send(m, pk("tab")) // the pane
	send(m, pk("b"))
	if m.prompt.kind != promptBreak || m.prompt.input.Value() != "sensors.>" {
		t.Fatalf("b: prompt %v offering %q, want the break prompt offering the pane's filter", m.prompt.kind, m.prompt.input.Value())
	}
	send(m, pk("backspace"))
	typeIn(m, "sensors.*.temp where .temp > 80")
	send(m, pk("enter"))
	if m.prompt.kind != promptNone || len(m.bps.List()) != 1 {
		t.Fatalf("prompt %v err %q, %d breakpoints", m.prompt.kind, m.prompt.err, len(m.bps.List()))
	}
	batch := temps(1, "sensors.a.temp=20", "sensors.b.temp=85", "sensors.c.temp=90", "other.x=99")
	hit := unsafe.StringData(batch[1].Subject)
	m.Apply(batch, sceneNow, model.SourceStatus{})
	if m.stop == nil || m.stop.seq != 2 || m.bps.List()[0].Hits != 1 {
		t.Fatalf("stop %+v hits %d, want a stop at message 2 and one hit", m.stop, m.bps.List()[0].Hits)
	}
	// The stop keeps a copy of the subject: a batch's point into the
	// engine's store's pages.
	if m.stop.subject != "sensors.b.temp" || unsafe.StringData(m.stop.subject) == hit {
		t.Fatalf("the stop holds %q from the batch itself, want a copy", m.stop.subject)
	}
	p := m.ex.Panes()[0]
	if !p.Paused || selected(m) != "sensors.b.temp" || m.focus != focusTree {
		t.Errorf("pane paused %v, tree on %q (focus %v): want the pane paused and the tree on sensors.b.temp", p.Paused, selected(m), m.focus)
	}
	if p.PausedNew != 1 {
		// sensors.c.temp came after the hit in the same batch: held back
		// by the paused pane, not shown past the stop.
		t.Errorf("after the stop: %d held by the paused pane, want 1 (sensors.c.temp)", p.PausedNew)
	}
	out := screenText(m)
	for _, want := range []string{"⏸ breakpoint 1 · 1 hit", "b continue", "sensors.b.temp · sensors.*.temp where .temp > 80", `"seq": 2`} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	// Traffic goes on being counted; the display stays on the hit.
	before := m.ex.Tree().Msgs
	m.Apply(temps(10, "sensors.b.temp=99", "sensors.b.temp=21"), sceneNow.Add(time.Second), model.SourceStatus{})
	if m.ex.Tree().Msgs != before+2 || p.PausedNew != 3 || m.stop.seq != 2 || m.bps.List()[0].Hits != 1 {
		t.Fatalf("while stopped: tree %d (was %d), pane +%d, stop at %d, hits %d", m.ex.Tree().Msgs, before, p.PausedNew, m.stop.seq, m.bps.List()[0].Hits)
	}
	if out := screenText(m); !strings.Contains(out, `"seq": 2`) || strings.Contains(out, `"seq": 11`) {
		t.Errorf("the inspector left the hit:\n%s", out)
	}
	// b continues: the pane resumes; the next match stops again.
	send(m, pk("b"))
	if m.stop != nil || p.Paused || m.prompt.kind != promptNone {
		t.Fatalf("b while stopped: stop %v, pane paused %v, prompt %v", m.stop, p.Paused, m.prompt.kind)
	}
	m.Apply(temps(20, "sensors.a.temp=10", "sensors.z.temp=81"), sceneNow.Add(2*time.Second), model.SourceStatus{})
	if m.stop == nil || m.stop.seq != 21 || m.bps.List()[0].Hits != 2 {
		t.Fatalf("next match: stop %+v, hits %d", m.stop, m.bps.List()[0].Hits)
	}
	if !strings.Contains(footerText(m), "⏸ breakpoint 1 · 2 hits") {
		t.Errorf("footer %q", footerText(m))
	}
	// :break off 1 goes on and disables it; nothing stops then.
	colon(m, "break off 1")
	if m.stop != nil || m.bps.List()[0].Enabled {
		t.Fatal(":break off 1 left the display stopped or the breakpoint on")
	}
	m.Apply(temps(30, "sensors.a.temp=95"), sceneNow.Add(3*time.Second), model.SourceStatus{})
	if m.stop != nil {
		t.Fatal("a disabled breakpoint stopped the display")
	}
	colon(m, "break")
	if f := footerText(m); !strings.Contains(f, "breakpoints: 1 off sensors.*.temp where .temp > 80 (2 hits)") {
		t.Errorf(":break lists %q", f)
	}
	colon(m, "break del 1")
	if len(m.bps.List()) != 0 {
		t.Error(":break del 1 left it")
	}
}

// TestBreakpointRefused: a malformed breakpoint is refused in the prompt
// with its place, and nothing is set.
func TestBreakpointRefused(t *testing.T) {
	for _, tc := range []struct{ line, reason string }{
		{"break sensors.> where .temp >", "line 1, column 8: unexpected end"},
		{"break sensors..x", "empty token"},
		{"break del 3", "there is no breakpoint 3"},
		{"break off x", "not a breakpoint number"},
	} {
		m := paneModel(nil, 200, 40)
		colon(m, tc.line)
		if m.prompt.kind != promptCommand || len(m.bps.List()) != 0 || !strings.Contains(footerText(m), tc.reason) {
			t.Errorf(":%s: prompt %v, %d breakpoints, footer %q", tc.line, m.prompt.kind, len(m.bps.List()), footerText(m))
		}
	}
	m := paneModel(nil, 200, 40)
	for i := range 10 {
		colon(m, fmt.Sprintf("break a.%d", i))
	}
	if len(m.bps.List()) != 9 || !strings.Contains(footerText(m), "at most 9 breakpoints") {
		t.Errorf("%d breakpoints, footer %q", len(m.bps.List()), footerText(m))
	}
}
