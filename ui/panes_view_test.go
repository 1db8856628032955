package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// panesScene is the golden scene with filter panes opened at start, drawn
// at w x h, focus on the tree.
func panesScene(t testing.TB, w, h int, filters ...string) *Model {
	t.Helper()
	m := New(Options{Start: sceneStart, Filters: filters})
	m.Apply(sceneMessages(), sceneNow, sceneStatus)
	m.storeDropped = 1500
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m.Render()
	return m
}

// titleLine returns the first screen line holding every one of subs.
func titleLine(screen string, subs ...string) (string, bool) {
	for _, l := range strings.Split(screen, "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			return l, true
		}
	}
	return "", false
}

func TestPanesTileSideBySide(t *testing.T) {
	m := panesScene(t, 120, 32, "orders.*.created", "sensors.>")
	if m.band.tabs(120) {
		t.Fatal("two panes at 120 columns are tabs")
	}
	out := screenText(m)
	line, ok := titleLine(out, "1 orders.*.created", "2 sensors.>")
	if !ok {
		t.Fatalf("the two pane titles are not side by side:\n%s", out)
	}
	// Pane 2's tile starts after pane 1's 60 cells and a border.
	if i := strings.Index(line, "2 sensors.>"); ansi.StringWidth(line[:i]) != 61 {
		t.Errorf("pane 2 starts at column %d, want 61: %q", ansi.StringWidth(line[:i]), line)
	}
	var orders, sensors int
	for _, msg := range sceneMessages() {
		switch {
		case strings.HasPrefix(msg.Subject, "orders.") && strings.HasSuffix(msg.Subject, ".created"):
			orders++
		case strings.HasPrefix(msg.Subject, "sensors."):
			sensors++
		}
	}
	if !strings.Contains(line, fmt.Sprintf("1 orders.*.created %d msgs", orders)) || !strings.Contains(line, fmt.Sprintf("2 sensors.> %d msgs", sensors)) {
		t.Errorf("titles lack the counts (%d orders created, %d sensor readings): %q", orders, sensors, line)
	}
	// Rows of both panes share screen lines.
	if _, ok := titleLine(out, "orders.us.created", "sensors.temp.3"); !ok {
		t.Errorf("no line shows both panes' newest rows:\n%s", out)
	}
	requireScreen(t, m.Render(), 120, 32)
}

func TestPanesTabsWhenNarrow(t *testing.T) {
	m := panesScene(t, 80, 24, "orders.>", "sensors.*.2", "logs.app")
	if !m.band.tabs(80) {
		t.Fatal("three panes at 80 columns are tiles")
	}
	out := screenText(m)
	bar, ok := titleLine(out, " 1 orders.> ", " 2 sensors.*.2 ", " 3 logs.app ")
	if !ok {
		t.Fatalf("no tab bar with every pane:\n%s", out)
	}
	if strings.Count(bar, "│") != 2 {
		t.Errorf("tab bar %q: want the three tabs separated", bar)
	}
	// One pane shown: its title, not the others'.
	if _, ok := titleLine(out, "1 orders.>", "msgs"); !ok {
		t.Errorf("pane 1 not shown under the tabs:\n%s", out)
	}
	if _, ok := titleLine(out, "2 sensors.*.2", "msgs"); ok {
		t.Errorf("pane 2 shown while pane 1's tab is current:\n%s", out)
	}
	// Focusing pane 3 shows it.
	send(m, pk("shift+tab"), pk("shift+tab"))
	if m.paneIdx != 2 {
		t.Fatalf("focus on pane %d", m.paneIdx+1)
	}
	out = screenText(m)
	if _, ok := titleLine(out, "3 logs.app", "1 msgs"); !ok {
		t.Errorf("pane 3 not shown when focused:\n%s", out)
	}
	requireScreen(t, m.Render(), 80, 24)
	// Two panes at 80 columns are below the readable tile width too.
	if m := panesScene(t, 80, 24, "a.>", "b.>"); !m.band.tabs(80) {
		t.Error("two 39-column tiles")
	}
	if m := panesScene(t, 81, 24, "a.>", "b.>"); m.band.tabs(81) {
		t.Error("two 40-column tiles shown as tabs")
	}
}

// TestPanesViewShape: with 0 to 4 panes, in every layout and state, every
// line is exactly the width and there are exactly height lines.
func TestPanesViewShape(t *testing.T) {
	t.Parallel() // the slowest test here, and its model is its own
	// Around the thresholds: the smallest frame, tiles of 40 columns (tabs
	// below), the side-by-side layout from 110, bands of 0, 1 and 3 lines.
	widths := []int{20, 41, 79, 80, 81, 109, 110, 121, 163}
	heights := []int{6, 7, 8, 9, 10, 13, 24, 50}
	all := []string{"orders.*.created", "sensors.>", "evil\x1b[2J", "天气.>"}
	for n := 0; n <= 4; n++ {
		for _, mode := range []string{"tree", "pane", "paused", "errors", "prompt"} {
			m := panesScene(t, 80, 24, all[:n]...)
			m.Apply(msgsOn(sceneNow, "天气.北京市朝阳区三里屯街道工体北路东侧天气预报数据"), sceneNow, sceneStatus)
			switch mode {
			case "pane":
				send(m, pk("tab"), pk("k"), pk("k"))
			case "paused":
				send(m, pk("tab"), pk("space"))
				m.Apply(sceneMessages(), sceneNow, sceneStatus)
				send(m, pk("a"), pk("ctrl+u"))
				typeIn(m, "a much longer name for this pane than fits")
				send(m, pk("enter"))
			case "errors":
				st := sceneStatus
				st.Scoped = true
				st.FilterErrors = map[string]string{}
				for _, p := range all[:n] {
					st.FilterErrors[p] = "permissions violation for subscription to " + p
				}
				m.Apply(nil, sceneNow, st)
			case "prompt":
				send(m, pk("f"))
				typeIn(m, "foo..bar")
				send(m, pk("enter"))
			}
			for _, w := range widths {
				for _, h := range heights {
					send(m, tea.WindowSizeMsg{Width: w, Height: h})
					out := m.Render()
					t.Run(fmt.Sprintf("%dpanes/%s/%dx%d", n, mode, w, h), func(t *testing.T) {
						requireScreen(t, out, w, h)
					})
				}
			}
		}
	}
}

// TestPaneRateYoungPane: a pane opened long after start shows the rate of
// what it has watched, not that spread over the whole window.
func TestPaneRateYoungPane(t *testing.T) {
	m := New(Options{Start: sceneStart})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	opened := sceneStart.Add(100 * time.Second)
	m.Apply(nil, opened, model.SourceStatus{State: model.StateConnected})
	openPane(t, m, "r.>")
	var msgs []model.Message
	for i := range 20 {
		msgs = append(msgs, paneMsg(opened.Add(time.Duration(i)*100*time.Millisecond), "r.x", "x", ""))
	}
	m.Apply(msgs, opened.Add(2*time.Second), model.SourceStatus{State: model.StateConnected})
	if title := paneTitle(t, m); !strings.Contains(title, "20 msgs 10/s") {
		t.Errorf("title %q: want 20 msgs at 10/s", title)
	}
}

// TestViewGoldenPanes: two panes, the first focused with an older message
// selected and shown in the inspector.
func TestViewGoldenPanes(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{120, 32}, {80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := panesScene(t, sz.w, sz.h, "orders.*.created", "sensors.>")
			send(m, pk("tab"), pk("k"), pk("k"), pk("k")) // past the three us orders
			if got := m.ex.Panes()[0].Selected(); got == nil || got.Subject != "orders.eu.created" {
				t.Fatalf("selected %v, want an orders.eu.created message", got)
			}
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestTreeSelectionSpansMarkers: the selected tree row keeps its highlight
// across the pane digits drawn after the name.
func TestTreeSelectionSpansMarkers(t *testing.T) {
	m := panesScene(t, 120, 32, "orders.>", "orders.*.created")
	m.ex.TreeView().Reveal(m.ex.Tree().Find("orders"), sceneNow.UnixNano())
	for _, line := range strings.Split(m.Render(), "\n") {
		if !strings.Contains(ansi.Strip(line), "▸ orders") {
			continue
		}
		tree, _, _ := strings.Cut(line, "│")
		if n := strings.Count(tree, "\x1b[m"); n != 1 {
			t.Errorf("selected row is reset %d times before its end (want once, at the end): %q", n, tree)
		}
		return
	}
	t.Fatal("orders row not on screen")
}

// TestPaneRowsAreColumns: a pane's rows read as a table at 80 and 200
// columns: every size ends in one column (right-aligned, whatever the
// subject's length) and every preview starts in one; a subject longer
// than the column is cut from the left, keeping its last tokens.
func TestPaneRowsAreColumns(t *testing.T) {
	at := sceneStart.Add(10 * time.Second)
	long := "p." + strings.Repeat("x", 150) + ".tail"
	var msgs []model.Message
	for i, tc := range []struct {
		subject string
		size    int
	}{{"p.a", 5}, {"p.bbbbbbbbbbbbbb.c", 1500}, {"p.dd", 100}, {"p.a", 12345678}} {
		msgs = append(msgs, model.Message{Subject: tc.subject, Seq: uint64(i + 1), Received: at.Add(time.Duration(i) * time.Millisecond).UnixNano(),
			Data: fmt.Appendf(nil, "PREVIEW-%d", i), Size: tc.size})
	}
	for _, w := range []int{80, 200} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := New(Options{Start: sceneStart, Filters: []string{"p.>"}})
			m.Apply(msgs, sceneNow, sceneStatus)
			send(m, tea.WindowSizeMsg{Width: w, Height: 30})
			var sizeEnd, previewAt []int
			for _, line := range strings.Split(screenText(m), "\n") {
				i := strings.Index(line, "PREVIEW-")
				if i < 0 || !strings.HasPrefix(line, "12:00:10.") {
					continue
				}
				before := strings.TrimRight(line[:i], " ")
				sizeEnd = append(sizeEnd, ansi.StringWidth(before))
				previewAt = append(previewAt, ansi.StringWidth(line[:i]))
			}
			if len(sizeEnd) != len(msgs) {
				t.Fatalf("%d rows with a preview, want %d:\n%s", len(sizeEnd), len(msgs), screenText(m))
			}
			for i := range sizeEnd {
				if sizeEnd[i] != sizeEnd[0] || previewAt[i] != previewAt[0] {
					t.Fatalf("sizes end at %v, previews start at %v: not one column\n%s", sizeEnd, previewAt, screenText(m))
				}
			}
			// The subject column is the widest subject's, not the cap.
			if want := len("12:00:10.000 p.bbbbbbbbbbbbbb.c ") + colPaneSize; sizeEnd[0] != want {
				t.Errorf("sizes end at column %d, want %d (the widest subject's column)", sizeEnd[0], want)
			}
			longMsg := model.Message{Subject: long, Seq: 9, Received: at.Add(time.Second).UnixNano(), Data: []byte("PREVIEW-long"), Size: 1}
			m.Apply([]model.Message{longMsg}, sceneNow, sceneStatus)
			out := screenText(m)
			if line, ok := titleLine(out, "…", "x.tail", "PREVIEW-long"); !ok {
				t.Errorf("a long subject is not cut from the left, keeping its last token and the preview:\n%s", out)
			} else if ansi.StringWidth(line) > w {
				t.Errorf("row wider than %d: %q", w, line)
			}
		})
	}
}
