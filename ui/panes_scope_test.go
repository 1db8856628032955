package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

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
	if m.ex.Tree().Msgs != 1 || m.ex.Tree().Find("a.b").IsZero() || m.ex.Tree().Find("a.b").Msgs() != 1 {
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
	if m.ex.Tree().Msgs != 3 || m.ex.Tree().Find("a.b").Msgs() != 2 || m.ex.Tree().Find("a.c").Msgs() != 1 {
		t.Errorf("tree msgs %d (a.b %d), want 3 (a.b 2, a.c 1)", m.ex.Tree().Msgs, m.ex.Tree().Find("a.b").Msgs())
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
	if m.ex.Tree().Msgs != 2 || m.ex.Tree().Find("a.b").IsZero() {
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
