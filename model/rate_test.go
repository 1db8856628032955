package model

import (
	"math"
	"slices"
	"testing"
)

// steady applies rate msgs/s on subj, evenly spaced over [from, to).
func steady(tr *Tree, subj string, rate int, from, to int64) {
	step := second / int64(rate)
	for at := from; at < to; at += step {
		tr.Apply(tmsg(subj, at, ""))
	}
}

// near reports whether got is within 1% (or 0.01) of want.
func near(got, want float64) bool {
	return math.Abs(got-want) <= math.Max(0.01, math.Abs(want)/100)
}

func TestRate(t *testing.T) {
	tests := []struct {
		name     string
		since    int64 // tree start, relative to treeT0
		from, to int64 // 100 msg/s over [from, to), relative to treeT0
		now      int64 // relative to treeT0
		want     float64
	}{
		{"steady on a second boundary", 0, 0, 20 * second, 20 * second, 100},
		{"steady mid-second", 0, 0, 19*second + second/2, 19*second + second/2, 100},
		{"steady, just before a boundary", 0, 0, 19*second + 990e6, 19*second + 990e6, 100},
		// A young tree divides by the time it has watched, not the window.
		{"young tree at 2 s", 0, 0, 2 * second, 2 * second, 100},
		{"young tree started mid-second", second / 2, second / 2, 2*second + second/2, 2*second + second/2, 100},
		// Under a second of watching, the span is clamped to 1 s so a
		// single early message is not shown as a huge rate.
		{"first half second", 0, 0, second / 2, second / 2, 50},
		{"silence after the stream", 0, 0, 20 * second, 40 * second, 0},
		{"silence longer than the ring", 0, 0, 20 * second, 1000 * second, 0},
		// Seconds 16..19 of the stream are still in the 10 s window.
		{"partly silent window", 0, 0, 20 * second, 25 * second, 400.0 / 9},
		{"subject began late", 0, 15 * second, 20 * second, 20 * second, 500.0 / 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTree(TreeOptions{HistoryDepth: 1}, treeT0+tc.since)
			steady(tr, "a.b", 100, treeT0+tc.from, treeT0+tc.to)
			for _, subj := range []string{"a", "a.b"} {
				if got := mustFind(t, tr, subj).Rate(treeT0+tc.now, tr.Since()); !near(got, tc.want) {
					t.Errorf("%s: Rate = %.3f, want %.3f", subj, got, tc.want)
				}
			}
		})
	}
}

// TestRateSmallTimestamps runs a stream starting at Unix time 0: the first
// second's bucket must count like any other.
func TestRateSmallTimestamps(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 1}, 0)
	steady(tr, "a", 100, 0, 2*second)
	if got := mustFind(t, tr, "a").Rate(2*second, 0); !near(got, 100) {
		t.Errorf("Rate = %.3f, want 100", got)
	}
	out := make([]float64, 3)
	mustFind(t, tr, "a").Spark(2*second, out)
	if !slices.Equal(out, []float64{0, 100, 100}) {
		t.Errorf("Spark = %v", out)
	}
}

func TestRateOutOfOrder(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 1}, treeT0)
	now := treeT0 + 100*second
	tr.Apply(tmsg("a", now, ""))
	tr.Apply(tmsg("a", now-5*second, ""))    // inside the window: counted
	tr.Apply(tmsg("a", now-3600*second, "")) // older than the ring: oldest bucket
	tr.Apply(tmsg("a", -now, ""))
	n := mustFind(t, tr, "a")
	if got := n.Rate(now, tr.Since()); !near(got, 2.0/9) {
		t.Errorf("Rate = %.3f, want %.3f", got, 2.0/9)
	}
	// The two stale messages sit in the oldest second; the current second
	// (holding the newest message) is not complete yet.
	out := make([]float64, rateBuckets-1)
	n.Spark(now, out)
	if want := []float64{2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}; !slices.Equal(out, want) {
		t.Errorf("Spark = %v, want %v", out, want)
	}
	// Asking about the past or a far future does not panic either.
	for _, at := range []int64{0, -1, now - 3600*second, now + 3600*second} {
		if r := n.Rate(at, tr.Since()); math.IsNaN(r) || r < 0 {
			t.Errorf("Rate(%d) = %v", at, r)
		}
		n.Spark(at, out)
	}
}

func TestSpark(t *testing.T) {
	tr := NewTree(TreeOptions{HistoryDepth: 1}, treeT0)
	s := treeT0 + 50*second
	for i, count := range []int{1, 2, 3, 5} { // seconds s-3 .. s
		for range count {
			tr.Apply(tmsg("a", s+int64(i-3)*second+int64(i)*1e6, ""))
		}
	}
	n := mustFind(t, tr, "a")
	tests := []struct {
		name string
		now  int64
		len  int
		want []float64
	}{
		{"complete seconds only, oldest first", s + second/2, 4, []float64{0, 1, 2, 3}},
		{"the current second completes", s + second, 4, []float64{1, 2, 3, 5}},
		{"longest", s + second, rateBuckets - 1, []float64{0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 5}},
		{"after silence", s + 30*second, 4, []float64{0, 0, 0, 0}},
		{"empty", s, 0, []float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]float64, tc.len)
			for i := range out {
				out[i] = -1 // every slot must be written
			}
			n.Spark(tc.now, out)
			if !slices.Equal(out, tc.want) {
				t.Errorf("Spark = %v, want %v", out, tc.want)
			}
		})
	}
}

func TestThroughputRates(t *testing.T) {
	tests := []struct {
		name      string
		since     int64
		from, to  int64 // 1000 msg/s of 100 bytes over [from, to)
		now       int64
		msgs, mbs float64
	}{
		{"steady", 0, 0, 10 * second, 10 * second, 1000, 100000},
		{"steady mid-second", 0, 0, 9*second + second/4, 9*second + second/4, 1000, 100000},
		{"young at 1.5 s", 0, 0, 1500e6, 1500e6, 1000, 100000},
		{"flood just started", 0, 8 * second, 10 * second, 10 * second, 1000, 100000},
		{"silence", 0, 0, 10 * second, 20 * second, 0, 0},
		{"one quiet second of three", 0, 0, 9 * second, 10*second + second/2, 1000.0 / 2.5, 100000.0 / 2.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp := NewThroughput(treeT0 + tc.since)
			for at := treeT0 + tc.from; at < treeT0+tc.to; at += 1e6 {
				tp.Add(at, 100)
			}
			m, b := tp.Rates(treeT0 + tc.now)
			if !near(m, tc.msgs) || !near(b, tc.mbs) {
				t.Errorf("Rates = %.1f msg/s, %.1f B/s; want %.1f, %.1f", m, b, tc.msgs, tc.mbs)
			}
		})
	}
}

func TestThroughputSpark(t *testing.T) {
	tp := NewThroughput(treeT0)
	s := treeT0 + 200*second
	for i := range SparkSeconds + 10 { // seconds s-69 .. s, i+1 messages each
		for range i + 1 {
			tp.Add(s+int64(i-SparkSeconds-9)*second, 10)
		}
	}
	out := make([]float64, SparkSeconds)
	tp.Spark(s+second/2, out)
	for i, v := range out { // seconds s-60 .. s-1
		if want := float64(i + 10); v != want {
			t.Fatalf("Spark[%d] = %v, want %v", i, v, want)
		}
	}
	tp.Spark(s+SparkSeconds*second, out)
	if out[0] != 70 || out[1] != 0 {
		t.Errorf("a minute later: Spark[0:2] = %v, want [70 0]", out[:2])
	}
	tp.Spark(s+10*SparkSeconds*second, out)
	if slices.Max(out) != 0 {
		t.Errorf("long after: Spark = %v", out)
	}
}

// TestThroughputBadTimestamps checks zero, negative and stale times.
func TestThroughputBadTimestamps(t *testing.T) {
	tp := NewThroughput(0)
	for _, at := range []int64{0, -1, -70 * second, 1 << 62, 5 * second, -1 << 62} {
		tp.Add(at, 1)
		tp.Rates(at)
		tp.Spark(at, make([]float64, SparkSeconds))
	}
	tp = NewThroughput(0)
	tp.Add(0, 7) // second 0 is a real second, not "empty"
	tp.Add(second, 7)
	if m, b := tp.Rates(2 * second); !near(m, 1) || !near(b, 7) {
		t.Errorf("Rates = %v, %v; want 1, 7", m, b)
	}
}
