package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// hugeHeaderModel has one message with n header keys selected in the
// tree, the inspector in view v.
func hugeHeaderModel(t *testing.T, n int) *Model {
	hdr := make(model.Header, n)
	for i := range n {
		hdr[fmt.Sprintf("X-Key-%06d", i)] = []string{"v"}
	}
	f := &feed{status: model.SourceStatus{State: model.StateConnected, Tap: ">"}}
	m := paneModel(f, 120, 40)
	msg := paneMsg(sceneNow, "hdrs", `{"a":1}`, "")
	msg.Header = hdr
	f.publish(msg)
	pullInto(t, m)
	m.ex.TreeView().Reveal(m.ex.Tree().Find("hdrs"), sceneNow.UnixNano())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// TestHugeHeaderCostsWhatShows (issue 12 item 22): with a message of
// 200,000 header keys selected, a key and a frame cost what is on screen,
// not the whole header: the inspector lists a screenful of headers and
// says how many more there are, and a scroll in the headers view formats
// only the rows it shows.
func TestHugeHeaderCostsWhatShows(t *testing.T) {
	m := hugeHeaderModel(t, 200_000)
	out := screenText(m)
	if !strings.Contains(out, "X-Key-000000: v") || !strings.Contains(out, "more headers") {
		t.Errorf("the inspector does not show the first headers and how many more:\n%s", out)
	}
	if !strings.Contains(out, `"a": 1`) {
		t.Errorf("the headers push the payload off the inspector:\n%s", out)
	}
	allocs := testing.AllocsPerRun(3, func() {
		send(m, press("s")) // any key: Update, then a frame
		m.Render()
	})
	if allocs > 50_000 {
		t.Errorf("a key and a frame with 200,000 headers: %.0f allocations, want what a screen needs", allocs)
	}
	send(m, pk("tab"), press("v"), press("v"), press("v")) // headers view
	if m.insp.view != viewHeaders {
		t.Fatalf("view %v", m.insp.view)
	}
	allocs = testing.AllocsPerRun(3, func() {
		send(m, press("down"))
		m.Render()
	})
	if allocs > 50_000 {
		t.Errorf("a scroll in the headers view: %.0f allocations", allocs)
	}
	if out, row := screenText(m), fmt.Sprintf("X-Key-%06d: v", m.insp.scroll); m.insp.scroll == 0 || !strings.Contains(out, row) {
		t.Errorf("headers view scrolled to %d: no %q:\n%s", m.insp.scroll, row, out)
	}
}

// TestEditRefusesHugeHeader: the sibling of item 22 in edit & resend: a
// form of 200,000 header lines would make every key cost seconds.
func TestEditRefusesHugeHeader(t *testing.T) {
	p := &recordingPublisher{}
	m := New(Options{Source: p, Start: sceneStart})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	msg := paneMsg(sceneNow, "hdrs", "x", "")
	msg.Header = model.Header{}
	for i := range 5000 {
		msg.Header[fmt.Sprintf("K%d", i)] = []string{"v"}
	}
	p.publish(msg)
	pullInto(t, m)
	send(m, press("e"))
	if m.mode == modeForm || !strings.Contains(m.flash.text, "too many to edit") {
		t.Errorf("edit of 5,000 headers: mode %v flash %q", m.mode, m.flash.text)
	}
}
