package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
	"natsx/testkit/keys"
)

// pk is press under the name the pane tests grew up with.
func pk(s string) tea.KeyPressMsg { return keys.Press(s) }

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
	// One Update applies the whole batch: with the ingest clock stopped the
	// apply budget never runs out (on a slow machine, or under -race, the
	// rest would wait for continuations this helper does not run).
	defer func(c func() time.Time) { ingestClock = c }(ingestClock)
	stopped := time.Now()
	ingestClock = func() time.Time { return stopped }
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
		{"a b", `want "where EXPRESSION", not "b"`},
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

			send(m, pk("f"), pk("backspace")) // backspace drops the offered pattern
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
