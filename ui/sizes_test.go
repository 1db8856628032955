package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// TestPageBeforeFirstView: the sizes are set in Update on resize, so a
// page is a page before the first frame is drawn.
func TestPageBeforeFirstView(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	m := New(Options{Start: start})
	var subjects []string
	for i := range 60 {
		subjects = append(subjects, fmt.Sprintf("p%02d", i))
	}
	m.Apply(msgsOn(start, subjects...), start, model.SourceStatus{})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24}, press("pgdown"))
	got := m.ex.TreeView().Cursor()
	m.Render()
	h := m.ex.TreeView().Height()
	if h < 2 || got != h {
		t.Errorf("pgdown before the first frame moved to %d, want a page (%d)", got, h)
	}
}

// TestRenderChangesNothing: drawing a frame leaves every position as it
// was: two frames in a row are the same and keys act the same after.
func TestRenderChangesNothing(t *testing.T) {
	m := scene(t, 120, 32, "orders.eu.created")
	send(m, pk("tab"), press("pgdown"), press("pgdown"), press("pgdown"))
	before := *m.ex.TreeView()
	scroll, back := m.insp.scroll, m.insp.back
	a := m.Render()
	b := m.Render()
	if a != b {
		t.Error("two frames in a row differ")
	}
	after := *m.ex.TreeView()
	if before.Height() != after.Height() || before.Cursor() != after.Cursor() || m.insp.scroll != scroll || m.insp.back != back {
		t.Errorf("Render changed the model: height %d→%d cursor %d→%d scroll %d→%d back %d→%d",
			before.Height(), after.Height(), before.Cursor(), after.Cursor(), scroll, m.insp.scroll, back, m.insp.back)
	}
}
