package ui

import "natsx/model"

// selectedSubject is the subject of the tree's selected node when the tree
// has focus, and whether the node has children: the prompts start from
// where the user is (f offers "orders.eu.>" on orders.eu, p publishes to
// the selected subject).
func (m *Model) selectedSubject() (subject string, inner bool) {
	if m.focus != focusTree {
		return "", false
	}
	n := m.ex.TreeView().Selected()
	if n.IsZero() || n.Removed() {
		return "", false
	}
	s := n.Subject()
	if model.Sanitize(s) != s {
		// An input field shows its value as it is: a subject with control
		// bytes is not offered (the user types what they want instead).
		return "", false
	}
	return s, n.HasChildren()
}

// filterSuggestion is the pattern f offers: the selected branch and
// everything below it, or the selected leaf itself.
func (m *Model) filterSuggestion() string {
	s, inner := m.selectedSubject()
	if s == "" {
		return ""
	}
	if inner {
		return s + ".>"
	}
	return s
}
