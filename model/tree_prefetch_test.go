package model

import (
	"strconv"
	"testing"
	"time"
)

// TestPrefetchUnderFlood: a round-robin over more subjects than the leaf
// cache holds, applied in blocks as the UI does, has prefetch load the
// index (it must not sit idle where it was built for), and odd subjects
// among them (empty tokens, one token, a missing parent) are counted
// exactly as without it.
func TestPrefetchUnderFlood(t *testing.T) {
	const spread = 300_000
	e := NewExplorer(ExplorerOptions{}, time.Unix(0, treeT0))
	plain := NewTree(DefaultTreeOptions(), treeT0)
	odd := []string{"", ".", "a.", ".a", "a..b", "x", "new.parent.leaf", "s"}
	batch := make([]Message, 0, 4096)
	flush := func() {
		e.ApplyUntil(batch, SourceStatus{}, time.Unix(0, treeT0), nil)
		batch = batch[:0]
	}
	for i := range 2*spread + len(odd)*100 {
		subj := "s." + strconv.Itoa(i/10%1000) + "." + strconv.Itoa(i%spread)
		if i >= 2*spread {
			subj = odd[i%len(odd)]
		}
		m := tmsg(subj, treeT0, "p")
		plain.Apply(m)
		if batch = append(batch, *m); len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	tr := e.Tree()
	if tr.prefetched == 0 || !tr.leaves.off {
		t.Fatalf("prefetch loaded nothing (leaf cache off: %v, %d index slots)", tr.leaves.off, len(tr.index.slots))
	}
	if tr.Msgs != plain.Msgs || tr.Subjects() != plain.Subjects() {
		t.Fatalf("%d msgs on %d subjects, want %d on %d", tr.Msgs, tr.Subjects(), plain.Msgs, plain.Subjects())
	}
	for _, s := range append(odd, "s.234.12345", "s.999.299999") {
		if got, want := tr.Find(s).Msgs(), plain.Find(s).Msgs(); got != want || got == 0 {
			t.Errorf("%q: %d msgs, want %d", s, got, want)
		}
	}
}
