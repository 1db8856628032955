package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// paneScene is a focused pane "s.>" holding s.0 … s.9 (payloads m0 … m9),
// drawn at 120x32.
func paneScene(t *testing.T) (*Model, *feed) {
	t.Helper()
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 32, "s.>")
	publishN(f, 0, 10)
	pullInto(t, m)
	send(m, pk("tab"))
	if m.focusedPane() == nil {
		t.Fatal("tab did not focus the pane")
	}
	m.Render()
	return m, f
}

// publishN publishes s.from … s.to-1 with payloads m<i>.
func publishN(f *feed, from, to int) {
	for i := from; i < to; i++ {
		f.publish(paneMsg(sceneNow, fmt.Sprintf("s.%d", i), fmt.Sprintf("m%d", i), ""))
	}
}

// paneTitle is the focused pane's title line.
func paneTitle(t *testing.T, m *Model) string {
	t.Helper()
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, fmt.Sprintf("%d %s", m.paneIdx+1, m.ex.Panes()[m.paneIdx].Name)) && strings.Contains(l, " msgs ") {
			return l
		}
	}
	t.Fatalf("no title for pane %d on screen:\n%s", m.paneIdx+1, screenText(m))
	return ""
}

func TestPaneKeysMove(t *testing.T) {
	m, f := paneScene(t)
	p := m.ex.Panes()[0]
	sel := func() string { return p.Selected().Subject }
	for i, s := range []struct {
		key, want string
		following bool
	}{
		{"", "s.9", true},
		{"k", "s.8", false},
		{"up", "s.7", false},
		{"j", "s.8", false},
		{"g", "s.0", false},
		{"k", "s.0", false},
		{"down", "s.1", false},
		{"pgdown", "s.9", false}, // the newest, held: only G follows
		{"pgup", "s.0", false},
		{"G", "s.9", true},
		{"home", "s.0", false},
		{"end", "s.9", true},
	} {
		if s.key != "" {
			send(m, pk(s.key))
		}
		if sel() != s.want || p.Following() != s.following {
			t.Fatalf("step %d %q: selected %s following %v, want %s %v", i, s.key, sel(), p.Following(), s.want, s.following)
		}
		// The tree's selection does not move with the pane's.
		if selected(m) != "s" {
			t.Fatalf("step %d: pane key moved the tree to %q", i, selected(m))
		}
	}
	// Scrolled up, arrivals are counted in the title and the list holds.
	send(m, pk("k"), pk("k"))
	publishN(f, 10, 13)
	pullInto(t, m)
	if sel() != "s.7" {
		t.Errorf("arrivals moved the selection to %s", sel())
	}
	if title := paneTitle(t, m); !strings.Contains(title, "↓3 new") || !strings.Contains(title, "13 msgs") {
		t.Errorf("title %q: want 13 msgs and ↓3 new", title)
	}
	send(m, pk("G"))
	if title := paneTitle(t, m); strings.Contains(title, "new") || sel() != "s.12" {
		t.Errorf("after G: title %q selected %s", title, sel())
	}
}

// TestPaneKeysPause (issue 12 item 16): space freezes the list; what
// arrives is kept out of sight and shows on resume; what the pane could
// not keep is marked where it belongs.
func TestPaneKeysPause(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := New(Options{Source: f, Start: sceneStart, Filters: []string{"s.>"}, PaneDepth: 12})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	publishN(f, 0, 10)
	pullInto(t, m)
	send(m, pk("tab"))
	p := m.ex.Panes()[0]
	if send(m, pk("space")); !p.Paused {
		t.Fatal("space did not pause the pane")
	}
	if title := paneTitle(t, m); !strings.Contains(title, "paused +0") {
		t.Errorf("title %q does not say paused", title)
	}
	publishN(f, 10, 14)
	pullInto(t, m)
	title := paneTitle(t, m)
	if !strings.Contains(title, "⏸ paused +4 (2 not kept: pane full)") || !strings.Contains(title, "14 msgs") {
		t.Errorf("title %q: want 14 msgs and paused +4, 2 not kept", title)
	}
	if out := screenText(m); strings.Contains(out, "s.10") || !strings.Contains(out, "s.9") {
		t.Errorf("the paused list changed:\n%s", out)
	}
	// The tree goes on counting.
	if m.ex.Tree().Msgs != 14 {
		t.Errorf("tree msgs %d while the pane was paused, want 14", m.ex.Tree().Msgs)
	}
	send(m, pk("space"))
	if p.Paused || strings.Contains(paneTitle(t, m), "paused") {
		t.Error("space again did not resume")
	}
	if out := screenText(m); !strings.Contains(out, "s.10") || !strings.Contains(out, "s.11") || strings.Contains(out, "s.12") {
		t.Errorf("resumed: the messages kept during the pause (s.10, s.11; not s.12) are not shown:\n%s", out)
	}
	publishN(f, 14, 15)
	pullInto(t, m)
	if p.Selected().Subject != "s.14" || !strings.Contains(screenText(m), "⋯2 lost⋯") {
		t.Errorf("resumed: selected %s; want s.14 after a ⋯2 lost⋯ mark:\n%s", p.Selected().Subject, screenText(m))
	}
}

// TestPaneKeysClear (issue 12 item 17): c empties the list and its count.
func TestPaneKeysClear(t *testing.T) {
	m, f := paneScene(t)
	send(m, pk("k"), pk("c"))
	p := m.ex.Panes()[0]
	if p.Len() != 0 {
		t.Errorf("cleared: list %d, want 0", p.Len())
	}
	if title := paneTitle(t, m); !strings.Contains(title, " 0 msgs") {
		t.Errorf("cleared: title %q, want 0 msgs", title)
	}
	out := screenText(m)
	if !strings.Contains(out, "waiting for s.>") || !strings.Contains(out, "no message in this pane yet") {
		t.Errorf("cleared pane not shown empty:\n%s", out)
	}
	if m.ex.Tree().Msgs != 10 {
		t.Error("clearing a pane touched the tree")
	}
	publishN(f, 10, 11)
	pullInto(t, m)
	if p.Len() != 1 || !p.Following() || !strings.Contains(paneTitle(t, m), " 1 msgs") {
		t.Errorf("after clear: list %d following %v title %q", p.Len(), p.Following(), paneTitle(t, m))
	}
}

func TestPaneKeysRename(t *testing.T) {
	m, _ := paneScene(t)
	send(m, pk("a"))
	if m.prompt.kind != promptRename || m.prompt.input.Value() != "s.>" {
		t.Fatalf("a: prompt %v value %q, want rename with the current name", m.prompt.kind, m.prompt.input.Value())
	}
	if f := footerText(m); !strings.Contains(f, "rename>") {
		t.Errorf("footer %q", f)
	}
	send(m, pk("ctrl+u"))
	typeIn(m, "my sensors")
	send(m, pk("enter"))
	if got := m.ex.Panes()[0].Name; got != "my sensors" || m.prompt.kind != promptNone {
		t.Fatalf("renamed to %q (prompt %v)", got, m.prompt.kind)
	}
	if !strings.Contains(screenText(m), "1 my sensors s.>") {
		t.Errorf("title does not show the name and the pattern:\n%s", screenText(m))
	}
	// esc keeps the name; an empty name goes back to the pattern.
	send(m, pk("a"), pk("ctrl+u"), pk("x"), pk("esc"))
	if got := m.ex.Panes()[0].Name; got != "my sensors" {
		t.Errorf("esc renamed to %q", got)
	}
	send(m, pk("a"), pk("ctrl+u"), pk("enter"))
	if got := m.ex.Panes()[0].Name; got != "s.>" {
		t.Errorf("empty rename: name %q, want the pattern", got)
	}
	// :rename does the same for the focused pane.
	send(m, pk(":"))
	typeIn(m, "rename temps")
	send(m, pk("enter"))
	if got := m.ex.Panes()[0].Name; got != "temps" {
		t.Errorf(":rename: name %q", got)
	}
	// The pattern never changes.
	if m.ex.Panes()[0].Pattern.String() != "s.>" {
		t.Errorf("renaming changed the pattern to %q", m.ex.Panes()[0].Pattern)
	}
}

func TestPaneKeysCloseAndReorder(t *testing.T) {
	m := paneModel(nil, 120, 32, "a.>", "b.>", "c.>")
	send(m, pk("tab")) // pane 1
	for i, s := range []struct {
		key   string
		order []string
		idx   int
	}{
		{">", []string{"b.>", "a.>", "c.>"}, 1},
		{">", []string{"b.>", "c.>", "a.>"}, 2},
		{">", []string{"b.>", "c.>", "a.>"}, 2}, // already last
		{"<", []string{"b.>", "a.>", "c.>"}, 1},
		{"<", []string{"a.>", "b.>", "c.>"}, 0},
		{"<", []string{"a.>", "b.>", "c.>"}, 0}, // already first
		{"tab", []string{"a.>", "b.>", "c.>"}, 1},
		{"x", []string{"a.>", "c.>"}, 1},
		{"x", []string{"a.>"}, 0},
	} {
		send(m, pk(s.key))
		var got []string
		for _, p := range m.ex.Panes() {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, s.order) || m.paneIdx != s.idx || m.focus != focusPane {
			t.Fatalf("step %d %q: panes %v focus %v on %d, want %v on %d", i, s.key, got, m.focus, m.paneIdx, s.order, s.idx)
		}
	}
	if !strings.Contains(screenText(m), "1 a.>") {
		t.Error("remaining pane not numbered 1")
	}
	send(m, pk("x"))
	if len(m.ex.Panes()) != 0 || m.focus != focusTree {
		t.Errorf("closing the last pane: %d panes, focus %v; want none, the tree", len(m.ex.Panes()), m.focus)
	}
	// With focus on the tree, pane keys are tree keys or nothing.
	m = paneModel(nil, 120, 32, "a.>", "b.>")
	send(m, pk(">"), pk("x"), pk("c"), pk("a"))
	if len(m.ex.Panes()) != 2 || m.ex.Panes()[0].Name != "a.>" || m.prompt.kind != promptNone {
		t.Errorf("pane keys acted with the tree focused: %v, prompt %v", paneNames(m), m.prompt.kind)
	}
}

// TestTreeMarksPanes: tree rows carry the digits of the panes that match
// them.
func TestTreeMarksPanes(t *testing.T) {
	m := paneModel(nil, 120, 32, "a.>", "b.*", "a.x")
	m.Apply(msgsOn(sceneNow, "a.x", "b.y", "c"), sceneNow, model.SourceStatus{})
	send(m, pk("l")) // expand a
	want := map[string]string{"a": "1 3", "a.x": "13", "b": "2", "c": ""}
	for subj, digits := range want {
		n := m.ex.Tree().Find(subj)
		marks, w := m.band.markers(n)
		got := ansi.Strip(marks)
		if strings.ReplaceAll(want[subj], " ", "") != got || w != len(got) {
			t.Errorf("%s: markers %q (width %d), want %q", subj, got, w, strings.ReplaceAll(digits, " ", ""))
		}
	}
}

func TestInspectorShowsPaneSelection(t *testing.T) {
	m, _ := paneScene(t)
	send(m, pk("k"), pk("k"), pk("k")) // s.6
	out := screenText(m)
	if !strings.Contains(out, "pane 1 · s.>") || !onOwnLine(out, "s.6") || !strings.Contains(out, "m6") {
		t.Fatalf("inspector does not show pane 1's s.6:\n%s", out)
	}
	// Focusing the inspector keeps showing the pane's message.
	send(m, pk("tab"))
	if m.focus != focusInspector || !strings.Contains(screenText(m), "pane 1 · s.>") {
		t.Errorf("inspector focused: no longer shows the pane's message")
	}
	// Back on the tree, the inspector follows the tree again.
	send(m, pk("tab"))
	out = screenText(m)
	if strings.Contains(out, "pane 1 ·") {
		t.Errorf("tree focused: inspector still shows the pane:\n%s", out)
	}
}

// onOwnLine reports whether some line, trimmed and cut at the pane border,
// is exactly s: the inspector shows the subject alone on its line.
func onOwnLine(screen, s string) bool {
	for _, l := range strings.Split(screen, "\n") {
		for _, part := range strings.Split(l, "│") {
			if strings.TrimSpace(part) == s {
				return true
			}
		}
	}
	return false
}

// TestFilterErrorOnItsPane: a refused subscription is shown on the pane
// that asked for it, and only there.
func TestFilterErrorOnItsPane(t *testing.T) {
	m := paneModel(nil, 120, 32, "a.>", "secret.>")
	st := model.SourceStatus{State: model.StateConnected, Scoped: true,
		FilterErrors: map[string]string{"secret.>": "permissions violation for \x1b[31msecret.>"}}
	m.Apply(nil, sceneNow, st)
	out := m.Render()
	requireScreen(t, out, 120, 32)
	lines := strings.Split(ansi.Strip(out), "\n")
	var hits []string
	for _, l := range lines {
		if i := strings.Index(l, "permissions violation"); i >= 0 {
			hits = append(hits, l)
			if col := ansi.StringWidth(l[:i]); col < 61 {
				t.Errorf("error at column %d, in pane 1's tile: %q", col, l)
			}
		}
	}
	if len(hits) != 1 {
		t.Fatalf("error shown %d times, want once:\n%s", len(hits), ansi.Strip(out))
	}
	if !strings.Contains(hits[0], `\x1b[31m`) {
		t.Errorf("error not sanitized: %q", hits[0])
	}
}

// TestPausedEmptyPaneInspector (review): a pane paused while empty, or
// cleared while paused, gets a message it does not show yet; the inspector
// on it must say so, not index the list at -1 and panic.
func TestPausedEmptyPaneInspector(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 32, "s.>")
	publishN(f, 0, 1)
	pullInto(t, m)
	send(m, pk("tab"))
	send(m, pk("space")) // pause
	send(m, pk("c"))     // clear while paused
	publishN(f, 1, 2)
	pullInto(t, m)
	if out := screenText(m); !strings.Contains(out, "nothing shown yet") {
		t.Fatalf("the inspector does not say the paused pane shows nothing yet:\n%s", out)
	}
}
