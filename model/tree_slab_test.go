package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// indexNode makes a node by hand (not linked into any order) for the
// child index tests, which drive tr.index directly.
func indexNode(tr *Tree, parent uint32, name string) uint32 {
	id := tr.nodes.alloc()
	n := tr.nodes.at(id)
	n.parent = parent
	tr.setName(n, name)
	return id
}

// indexKey is what the index hashes id by.
func indexKey(tr *Tree, id uint32) (uint32, string) {
	n := tr.nodes.at(id)
	return n.parent, tr.name(n)
}

func indexInsert(tr *Tree, id uint32) {
	p, name := indexKey(tr, id)
	tr.index.insert(id, tr.index.hash(p, name))
}

func indexRemove(tr *Tree, id uint32) {
	p, name := indexKey(tr, id)
	tr.index.remove(id, tr.index.hash(p, name))
}

// TestChildIndexRandom inserts and removes random children of a few
// parents, with a table small enough to wrap and grow, and checks after
// every step that every live child is found and no removed one is: the
// backward-shift deletion must never leave a hole a probe stops at.
func TestChildIndexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tr := NewTree(TreeOptions{}, 0)
	x := &tr.index
	parents := []uint32{rootID, indexNode(tr, rootID, "p"), indexNode(tr, rootID, "a-longer-parent-name")}
	live := map[uint32]bool{}
	var all []uint32
	for step := range 20_000 {
		if len(all) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(all))
			n := all[i]
			all[i] = all[len(all)-1]
			all = all[:len(all)-1]
			indexRemove(tr, n)
			delete(live, n)
			if p, name := indexKey(tr, n); tr.findChild(p, name) != 0 {
				t.Fatalf("step %d: removed %q still found", step, name)
			}
		} else {
			name := fmt.Sprint(rng.IntN(1 << 20))
			if rng.IntN(4) == 0 {
				name += "-a-long-name" // in the name slab
			}
			p := parents[rng.IntN(len(parents))]
			if tr.findChild(p, name) != 0 {
				continue
			}
			n := indexNode(tr, p, name)
			indexInsert(tr, n)
			live[n] = true
			all = append(all, n)
		}
		if step%97 == 0 || step > 19_900 {
			for n := range live {
				if p, name := indexKey(tr, n); tr.findChild(p, name) != n {
					t.Fatalf("step %d: %q under %d not found", step, name, p)
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
	tr := NewTree(TreeOptions{}, 0)
	x := &tr.index
	parents := []uint32{rootID, indexNode(tr, rootID, "p")}
	var all []uint32
	draining, growths := 0, 0
	for i := range 200_000 {
		n := indexNode(tr, parents[i%2], fmt.Sprint(i))
		hadOld, size := x.old != nil, len(x.slots)
		before := x.drained
		indexInsert(tr, n)
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
					if p, name := indexKey(tr, k); tr.findChild(p, name) != k {
						t.Fatalf("insert %d, while draining: %q not found", i, name)
					}
				}
			}
		}
	}
	if growths < 5 || draining < 10_000 {
		t.Fatalf("%d growths, %d inserts while draining: the test did not exercise draining", growths, draining)
	}
	for _, k := range all {
		if p, name := indexKey(tr, k); tr.findChild(p, name) != k {
			t.Fatalf("%q not found", name)
		}
	}
	if x.n != len(all) {
		t.Fatalf("index counts %d, %d inserted", x.n, len(all))
	}
}
