package ui

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// searchScene has three subjects containing "created", one "paid" and
// one that matches neither.
func searchScene(t *testing.T) *Model {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	m := New(Options{Start: start})
	m.Apply(msgsOn(start, "orders.eu.created", "orders.us.created", "orders.eu.paid", "users.created", "zeta"),
		start, model.SourceStatus{State: model.StateConnected})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Render()
	return m
}

func TestSearch(t *testing.T) {
	m := searchScene(t)
	send(m, press("/"))
	if !(m.mode == modePrompt && m.prompt.kind == promptSearch) {
		t.Fatal("'/' did not open the search prompt")
	}
	if !strings.Contains(m.Render(), "keep match") {
		t.Error("search prompt not in the footer")
	}
	typeText(m, "cre")
	if got := selected(m); got != "orders.eu.created" {
		t.Fatalf("typing 'cre' selected %q, want orders.eu.created", got)
	}
	// Revealing the match expands its ancestors.
	if !slices.Contains(rowSubjects(m), "orders.eu.created") {
		t.Errorf("match not revealed: rows %q", rowSubjects(m))
	}
	send(m, press("enter"))
	if (m.mode == modePrompt && m.prompt.kind == promptSearch) || m.query != "cre" {
		t.Fatalf("enter: searching %v query %q, want closed prompt and query 'cre'", (m.mode == modePrompt && m.prompt.kind == promptSearch), m.query)
	}
	if got := selected(m); got != "orders.eu.created" {
		t.Errorf("enter moved the selection to %q", got)
	}
	for i, w := range []struct{ key, want string }{
		{"n", "orders.us.created"},
		{"n", "users.created"},
		{"n", "orders.eu.created"}, // wraps around
		{"N", "users.created"},     // and back
		{"N", "orders.us.created"},
	} {
		send(m, press(w.key))
		if got := selected(m); got != w.want {
			t.Fatalf("step %d %q: selected %q, want %q", i, w.key, got, w.want)
		}
	}
}

func TestSearchSmartCase(t *testing.T) {
	m := searchScene(t)
	send(m, press("/"))
	typeText(m, "PAID")
	send(m, press("enter"))
	if got := selected(m); got == "orders.eu.paid" {
		t.Error("upper-case query matched lower-case subject; smart case wants an exact match")
	}
	send(m, press("/"))
	typeText(m, "paid")
	if got := selected(m); got != "orders.eu.paid" {
		t.Errorf("lower-case query selected %q, want orders.eu.paid", got)
	}
}

func TestSearchEscReturns(t *testing.T) {
	m := searchScene(t)
	send(m, press("G")) // zeta, the last row
	send(m, press("/"))
	typeText(m, "paid")
	if got := selected(m); got != "orders.eu.paid" {
		t.Fatalf("typing selected %q, want orders.eu.paid", got)
	}
	send(m, press("esc"))
	if m.mode == modePrompt && m.prompt.kind == promptSearch {
		t.Error("esc did not close the prompt")
	}
	if got := selected(m); got != "zeta" {
		t.Errorf("esc left the selection on %q, want zeta where the search began", got)
	}
	if m.query != "" {
		t.Errorf("esc kept query %q", m.query)
	}
}

func TestSearchNoMatch(t *testing.T) {
	m := searchScene(t)
	send(m, press("n"))
	if !strings.Contains(m.Render(), "no search yet") {
		t.Error("n without a search: no hint")
	}
	send(m, press("/"))
	typeText(m, "qq")
	if got := selected(m); got != "orders" {
		t.Errorf("no match moved the selection to %q", got)
	}
	send(m, press("enter"))
	if out := m.Render(); !strings.Contains(out, `no subject contains "qq"`) {
		t.Error("no-match message not shown after the prompt closed")
	}
	send(m, press("n"))
	if got := selected(m); got != "orders" {
		t.Errorf("n with no match moved the selection to %q", got)
	}
}

func TestSearchPromptSwallowsKeys(t *testing.T) {
	// In a bubble: the prompt's commands are cursor blinks, which would
	// otherwise wait half a second of real time each.
	synctest.Test(t, func(t *testing.T) {
		m := searchScene(t)
		send(m, press("/"))
		// q, ?, j, s and . are text in the prompt, not commands.
		for _, k := range []string{"q", "?", "j", "s", "."} {
			if cmd := send(m, press(k)); cmd != nil {
				if msg := cmd(); msg == (tea.QuitMsg{}) {
					t.Fatalf("%q quit from the search prompt", k)
				}
			}
		}
		if m.mode == modeHelp || m.ex.TreeView().Sort != model.SortName || m.ex.TreeView().ShowNoise {
			t.Error("a key typed into the prompt acted as a command")
		}
		if got := m.prompt.input.Value(); got != "q?js." {
			t.Errorf("prompt value %q, want %q", got, "q?js.")
		}
	})
}

func TestCtrlCQuitsFromSearch(t *testing.T) {
	m := searchScene(t)
	send(m, press("/"))
	cmd := send(m, press("ctrl+c"))
	if cmd == nil || cmd() != (tea.QuitMsg{}) {
		t.Error("ctrl+c in the search prompt did not quit")
	}
}

func TestSearchPaste(t *testing.T) {
	m := searchScene(t)
	send(m, press("/"), tea.PasteMsg{Content: "paid"})
	if got := m.prompt.input.Value(); got != "paid" {
		t.Errorf("prompt value %q after pasting \"paid\"", got)
	}
	if got := selected(m); got != "orders.eu.paid" {
		t.Errorf("paste selected %q, want orders.eu.paid", got)
	}
}

func TestSearchPromptPlaceholder(t *testing.T) {
	m := searchScene(t)
	send(m, press("/"))
	if out := m.Render(); !strings.Contains(out, "contains") {
		t.Error("search prompt placeholder cut to one rune")
	}
}
