package where

import (
	"fmt"

	"natsx/model"
)

// MaxBreakpoints bounds a breakpoint list (each one runs on every message).
const MaxBreakpoints = 9

// Breakpoint stops the display (or the capture's player) at a message:
// a subject pattern and, when given, a condition on the message.
type Breakpoint struct {
	// ID is the number the user names it by (1-based, stable).
	ID      int
	Pattern model.Pattern
	Cond    *Filter // nil: the pattern alone
	// Enabled breakpoints are checked; a disabled one keeps its hits.
	Enabled bool
	// Hits counts the messages it stopped at.
	Hits uint64
}

// Spec is the breakpoint as typed: "PATTERN [where EXPR]".
func (b *Breakpoint) Spec() string {
	if b.Cond == nil {
		return b.Pattern.String()
	}
	return b.Pattern.String() + " where " + b.Cond.String()
}

// match reports whether m stops at b (a miss does not).
func (b *Breakpoint) match(m *model.Message) bool {
	if !b.Enabled || !b.Pattern.Match(m.Subject) {
		return false
	}
	if b.Cond == nil {
		return true
	}
	ok, _ := b.Cond.Match(m)
	return ok
}

// Breakpoints is a bounded list of breakpoints. It is used on one
// goroutine; Clone makes a copy for another (the player's).
type Breakpoints struct {
	list   []*Breakpoint
	nextID int
}

// Add compiles spec ("PATTERN [where EXPR]") into a new enabled breakpoint.
func (bs *Breakpoints) Add(spec string) (*Breakpoint, error) {
	if len(bs.list) >= MaxBreakpoints {
		return nil, fmt.Errorf("at most %d breakpoints", MaxBreakpoints)
	}
	p, cond, err := ParseFilter(spec)
	if err != nil {
		return nil, err
	}
	bs.nextID++
	b := &Breakpoint{ID: bs.nextID, Pattern: p, Cond: cond, Enabled: true}
	bs.list = append(bs.list, b)
	return b, nil
}

// List is the breakpoints in the order they were set.
func (bs *Breakpoints) List() []*Breakpoint { return bs.list }

// Get is breakpoint id, nil when there is none.
func (bs *Breakpoints) Get(id int) *Breakpoint {
	for _, b := range bs.list {
		if b.ID == id {
			return b
		}
	}
	return nil
}

// Delete removes breakpoint id; false when there is none.
func (bs *Breakpoints) Delete(id int) bool {
	for i, b := range bs.list {
		if b.ID == id {
			bs.list = append(bs.list[:i:i], bs.list[i+1:]...)
			return true
		}
	}
	return false
}

// Armed reports whether any breakpoint is enabled.
func (bs *Breakpoints) Armed() bool {
	for _, b := range bs.list {
		if b.Enabled {
			return true
		}
	}
	return false
}

// Hit is the first enabled breakpoint m stops at, its hit counted; nil
// when none does.
func (bs *Breakpoints) Hit(m *model.Message) *Breakpoint {
	for _, b := range bs.list {
		if b.match(m) {
			b.Hits++
			return b
		}
	}
	return nil
}

// First is the index in msgs of the first message a breakpoint stops at,
// and that breakpoint (its hit counted); -1 and nil when none does.
func (bs *Breakpoints) First(msgs []model.Message) (int, *Breakpoint) {
	if !bs.Armed() {
		return -1, nil
	}
	for i := range msgs {
		if b := bs.Hit(&msgs[i]); b != nil {
			return i, b
		}
	}
	return -1, nil
}

// Clone copies the list with conditions of their own, for another
// goroutine; hits start from the originals'.
func (bs *Breakpoints) Clone() *Breakpoints {
	c := &Breakpoints{nextID: bs.nextID}
	for _, b := range bs.list {
		nb := *b
		nb.Cond = b.Cond.Clone()
		c.list = append(c.list, &nb)
	}
	return c
}
