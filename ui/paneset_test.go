package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// colon types a ":" command, presses enter and returns enter's command.
func colon(m *Model, line string) tea.Cmd {
	send(m, pk(":"))
	typeIn(m, line)
	return send(m, pk("enter"))
}

// runIO runs a command that does IO (save, load) and returns its message.
func runIO(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return cmd()
}

// writeState writes a pane set file and returns its path.
func writeState(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "natsx", "panes.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSaveAndLoadPanes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "natsx", "panes.json")
	m := New(Options{Start: sceneStart, StatePath: path, Filters: []string{"orders.*.created", "sensors.>"}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32}, pk("tab"))
	send(m, pk("a"), pk("ctrl+u"))
	typeIn(m, "new orders")
	send(m, pk("enter"))

	msg := runIO(t, colon(m, "save"))
	st, ok := msg.(statusMsg)
	if !ok || st.isErr || !strings.Contains(st.text, "saved 2 panes") {
		t.Fatalf(":save produced %#v, want a statusMsg saying 2 panes were saved", msg)
	}
	send(m, msg)
	if f := footerText(m); !strings.Contains(f, "saved 2 panes to") {
		t.Errorf("footer %q does not report the save", f)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var set PaneSet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("saved file is not JSON: %v\n%s", err, b)
	}
	want := []SavedPane{{Name: "new orders", Pattern: "orders.*.created"}, {Name: "sensors.>", Pattern: "sensors.>"}}
	if !slices.Equal(set.Panes, want) {
		t.Errorf("saved %+v, want %+v", set.Panes, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}

	// :load replaces whatever panes there are.
	m2 := New(Options{Start: sceneStart, StatePath: path, Filters: []string{"z.>"}})
	send(m2, tea.WindowSizeMsg{Width: 120, Height: 32})
	msg = runIO(t, colon(m2, "load"))
	if _, ok := msg.(panesLoadedMsg); !ok {
		t.Fatalf(":load produced %T", msg)
	}
	send(m2, msg)
	if got := paneNames(m2); !slices.Equal(got, []string{"new orders=orders.*.created", "sensors.>=sensors.>"}) {
		t.Errorf("loaded panes %v", got)
	}
	if m2.focus != focusTree {
		t.Errorf("after load: focus %v, want the tree", m2.focus)
	}
	if f := footerText(m2); !strings.Contains(f, "loaded 2 panes") {
		t.Errorf("footer %q does not report the load", f)
	}
	out := screenText(m2)
	if !strings.Contains(out, "1 new orders orders.*.created") || !strings.Contains(out, "2 sensors.>") {
		t.Errorf("loaded panes not drawn:\n%s", out)
	}
}

// TestLoadedPanesLeaveInspectorOnTree: after a load the tree has focus, so
// the inspector shows the tree's selection, not the last loaded pane.
func TestLoadedPanesLeaveInspectorOnTree(t *testing.T) {
	path := writeState(t, `{"panes":[{"name":"","pattern":"a.>"},{"name":"bees","pattern":"b.>"}]}`)
	m := New(Options{Start: sceneStart, StatePath: path})
	m.Apply(msgsOn(sceneNow, "c"), sceneNow, model.SourceStatus{State: model.StateConnected})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	send(m, runIO(t, m.loadPanesCmd(false)))
	if len(m.ex.Panes()) != 2 || m.ex.Panes()[0].Name != "a.>" || m.ex.Panes()[1].Name != "bees" {
		t.Fatalf("loaded %v", paneNames(m))
	}
	out := screenText(m)
	if strings.Contains(out, "pane 2 ·") || strings.Contains(out, "no message in this pane yet") {
		t.Errorf("tree focused after load, but the inspector shows a pane:\n%s", out)
	}
	if !onOwnLine(out, "c") {
		t.Errorf("inspector does not show the tree's selection c:\n%s", out)
	}
	// Tab reaches the first pane.
	send(m, pk("tab"))
	if m.focusedPane() != m.ex.Panes()[0] {
		t.Errorf("tab after load focused pane %d", m.paneIdx+1)
	}
}

func TestLoadPaneProblems(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		explain       bool
		panes         []string
		flash         string // "" for none
	}{
		{"invalid entries skipped", `{"panes":[{"name":"bad","pattern":"foo..bar"},{"pattern":"ok.>"},{"pattern":""}]}`, true,
			[]string{"ok.>=ok.>"}, "loaded 1 pane, skipped 2 invalid"},
		{"corrupt", `{"panes":[`, true, []string{"keep.>=keep.>"}, "load: "},
		{"corrupt at start", `not json`, false, []string{"keep.>=keep.>"}, "load: "},
		{"empty set", `{"panes":[]}`, true, nil, "loaded 0 panes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeState(t, tc.content)
			m := New(Options{Start: sceneStart, StatePath: path, Filters: []string{"keep.>"}})
			send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
			send(m, runIO(t, m.loadPanesCmd(tc.explain)))
			if got := paneNames(m); !slices.Equal(got, tc.panes) {
				t.Errorf("panes %v, want %v", got, tc.panes)
			}
			if f := footerText(m); !strings.Contains(f, tc.flash) {
				t.Errorf("footer %q, want %q", f, tc.flash)
			}
			requireScreen(t, m.Render(), 120, 32)
		})
	}
	// A missing file: reported for :load, silent at start.
	for _, explain := range []bool{true, false} {
		m := New(Options{Start: sceneStart, StatePath: filepath.Join(t.TempDir(), "none.json")})
		send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
		before := footerText(m)
		send(m, runIO(t, m.loadPanesCmd(explain)))
		f := footerText(m)
		if explain && !strings.Contains(f, "load: ") {
			t.Errorf(":load of a missing file: footer %q", f)
		}
		if !explain && f != before {
			t.Errorf("start with no saved panes: footer %q, want the usual %q", f, before)
		}
	}
}

func TestSaveLoadWithoutConfigDir(t *testing.T) {
	m := New(Options{Start: sceneStart, Filters: []string{"a.>"}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	msg := runIO(t, colon(m, "save"))
	if st, ok := msg.(statusMsg); !ok || !st.isErr || !strings.Contains(st.text, "no config directory") {
		t.Errorf(":save with no state path: %#v", msg)
	}
	send(m, runIO(t, colon(m, "load")))
	if f := footerText(m); !strings.Contains(f, "no config directory") || len(m.ex.Panes()) != 1 {
		t.Errorf(":load with no state path: footer %q, %d panes", f, len(m.ex.Panes()))
	}
}

func TestSaveUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Start: sceneStart, StatePath: filepath.Join(blocker, "panes.json")})
	msg := runIO(t, m.savePanesCmd())
	if st, ok := msg.(statusMsg); !ok || !st.isErr || !strings.HasPrefix(st.text, "save: ") {
		t.Errorf("save under a file: %#v, want an error", msg)
	}
}

// initMsgs runs Init's commands (no source, so no pull) and returns what
// they produce.
func initMsgs(m *Model) []tea.Msg { return runCmds(m.Init()) }

// TestInitLoadsUnlessFilters: the saved set is restored at start unless
// --filter named panes, which win.
func TestInitLoadsUnlessFilters(t *testing.T) {
	path := writeState(t, `{"panes":[{"name":"saved","pattern":"s.>"}]}`)
	loads := func(msgs []tea.Msg) []panesLoadedMsg {
		var out []panesLoadedMsg
		for _, msg := range msgs {
			if l, ok := msg.(panesLoadedMsg); ok {
				out = append(out, l)
			}
		}
		return out
	}

	m := New(Options{Start: sceneStart, StatePath: path, Filters: []string{"cli.>"}})
	if l := loads(initMsgs(m)); len(l) != 0 {
		t.Errorf("with --filter, Init loaded the saved set: %+v", l)
	}
	if got := paneNames(m); !slices.Equal(got, []string{"cli.>=cli.>"}) || m.focus != focusTree {
		t.Errorf("--filter panes %v focus %v", got, m.focus)
	}

	m = New(Options{Start: sceneStart, StatePath: path})
	l := loads(initMsgs(m))
	if len(l) != 1 || l[0].explain {
		t.Fatalf("without --filter: Init loads %+v, want one quiet load", l)
	}
	send(m, l[0])
	if got := paneNames(m); !slices.Equal(got, []string{"saved=s.>"}) {
		t.Errorf("restored %v", got)
	}

	m = New(Options{Start: sceneStart})
	if l := loads(initMsgs(m)); len(l) != 0 {
		t.Errorf("without a state path, Init loaded: %+v", l)
	}
}

func TestCommands(t *testing.T) {
	m := keyScene(t)
	// Unknown commands are refused inline.
	if cmd := colon(m, "bogus arg"); cmd != nil || m.prompt.kind != promptCommand {
		t.Fatalf(":bogus closed the prompt or returned a command")
	}
	if f := footerText(m); !strings.Contains(f, `unknown command "bogus"`) {
		t.Errorf("footer %q", f)
	}
	send(m, pk("esc"))
	// Pane commands need a focused pane.
	for _, c := range []string{"rename x", "close"} {
		colon(m, c)
		if m.prompt.kind != promptCommand || !strings.Contains(footerText(m), "focus a pane first") {
			t.Errorf(":%s with the tree focused: prompt %v footer %q", c, m.prompt.kind, footerText(m))
		}
		send(m, pk("esc"))
	}
	// :filter opens a pane, or refuses a bad pattern inline.
	colon(m, "filter a.>.b")
	if m.prompt.kind != promptCommand || !strings.Contains(footerText(m), "must be the last token") || len(m.ex.Panes()) != 0 {
		t.Errorf(":filter a.>.b: prompt %v footer %q panes %d", m.prompt.kind, footerText(m), len(m.ex.Panes()))
	}
	send(m, pk("esc"))
	colon(m, "f a.*")
	if len(m.ex.Panes()) != 1 || m.focusedPane() == nil || m.prompt.kind != promptNone {
		t.Errorf(":f a.*: %d panes, focused %v", len(m.ex.Panes()), m.focusedPane())
	}
	colon(m, "close")
	if len(m.ex.Panes()) != 0 {
		t.Errorf(":close left %d panes", len(m.ex.Panes()))
	}
	// :close N closes the pane titled N, whatever has focus; a pane that
	// is not there is said inline and nothing closes.
	colon(m, "f a.1")
	colon(m, "f a.2")
	colon(m, "f a.3")
	m.setFocus(focusTree)
	for _, c := range []struct{ arg, want string }{{"5", "no pane 5 (panes 1-3)"}, {"0", "no pane 0"}, {"x", `"x" is not a pane number`}} {
		colon(m, "close "+c.arg)
		if len(m.ex.Panes()) != 3 || !strings.Contains(footerText(m), c.want) {
			t.Errorf(":close %s: %d panes, footer %q", c.arg, len(m.ex.Panes()), footerText(m))
		}
		send(m, pk("esc"))
	}
	colon(m, "close 2")
	if ps := m.ex.Panes(); len(ps) != 2 || ps[0].Pattern.String() != "a.1" || ps[1].Pattern.String() != "a.3" {
		t.Errorf(":close 2 left %d panes", len(ps))
	}
	for range 2 {
		colon(m, "close 1")
	}
	colon(m, "close 1")
	if !strings.Contains(footerText(m), "no panes open") {
		t.Errorf(":close 1 with no panes: footer %q", footerText(m))
	}
	send(m, pk("esc"))
	// An empty command just closes the prompt.
	if cmd := colon(m, ""); cmd != nil || m.prompt.kind != promptNone {
		t.Error("an empty command did something")
	}
	for _, q := range []string{"q", "quit"} {
		if cmd := colon(m, q); cmd == nil || cmd() != (tea.QuitMsg{}) {
			t.Errorf(":%s did not quit", q)
		}
	}
	// ctrl+c quits from the prompt; esc cancels.
	send(m, pk(":"))
	if cmd := send(m, pk("ctrl+c")); cmd == nil || cmd() != (tea.QuitMsg{}) {
		t.Error("ctrl+c in the prompt did not quit")
	}
}

func TestPromptPaste(t *testing.T) {
	m := keyScene(t)
	send(m, pk("f"), tea.PasteMsg{Content: "a.*.c"})
	send(m, pk("enter"))
	if got := paneNames(m); !slices.Equal(got, []string{"a.*.c=a.*.c"}) {
		t.Errorf("pasted filter: panes %v", got)
	}
}
