package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// TestPromptsStartWhereTheUserIs: f offers the selected branch as a
// pattern (a → "a.>", the leaf a.x → "a.x"), selected, so typing replaces
// it, a cursor key keeps it for editing and enter takes it; p addresses
// the selected subject; a (rename) offers the old name to replace.
func TestPromptsStartWhereTheUserIs(t *testing.T) {
	m := keyScene(t)
	if selected(m) != "a" {
		t.Fatalf("setup: selected %q", selected(m))
	}
	send(m, pk("f"))
	if v := m.prompt.input.Value(); v != "a.>" || !m.prompt.selected {
		t.Fatalf("f on a: value %q selected %v", v, m.prompt.selected)
	}
	typeIn(m, "c")
	if v := m.prompt.input.Value(); v != "c" {
		t.Errorf("typing over the offer: %q, want c", v)
	}
	send(m, pk("esc"))

	send(m, pk("f"), pk("end"))
	typeIn(m, "x")
	if v := m.prompt.input.Value(); v != "a.>x" {
		t.Errorf("end then x: %q, want the offer kept and edited", v)
	}
	send(m, pk("esc"))

	send(m, pk("f"))
	send(m, tea.PasteMsg{Content: "b.*"})
	if v := m.prompt.input.Value(); v != "b.*" {
		t.Errorf("paste over the offer: %q", v)
	}
	send(m, pk("esc"))

	// enter takes the offer: a pane on a.>.
	send(m, pk("f"), pk("enter"))
	if ps := m.ex.Panes(); len(ps) != 1 || ps[0].Pattern.String() != "a.>" {
		t.Fatalf("enter on the offer: %d panes", len(ps))
	}

	// a renames the focused pane: the old name is offered, typing replaces it.
	send(m, pk("a"))
	if v := m.prompt.input.Value(); v != "a.>" || !m.prompt.selected {
		t.Errorf("a: value %q selected %v", v, m.prompt.selected)
	}
	typeIn(m, "orders")
	send(m, pk("enter"))
	if n := m.ex.Panes()[0].Name; n != "orders" {
		t.Errorf("renamed to %q, want orders", n)
	}

	// Back on the tree, a leaf is offered as itself.
	m.setFocus(focusTree)
	send(m, pk("right"), pk("down"))
	if selected(m) != "a.x" {
		t.Fatalf("selected %q, want a.x", selected(m))
	}
	send(m, pk("f"))
	if v := m.prompt.input.Value(); v != "a.x" {
		t.Errorf("f on the leaf a.x: %q", v)
	}
	send(m, pk("backspace"))
	if v := m.prompt.input.Value(); v != "" {
		t.Errorf("backspace on the offer left %q", v)
	}
	send(m, pk("esc"))
}

func TestPublishFormAddressesTheSelection(t *testing.T) {
	p := &recordingPublisher{}
	m := New(Options{Source: p, Start: sceneStart})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	p.publish(paneMsg(sceneNow, "orders.eu.1", "{}", ""))
	p.publish(paneMsg(sceneNow, "bad\x1b[31m.x", "{}", ""))
	pullInto(t, m)
	if selected(m) != "bad\x1b[31m" {
		// Rows sort by name: "bad…" before "orders".
		t.Fatalf("setup: selected %q", selected(m))
	}
	// A subject with control bytes is never put into an input field.
	send(m, pk("p"))
	if m.mode != modeForm || m.form.subject.Value() != "" {
		t.Fatalf("p on a subject with an escape: mode %v subject %q", m.mode, m.form.subject.Value())
	}
	send(m, pk("esc"))
	send(m, pk("f"))
	if v := m.prompt.input.Value(); v != "" {
		t.Errorf("f on a subject with an escape offered %q", model.Sanitize(v))
	}
	send(m, pk("esc"))

	send(m, pk("down"))
	if selected(m) != "orders" {
		t.Fatalf("selected %q", selected(m))
	}
	send(m, pk("p"))
	if m.mode != modeForm || m.form.subject.Value() != "orders" {
		t.Errorf("p on orders: mode %v subject %q", m.mode, m.form.subject.Value())
	}
}
