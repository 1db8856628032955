package model

import (
	"slices"
	"testing"
	"time"
)

// exStart is the explorer tests' clock.
var exStart = time.Unix(1_700_000_000, 0)

// exMsg is message seq on subj, delivered through via ("" for the tap),
// received seq ms after exStart.
func exMsg(seq int, subj, via string) Message {
	return Message{Seq: uint64(seq), Subject: subj, Via: via, Received: exStart.UnixNano() + int64(seq)*1e6,
		Data: []byte("x"), Size: 1}
}

func mustPattern(t *testing.T, s string) Pattern {
	t.Helper()
	p, err := ParsePattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// paneSeqs lists the Seq of every message pane i keeps.
func explorerPaneSeqs(e *Explorer, i int) []uint64 {
	var out []uint64
	p := e.Panes()[i]
	for j := range p.Len() {
		out = append(out, p.At(j).Seq)
	}
	return out
}

func TestExplorerApply(t *testing.T) {
	scoped := SourceStatus{State: StateConnected, Scoped: true}
	refused := scoped
	refused.FilterErrors = map[string]string{"a.b": "permissions violation"}
	cases := []struct {
		name   string
		panes  []string
		status SourceStatus
		batch  []Message
		// What the tree counts, per subject, and what each pane keeps.
		treeMsgs  uint64
		subjects  map[string]uint64
		paneSeqs  [][]uint64
		scopeWant []string
	}{
		{
			name:     "tap: each message once in the tree and once in each matching pane",
			panes:    []string{"a.>", "a.*", "a.>", "b.>", "*.x"},
			status:   SourceStatus{State: StateConnected, Tap: ">"},
			batch:    []Message{exMsg(0, "a.x", ""), exMsg(1, "a.x.y", ""), exMsg(2, "b.z", ""), exMsg(3, "c", ""), exMsg(4, "b.x", "")},
			treeMsgs: 5,
			subjects: map[string]uint64{"a.x": 1, "a.x.y": 1, "b.z": 1, "c": 1, "b.x": 1},
			paneSeqs: [][]uint64{{0, 1}, {0}, {0, 1}, {2, 4}, {0, 4}},
			// Duplicated patterns are subscribed once.
			scopeWant: []string{"a.>", "a.*", "b.>", "*.x"},
		},
		{
			name:      "scoped: the tree counts the first matching pattern's delivery only",
			panes:     []string{"a.>", "a.b"},
			status:    scoped,
			batch:     []Message{exMsg(0, "a.b", "a.>"), exMsg(1, "a.b", "a.b"), exMsg(2, "a.b", "a.b"), exMsg(3, "a.b", "a.>"), exMsg(4, "a.c", "a.>")},
			treeMsgs:  3,
			subjects:  map[string]uint64{"a.b": 2, "a.c": 1},
			paneSeqs:  [][]uint64{{0, 3, 4}, {1, 2}},
			scopeWant: []string{"a.>", "a.b"},
		},
		{
			name:      "scoped: a refused filter delivers nothing, so the next match's copy counts",
			panes:     []string{"a.b", "a.>"},
			status:    refused,
			batch:     []Message{exMsg(0, "a.b", "a.>"), exMsg(1, "a.c", "a.>")},
			treeMsgs:  2,
			subjects:  map[string]uint64{"a.b": 1, "a.c": 1},
			paneSeqs:  [][]uint64{nil, {0, 1}},
			scopeWant: []string{"a.b", "a.>"},
		},
		{
			name:      "scoped: a delivery for a pattern no pane has is not counted",
			panes:     []string{"a.>"},
			status:    scoped,
			batch:     []Message{exMsg(0, "a.b", "a.>"), exMsg(1, "a.b", "gone.>")},
			treeMsgs:  1,
			subjects:  map[string]uint64{"a.b": 1},
			paneSeqs:  [][]uint64{{0}},
			scopeWant: []string{"a.>"},
		},
		{
			name:      "no panes: the tree counts everything",
			status:    SourceStatus{State: StateConnected, Tap: ">"},
			batch:     []Message{exMsg(0, "x", ""), exMsg(1, "x", ""), exMsg(2, "y.z", "")},
			treeMsgs:  3,
			subjects:  map[string]uint64{"x": 2, "y.z": 1},
			scopeWant: []string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := NewExplorer(ExplorerOptions{}, exStart)
			for _, s := range tc.panes {
				if _, err := e.AddPane(mustPattern(t, s), exStart.UnixNano()); err != nil {
					t.Fatal(err)
				}
			}
			now := exStart.Add(time.Second)
			e.Apply(tc.batch, tc.status, now)
			if e.Tree().Msgs != tc.treeMsgs {
				t.Errorf("tree counts %d, want %d", e.Tree().Msgs, tc.treeMsgs)
			}
			for subj, want := range tc.subjects {
				if n := e.Tree().Find(subj); n.IsZero() || n.Own() != want {
					t.Errorf("%s: node %v, want %d own msgs", subj, n, want)
				}
			}
			for i, want := range tc.paneSeqs {
				if got := explorerPaneSeqs(e, i); !slices.Equal(got, want) {
					t.Errorf("pane %d (%s) keeps %v, want %v", i+1, e.Panes()[i].Pattern, got, want)
				}
			}
			if got := e.ScopePatterns(); !slices.Equal(got, tc.scopeWant) {
				t.Errorf("scope %v, want %v", got, tc.scopeWant)
			}
			if !e.Now().Equal(now) || e.Status().State != tc.status.State {
				t.Errorf("now %v status %+v, want %v and the batch's status", e.Now(), e.Status(), now)
			}
			if msgs, _ := e.Throughput().Rates(now.UnixNano()); tc.treeMsgs > 0 && msgs == 0 {
				t.Error("the throughput counted nothing")
			}
			if len(e.TreeView().Rows()) == 0 && tc.treeMsgs > 0 {
				t.Error("the tree view was not refreshed")
			}
		})
	}
}

// TestExplorerScopeOrderSurvivesMoves: moving a pane does not resubscribe,
// so the tree keeps counting the delivery of the pattern subscribed first.
func TestExplorerScopeOrderSurvivesMoves(t *testing.T) {
	e := NewExplorer(ExplorerOptions{}, exStart)
	for _, s := range []string{"a.>", "a.b"} {
		if _, err := e.AddPane(mustPattern(t, s), 0); err != nil {
			t.Fatal(err)
		}
	}
	e.SwapPanes(0, 1)
	if got := e.ScopePatterns(); !slices.Equal(got, []string{"a.>", "a.b"}) {
		t.Fatalf("scope after a move: %v", got)
	}
	e.Apply([]Message{exMsg(0, "a.b", "a.b"), exMsg(1, "a.b", "a.>")}, SourceStatus{Scoped: true}, exStart)
	if e.Tree().Msgs != 1 {
		t.Errorf("tree counts %d, want 1", e.Tree().Msgs)
	}
	e.ClosePane(1) // a.>
	if got := e.ScopePatterns(); !slices.Equal(got, []string{"a.b"}) {
		t.Errorf("scope after closing a.>: %v", got)
	}
	e.ClearPanes()
	if len(e.Panes()) != 0 || len(e.ScopePatterns()) != 0 {
		t.Errorf("after ClearPanes: %d panes, scope %v", len(e.Panes()), e.ScopePatterns())
	}
}

func TestExplorerPaneBound(t *testing.T) {
	e := NewExplorer(ExplorerOptions{}, exStart)
	for i := range MaxPanes {
		if _, err := e.AddPane(mustPattern(t, "a.>"), 0); err != nil {
			t.Fatalf("pane %d: %v", i+1, err)
		}
	}
	if _, err := e.AddPane(mustPattern(t, "a.>"), 0); err == nil {
		t.Errorf("pane %d accepted", MaxPanes+1)
	}
}

// TestExplorerPanesChargeTheBudget: the panes' kept messages are reserved
// from the tree's budget, so the two together stay within it.
func TestExplorerPanesChargeTheBudget(t *testing.T) {
	const budget = 4 << 20
	e := NewExplorer(ExplorerOptions{Tree: TreeOptions{MaxMemory: budget, HistoryDepth: 100}}, exStart)
	if _, err := e.AddPane(mustPattern(t, ">"), 0); err != nil {
		t.Fatal(err)
	}
	var batch []Message
	for i := range 4000 {
		m := exMsg(i, "big", "")
		m.Data = make([]byte, 1000)
		m.Size = 1000
		batch = append(batch, m)
	}
	e.Apply(batch, SourceStatus{}, exStart)
	if e.PaneMemory() == 0 {
		t.Fatal("the pane kept nothing")
	}
	if used := e.MemoryUsed(); used > budget {
		t.Errorf("tree and panes hold %d bytes, budget %d", used, budget)
	}
	if e.MemoryBudget() != budget {
		t.Errorf("budget %d, want %d", e.MemoryBudget(), budget)
	}
}

// TestExplorerExpiresReplies: Apply expires requests older than the reply
// timeout on the data's clock.
func TestExplorerExpiresReplies(t *testing.T) {
	e := NewExplorer(ExplorerOptions{}, exStart)
	req := exMsg(0, "svc.get", "")
	req.Reply = "_INBOX.1"
	e.Apply([]Message{req}, SourceStatus{}, exStart)
	if c := e.Replies().Counters(); c.Pending != 1 {
		t.Fatalf("pending %d, want 1", c.Pending)
	}
	e.Apply(nil, SourceStatus{}, exStart.Add(time.Minute))
	if c := e.Replies().Counters(); c.Pending != 0 || c.Expired != 1 {
		t.Errorf("after a minute: pending %d expired %d, want 0 and 1", c.Pending, c.Expired)
	}
}

func TestExplorerRewind(t *testing.T) {
	const rewind = RewindPrefix + "secret"
	cases := []struct {
		name    string
		batch   []string // subjects; "R" is the rewind marker
		rewound bool
		// The counts after the batch, and the subjects the tree has.
		treeMsgs uint64
		subjects []string
	}{
		{name: "no marker: everything counts on top", batch: []string{"a", "b"}, treeMsgs: 3, subjects: []string{"old", "a", "b"}},
		{name: "marker: counts start over after it", batch: []string{"a", "R", "b", "c"}, rewound: true, treeMsgs: 2, subjects: []string{"b", "c"}},
		{name: "the last marker wins", batch: []string{"a", "R", "b", "R", "c"}, rewound: true, treeMsgs: 1, subjects: []string{"c"}},
		{name: "marker last: an empty start", batch: []string{"a", "R"}, rewound: true, treeMsgs: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := NewExplorer(ExplorerOptions{}, exStart)
			if _, err := e.AddPane(mustPattern(t, ">"), exStart.UnixNano()); err != nil {
				t.Fatal(err)
			}
			e.Panes()[0].Name = "all"
			e.TreeView().SetSort(SortRate)
			e.TreeView().SetHeight(7)
			e.Apply([]Message{exMsg(0, "old", "")}, SourceStatus{}, exStart)

			var batch []Message
			for i, s := range tc.batch {
				if s == "R" {
					s = rewind
				}
				batch = append(batch, exMsg(10+i, s, ""))
			}
			head := exStart.Add(time.Hour).UnixNano()
			rest, since, ok := AfterRewind(batch, rewind, head)
			if ok != tc.rewound {
				t.Fatalf("rewound %v, want %v", ok, tc.rewound)
			}
			if ok {
				wantSince := head
				if len(rest) > 0 {
					wantSince = rest[0].Received
				}
				if since != wantSince {
					t.Errorf("since %d, want %d", since, wantSince)
				}
				e.Rewind(since)
				if e.Tree().Since() != since || e.Panes()[0].Opened != since {
					t.Errorf("tree since %d, pane opened %d, want %d", e.Tree().Since(), e.Panes()[0].Opened, since)
				}
			}
			e.Apply(rest, SourceStatus{}, exStart.Add(time.Hour))
			if e.Tree().Msgs != tc.treeMsgs {
				t.Errorf("tree counts %d, want %d", e.Tree().Msgs, tc.treeMsgs)
			}
			for _, s := range tc.subjects {
				if e.Tree().Find(s).IsZero() {
					t.Errorf("%s missing from the tree", s)
				}
			}
			if !e.Tree().Find(rewind).IsZero() {
				t.Error("the rewind marker was counted")
			}
			p := e.Panes()[0]
			if p.Msgs != tc.treeMsgs || p.Name != "all" || p.Pattern.String() != ">" {
				t.Errorf("pane: %d msgs, name %q, pattern %s; want %d, all, >", p.Msgs, p.Name, p.Pattern, tc.treeMsgs)
			}
			if v := e.TreeView(); v.Sort != SortRate || v.Height() != 7 {
				t.Errorf("the view lost the user's sort or height: %v %d", v.Sort, v.Height())
			}
		})
	}
}
