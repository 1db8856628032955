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

// TestChildIndexGrowsIncrementally inserts only, so each growth drains
// over many inserts: every entry stays findable while its table drains,
// no insert moves more than drainStep old slots (no stop-the-world
// rehash), and the old table is dropped before the next growth.
func TestChildIndexGrowsIncrementally(t *testing.T) {
	x := newChildIndex()
	parents := []*Node{nil, {Name: "p"}}
	var all []*Node
	draining, growths := 0, 0
	for i := range 200_000 {
		n := &Node{Name: fmt.Sprint(i), Parent: parents[i%2]}
		hadOld, size := x.old != nil, len(x.slots)
		before := x.drained
		x.insert(n)
		all = append(all, n)
		switch {
		case len(x.slots) != size:
			growths++
			if hadOld {
				t.Fatalf("insert %d: grew again while the old table drained", i)
			}
		case hadOld && x.old != nil && x.drained-before > drainStep:
			t.Fatalf("insert %d moved %d old slots, want at most %d", i, x.drained-before, drainStep)
		}
		if x.old != nil {
			draining++
			if i%997 == 0 {
				for _, k := range all {
					if x.find(k.Parent, k.Name) != k {
						t.Fatalf("insert %d, while draining: %q not found", i, k.Name)
					}
				}
			}
		}
	}
	if growths < 5 || draining < 10_000 {
		t.Fatalf("%d growths, %d inserts while draining: the test did not exercise draining", growths, draining)
	}
	for _, k := range all {
		if x.find(k.Parent, k.Name) != k {
			t.Fatalf("%q not found", k.Name)
		}
	}
	if x.n != len(all) {
		t.Fatalf("index counts %d, %d inserted", x.n, len(all))
	}
}
