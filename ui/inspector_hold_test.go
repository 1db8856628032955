package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// inspectorLine is the inspector's line starting with label (right of the
// tree's border in the wide layout), trimmed.
func inspectorLine(m *Model, label string) string {
	for _, l := range strings.Split(screenText(m), "\n") {
		parts := strings.Split(l, "│")
		part := strings.TrimSpace(parts[len(parts)-1])
		if strings.HasPrefix(part, label) {
			return part
		}
	}
	return ""
}

// TestInspectorPanePosition (issue 12 item 14): in a pane the inspector's
// position counts the whole list, not the rows up to the selection, and
// ] goes on past it.
func TestInspectorPanePosition(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 40, "s.>")
	publishN(f, 0, 451)
	pullInto(t, m)
	send(m, pk("tab"), pk("k"), pk("k"), pk("k"))
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   448/451") {
		t.Fatalf("three rows up from the newest of 451: %q, want 448/451", got)
	}
	send(m, press("]"))
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   449/451") {
		t.Errorf("] from 448: %q, want 449/451", got)
	}
	if sel := m.ex.Panes()[0].Selected(); sel.Subject != "s.448" {
		t.Errorf("] moved the inspector but the pane selects %s, want s.448", sel.Subject)
	}
	send(m, press("["), press("["))
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   447/451") {
		t.Errorf("[ twice from 449: %q, want 447/451", got)
	}
}

// TestInspectorHoldsWhileReading (issue 12 item 15): following the newest
// is fine until the user moves; scrolling the inspector is a move, for a
// pane's message and for a subject's.
func TestInspectorHoldsWhileReading(t *testing.T) {
	long := strings.Repeat("line\n", 80)
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 40, "s.>")
	for i := range 5 {
		f.publish(paneMsg(sceneNow, "s.x", fmt.Sprintf("first %d\n%s", i, long), ""))
	}
	pullInto(t, m)
	send(m, pk("tab")) // the pane, following
	send(m, pk("tab")) // the inspector, showing the pane's message
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   5/5") {
		t.Fatalf("inspector at %q, want 5/5", got)
	}
	send(m, press("down"))
	for i := range 3 {
		f.publish(paneMsg(sceneNow, "s.x", fmt.Sprintf("later %d\n%s", i, long), ""))
	}
	pullInto(t, m)
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   5/8") {
		t.Errorf("pane's message, scrolled, after 3 arrivals: %q, want 5/8", got)
	}
	// The tree's subject: the same.
	m = paneModel(f, 120, 40)
	pullInto(t, m)
	n := m.ex.Tree().Find("s.x")
	m.ex.TreeView().Reveal(n, sceneNow.UnixNano())
	send(m, pk("tab")) // the inspector (no panes)
	if m.focus != focusInspector {
		t.Fatalf("focus %v", m.focus)
	}
	send(m, press("down"))
	before := inspectorLine(m, "message")
	f.publish(paneMsg(sceneNow, "s.x", "newest\n"+long, ""))
	pullInto(t, m)
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   8/9") {
		t.Errorf("subject's message, scrolled, after an arrival: %q (was %q), want 8/9", got, before)
	}
}

// TestInspectorPinLeavesRing (issue 12 item 13): a message stepped to
// stays on screen when the subject's ring turns over it, and the
// inspector says it is no longer kept instead of showing another message
// at the same position.
func TestInspectorPinLeavesRing(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 40)
	for i := range 16 {
		f.publish(paneMsg(sceneNow, "busy", fmt.Sprintf("payload-%d", i), ""))
	}
	pullInto(t, m)
	m.ex.TreeView().Reveal(m.ex.Tree().Find("busy"), sceneNow.UnixNano())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	for range 15 {
		send(m, press("["))
	}
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   1/16") || !strings.Contains(screenText(m), "payload-0") {
		t.Fatalf("after 15 × [: %q, want 1/16 showing payload-0", got)
	}
	for i := 16; i < 24; i++ {
		f.publish(paneMsg(sceneNow, "busy", fmt.Sprintf("payload-%d", i), ""))
	}
	pullInto(t, m)
	out := screenText(m)
	if !strings.Contains(out, "payload-0") || strings.Contains(inspectorLine(m, "message"), "1/16") {
		t.Fatalf("the pinned message left the ring; the inspector shows:\n%s", out)
	}
	if !strings.Contains(out, "no longer kept") {
		t.Errorf("the inspector does not say the message left the history:\n%s", out)
	}
	// ] goes to the oldest message still kept.
	send(m, press("]"))
	if got := inspectorLine(m, "message"); !strings.HasPrefix(got, "message   1/16") || !strings.Contains(screenText(m), "payload-8") {
		t.Errorf("] from a message no longer kept: %q, want 1/16 (payload-8)", got)
	}
}

// TestInspectorPaneSelectionEvicted: the sibling of item 13 in a pane.
// When the selected message is evicted, the list holds at the oldest
// row, but the inspector keeps the message the user selected and says
// it left the pane.
func TestInspectorPaneSelectionEvicted(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := New(Options{Source: f, Start: sceneStart, Filters: []string{"s.>"}, PaneDepth: 5})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	publishN(f, 0, 5)
	pullInto(t, m)
	send(m, pk("tab"), pk("g")) // s.0
	publishN(f, 5, 7)
	pullInto(t, m)
	out := screenText(m)
	if !onOwnLine(out, "s.0") || !strings.Contains(out, "no longer kept") {
		t.Errorf("the selected s.0 was evicted; the inspector shows:\n%s", out)
	}
}

// TestDiffBigPayloads (issue 12 item 8): two 1,000,000-byte payloads that
// differ after the kept 64 KiB, or differ in size, are not "identical" —
// in a subject's history and in a pane.
func TestDiffBigPayloads(t *testing.T) {
	big := func(flip byte, n int) string {
		b := []byte(strings.Repeat("0123456789abcde\n", n/16+1)[:n])
		b[900_000] = flip
		return string(b)
	}
	for _, tc := range []struct {
		name      string
		a, b      string
		wantSome  []string
		identical bool
	}{
		// The tree and the panes both keep a hash of the whole payload
		// where they cut it, so neither has to say "not compared".
		{"differ after the kept bytes", big('0', 1_000_000), big('X', 1_000_000), []string{"differs after the kept 64 KiB"}, false},
		{"differ in size", big('0', 1_000_000), big('0', 1_000_001), []string{"sizes differ"}, false},
		{"the same big payload", big('0', 1_000_000), big('0', 1_000_000), []string{"identical"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
			m := paneModel(f, 160, 40, "big")
			f.publish(paneMsg(sceneNow, "big", tc.a, ""), paneMsg(sceneNow, "big", tc.b, ""))
			pullInto(t, m)
			m.ex.TreeView().Reveal(m.ex.Tree().Find("big"), sceneNow.UnixNano())
			for _, where := range []string{"tree", "pane"} {
				if where == "pane" {
					send(m, pk("tab"))
				}
				send(m, press("d"))
				out := screenText(m)
				if strings.Contains(out, "identical") != tc.identical || !containsAny(out, tc.wantSome) {
					t.Errorf("%s: the diff claims what it did not check or does not say so:\n%s", where, out)
				}
				send(m, press("d"))
			}
		})
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestCutPayloadSaysSo: the siblings of item 8: copy, find and edit of a
// payload natsx kept only the start of say that they act on that start.
func TestCutPayloadSaysSo(t *testing.T) {
	p := &recordingPublisher{}
	m := New(Options{Source: p, Start: sceneStart})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	p.publish(paneMsg(sceneNow, "big", strings.Repeat("a", 200_000), ""))
	pullInto(t, m)
	send(m, press("y"))
	if !strings.Contains(m.flash.text, "the first 64 KiB of a 195 KiB payload") {
		t.Errorf("copy: %q", m.flash.text)
	}
	send(m, pk("tab"))
	m.findInPayload("zzz", true, false)
	if !strings.Contains(m.flash.text, "not in the kept 64 KiB") {
		t.Errorf("find: %q", m.flash.text)
	}
	send(m, pk("tab"), press("e"))
	if m.mode != modeForm || !strings.Contains(m.form.err, "payload cut to the kept 64 KiB") {
		t.Errorf("edit: mode %v, form says %q", m.mode, m.form.err)
	}
}

// TestInspectorPaneSelectionEvictedUnseen: a pane's selection evicted
// while the inspector showed the tree: no copy of it, so the inspector
// says the oldest kept is what it shows, and never the tree's message.
func TestInspectorPaneSelectionEvictedUnseen(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := New(Options{Source: f, Start: sceneStart, Filters: []string{"s.>"}, PaneDepth: 5})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	publishN(f, 0, 5)
	f.publish(paneMsg(sceneNow, "other", "tree-message", ""))
	pullInto(t, m)
	send(m, pk("tab"), pk("g")) // s.0 in the pane
	send(m, pk("shift+tab"))    // back to the tree
	m.ex.TreeView().Reveal(m.ex.Tree().Find("other"), sceneNow.UnixNano())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	publishN(f, 5, 7)
	pullInto(t, m)
	send(m, pk("tab")) // the pane again
	out := screenText(m)
	if strings.Contains(out, "tree-message") && strings.Contains(out, "pane 1 ·") {
		t.Errorf("the pane's inspector shows the tree's message:\n%s", out)
	}
	if !strings.Contains(out, "no longer kept") {
		t.Errorf("the inspector does not say the selection left the pane:\n%s", out)
	}
}
