package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// chunkBatch is a batch with what the explorer counts in every way: new and
// known subjects, inner subjects, requests and their replies, a message for
// each pane and one for none, received over three seconds.
func chunkBatch(r *rand.Rand, n int) []Message {
	out := make([]Message, 0, n)
	for i := range n {
		var subj, reply string
		switch r.IntN(5) {
		case 0:
			subj = fmt.Sprintf("new.%d.x", i) // never seen before
		case 1:
			subj = fmt.Sprintf("known.%d", r.IntN(20))
		case 2:
			subj = "known" // an inner node's own subject
		case 3:
			subj, reply = "svc.req", fmt.Sprintf("_INBOX.%d", r.IntN(50))
		default:
			subj = fmt.Sprintf("_INBOX.%d", r.IntN(50)) // answers, some
		}
		data := strings.Repeat("d", r.IntN(40))
		out = append(out, Message{Seq: uint64(i), Subject: subj, Reply: reply, Data: []byte(data), Size: len(data),
			Received: exStart.UnixNano() + int64(i)*3*int64(time.Second)/int64(n)})
	}
	return out
}

// explorerDigest prints everything Apply changes that the screen shows:
// totals, each node's counts, rate, last message and history, the header's
// rates and sparkline, the request/reply counters and each pane's list.
func explorerDigest(e *Explorer, now time.Time) string {
	var b strings.Builder
	at := now.UnixNano()
	tr := e.Tree()
	fmt.Fprintf(&b, "tree msgs %d bytes %d nodes %d subjects %d evicted %d pruned %d since %d\n",
		tr.Msgs, tr.Bytes, tr.Len(), tr.Subjects(), tr.Evicted, tr.Pruned, tr.Since())
	nodes := tr.Nodes()
	slices.SortFunc(nodes, func(a, b Node) int { return strings.Compare(a.Subject(), b.Subject()) })
	for _, n := range nodes {
		last, _ := n.Last()
		fmt.Fprintf(&b, "%s %d/%d/%d last %d rate %.3f hist %d seq %d\n",
			n.Subject(), n.Msgs(), n.Own(), n.Bytes(), n.LastSeen(), n.Rate(at, tr.Since()), n.HistoryLen(), last.Seq)
	}
	msgs, bytes := e.Throughput().Rates(at)
	spark := make([]float64, 10)
	e.Throughput().Spark(at, spark)
	fmt.Fprintf(&b, "rates %.3f %.3f spark %v replies %+v\n", msgs, bytes, spark, e.Replies().Counters())
	for _, p := range e.Panes() {
		fmt.Fprintf(&b, "pane %s msgs %d bytes %d seqs", p.Pattern.String(), p.Msgs, p.Bytes)
		for j := range p.Len() {
			fmt.Fprintf(&b, " %d", p.At(j).Seq)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "rows %d now %d status %v\n", len(e.TreeView().Rows()), e.Now().UnixNano(), e.Status().State)
	return b.String()
}

// chunkExplorer is an explorer with two panes and a message already counted.
func chunkExplorer(t *testing.T) *Explorer {
	e := NewExplorer(ExplorerOptions{PaneDepth: 5000}, exStart)
	for _, p := range []string{"known.>", "svc.*"} {
		if _, err := e.AddPane(mustPattern(t, p), exStart.UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	e.TreeView().SetHeight(20)
	e.Apply([]Message{{Subject: "old", Received: exStart.UnixNano()}}, SourceStatus{}, exStart)
	return e
}

// TestExplorerApplyUntilChunked applies a batch cut at random places, each
// part itself stopped at random blocks by ApplyUntil's more, the way the UI
// spreads a big batch over Updates: everything shown must be what one Apply
// of the whole batch gives, with and without a rewind marker in the middle
// (counts start over exactly after it).
func TestExplorerApplyUntilChunked(t *testing.T) {
	const rewind = RewindPrefix + "x"
	st := SourceStatus{State: StateConnected, Tap: ">"}
	for _, c := range []struct {
		name   string
		n      int
		rewind int // index of the rewind marker; -1: none
	}{
		{"small", 10, -1},
		{"one block", ApplyCheck, -1},
		{"blocks and a tail", 5*ApplyCheck + 17, -1},
		{"big", 3000, -1},
		{"rewind in the middle", 3000, 1234},
		{"rewind first", 500, 0},
		{"rewind last", 500, 499},
	} {
		t.Run(c.name, func(t *testing.T) {
			for seed := range uint64(20) {
				r := rand.New(rand.NewPCG(seed, 7))
				batch := chunkBatch(r, c.n)
				if c.rewind >= 0 {
					batch[c.rewind].Subject = rewind
				}
				now := exStart.Add(3 * time.Second)
				head := now.UnixNano()

				one := chunkExplorer(t)
				rest, since, ok := AfterRewind(slices.Clone(batch), rewind, head)
				if ok {
					one.Rewind(since)
				}
				one.Apply(rest, st, now)

				parts := chunkExplorer(t)
				rest, since, ok = AfterRewind(slices.Clone(batch), rewind, head)
				if ok {
					parts.Rewind(since)
				}
				updates := 0
				// At least once, as the UI does: an empty batch brings the status.
				for first := true; first || len(rest) > 0; first = false {
					part := rest[:min(len(rest), 1+r.IntN(len(rest)+1))]
					for first := true; first || len(part) > 0; first = false {
						k := parts.ApplyUntil(part, st, now, func() bool { return r.IntN(3) > 0 })
						if k < min(len(part), ApplyCheck) {
							t.Fatalf("ApplyUntil accounted %d of %d: less than a block", k, len(part))
						}
						part, rest = part[k:], rest[k:]
						updates++
						if r.IntN(4) == 0 {
							parts.Settle(now) // a frame in between
						}
					}
				}
				parts.Settle(now)
				if got, want := explorerDigest(parts, now), explorerDigest(one, now); got != want {
					t.Fatalf("seed %d, %d updates: chunked differs from one Apply:\n%s", seed, updates, lineDiff(want, got))
				}
			}
		})
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\nwant %s\ngot  %s", i, a, b)
		}
	}
	return "(same lines)"
}

// TestExplorerApplyUntilStops shows ApplyUntil stops where more says and
// leaves the rest: block by block, never less than one.
func TestExplorerApplyUntilStops(t *testing.T) {
	batch := chunkBatch(rand.New(rand.NewPCG(1, 2)), 10*ApplyCheck+5)
	for _, c := range []struct {
		blocks int // how many times more says yes
		want   int
	}{
		{0, ApplyCheck},
		{1, 2 * ApplyCheck},
		{9, 10 * ApplyCheck},
		{10, 10*ApplyCheck + 5},
		{100, 10*ApplyCheck + 5},
	} {
		e := NewExplorer(ExplorerOptions{}, exStart)
		calls := 0
		got := e.ApplyUntil(batch, SourceStatus{}, exStart, func() bool { calls++; return calls <= c.blocks })
		if got != c.want || e.Tree().Msgs != uint64(c.want) {
			t.Errorf("more yes %d times: accounted %d (tree %d), want %d", c.blocks, got, e.Tree().Msgs, c.want)
		}
	}
}
