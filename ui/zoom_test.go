package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

var zoomSizes = []struct{ w, h int }{{80, 24}, {200, 50}}

// TestViewGoldenFocusAndZoom: the footer names the keys of what has focus,
// the focused part gets the larger share, and z gives it the whole body.
func TestViewGoldenFocusAndZoom(t *testing.T) {
	for _, sz := range zoomSizes {
		size := fmt.Sprintf("%dx%d", sz.w, sz.h)
		t.Run("inspector-focused-"+size, func(t *testing.T) {
			m := panesScene(t, sz.w, sz.h, "orders.*.created", "sensors.>")
			send(m, pk("tab"), pk("tab"), pk("tab")) // tree → pane 1 → pane 2 → inspector
			if m.focus != focusInspector {
				t.Fatalf("focus %v", m.focus)
			}
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
		t.Run("inspector-zoomed-"+size, func(t *testing.T) {
			m := panesScene(t, sz.w, sz.h, "orders.*.created", "sensors.>")
			send(m, pk("tab"), pk("tab"), pk("tab"), pk("z"))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
		t.Run("pane-zoomed-"+size, func(t *testing.T) {
			m := panesScene(t, sz.w, sz.h, "orders.*.created", "sensors.>")
			send(m, pk("tab"), pk("z"))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestZoomFollowsFocusAndComesBack: zoomed, only the focused part is drawn
// (and only it answers the mouse); tab moves the zoom with the focus; z
// again restores the layout.
func TestZoomFollowsFocusAndComesBack(t *testing.T) {
	m := panesScene(t, 80, 24, "orders.*.created", "sensors.>")
	before := m.Render()
	send(m, pk("z"))
	l := m.bodyLayout()
	if l.tree.h != m.bodyHeight(headerLines, 24) || l.panes.h != 0 || l.insp.h != 0 {
		t.Fatalf("zoomed tree: layout %+v", l)
	}
	screen := ansi.Strip(m.Render())
	if strings.Contains(screen, "Inspector") || strings.Contains(screen, "sensors.temp.1") {
		t.Errorf("zoomed on the tree, other parts still drawn:\n%s", screen)
	}
	send(m, pk("tab"))
	if l := m.bodyLayout(); l.panes.h == 0 || l.tree.h != 0 {
		t.Errorf("tab while zoomed: layout %+v, want the pane zoomed", l)
	}
	send(m, pk("shift+tab"), pk("z"))
	body := func(s string) string { return s[:strings.LastIndex(s, "\n")] } // the footer has the flash
	if got := m.Render(); body(got) != body(before) {
		t.Errorf("z twice did not restore the screen:\n%s\nwant:\n%s", ansi.Strip(got), ansi.Strip(before))
	}
}

// TestHelpScrollsToEveryKey: at 80x24 the help screen is taller than the
// body; scrolling reaches its end, where the publish form's keys are, and
// every key of the key map is on one of its pages.
func TestHelpScrollsToEveryKey(t *testing.T) {
	for _, sz := range zoomSizes {
		m := scene(t, sz.w, sz.h, "")
		send(m, press("?"))
		var pages []string
		for range 20 {
			pages = append(pages, ansi.Strip(m.Render()))
			send(m, pk("pgdown"))
		}
		all := strings.Join(pages, "\n")
		for _, g := range m.helpGroups() {
			for _, k := range g.Keys {
				if k.Enabled() && !strings.Contains(all, k.Help().Desc) {
					t.Errorf("%dx%d: %q (%s) is on no page of the help", sz.w, sz.h, k.Help().Desc, g.Title)
				}
			}
		}
		for _, want := range []string{"find in the payload", "inspector: scroll up", "form: send"} {
			if !strings.Contains(all, want) {
				t.Errorf("%dx%d: help lacks %q", sz.w, sz.h, want)
			}
		}
		if sz.h == 24 {
			if !strings.Contains(pages[0], "more lines") || strings.Contains(pages[len(pages)-1], "more lines") {
				t.Errorf("80x24: the first page should say more follows, the last not:\n%s\n---\n%s", pages[0], pages[len(pages)-1])
			}
			send(m, pk("g"))
			if got := ansi.Strip(m.Render()); got != pages[0] {
				t.Errorf("g did not go back to the top")
			}
		}
	}
}

func TestViewGoldenHelpScrolled(t *testing.T) {
	for _, sz := range zoomSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := scene(t, sz.w, sz.h, "")
			send(m, press("?"), pk("pgdown"))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}
