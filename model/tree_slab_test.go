package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestChildIndexRandom inserts and removes random children of a few
// parents, with a table small enough to wrap and grow, and checks after
// every step that every live child is found and no removed one is: the
// backward-shift deletion must never leave a hole a probe stops at.
func TestChildIndexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := newChildIndex()
	parents := []*Node{nil, {Name: "p"}, {Name: "q"}}
	live := map[*Node]bool{}
	var all []*Node
	for step := range 20_000 {
		if len(all) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(all))
			n := all[i]
			all[i] = all[len(all)-1]
			all = all[:len(all)-1]
			x.remove(n)
			delete(live, n)
			if x.find(n.Parent, n.Name) != nil {
				t.Fatalf("step %d: removed %q still found", step, n.Name)
			}
		} else {
			n := &Node{Name: fmt.Sprint(rng.IntN(1 << 20)), Parent: parents[rng.IntN(len(parents))]}
			if x.find(n.Parent, n.Name) != nil {
				continue
			}
			x.insert(n)
			live[n] = true
			all = append(all, n)
		}
		if step%97 == 0 || step > 19_900 {
			for n := range live {
				if x.find(n.Parent, n.Name) != n {
					t.Fatalf("step %d: %q under %p not found", step, n.Name, n.Parent)
				}
			}
		}
	}
	if x.n != len(live) {
		t.Fatalf("index counts %d, %d live", x.n, len(live))
	}
}
