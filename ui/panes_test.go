package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// pk is press plus the keys only the pane tests use.
func pk(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	return press(s)
}

func TestPaneKeyStrings(t *testing.T) {
	for _, s := range []string{"tab", "shift+tab", "ctrl+u", "<", ">", "x", "a", "c", "f", ":"} {
		if got := pk(s).String(); got != s {
			t.Errorf("pk(%q).String() = %q", s, got)
		}
	}
}

// typeIn presses one key per rune of s (spaces included).
func typeIn(m *Model, s string) {
	for _, r := range s {
		send(m, pk(string(r)))
	}
}

// openPane types pattern into the filter prompt and presses enter,
// returning enter's command.
func openPane(t *testing.T, m *Model, pattern string) tea.Cmd {
	t.Helper()
	send(m, pk("f"))
	if m.prompt.kind != promptFilter {
		t.Fatalf("f did not open the filter prompt")
	}
	typeIn(m, pattern)
	cmd := send(m, pk("enter"))
	if m.prompt.kind != promptNone {
		t.Fatalf("filter %q refused: %s", pattern, m.prompt.err)
	}
	return cmd
}

// screenText is the rendered screen without styles.
func screenText(m *Model) string { return ansi.Strip(m.Render()) }

// footerText is the screen's last line, without styles.
func footerText(m *Model) string {
	lines := strings.Split(screenText(m), "\n")
	return lines[len(lines)-1]
}

// paneSeqs lists pane i's kept messages' Seq, oldest first.
func paneSeqs(m *Model, i int) []uint64 {
	p := m.ex.Panes()[i]
	var out []uint64
	for j := range p.Len() {
		out = append(out, p.At(j).Seq)
	}
	return out
}

// paneNames lists the panes as "name=pattern".
func paneNames(m *Model) []string {
	var out []string
	for _, p := range m.ex.Panes() {
		out = append(out, p.Name+"="+p.Pattern.String())
	}
	return out
}

// paneMsg is one message on subj with a payload naming it, delivered via via
// ("" for the tap).
func paneMsg(at time.Time, subj, payload, via string) model.Message {
	return model.Message{Subject: subj, Received: at.UnixNano(), Data: []byte(payload), Size: len(payload), Via: via}
}

// pullInto reads everything the feed holds into m, as one tick would.
func pullInto(t *testing.T, m *Model) {
	t.Helper()
	b, _ := runPull(t, m.pullCmd(0))
	send(m, b)
}

// paneModel is an empty model at w x h with the feed f and panes opened by
// --filter, focus on the tree.
func paneModel(f Source, w, h int, filters ...string) *Model {
	m := New(Options{Source: f, Start: sceneStart, Filters: filters})
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func TestFilterKeyOpensPrompt(t *testing.T) {
	m := keyScene(t)
	send(m, pk("f"))
	if m.prompt.kind != promptFilter {
		t.Fatal("f did not open the filter prompt")
	}
	if f := footerText(m); !strings.Contains(f, "filter>") || !strings.Contains(f, "enter ok") {
		t.Errorf("footer %q: no filter prompt", f)
	}
	// Keys go to the prompt, not the tree or the app.
	typeIn(m, "q?j")
	if m.mode == modeHelp || selected(m) != "a" || m.prompt.input.Value() != "q?j" {
		t.Errorf("keys typed into the prompt acted as commands (value %q)", m.prompt.input.Value())
	}
	send(m, pk("esc"))
	if m.prompt.kind != promptNone || len(m.ex.Panes()) != 0 {
		t.Errorf("esc: prompt %v, %d panes; want closed and none", m.prompt.kind, len(m.ex.Panes()))
	}
}

func TestFilterPromptAddsAndFocusesPane(t *testing.T) {
	m := keyScene(t)
	for i, pat := range []string{"a.*", "  c  ", "b.>"} {
		if cmd := openPane(t, m, pat); cmd != nil {
			t.Errorf("tap mode: adding a pane returned a command")
		}
		if len(m.ex.Panes()) != i+1 || m.focus != focusPane || m.paneIdx != i {
			t.Fatalf("after %q: %d panes, focus %v on %d; want %d, the new pane focused", pat, len(m.ex.Panes()), m.focus, m.paneIdx, i+1)
		}
		if got, want := m.ex.Panes()[i].Pattern.String(), strings.TrimSpace(pat); got != want {
			t.Errorf("pane %d pattern %q, want %q", i, got, want)
		}
	}
	out := screenText(m)
	for _, want := range []string{"1 a.*", "2 c", "3 b.>", "waiting for b.>"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	// Panes only see what arrives after they open.
	if m.ex.Panes()[0].Msgs != 0 {
		t.Errorf("a new pane counted %d old messages", m.ex.Panes()[0].Msgs)
	}
	m.Apply(msgsOn(sceneNow, "a.x", "c", "b.q.r", "d"), sceneNow, model.SourceStatus{})
	for i, want := range []uint64{1, 1, 1} {
		if m.ex.Panes()[i].Msgs != want {
			t.Errorf("pane %d: %d msgs, want %d", i+1, m.ex.Panes()[i].Msgs, want)
		}
	}
}

func TestFilterPromptRefusesInvalid(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"foo..bar", "empty token at position 2"},
		{"foo.>.bar", "'>' must be the last token"},
		{"fo*", "mixes a wildcard"},
		{">.x", "'>' must be the last token"},
		{"", "empty pattern"},
		{"   ", "empty pattern"},
		{"a b", "whitespace"},
		{".a", "empty token at position 1"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m := keyScene(t)
			openPane(t, m, "c")           // one pane already, focused
			send(m, pk("tab"), pk("tab")) // pane → inspector → tree
			send(m, pk("j"))
			if m.focus != focusTree || selected(m) != "b" {
				t.Fatalf("setup: focus %v selected %q", m.focus, selected(m))
			}
			before := struct {
				panes, idx   int
				focus        focusKind
				msgs         uint64
				nodes        int
				sel, screen0 string
			}{len(m.ex.Panes()), m.paneIdx, m.focus, m.ex.Tree().Msgs, m.ex.Tree().Len(), selected(m), ""}

			send(m, pk("f"))
			typeIn(m, tc.in)
			if cmd := send(m, pk("enter")); cmd != nil {
				t.Error("a refused pattern returned a command")
			}
			if m.prompt.kind != promptFilter {
				t.Fatal("the prompt closed on an invalid pattern")
			}
			if f := footerText(m); !strings.Contains(f, "✗") || !strings.Contains(f, tc.reason) {
				t.Errorf("footer %q lacks the reason %q", f, tc.reason)
			}
			if m.prompt.input.Value() != tc.in {
				t.Errorf("the prompt lost what was typed: %q", m.prompt.input.Value())
			}
			check := func(when string) {
				t.Helper()
				if len(m.ex.Panes()) != before.panes || m.paneIdx != before.idx || m.focus != before.focus ||
					m.ex.Tree().Msgs != before.msgs || m.ex.Tree().Len() != before.nodes || selected(m) != before.sel {
					t.Errorf("%s: state changed: %d panes idx %d focus %v msgs %d nodes %d selected %q",
						when, len(m.ex.Panes()), m.paneIdx, m.focus, m.ex.Tree().Msgs, m.ex.Tree().Len(), selected(m))
				}
			}
			check("after enter")
			// Editing clears the reason; esc leaves everything as it was.
			typeIn(m, "z")
			if strings.Contains(footerText(m), "✗") {
				t.Error("the reason stayed after editing")
			}
			send(m, pk("esc"))
			if m.prompt.kind != promptNone {
				t.Error("esc did not close the prompt")
			}
			check("after esc")
		})
	}
}

// TestPanesTapEachOnce: with the ">" tap, a message matching several panes
// lands once in each, never twice in one; duplicates of a pattern each get
// their copy; the tree counts it once.
func TestPanesTapEachOnce(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 32, "a.>", "a.*", "a.>", "b.>", "*.x")
	f.publish(
		paneMsg(sceneNow, "a.x", "1", ""),
		paneMsg(sceneNow, "a.x.y", "2", ""),
		paneMsg(sceneNow, "b.z", "3", ""),
		paneMsg(sceneNow, "c", "4", ""),
		paneMsg(sceneNow, "b.x", "5", ""),
	)
	pullInto(t, m)
	want := [][]uint64{{0, 1}, {0}, {0, 1}, {2, 4}, {0, 4}}
	for i, w := range want {
		if got := paneSeqs(m, i); !slices.Equal(got, w) {
			t.Errorf("pane %d (%s): seqs %v, want %v", i+1, m.ex.Panes()[i].Pattern, got, w)
		}
		if m.ex.Panes()[i].Msgs != uint64(len(w)) {
			t.Errorf("pane %d: Msgs %d, want %d", i+1, m.ex.Panes()[i].Msgs, len(w))
		}
	}
	if m.ex.Tree().Msgs != 5 {
		t.Errorf("tree msgs %d, want 5", m.ex.Tree().Msgs)
	}
	if out := screenText(m); !strings.Contains(out, "tap >") {
		t.Errorf("header does not say tap mode:\n%s", out)
	}
}

// TestPanesScopedCountsOnce: in scoped mode a message arrives once per
// matching subscription; each pane takes its own pattern's copy and the
// tree counts the message once, whatever order the copies come in.
func TestPanesScopedCountsOnce(t *testing.T) {
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Scoped: true}}
	m := paneModel(f, 120, 32, "a.>", "a.b")
	f.publish(
		paneMsg(sceneNow, "a.b", "first", "a.>"),
		paneMsg(sceneNow, "a.b", "first", "a.b"),
	)
	pullInto(t, m)
	if m.ex.Tree().Msgs != 1 || m.ex.Tree().Find("a.b") == nil || m.ex.Tree().Find("a.b").Msgs != 1 {
		t.Fatalf("one message delivered twice: tree counts %d", m.ex.Tree().Msgs)
	}
	if got := paneSeqs(m, 0); !slices.Equal(got, []uint64{0}) {
		t.Errorf("pane a.>: %v, want its own copy only", got)
	}
	if got := paneSeqs(m, 1); !slices.Equal(got, []uint64{1}) {
		t.Errorf("pane a.b: %v, want its own copy only", got)
	}
	// The other order, and a message only the wider pattern sees.
	f.publish(
		paneMsg(sceneNow, "a.b", "second", "a.b"),
		paneMsg(sceneNow, "a.b", "second", "a.>"),
		paneMsg(sceneNow, "a.c", "third", "a.>"),
	)
	pullInto(t, m)
	if m.ex.Tree().Msgs != 3 || m.ex.Tree().Find("a.b").Msgs != 2 || m.ex.Tree().Find("a.c").Msgs != 1 {
		t.Errorf("tree msgs %d (a.b %d), want 3 (a.b 2, a.c 1)", m.ex.Tree().Msgs, m.ex.Tree().Find("a.b").Msgs)
	}
	if m.ex.Panes()[0].Len() != 3 || m.ex.Panes()[1].Len() != 2 {
		t.Errorf("panes hold %d and %d, want 3 and 2", m.ex.Panes()[0].Len(), m.ex.Panes()[1].Len())
	}
	out := screenText(m)
	if !strings.Contains(out, "scoped: 2 filters") || strings.Contains(out, "tap >") {
		t.Errorf("header does not say scoped mode:\n%s", out)
	}
	// Reordering the panes must not make the tree count a copy twice.
	send(m, pk("tab"), pk(">"))
	if got := paneNames(m); !slices.Equal(got, []string{"a.b=a.b", "a.>=a.>"}) {
		t.Fatalf("after >: panes %v", got)
	}
	f.publish(
		paneMsg(sceneNow, "a.b", "fourth", "a.>"),
		paneMsg(sceneNow, "a.b", "fourth", "a.b"),
	)
	pullInto(t, m)
	if m.ex.Tree().Msgs != 4 {
		t.Errorf("after reordering: tree msgs %d, want 4", m.ex.Tree().Msgs)
	}
}

// TestPanesScopedRefusedFilter: a filter the server refused delivers
// nothing, so the tree must count the copies the other filters receive.
func TestPanesScopedRefusedFilter(t *testing.T) {
	st := model.SourceStatus{
		State:        model.StateConnected,
		Scoped:       true,
		FilterErrors: map[string]string{"a.b": `nats: permissions violation: Subscription to "a.b"`},
	}
	f := &feed{status: st}
	m := paneModel(f, 120, 32, "a.b", "a.>")
	f.publish(paneMsg(sceneNow, "a.b", "x", "a.>"), paneMsg(sceneNow, "a.c", "y", "a.>"))
	pullInto(t, m)
	if m.ex.Tree().Msgs != 2 || m.ex.Tree().Find("a.b") == nil {
		t.Errorf("tree msgs %d, want 2: a.b arrived only through a.>, since a.b was refused", m.ex.Tree().Msgs)
	}
	if m.ex.Panes()[0].Len() != 0 || m.ex.Panes()[1].Len() != 2 {
		t.Errorf("panes hold %d and %d, want 0 and 2", m.ex.Panes()[0].Len(), m.ex.Panes()[1].Len())
	}
}

// scopeFeed is a scoped source: it records every SetScope call.
type scopeFeed struct {
	feed
	mu    sync.Mutex
	calls [][]string
	err   error
}

func (s *scopeFeed) SetScope(patterns []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, slices.Clone(patterns))
	return s.err
}

func (s *scopeFeed) takeCalls() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

var _ Scoper = (*scopeFeed)(nil)

// runCmds runs cmd and, for a batch, every command in it, returning the
// messages they produced. Call it in a synctest bubble: pulls and cursor
// blinks wait on timers.
func runCmds(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmds(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// scopeMsgs picks the scopeMsgs out of msgs.
func scopeMsgs(msgs []tea.Msg) []scopeMsg {
	var out []scopeMsg
	for _, msg := range msgs {
		if s, ok := msg.(scopeMsg); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestScoperReceivesPatterns: a scoped source is told the distinct
// patterns, in pane order, when it turns out to be scoped and whenever a
// pane opens or closes; errors show in the footer.
func TestScoperReceivesPatterns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sf := &scopeFeed{}
		sf.status = model.SourceStatus{State: model.StateConnected, Scoped: true}
		m := paneModel(sf, 120, 32, "x.>")
		if c := sf.takeCalls(); len(c) != 0 {
			t.Fatalf("SetScope called before the source said it was scoped: %v", c)
		}
		b, _ := runPull(t, m.pullCmd(0))
		if got := scopeMsgs(runCmds(send(m, b))); len(got) != 1 || got[0].err != nil {
			t.Fatalf("first scoped batch: scope messages %v, want one", got)
		}
		if c := sf.takeCalls(); len(c) != 1 || !slices.Equal(c[0], []string{"x.>"}) {
			t.Fatalf("first scoped batch: calls %q, want the --filter pane's pattern", c)
		}
		steps := []struct {
			do   func() tea.Cmd
			want []string
		}{
			{func() tea.Cmd { return openPane(t, m, "a.>") }, []string{"x.>", "a.>"}},
			{func() tea.Cmd { return openPane(t, m, "a.b") }, []string{"x.>", "a.>", "a.b"}},
			{func() tea.Cmd { return openPane(t, m, "a.>") }, []string{"x.>", "a.>", "a.b"}},
			{func() tea.Cmd { // close the focused pane (the duplicate a.>)
				return send(m, pk("x"))
			}, []string{"x.>", "a.>", "a.b"}},
			{func() tea.Cmd { send(m, pk("shift+tab")); return send(m, pk("x")) }, []string{"x.>", "a.b"}},
			{func() tea.Cmd { send(m, pk(":")); typeIn(m, "close"); return send(m, pk("enter")) }, []string{"x.>"}},
			{func() tea.Cmd { return send(m, pk("x")) }, nil},
		}
		for i, s := range steps {
			cmd := s.do()
			got := scopeMsgs(runCmds(cmd))
			calls := sf.takeCalls()
			if len(got) != 1 || len(calls) != 1 || !slices.Equal(calls[0], s.want) {
				t.Fatalf("step %d: %d scope messages, calls %q, want one call with %q", i, len(got), calls, s.want)
			}
			send(m, got[0])
		}
		if len(m.ex.Panes()) != 0 || m.focus != focusTree {
			t.Errorf("after closing all: %d panes, focus %v", len(m.ex.Panes()), m.focus)
		}
		// Reordering keeps the set: nothing to tell the source.
		openPane(t, m, "p.>")
		openPane(t, m, "q.>")
		sf.takeCalls()
		if cmd := send(m, pk("<")); cmd != nil {
			t.Error("reordering sent a scope change")
		}
		// A refusal from the source shows in the footer.
		sf.err = fmt.Errorf("engine: subscribe %q: boom", "r.>")
		for _, msg := range scopeMsgs(runCmds(openPane(t, m, "r.>"))) {
			send(m, msg)
		}
		if f := footerText(m); !strings.Contains(f, "boom") {
			t.Errorf("scope error not shown: footer %q", f)
		}
	})
}

// TestScoperIdleInTapMode: a source that could scope is left alone while
// it taps ">".
func TestScoperIdleInTapMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sf := &scopeFeed{}
		sf.status = model.SourceStatus{State: model.StateConnected, Tap: ">"}
		m := paneModel(sf, 120, 32)
		b, _ := runPull(t, m.pullCmd(0))
		runCmds(send(m, b))
		runCmds(openPane(t, m, "a.>"))
		runCmds(send(m, pk("x")))
		if c := sf.takeCalls(); len(c) != 0 {
			t.Errorf("SetScope called in tap mode: %v", c)
		}
	})
}

func TestFocusCycle(t *testing.T) {
	m := paneModel(nil, 120, 32, "a.>", "b.>")
	type pos struct {
		focus focusKind
		idx   int
	}
	tree, insp := pos{focusTree, -1}, pos{focusInspector, -1}
	at := func() pos {
		if m.focus == focusPane {
			return pos{focusPane, m.paneIdx}
		}
		return pos{m.focus, -1}
	}
	if at() != tree {
		t.Fatalf("start: focus %v, want the tree", at())
	}
	for i, s := range []struct {
		key  string
		want pos
	}{
		{"tab", pos{focusPane, 0}},
		{"tab", pos{focusPane, 1}},
		{"tab", insp},
		{"tab", tree},
		{"shift+tab", insp},
		{"shift+tab", pos{focusPane, 1}},
		{"shift+tab", pos{focusPane, 0}},
		{"shift+tab", tree},
	} {
		send(m, pk(s.key))
		if at() != s.want {
			t.Fatalf("step %d %s: focus %v, want %v", i, s.key, at(), s.want)
		}
		out := screenText(m)
		if got := strings.Contains(out, "▶ Subjects"); got != (s.want == tree) {
			t.Errorf("step %d: tree focus marker shown %v", i, got)
		}
		if got := strings.Contains(out, "Inspector · ↑↓ scroll"); got != (s.want == insp) {
			t.Errorf("step %d: inspector focus marker shown %v", i, got)
		}
	}
	// Without panes, tab goes between the tree and the inspector.
	m = paneModel(nil, 120, 32)
	send(m, pk("tab"))
	if at() != insp {
		t.Errorf("no panes, tab: focus %v, want the inspector", at())
	}
	send(m, pk("tab"))
	if at() != tree {
		t.Errorf("no panes, tab twice: focus %v, want the tree", at())
	}
}

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
