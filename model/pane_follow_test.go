package model

import (
	"fmt"
	"slices"
	"testing"
)

func runPaneSteps(t *testing.T, p *Pane, next *int, steps []paneStep) {
	t.Helper()
	for i, s := range steps {
		var n int
		switch {
		case s.do == "follow":
			p.Follow()
		case s.do == "top":
			p.Top()
		case s.do == "clear":
			p.Clear()
		case s.do == "pause":
			p.SetPaused(true)
		case s.do == "resume":
			p.SetPaused(false)
		case scan(s.do, "add %d", &n):
			addSeq(p, *next, *next+n, 1)
			*next += n
		case scan(s.do, "move %d", &n):
			p.Move(n)
		default:
			t.Fatalf("step %d: unknown action %q", i, s.do)
		}
		if p.Following() != s.following || p.Unseen() != s.unseen || selSeq(p) != s.sel {
			t.Fatalf("step %d %q: following %v unseen %d selected %d, want %v %d %d",
				i, s.do, p.Following(), p.Unseen(), selSeq(p), s.following, s.unseen, s.sel)
		}
	}
}

func scan(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil
}

// TestPaneFollow: the list tracks the newest message until the user
// moves; then it holds still and counts what arrives, until the user
// presses G (issue 12 item 15: reaching the newest row no longer resumes
// following, which moved what the user read).
func TestPaneFollow(t *testing.T) {
	tests := []struct {
		name  string
		steps []paneStep
	}{
		{"follows arrivals until a move", []paneStep{
			{"move -1", true, 0, -1}, // empty: nothing to move
			{"add 1", true, 0, 0},
			{"move -1", false, 0, 0}, // a move holds, even at the newest
			{"add 4", false, 4, 0},
			{"follow", true, 0, 4},
			{"move 1", false, 0, 4},
			{"add 1", false, 1, 4},
		}},
		{"moving up leaves follow and counts arrivals", []paneStep{
			{"add 5", true, 0, 4},
			{"move -1", false, 0, 3},
			{"add 3", false, 3, 3},
			{"move -2", false, 3, 1},
			{"add 1", false, 4, 1},
			{"follow", true, 0, 8},
			{"add 1", true, 0, 9},
		}},
		{"reaching the newest holds there (issue 12 item 15)", []paneStep{
			{"add 5", true, 0, 4},
			{"move -2", false, 0, 2},
			{"add 2", false, 2, 2},
			{"move 3", false, 2, 5},
			{"move 1", false, 0, 6}, // seen them all
			{"add 1", false, 1, 6},
			{"follow", true, 0, 7},
		}},
		{"moves clamp at both ends", []paneStep{
			{"add 5", true, 0, 4},
			{"move -100", false, 0, 0},
			{"move 100", false, 0, 4},
		}},
		{"top", []paneStep{
			{"top", true, 0, -1},
			{"add 1", true, 0, 0},
			{"top", false, 0, 0},
			{"add 4", false, 4, 0},
			{"top", false, 4, 0},
			{"add 2", false, 6, 0},
			{"move 1", false, 6, 1},
		}},
		{"clear", []paneStep{
			{"add 5", true, 0, 4},
			{"move -3", false, 0, 1},
			{"add 2", false, 2, 1},
			{"clear", true, 0, -1},
			{"move -1", true, 0, -1},
			{"add 2", true, 0, 8},
			{"move -1", false, 0, 7},
			{"top", false, 0, 7},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPane(100, 1<<30)
			next := 0
			runPaneSteps(t, p, &next, tc.steps)
		})
	}
}

// TestPaneSelectionHolds: with the ring full and turning over, the
// selection stays on the same message (absolute indices) while it is kept,
// and holds at the oldest once it has been evicted.
func TestPaneSelectionHolds(t *testing.T) {
	p := newTestPane(5, 1<<30)
	addSeq(p, 0, 5, 1) // 0..4
	p.Move(-2)         // 2
	if selSeq(p) != 2 {
		t.Fatalf("selected %d, want 2", selSeq(p))
	}
	for next := 5; next < 7; next++ {
		p.Add(pmsg(next, 1)) // evicts 0, then 1
		if selSeq(p) != 2 {
			t.Fatalf("after adding %d (kept %v): selected %d, want 2 still", next, kept(p), selSeq(p))
		}
		if _, _, sel := p.Window(); p.At(sel).Seq != 2 {
			t.Fatalf("after adding %d: window's selected row is %d, want 2", next, p.At(sel).Seq)
		}
	}
	if p.Unseen() != 2 {
		t.Errorf("unseen %d, want 2", p.Unseen())
	}
	p.Add(pmsg(7, 1)) // evicts 2, the selected message
	if got, want := kept(p), seqs(3, 8); !slices.Equal(got, want) {
		t.Fatalf("kept %v, want %v", got, want)
	}
	if selSeq(p) != 3 {
		t.Errorf("selected message evicted: selection %d, want the oldest kept (3)", selSeq(p))
	}
	// Moving from there works from the oldest row.
	p.Move(1)
	if selSeq(p) != 4 || p.Following() {
		t.Errorf("move 1 after eviction: selected %d following %v, want 4, not following", selSeq(p), p.Following())
	}
	// The selection keeps holding through many more turns of the ring.
	addSeq(p, 8, 11, 1) // kept 6..10
	if selSeq(p) != 6 {
		t.Errorf("after the ring turned again: selected %d, want 6 (4 was evicted)", selSeq(p))
	}
}

// TestPaneWindow: for every height and selection, the window shows the
// selection, is as full as it can be, and stays inside the list.
func TestPaneWindow(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 17} {
		for _, h := range []int{-3, 0, 1, 2, 3, 5, 16, 17, 40} {
			p := newTestPane(100, 1<<30)
			addSeq(p, 0, n, 1)
			p.SetHeight(h)
			rows := min(max(h, 1), n)
			check := func(what string) (from, to, sel int) {
				t.Helper()
				from, to, sel = p.Window()
				if to-from != rows || from < 0 || to > n {
					t.Fatalf("n=%d h=%d %s: window [%d,%d), want %d rows inside [0,%d)", n, h, what, from, to, rows, n)
				}
				if n > 0 && (sel < from || sel >= to) {
					t.Fatalf("n=%d h=%d %s: selection %d outside window [%d,%d)", n, h, what, sel, from, to)
				}
				return from, to, sel
			}
			_, to, sel := check("following")
			if n > 0 && (to != n || sel != n-1) {
				t.Fatalf("n=%d h=%d following: window ends at %d sel %d, want the newest row %d", n, h, to, sel, n-1)
			}
			// Walk to the top and back, one row at a time, then by pages.
			for range n {
				p.Move(-1)
				check("moving up")
			}
			for range n {
				p.Move(1)
				check("moving down")
			}
			for range 3 {
				p.Move(-max(h, 1))
				check("page up")
			}
			p.Top()
			if from, _, sel := check("top"); n > 0 && (from != 0 || sel != 0) {
				t.Fatalf("n=%d h=%d top: window from %d sel %d, want 0 0", n, h, from, sel)
			}
		}
	}
}

// TestPaneWindowHoldsStill: scrolled up, the rows on screen do not move as
// messages arrive; following, the window slides to the newest.
func TestPaneWindowHoldsStill(t *testing.T) {
	p := newTestPane(100, 1<<30)
	addSeq(p, 0, 20, 1)
	p.SetHeight(5)
	from, to, _ := p.Window()
	if from != 15 || to != 20 {
		t.Fatalf("following: window [%d,%d), want [15,20)", from, to)
	}
	p.Move(-7) // row 12: the window scrolls up to show it
	from, _, sel := p.Window()
	if sel != 12 || from != 12 {
		t.Fatalf("after move -7: window from %d sel %d, want 12 12", from, sel)
	}
	addSeq(p, 20, 30, 1)
	if f, _, s := p.Window(); f != from || s != sel {
		t.Errorf("scrolled up: window moved to from %d sel %d as messages arrived, want %d %d", f, s, from, sel)
	}
	p.Follow()
	if f, to, s := p.Window(); f != 25 || to != 30 || s != 29 {
		t.Errorf("after Follow: window [%d,%d) sel %d, want [25,30) 29", f, to, s)
	}
	// With the ring turning over, the same messages stay on screen while kept.
	q := newTestPane(10, 1<<30)
	addSeq(q, 0, 10, 1)
	q.SetHeight(3)
	q.Move(-4) // Seq 5
	f, _, _ := q.Window()
	top := q.At(f).Seq
	addSeq(q, 10, 12, 1) // evicts 0 and 1
	f, _, s := q.Window()
	if q.At(f).Seq != top || q.At(s).Seq != 5 {
		t.Errorf("ring turned: top row %d selected %d, want %d and 5 still", q.At(f).Seq, q.At(s).Seq, top)
	}
}

// TestPaneLeaveFollowUndrawn: moving up from follow mode starts from the
// newest rows even when Window was not asked since they arrived (a pane
// behind a tab, several keys between two frames).
func TestPaneLeaveFollowUndrawn(t *testing.T) {
	p := newTestPane(100, 1<<30)
	p.SetHeight(5)
	p.Window()
	addSeq(p, 0, 20, 1)
	p.Move(-3)
	if from, to, sel := p.Window(); from != 15 || to != 20 || sel != 16 {
		t.Errorf("window [%d,%d) sel %d, want [15,20) 16: the newest rows, three up", from, to, sel)
	}
}

// TestPanePause (issue 12 item 16): paused, the list holds still while
// what arrives is kept below it, out of sight, as far as the pane's depth
// allows; what it cannot keep is counted and marked where it belongs;
// resuming shows it all.
func TestPanePause(t *testing.T) {
	p := newTestPane(5, 1<<30)
	p.SetHeight(10)
	addSeq(p, 0, 3, 4)
	p.SetPaused(true)
	if !p.Paused {
		t.Fatal("not paused")
	}
	addSeq(p, 3, 8, 4)
	if got := kept(p); !slices.Equal(got, seqs(0, 5)) {
		t.Errorf("paused: kept %v, want 0..4 (the depth)", got)
	}
	if p.Msgs != 8 || p.PausedNew != 5 || p.PausedLost != 3 || p.Evicted != 0 {
		t.Errorf("paused: Msgs %d new %d lost %d evicted %d, want 8 5 3 0", p.Msgs, p.PausedNew, p.PausedLost, p.Evicted)
	}
	if from, to, sel := p.Window(); from != 0 || to != 3 || sel != 2 || selSeq(p) != 2 || p.Unseen() != 0 {
		t.Errorf("paused: window [%d,%d) sel %d (seq %d) unseen %d, want [0,3) 2 (2) 0", from, to, sel, selSeq(p), p.Unseen())
	}
	// The frozen list can be browsed, not past what it showed.
	p.Move(-2)
	p.Move(5)
	if selSeq(p) != 2 {
		t.Errorf("browsing while paused: selected %d, want 2", selSeq(p))
	}
	// The user moved while paused, so resuming holds where they read and
	// counts what is below.
	p.SetPaused(false)
	if p.Paused || p.PausedNew != 0 || p.PausedLost != 0 || p.Following() || selSeq(p) != 2 || p.Unseen() != 2 {
		t.Errorf("resumed: paused %v new %d lost %d following %v selected %d unseen %d, want false 0 0 false 2 2",
			p.Paused, p.PausedNew, p.PausedLost, p.Following(), selSeq(p), p.Unseen())
	}
	p.Follow()
	p.Add(pmsg(8, 4))
	if got := kept(p); !slices.Equal(got, []uint64{1, 2, 3, 4, 8}) {
		t.Errorf("after resume: kept %v, want [1 2 3 4 8]", got)
	}
	for i := range p.Len() {
		want := uint64(0)
		if i == 4 {
			want = 3 // 5, 6, 7 were lost before 8
		}
		if got := p.GapBefore(i); got != want {
			t.Errorf("gap before row %d (seq %d): %d, want %d", i, p.At(i).Seq, got, want)
		}
	}
	// Pausing twice and resuming twice is harmless; not having moved, the
	// list follows again on resume.
	p.SetPaused(true)
	p.SetPaused(true)
	p.Add(pmsg(9, 4))
	if p.PausedNew != 1 || p.PausedLost != 1 {
		t.Errorf("paused twice: new %d lost %d, want 1 1", p.PausedNew, p.PausedLost)
	}
	p.SetPaused(false)
	p.SetPaused(false)
	if p.PausedNew != 0 || p.Paused || !p.Following() || selSeq(p) != 8 {
		t.Errorf("resume twice: paused %v new %d following %v selected %d", p.Paused, p.PausedNew, p.Following(), selSeq(p))
	}
	// Paused while scrolled up: resuming stays there and counts the new.
	p = newTestPane(100, 1<<30)
	addSeq(p, 0, 5, 1)
	p.Move(-1)
	p.SetPaused(true)
	addSeq(p, 5, 9, 1)
	p.SetPaused(false)
	if p.Following() || selSeq(p) != 3 || p.Unseen() != 4 || p.Len() != 9 {
		t.Errorf("resumed while scrolled: following %v selected %d unseen %d len %d, want false 3 4 9",
			p.Following(), selSeq(p), p.Unseen(), p.Len())
	}
}

// TestPaneClear: Clear forgets the messages and starts the counts again
// (issue 12 item 17: the header said "564 msgs" over an empty list).
func TestPaneClear(t *testing.T) {
	p := newTestPane(4, 1<<30)
	addSeq(p, 0, 6, 2) // kept 2..5, evicted 2
	p.Move(-2)
	addSeq(p, 6, 7, 2)
	p.SetHeight(3)
	p.Clear()
	if p.Len() != 0 || p.Selected() != nil || !p.Following() || p.Unseen() != 0 {
		t.Errorf("cleared: len %d selected %v following %v unseen %d", p.Len(), p.Selected(), p.Following(), p.Unseen())
	}
	if p.Msgs != 0 || p.Bytes != 0 || p.Evicted != 0 {
		t.Errorf("Clear kept counts: Msgs %d Bytes %d Evicted %d, want 0 0 0", p.Msgs, p.Bytes, p.Evicted)
	}
	if p.bytes != 0 {
		t.Errorf("Clear left %d bytes accounted", p.bytes)
	}
	if from, to, _ := p.Window(); from != 0 || to != 0 {
		t.Errorf("empty window [%d,%d)", from, to)
	}
	addSeq(p, 7, 13, 2)
	if got := kept(p); !slices.Equal(got, seqs(9, 13)) {
		t.Errorf("after clear and refill: kept %v, want 9..12", got)
	}
	if p.Evicted != 2 || p.Msgs != 6 || selSeq(p) != 12 {
		t.Errorf("after refill: evicted %d msgs %d selected %d, want 2 6 12", p.Evicted, p.Msgs, selSeq(p))
	}
	if from, to, sel := p.Window(); from != 1 || to != 4 || sel != 3 {
		t.Errorf("after refill: window [%d,%d) sel %d, want [1,4) 3", from, to, sel)
	}
}

// TestPaneRate: the pane's rate and sparkline count every match, paused or
// not, by receive second.
func TestPaneRate(t *testing.T) {
	p := newTestPane(5, 1<<30)
	// 10 msgs in each of seconds 0..9, 20 in second 10.
	at := func(sec int64, i int) *Message {
		return &Message{Subject: "s.x", Received: paneT0 + sec*paneSecond + int64(i)*1e6}
	}
	for sec := range int64(10) {
		if sec == 5 {
			p.SetPaused(true)
		}
		if sec == 7 {
			p.SetPaused(false)
		}
		for i := range 10 {
			p.Add(at(sec, i))
		}
	}
	for i := range 20 {
		p.Add(at(10, i))
	}
	if p.Msgs != 120 {
		t.Fatalf("Msgs %d, want 120", p.Msgs)
	}
	now := paneT0 + 11*paneSecond // second 11 has just begun
	since := paneT0
	// The window is seconds 2..11, 9 s long at the start of second 11:
	// 8*10 + 20 + 0 messages.
	if got := p.Rate(now, since); !near(got, 100.0/9) {
		t.Errorf("Rate = %v, want %v", got, 100.0/9)
	}
	spark := make([]float64, 4)
	p.Spark(now, spark)
	if want := []float64{10, 10, 10, 20}; !slices.Equal(spark, want) {
		t.Errorf("Spark = %v, want %v", spark, want)
	}
	// Silence empties the rate.
	if got := p.Rate(now+60*paneSecond, since); got != 0 {
		t.Errorf("Rate after a minute of silence = %v, want 0", got)
	}
	// A pane that has watched for two seconds divides by two, not the window.
	q := newTestPane(5, 1<<30)
	for sec := range int64(2) {
		for i := range 10 {
			q.Add(at(100+sec, i))
		}
	}
	if got := q.Rate(paneT0+102*paneSecond, paneT0+100*paneSecond); !near(got, 10) {
		t.Errorf("young pane: Rate = %v, want 10", got)
	}
}

// TestPaneCostsHeadersAndReply: a pane charges the budget what the tree
// would for the same message, headers and reply included, and gives it
// all back when the message goes.
func TestPaneCostsHeadersAndReply(t *testing.T) {
	p := newTestPane(1, 1<<30)
	m := pmsg(0, 10)
	m.Reply = "_INBOX.abc"
	m.Header = Header{"Trace": {"0123456789"}}
	p.Add(m)
	if p.MemoryUsed() != messageBytes(m) || p.MemoryUsed() <= messageCost+10 {
		t.Fatalf("pane charges %d, the tree would %d", p.MemoryUsed(), messageBytes(m))
	}
	p.Add(pmsg(1, 10)) // depth 1: the first goes
	if p.MemoryUsed() != messageCost+int64(len("s.x"))+10 {
		t.Fatalf("after the first left the pane charges %d", p.MemoryUsed())
	}
}
