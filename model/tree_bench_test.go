package model

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// benchMessages returns one message with a 16-byte payload on each of n
// distinct 4-token subjects.
func benchMessages(n int) []Message {
	payload := []byte("0123456789abcdef")
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{
			Seq:     uint64(i),
			Subject: fmt.Sprintf("svc.%d.%d.%d", i%10, i/10%10, i),
			Data:    payload,
			Size:    len(payload),
		}
	}
	return msgs
}

// benchClock is a receive time for message i at 10M msg/s, so rates move
// through their one-second buckets as they would under a flood.
func benchClock(i int) int64 { return treeT0 + int64(i)*100 }

// BenchmarkTreeApplyKnownSubject is the hot path: a message on a subject the
// tree already holds, its history ring already full.
func BenchmarkTreeApplyKnownSubject(b *testing.B) {
	msgs := benchMessages(10_000)
	tr := NewTree(DefaultTreeOptions(), treeT0)
	i := 0
	for range tr.opts.HistoryDepth { // fill every ring: no growth in the loop
		for j := range msgs {
			msgs[j].Received = benchClock(i)
			tr.Apply(&msgs[j])
			i++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m := &msgs[i%len(msgs)]
		m.Received = benchClock(i)
		tr.Apply(m)
		i++
	}
	if tr.Evicted != 0 || tr.Pruned != 0 {
		b.Fatalf("Evicted %d, Pruned %d: the budget should hold everything", tr.Evicted, tr.Pruned)
	}
}

// BenchmarkBareCount is the baseline for BenchmarkTreeApplyKnownSubject: the
// least a consumer does per message (count it and its wire bytes) over the
// same messages.
func BenchmarkBareCount(b *testing.B) {
	msgs := benchMessages(10_000)
	var count, bytes uint64
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m := &msgs[i%len(msgs)]
		m.Received = benchClock(i)
		count++
		bytes += uint64(m.WireBytes())
		i++
	}
	if count == 0 || bytes == 0 {
		b.Fatal("nothing counted")
	}
}

// BenchmarkTreeApplyNewSubjects applies every message to a subject the tree
// has not seen: one new leaf (sometimes a new branch too) per message.
// "fits" never prunes; "pruning" has a budget of about 49k nodes, so it
// includes the cost of pruning a tenth of the tree whenever it is full.
func BenchmarkTreeApplyNewSubjects(b *testing.B) {
	msgs := benchMessages(1_000_000)
	for _, bc := range []struct {
		name   string
		budget int64
	}{{"fits", 1 << 30}, {"pruning", 16 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			tr := NewTree(TreeOptions{MaxMemory: bc.budget}, treeT0)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if i == len(msgs) { // every subject used: start over with a new tree
					b.StopTimer()
					tr = NewTree(TreeOptions{MaxMemory: bc.budget}, treeT0)
					i = 0
					b.StartTimer()
				}
				m := &msgs[i]
				m.Received = benchClock(i)
				tr.Apply(m)
				i++
			}
		})
	}
}

// bench1M builds a tree of 1,000,000 subjects s.<a>.<b>.<c> (1,010,101
// nodes) with a budget large enough that nothing is pruned.
func bench1M(b *testing.B) *Tree {
	b.Helper()
	tr := NewTree(TreeOptions{MaxMemory: 1 << 30, HistoryDepth: 1}, treeT0)
	m := Message{Received: treeT0, Data: []byte("0123456789abcdef"), Size: 16}
	buf := make([]byte, 0, 32)
	for a := range 100 {
		for bb := range 100 {
			for c := range 100 {
				buf = fmt.Appendf(buf[:0], "s.%d.%d.%d", a, bb, c)
				m.Subject = string(buf)
				tr.Apply(&m)
			}
		}
	}
	if tr.Len() != 1_010_101 || tr.Pruned != 0 {
		b.Fatalf("Len %d Pruned %d", tr.Len(), tr.Pruned)
	}
	return tr
}

// BenchmarkTreeViewRefresh1M times Refresh after a structure change (one
// new subject, applied in the loop) in a 1M-subject tree: with s and every s.<a> expanded (10,101
// rows), and with everything expanded (1,010,101 rows).
func BenchmarkTreeViewRefresh1M(b *testing.B) {
	tr := bench1M(b)
	i := 0 // shared: every iteration of every case adds a subject not seen before
	for _, bc := range []struct {
		name   string
		depths int // node depths expanded
	}{{"10k-rows", 2}, {"1M-rows", 3}} {
		b.Run(bc.name, func(b *testing.B) {
			for _, n := range tr.Nodes() {
				n.SetExpanded(n.Depth() < bc.depths)
			}
			v := NewTreeView(tr)
			v.SetHeight(50)
			v.Refresh(treeT0)
			v.MoveTo(len(v.Rows()) / 2)
			m := Message{Received: treeT0}
			buf := make([]byte, 0, 32)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				// A new subject under an expanded branch, so rows must be
				// rebuilt. Applying it costs microseconds, Refresh milliseconds.
				buf = fmt.Appendf(buf[:0], "s.%d.%d.new%d", i%100, i/100%100, i)
				m.Subject = string(buf)
				tr.Apply(&m)
				i++
				v.Refresh(treeT0)
			}
			if v.built != tr.Structure() {
				b.Fatal("Refresh did not rebuild")
			}
			b.ReportMetric(float64(len(v.Rows())), "rows")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/op")
		})
	}
}

// BenchmarkTreeSearch1M times one Search (next match, then reveal) over a
// 1M-subject tree against linearSearch, the scan of every node that Search
// replaced, from the same selection, alternating which goes first: a query
// matching every node (forward and backward), one matching about 2% of
// them, one matching a single subject, and two matching nothing: one longer
// than most tokens, and one character, which every token must be read for
// (the slowest case for Search). Both must
// find the same node. search-ms/op is what a key press waits for (find and
// reveal); linear-ms/op is the scan with the same reveal.
func BenchmarkTreeSearch1M(b *testing.B) {
	tr := bench1M(b)
	for _, bc := range []struct {
		name, query string
		forward     bool
	}{
		{"all", "s", true},
		{"all-backward", "s", false},
		{"two-percent", ".42.", true},
		{"one", "s.42.17.99", true},
		{"none", "nomatch", true},
		{"none-1char", "x", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for _, n := range tr.Nodes() {
				n.SetExpanded(false)
			}
			v := NewTreeView(tr)
			v.SetHeight(50)
			v.Refresh(treeT0)
			var walk, linear, reveal time.Duration
			i := 0
			for b.Loop() {
				var got, want Node
				for k := range 2 {
					t0 := time.Now()
					if (i+k)%2 == 0 {
						got = v.find(bc.query, bc.forward, true)
						walk += time.Since(t0)
					} else {
						want = linearSearch(v, bc.query, bc.forward, true)
						linear += time.Since(t0)
					}
				}
				if got != want {
					b.Fatalf("search %d: found %s, the linear scan %s", i, subjectOf(got), subjectOf(want))
				}
				t0 := time.Now()
				if !got.IsZero() {
					v.Reveal(got, treeT0)
				}
				reveal += time.Since(t0)
				i++
			}
			ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / 1e6 }
			b.ReportMetric(ms(walk+reveal), "search-ms/op")
			b.ReportMetric(ms(linear+reveal), "linear-ms/op")
			b.ReportMetric(float64(walk+reveal)/float64(linear+reveal), "search/linear")
		})
	}
}

// BenchmarkTreeApplyNewSubject is a message on a 4-token subject the tree
// has never seen, under a branch that exists (svc.<a>.<b>): one new leaf per
// message, in a tree that already holds 1M subjects, so the cost includes
// the index growing as it does in a flood of new subjects.
func BenchmarkTreeApplyNewSubject(b *testing.B) {
	const held = 1_000_000
	msgs := benchMessages(held + 1_000_000)
	tr := NewTree(TreeOptions{MaxMemory: 4 << 30}, treeT0)
	for i := range held {
		msgs[i].Received = benchClock(i)
		tr.Apply(&msgs[i])
	}
	i := held
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if i == len(msgs) {
			b.Fatal("out of new subjects: run with -benchtime at most 1000000x")
		}
		m := &msgs[i]
		m.Received = benchClock(i)
		tr.Apply(m)
		i++
	}
	if tr.Pruned != 0 {
		b.Fatalf("Pruned %d", tr.Pruned)
	}
}

// BenchmarkTreeFlood1M applies a flood of 1M messages on 1M new four-token
// subjects (16-byte payloads, each message owning its payload as the
// engine's do) to a tree with the default budget, and reports the GC's
// share of the CPU while it ran (runtime/metrics: GC CPU over GC and
// user CPU, as of the last GC cycle the flood completed) and the cost per
// subject. The target: the GC's share ≤ 5%.
func BenchmarkTreeFlood1M(b *testing.B) {
	const n = 1_000_000
	cpu := func() (gc, user float64) {
		s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/user:cpu-seconds"}}
		metrics.Read(s)
		return s[0].Value.Float64(), s[1].Value.Float64()
	}
	var share float64
	var elapsed time.Duration
	for b.Loop() {
		runtime.GC()
		tr := NewTree(DefaultTreeOptions(), treeT0)
		gc0, user0 := cpu()
		t0 := time.Now()
		fillFlood(tr, n)
		elapsed += time.Since(t0)
		gc1, user1 := cpu()
		share += (gc1 - gc0) / (gc1 - gc0 + user1 - user0)
		if tr.Pruned != 0 || tr.Evicted != 0 {
			b.Fatalf("Pruned %d, Evicted %d: the default budget should hold 1M subjects", tr.Pruned, tr.Evicted)
		}
		runtime.KeepAlive(tr)
	}
	b.ReportMetric(100*share/float64(b.N), "gc-%")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/n, "ns/subject")
}
