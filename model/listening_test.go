package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// publishAt applies n messages on subject to the tree at at.
func publishAt(tr *Tree, subject string, n int, at int64) {
	for range n {
		tr.Apply(&Message{Subject: subject, Received: at, Size: 1})
	}
}

func TestListeningAttributesToTheCheckBefore(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
	l := NewListening(0)
	publishAt(tr, "orders.new", 5, 10) // before any check: not counted
	l.Record(tr, []ListenCheck{{Subject: "orders.new", Known: true}}, 20)
	if !l.Alone("orders.new") {
		t.Fatal("a check with no listener must mark the subject")
	}
	if got := l.Unheard("orders.new", tr.Find("orders.new").Own()); got != 0 {
		t.Fatalf("unheard %d before any message after the check", got)
	}
	publishAt(tr, "orders.new", 3, 30)
	// Live: the messages since the check that said nobody listens.
	if got := l.Unheard("orders.new", tr.Find("orders.new").Own()); got != 3 {
		t.Fatalf("live unheard %d, want 3", got)
	}
	// A listener arrives; the messages before this check still went nowhere.
	l.Record(tr, []ListenCheck{{Subject: "orders.new", Listeners: 1, Known: true}}, 40)
	publishAt(tr, "orders.new", 7, 50)
	l.Record(tr, []ListenCheck{{Subject: "orders.new", Listeners: 1, Known: true}}, 60)
	if l.Alone("orders.new") {
		t.Fatal("a listener must unmark the subject")
	}
	if got := l.Unheard("orders.new", tr.Find("orders.new").Own()); got != 3 {
		t.Fatalf("unheard %d, want 3 (the 7 after the listener came were heard)", got)
	}
	unheard, alone, _ := l.Totals()
	if unheard != 3 || alone != 0 {
		t.Fatalf("totals %d %d", unheard, alone)
	}
	l.Record(tr, []ListenCheck{{Subject: "orders.new", Known: true}}, 62)
	publishAt(tr, "orders.new", 4, 63)
	if got := l.Live(tr); got != 7 {
		t.Fatalf("live %d, want the 3 counted and the 4 since the latest check", got)
	}
	for _, tc := range []struct {
		at           int64
		alone, known bool
	}{{10, false, false}, {20, false, false}, {21, true, true}, {30, true, true}, {40, true, true}, {41, false, true}, {50, false, true}} {
		if a, k := l.WhenReceived("orders.new", tc.at); a != tc.alone || k != tc.known {
			t.Errorf("at %d: alone %v known %v, want %v %v", tc.at, a, k, tc.alone, tc.known)
		}
	}
	// An unknown answer stops the attribution until a known one.
	l.Record(tr, []ListenCheck{{Subject: "orders.new", Known: false}}, 70)
	if _, k := l.WhenReceived("orders.new", 75); k {
		t.Fatal("after an unknown answer nothing is known")
	}
}

func TestListeningCountsResetCounters(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
	l := NewListening(0)
	publishAt(tr, "a", 10, 1)
	l.Record(tr, []ListenCheck{{Subject: "a", Known: true}}, 2)
	tr2 := NewTree(TreeOptions{HistoryDepth: 4}, 0) // the counts start again
	publishAt(tr2, "a", 4, 3)
	l.Record(tr2, []ListenCheck{{Subject: "a", Known: true}}, 4)
	if got, _, _ := l.Totals(); got != 4 {
		t.Fatalf("unheard %d, want the 4 since the reset", got)
	}
}

func TestListeningBound(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
	l := NewListening(3)
	for i := range 5 {
		s := fmt.Sprintf("s%d", i)
		publishAt(tr, s, 1, int64(i))
		l.Record(tr, []ListenCheck{{Subject: s, Listeners: i % 2, Known: true}}, int64(i+10))
	}
	if len(l.entries) != 3 {
		t.Fatalf("entries %d, want the bound 3", len(l.entries))
	}
	if b := l.Bytes(); b < 3*listenEntryBytes {
		t.Fatalf("bytes %d for 3 entries", b)
	}
	_, alone, forgotten := l.Totals()
	if forgotten != 2 {
		t.Fatalf("forgotten %d", forgotten)
	}
	// s0, s2 and s4 said nobody listens: the ones who listen went first.
	for _, s := range []string{"s0", "s2", "s4"} {
		if !l.Alone(s) {
			t.Fatalf("%s forgotten before a subject somebody listens on (%v)", s, l.entries)
		}
	}
	if alone != 3 {
		t.Fatalf("alone %d", alone)
	}
}

func TestListeningDue(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
	l := NewListening(0)
	for _, s := range []string{"a", "b", "c", "d"} {
		publishAt(tr, s, 1, 5)
	}
	l.Record(tr, []ListenCheck{{Subject: "a", Known: true}, {Subject: "b", Known: true}}, 10)
	publishAt(tr, "b", 1, 20) // b has news since its check, a has not
	l.Sample([]Message{{Subject: "c"}, {Subject: "a"}})
	got := l.Due(tr, []string{"a", "b", "orders", "d"}, 10)
	// never checked (d, c) and news (b) take turns, then the rest (a).
	if want := []string{"d", "b", "c", "a"}; !slices.Equal(got, want) {
		t.Fatalf("due %v, want %v", got, want)
	}
	if got := l.Due(tr, []string{"a", "b", "d"}, 2); len(got) != 2 {
		t.Fatalf("due %v, want 2 at most", got)
	}
	// A branch without messages of its own is no candidate.
	publishAt(tr, "x.y", 1, 30)
	if got := l.Due(tr, []string{"x"}, 10); slices.Contains(got, "x") {
		t.Fatalf("due %v includes a branch", got)
	}
}

func TestListeningSampleBounded(t *testing.T) {
	l := NewListening(0)
	batch := make([]Message, 10000)
	for i := range batch {
		batch[i].Subject = fmt.Sprintf("s%d", i)
	}
	l.Sample(batch)
	n := 0
	for _, s := range l.recent {
		if s != "" {
			n++
		}
	}
	if n == 0 || n > listenSample+1 {
		t.Fatalf("a batch gave %d subjects, want at most %d", n, listenSample+1)
	}
	if l.recent[0] != "s9999" {
		t.Fatalf("the newest message's subject must be sampled first: %q", l.recent[0])
	}
}

func TestListeningAloneBelow(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
	l := NewListening(0)
	for _, s := range []string{"a.b.c", "a.b.d", "a.e", "f"} {
		publishAt(tr, s, 1, 1)
	}
	l.Record(tr, []ListenCheck{{Subject: "a.b.c", Known: true}, {Subject: "a.b.d", Known: true}, {Subject: "a.e", Listeners: 1, Known: true}, {Subject: "f", Known: true}}, 2)
	for branch, want := range map[string]int{"a": 2, "a.b": 2, "a.b.c": 0, "f": 0, "a.e": 0} {
		if got := l.AloneBelow(branch); got != want {
			t.Errorf("below %q: %d, want %d", branch, got, want)
		}
	}
	l.Record(tr, []ListenCheck{{Subject: "a.b.c", Listeners: 1, Known: true}}, 3)
	if got := l.AloneBelow("a"); got != 1 {
		t.Errorf("below a after a listener came: %d", got)
	}
}

// TestListeningDeepSubject: a deep subject nobody listens on marks each
// branch above it, and the record grows with its length, not with its
// length squared (keyed by prefix strings, a 10,000-token subject counted
// 10,000 prefixes of 25 KB on average: 240 MiB).
func TestListeningDeepSubject(t *testing.T) {
	held := func(tokens int) (*Listening, string) {
		tr := NewTree(TreeOptions{HistoryDepth: 4}, 0)
		l := NewListening(0)
		subj := strings.Repeat("abcd.", tokens-1) + "end"
		publishAt(tr, subj, 1, 1)
		l.Record(tr, []ListenCheck{{Subject: subj, Known: true}}, 2)
		return l, subj
	}
	small, _ := held(1_000)
	big, subj := held(10_000)
	if r := float64(big.Bytes()) / float64(small.Bytes()); r > 12 {
		t.Errorf("10x the tokens cost the record %.1fx the bytes (%d against %d): not linear", r, big.Bytes(), small.Bytes())
	}
	for _, branch := range []string{"abcd", subj[:5*5000-1], subj[:len(subj)-4]} {
		if got := big.AloneBelow(branch); got != 1 {
			t.Errorf("below a branch of %d bytes: %d, want 1", len(branch), got)
		}
	}
	for _, other := range []string{"abcd.abcd.abc", subj, "end"} {
		if got := big.AloneBelow(other); got != 0 {
			t.Errorf("below %d bytes that are no branch of it: %d, want 0", len(other), got)
		}
	}
}
