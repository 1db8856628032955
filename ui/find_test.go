package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// wrappedPayload is 100 text lines of about 150 columns: one row each at
// the full width of a 200-column terminal, two in the inspector's half.
// Line 80 holds the needle.
func wrappedPayload() []byte {
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		word := "filler"
		if i == 80 {
			word = "NEEDLE"
		}
		fmt.Fprintf(&b, "line %03d %s %s\n", i, word, strings.Repeat("abcdefghi ", 14))
	}
	return []byte(b.String())
}

// findModel is a 200x40 explorer whose selected subject carries
// wrappedPayload, with the inspector focused.
func findModel(t *testing.T) *Model {
	t.Helper()
	m := New(Options{Start: sceneStart})
	data := wrappedPayload()
	m.Apply([]model.Message{{Subject: "doc", Received: sceneNow.UnixNano(), Data: data, Size: len(data)}}, sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 200, Height: 40})
	if got := selected(m); got != "doc" {
		t.Fatalf("selected %q, want doc", got)
	}
	send(m, pk("tab"))
	if m.focus != focusInspector {
		t.Fatalf("focus %v, want the inspector", m.focus)
	}
	return m
}

// TestFindInPayloadWideLayout: on a wide terminal the inspector is half
// the width, so payload lines wrap; find must land on the line the
// inspector draws, show it and highlight the match.
func TestFindInPayloadWideLayout(t *testing.T) {
	m := findModel(t)
	if strings.Contains(screenText(m), "NEEDLE") {
		t.Fatal("the needle is on screen before the find")
	}
	send(m, press("/"))
	for _, r := range "NEEDLE" {
		send(m, press(string(r)))
	}
	send(m, press("enter"))
	out := m.Render()
	if !strings.Contains(ansi.Strip(out), "line 080 NEEDLE") {
		t.Fatalf("the match is not on screen after the find:\n%s", ansi.Strip(out))
	}
	if want := m.styles.Match.Render("NEEDLE"); !strings.Contains(out, want) {
		t.Errorf("the match is not highlighted (want %q on screen)", want)
	}
	// The inspector wraps each 150-column line into two rows: the flash
	// counts the rows it draws, not the lines at the terminal's width.
	if f := footerText(m); !strings.Contains(f, "of 200") && !strings.Contains(f, "of 201") {
		t.Errorf("footer %q: want the line among the inspector's 200 rows", f)
	}
}

// TestFindInPayloadDiff: with the diff shown, find searches the diff.
func TestFindInPayloadDiff(t *testing.T) {
	m := New(Options{Start: sceneStart})
	msgs := []model.Message{
		{Subject: "doc", Seq: 1, Received: sceneNow.UnixNano(), Data: []byte("alpha\nbeta\n"), Size: 11},
		{Subject: "doc", Seq: 2, Received: sceneNow.UnixNano(), Data: []byte("alpha\ngamma\n"), Size: 12},
	}
	m.Apply(msgs, sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, pk("tab"), press("d"), press("/"))
	for _, r := range "beta" {
		send(m, press(string(r)))
	}
	send(m, press("enter"))
	// "beta" is only in the previous message: the diff shows it removed.
	if f := footerText(m); strings.Contains(f, "not in this payload") {
		t.Errorf("find ignored the diff: footer %q", f)
	}
}
