package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// cellOf finds where text is drawn at or right of column minX: the cell a
// person would click. It fails the test when text is not on screen.
func cellOf(t *testing.T, m *Model, text string, minX int) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(screenText(m), "\n") {
		for from := 0; from < len(line); {
			i := strings.Index(line[from:], text)
			if i < 0 {
				break
			}
			i += from
			if x := ansi.StringWidth(line[:i]); x >= minX {
				return x, y
			}
			from = i + 1
		}
	}
	t.Fatalf("%q not on screen right of column %d:\n%s", text, minX, screenText(m))
	return 0, 0
}

func leftClick(x, y int) tea.MouseClickMsg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func wheelAt(x, y int, b tea.MouseButton) tea.MouseWheelMsg {
	return tea.MouseWheelMsg{X: x, Y: y, Button: b}
}

// mouseScene has two panes at 120x32, a.> with a.0 … a.19 and b.> with
// b.0 … b.19, each message's payload naming it, focus on the tree.
func mouseScene(t *testing.T, mouse bool) *Model {
	t.Helper()
	m := New(Options{Start: sceneStart, Mouse: mouse, Filters: []string{"a.>", "b.>"}})
	var msgs []model.Message
	for i := range 20 {
		for _, r := range []string{"a", "b"} {
			s := r + "." + string(rune('A'+i))
			msgs = append(msgs, paneMsg(sceneNow, s, "payload "+s, ""))
		}
	}
	m.Apply(msgs, sceneNow, model.SourceStatus{State: model.StateConnected, Tap: ">"})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	m.Render()
	return m
}

func TestMouseClickPaneRow(t *testing.T) {
	m := mouseScene(t, true)
	// Pane 2's tile starts right of pane 1's (60 cells) and the border.
	x, y := cellOf(t, m, "b.P ", 61)
	if cmd := send(m, leftClick(x, y)); cmd != nil {
		t.Error("a click returned a command")
	}
	if p := m.focusedPane(); p == nil || m.paneIdx != 1 || p.Selected().Subject != "b.P" {
		t.Fatalf("click on b.P: focus %v pane %d", m.focus, m.paneIdx+1)
	}
	if m.ex.Panes()[1].Following() {
		t.Error("selecting an older row left follow mode on")
	}
	if out := screenText(m); !strings.Contains(out, "pane 2 · b.>") || !strings.Contains(out, "payload b.P") {
		t.Errorf("inspector does not show the clicked message:\n%s", out)
	}
	// A click in pane 1's tile moves focus there.
	x, y = cellOf(t, m, "a.S ", 0)
	send(m, leftClick(x, y))
	if m.paneIdx != 0 || m.ex.Panes()[0].Selected().Subject != "a.S" {
		t.Errorf("click on a.S: pane %d selected %s", m.paneIdx+1, m.ex.Panes()[0].Selected().Subject)
	}
	// The title row focuses the pane but selects nothing new.
	x, y = cellOf(t, m, "2 b.>", 61)
	send(m, leftClick(x, y))
	if m.paneIdx != 1 || m.ex.Panes()[1].Selected().Subject != "b.P" {
		t.Errorf("click on pane 2's title: pane %d selected %s", m.paneIdx+1, m.ex.Panes()[1].Selected().Subject)
	}
}

func TestMouseClickTreeRow(t *testing.T) {
	m := mouseScene(t, true)
	send(m, pk("tab")) // focus pane 1 first
	x, y := cellOf(t, m, "b ", 0)
	send(m, leftClick(x+2, y))
	if m.focus != focusTree || selected(m) != "b" {
		t.Fatalf("click on tree row b: focus %v selected %q", m.focus, selected(m))
	}
	if strings.Contains(screenText(m), "pane 1 ·") {
		t.Error("inspector still shows the pane after a click on the tree")
	}
	// A right click does nothing.
	x, y = cellOf(t, m, "a ", 0)
	send(m, tea.MouseClickMsg{X: x + 2, Y: y, Button: tea.MouseRight})
	if selected(m) != "b" {
		t.Errorf("right click selected %q", selected(m))
	}
	// A click in the inspector focuses it.
	x, y = cellOf(t, m, "Inspector", 0)
	send(m, leftClick(x, y+2))
	if m.focus != focusInspector {
		t.Errorf("click in the inspector: focus %v", m.focus)
	}
}

func TestMouseWheel(t *testing.T) {
	m := mouseScene(t, true)
	x, y := cellOf(t, m, "b.T ", 61)
	send(m, wheelAt(x, y, tea.MouseWheelUp))
	p := m.ex.Panes()[1]
	if m.focusedPane() != p || p.Selected().Subject != "b.Q" || p.Following() {
		t.Fatalf("wheel up over pane 2: focus %v pane %d selected %s", m.focus, m.paneIdx+1, p.Selected().Subject)
	}
	send(m, wheelAt(x, y, tea.MouseWheelDown))
	if p.Selected().Subject != "b.T" || p.Following() {
		t.Errorf("wheel down: selected %s following %v, want b.T held (G follows)", p.Selected().Subject, p.Following())
	}
	// Over the tree it moves the tree's selection.
	send(m, pk("tab"), pk("tab")) // focus away: pane 2 → inspector → tree
	x, y = cellOf(t, m, "a ", 0)
	send(m, wheelAt(x, y, tea.MouseWheelDown))
	if m.focus != focusTree || selected(m) != "b" {
		t.Errorf("wheel down over the tree: focus %v selected %q", m.focus, selected(m))
	}
	// Sideways wheels are ignored.
	send(m, wheelAt(x, y, tea.MouseWheelLeft))
	if selected(m) != "b" {
		t.Errorf("wheel left moved to %q", selected(m))
	}
}

func TestMouseOffByDefault(t *testing.T) {
	m := mouseScene(t, false)
	if m.View().MouseMode != tea.MouseModeNone {
		t.Error("mouse reporting on without --mouse")
	}
	before := screenText(m)
	x, y := cellOf(t, m, "b.P ", 61)
	send(m, leftClick(x, y), wheelAt(x, y, tea.MouseWheelUp))
	x, y = cellOf(t, m, "b ", 0)
	send(m, leftClick(x+2, y))
	if m.focus != focusTree || selected(m) != "a" || !m.ex.Panes()[1].Following() {
		t.Errorf("clicks acted without --mouse: focus %v selected %q", m.focus, selected(m))
	}
	if screenText(m) != before {
		t.Error("the screen changed on a click without --mouse")
	}
	if mouseScene(t, true).View().MouseMode != tea.MouseModeCellMotion {
		t.Error("--mouse did not turn mouse reporting on")
	}
}

// TestMouseClickUnderFilterError: a pane showing a refused subscription has
// its list a line lower; a click still selects the row under the pointer.
func TestMouseClickUnderFilterError(t *testing.T) {
	m := mouseScene(t, true)
	st := model.SourceStatus{State: model.StateConnected, Scoped: true,
		FilterErrors: map[string]string{"b.>": "permissions violation"}}
	m.Apply(nil, sceneNow, st)
	m.Render()
	x, y := cellOf(t, m, "b.P ", 61)
	send(m, leftClick(x, y))
	if got := m.ex.Panes()[1].Selected().Subject; got != "b.P" {
		t.Errorf("click on b.P under the error line selected %s", got)
	}
}

// TestMouseTabs: in tab mode a click in the list selects in the shown pane,
// below the tab bar.
func TestMouseTabs(t *testing.T) {
	m := New(Options{Start: sceneStart, Mouse: true, Filters: []string{"a.>", "b.>", "c.>"}})
	var msgs []model.Message
	for i := range 20 {
		s := "a." + string(rune('A'+i))
		msgs = append(msgs, paneMsg(sceneNow, s, s, ""))
	}
	m.Apply(msgs, sceneNow, model.SourceStatus{State: model.StateConnected})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24}, pk("tab"))
	m.Render()
	if !m.band.tabs(80) {
		t.Fatal("3 panes at 80 columns are not tabs")
	}
	x, y := cellOf(t, m, "a.Q ", 0)
	send(m, leftClick(x, y))
	if got := m.ex.Panes()[0].Selected().Subject; got != "a.Q" {
		t.Errorf("click on a.Q in tab mode selected %s", got)
	}
}
