package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
	"natsx/testkit/keys"
)

// msgsOn returns one small message per subject, in order.
func msgsOn(received time.Time, subjects ...string) []model.Message {
	out := make([]model.Message, len(subjects))
	for i, s := range subjects {
		out[i] = model.Message{Subject: s, Received: received.UnixNano(), Data: []byte("x"), Size: 1}
	}
	return out
}

// press is the key a user types, as bubbletea v2 delivers it.
func press(s string) tea.KeyPressMsg { return keys.Press(s) }

func TestPressStringsMatchBindings(t *testing.T) {
	// The test's key messages must render as the strings the key map binds,
	// or every key test below would pass or fail for the wrong reason.
	for _, s := range []string{"up", "down", "left", "right", "enter", "esc", "space", "pgup", "pgdown", "home", "end", "ctrl+c", "ctrl+u", "tab", "shift+tab", "j", "G", "?", "/", "."} {
		if got := press(s).String(); got != s {
			t.Errorf("press(%q).String() = %q", s, got)
		}
	}
}

// send delivers msgs to m in order and returns the last command.
func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		var next tea.Model
		next, cmd = m.Update(msg)
		if next != m {
			panic("Update returned a different model")
		}
	}
	return cmd
}

// typeText presses one key per rune of s.
func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, press(string(r)))
	}
}

// keyScene is a model with a known tree, rendered once at 80x24 so the tree
// view knows its height:
//
//	▸ a        (a.x, a.y)
//	▸ b        (b.z)
//	  c        (most messages)
//	  _INBOX.x (hidden noise)
func keyScene(t *testing.T) *Model {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	m := New(Options{Start: start})
	msgs := msgsOn(start.Add(time.Second), "a.x", "a.y", "b.z", "c", "c", "c", "c", "_INBOX.x")
	m.Apply(msgs, start.Add(2*time.Second), model.SourceStatus{State: model.StateConnected})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Render()
	return m
}

// selected is the selected subject, "" when none.
func selected(m *Model) string {
	if n := m.ex.TreeView().Selected(); !n.IsZero() {
		return n.Subject()
	}
	return ""
}

// rowSubjects lists the visible rows' subjects.
func rowSubjects(m *Model) []string {
	var out []string
	for _, n := range m.ex.TreeView().Rows() {
		out = append(out, n.Subject())
	}
	return out
}

func TestKeysNavigate(t *testing.T) {
	m := keyScene(t)
	steps := []struct {
		key      string
		selected string
		rows     []string
	}{
		{"", "a", []string{"a", "b", "c"}},
		{"j", "b", nil},
		{"down", "c", nil},
		{"down", "c", nil}, // clamped at the bottom
		{"k", "b", nil},
		{"up", "a", nil},
		{"up", "a", nil}, // clamped at the top
		{"l", "a", []string{"a", "a.x", "a.y", "b", "c"}},
		{"l", "a.x", nil}, // expanded: into the first child
		{"j", "a.y", nil},
		{"l", "a.y", nil}, // a leaf: nothing to expand
		{"h", "a", nil},   // a leaf: up to the parent
		{"h", "a", []string{"a", "b", "c"}},
		{"h", "a", nil}, // a collapsed root: nowhere to go
		{"right", "a", []string{"a", "a.x", "a.y", "b", "c"}},
		{"right", "a.x", nil},
		{"left", "a", nil},
		{"left", "a", []string{"a", "b", "c"}},
		{"enter", "a", []string{"a", "a.x", "a.y", "b", "c"}},
		{"enter", "a", []string{"a", "b", "c"}},
		{"space", "a", []string{"a", "a.x", "a.y", "b", "c"}},
		{"G", "c", nil},
		{"g", "a", nil},
		{"end", "c", nil},
		{"home", "a", nil},
		{"j", "a.x", nil},
		{"enter", "a.x", []string{"a", "a.x", "a.y", "b", "c"}}, // a leaf: no toggle
	}
	for i, s := range steps {
		if s.key != "" {
			if cmd := send(m, press(s.key)); cmd != nil {
				t.Errorf("step %d %q returned a command", i, s.key)
			}
		}
		if got := selected(m); got != s.selected {
			t.Fatalf("step %d %q: selected %q, want %q", i, s.key, got, s.selected)
		}
		if s.rows != nil && !slices.Equal(rowSubjects(m), s.rows) {
			t.Fatalf("step %d %q: rows %q, want %q", i, s.key, rowSubjects(m), s.rows)
		}
	}
}

func TestKeysPage(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	m := New(Options{Start: start})
	var subjects []string
	for i := range 60 {
		subjects = append(subjects, fmt.Sprintf("p.%02d", i))
	}
	m.Apply(msgsOn(start, subjects...), start, model.SourceStatus{})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24}, press("l"))
	m.Render() // a frame before the keys, as on a terminal (sizes come from Update)

	h := m.ex.TreeView().Height()
	if h < 2 {
		t.Fatalf("view height %d after a render at 80x24", h)
	}
	rows := len(m.ex.TreeView().Rows())
	send(m, press("pgdown"))
	if got := m.ex.TreeView().Cursor(); got != h {
		t.Errorf("pgdown: cursor %d, want %d", got, h)
	}
	send(m, press("pgdown"))
	if got := m.ex.TreeView().Cursor(); got != 2*h {
		t.Errorf("pgdown twice: cursor %d, want %d", got, 2*h)
	}
	send(m, press("pgup"))
	if got := m.ex.TreeView().Cursor(); got != h {
		t.Errorf("pgup: cursor %d, want %d", got, h)
	}
	for range rows/h + 2 {
		send(m, press("pgdown"))
	}
	if got := m.ex.TreeView().Cursor(); got != rows-1 {
		t.Errorf("pgdown past the end: cursor %d, want the last row %d", got, rows-1)
	}
	// The selected row stays on screen.
	win, first := m.ex.TreeView().Window()
	if c := m.ex.TreeView().Cursor(); c < first || c >= first+len(win) {
		t.Errorf("cursor %d outside window [%d,%d)", c, first, first+len(win))
	}
	for range rows/h + 2 {
		send(m, press("pgup"))
	}
	if got := m.ex.TreeView().Cursor(); got != 0 {
		t.Errorf("pgup past the top: cursor %d, want 0", got)
	}
}

func TestKeySortCycles(t *testing.T) {
	m := keyScene(t)
	// b has fewer messages than c but more bytes.
	big := model.Message{Subject: "b.z", Received: time.Unix(1_700_000_002, 0).UnixNano(), Data: make([]byte, 100), Size: 100}
	m.Apply([]model.Message{big}, time.Unix(1_700_000_002, 0), model.SourceStatus{State: model.StateConnected})
	want := []struct {
		key   string
		sort  model.SortMode
		label string
		first string
	}{
		{"s", model.SortRate, "rate ↓", "c"},   // c has the most traffic
		{"s", model.SortCount, "count ↓", "c"}, // and the most messages
		{"s", model.SortBytes, "bytes ↓", "b"}, // b the most bytes
		{"S", model.SortBytes | model.SortReversed, "bytes ↑", "a"},
		{"s", model.SortName, "name ↑", "a"}, // s starts the next key in its own direction
		{"S", model.SortName | model.SortReversed, "name ↓", "c"},
		{"S", model.SortName, "name ↑", "a"},
	}
	for i, w := range want {
		send(m, press(w.key))
		if m.ex.TreeView().Sort != w.sort {
			t.Fatalf("press %d (%s): sort %v, want %v", i+1, w.key, m.ex.TreeView().Sort, w.sort)
		}
		if got := rowSubjects(m)[0]; got != w.first {
			t.Errorf("sort %v: first row %q, want %q", w.sort, got, w.first)
		}
		out := ansi.Strip(m.Render())
		if !strings.Contains(out, "sort "+w.label) {
			t.Errorf("sort %q not shown in the tree title:\n%s", w.label, out)
		}
		if !strings.Contains(out, "sort by "+w.label) {
			t.Errorf("no flash %q:\n%s", "sort by "+w.label, out)
		}
	}
}

func TestKeyNoiseToggles(t *testing.T) {
	m := keyScene(t)
	if slices.Contains(rowSubjects(m), "_INBOX") {
		t.Fatal("_INBOX shown before asking")
	}
	send(m, press("."))
	if !slices.Contains(rowSubjects(m), "_INBOX") {
		t.Errorf("'.' did not show _INBOX: rows %q", rowSubjects(m))
	}
	if !strings.Contains(m.Render(), "showing _INBOX") {
		t.Error("no flash after showing noise")
	}
	send(m, press("."))
	if slices.Contains(rowSubjects(m), "_INBOX") {
		t.Errorf("'.' again did not hide _INBOX: rows %q", rowSubjects(m))
	}
}

func TestKeyNoiseHidesSelection(t *testing.T) {
	m := keyScene(t)
	// '_' sorts before lower-case letters: _INBOX becomes the first row.
	send(m, press("."), press("g"))
	if got := selected(m); got != "_INBOX" {
		t.Fatalf("selected %q, want _INBOX", got)
	}
	send(m, press("."))
	if got := selected(m); got == "_INBOX" || got == "" {
		t.Errorf("hidden _INBOX still selected (%q)", got)
	}
}

func TestKeyHelp(t *testing.T) {
	for _, closer := range []string{"?", "esc"} {
		m := keyScene(t)
		send(m, press("?"))
		if m.mode != modeHelp {
			t.Fatal("'?' did not open help")
		}
		if !strings.Contains(m.Render(), "natsx keys") {
			t.Error("help screen not rendered")
		}
		// Tree keys do nothing while help is shown.
		send(m, press("j"))
		if got := selected(m); got != "a" {
			t.Errorf("'j' under help moved the selection to %q", got)
		}
		send(m, press(closer))
		if m.mode == modeHelp {
			t.Errorf("%q did not close help", closer)
		}
		if strings.Contains(m.Render(), "natsx keys") {
			t.Errorf("help still rendered after %q", closer)
		}
	}
}

func TestKeyQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		for _, inHelp := range []bool{false, true} {
			m := keyScene(t)
			if inHelp {
				send(m, press("?"))
			}
			cmd := send(m, press(k))
			if cmd == nil {
				t.Fatalf("%q (help %v) returned no command", k, inHelp)
			}
			if msg := cmd(); msg != (tea.QuitMsg{}) {
				t.Errorf("%q (help %v): command produced %T, want tea.QuitMsg", k, inHelp, msg)
			}
		}
	}
}

func TestWindowSizeLayout(t *testing.T) {
	m := searchScene(t)
	for _, tc := range []struct {
		w, h       int
		sideBySide bool
	}{
		{80, 24, false},
		{109, 30, false},
		{110, 30, true},
		{120, 32, true},
		{200, 50, true},
	} {
		send(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
		if m.width != tc.w || m.height != tc.h {
			t.Fatalf("size %dx%d not kept: %dx%d", tc.w, tc.h, m.width, m.height)
		}
		lines := strings.Split(m.Render(), "\n")
		if len(lines) != tc.h {
			t.Errorf("%dx%d: %d lines", tc.w, tc.h, len(lines))
		}
		// Line 2 is the first body line: both pane titles when side by
		// side; the tree's title alone, with the inspector further down,
		// when stacked.
		title := lines[2]
		if !strings.Contains(title, "Subjects") {
			t.Fatalf("%dx%d: first body line %q has no tree title", tc.w, tc.h, title)
		}
		if got := strings.Contains(title, "Inspector"); got != tc.sideBySide {
			t.Errorf("%dx%d: side by side = %v, want %v", tc.w, tc.h, got, tc.sideBySide)
		}
		if !tc.sideBySide && !strings.Contains(strings.Join(lines[3:], "\n"), "Inspector") {
			t.Errorf("%dx%d: stacked layout has no inspector", tc.w, tc.h)
		}
	}
}

func TestBackgroundColorSetsStyles(t *testing.T) {
	m := keyScene(t)
	dark := m.Render()
	send(m, tea.BackgroundColorMsg{Color: color.White})
	if m.styles.App.GetForeground() == DefaultStyles(true).App.GetForeground() {
		t.Error("a light background kept the dark styles")
	}
	if m.Render() == dark {
		t.Error("a light background did not change the frame")
	}
}

func TestStatusMsgFlashes(t *testing.T) {
	m := keyScene(t)
	send(m, statusMsg{text: "export failed: \x1b[2Jdisk full", isErr: true})
	out := m.Render()
	if !strings.Contains(out, `export failed: \x1b[2Jdisk full`) {
		t.Errorf("flash not shown, or not sanitized:\n%s", out)
	}
	requireTerminalSafe(t, out)
}
