package model

import "testing"

// TestPaneWindowOnlyReads: Window is what the UI draws from, so asking it
// must not move the list: the answer is the same however often it is
// asked, and a move acts the same with or without a frame before it.
func TestPaneWindowOnlyReads(t *testing.T) {
	steps := []struct {
		name string
		do   func(p *Pane)
	}{
		{"arrivals while following", func(p *Pane) { addSeq(p, 40, 45, 1) }},
		{"up out of follow", func(p *Pane) { p.Move(-3) }},
		{"far up", func(p *Pane) { p.Move(-20) }},
		{"arrivals while scrolled", func(p *Pane) { addSeq(p, 45, 60, 1) }},
		{"down", func(p *Pane) { p.Move(7) }},
		{"shorter", func(p *Pane) { p.SetHeight(4) }},
		{"top", func(p *Pane) { p.Top() }},
		{"follow", func(p *Pane) { p.Follow() }},
	}
	drawn, blind := newTestPane(30, 1<<30), newTestPane(30, 1<<30)
	for _, p := range []*Pane{drawn, blind} {
		p.SetHeight(10)
		addSeq(p, 0, 40, 1)
	}
	for _, s := range steps {
		s.do(drawn)
		s.do(blind)
		f1, t1, s1 := drawn.Window()
		f2, t2, s2 := drawn.Window()
		if f1 != f2 || t1 != t2 || s1 != s2 {
			t.Fatalf("%s: Window moved the list: %d-%d/%d then %d-%d/%d", s.name, f1, t1, s1, f2, t2, s2)
		}
	}
	f1, t1, s1 := drawn.Window()
	f2, t2, s2 := blind.Window()
	if f1 != f2 || t1 != t2 || s1 != s2 {
		t.Errorf("frames changed where the list is: drawn %d-%d/%d, never drawn %d-%d/%d", f1, t1, s1, f2, t2, s2)
	}
}
