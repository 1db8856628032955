package model

import (
	"math"
	"strings"
	"testing"
)

func TestWatchSeriesKeepsTheLastPoints(t *testing.T) {
	w := NewWatchSeries(60, 4)
	for i := range 100 {
		w.Add("gps.42", WatchValue{Num: float64(i), Numeric: true})
	}
	s := w.Get("gps.42")
	if s == nil || s.Len() != 60 {
		t.Fatalf("want 60 values kept, got %v", s)
	}
	nums := s.Numbers(nil)
	if nums[0] != 40 || nums[59] != 99 {
		t.Errorf("want the values 40..99, got %v..%v", nums[0], nums[59])
	}
	if w.Get("gps.43") != nil {
		t.Error("a subject never fed has a series")
	}
}

func TestWatchSeriesDropsTheLeastRecentlyUpdatedSubject(t *testing.T) {
	w := NewWatchSeries(5, 3)
	num := WatchValue{Num: 1, Numeric: true}
	for _, s := range []string{"a", "b", "c", "a", "d"} {
		w.Add(s, num)
	}
	if w.Len() != 3 || w.Evicted != 1 {
		t.Fatalf("want 3 subjects and 1 evicted, got %d and %d", w.Len(), w.Evicted)
	}
	if w.Get("b") != nil {
		t.Error("b was the least recently updated: it should be gone")
	}
	for _, s := range []string{"a", "c", "d"} {
		if w.Get(s) == nil {
			t.Errorf("%s should be kept", s)
		}
	}
	w.Miss("e") // a miss makes a series too, and so evicts
	if w.Get("c") != nil || w.Get("e").Misses != 1 {
		t.Errorf("a miss on e should evict c and count: %v", w.Get("e"))
	}
}

func TestWatchSeriesMemoryIsBounded(t *testing.T) {
	w := NewWatchSeries(60, 8)
	long := strings.Repeat("é", 10000)
	var peak int64
	for i := range 10000 {
		w.Add(strings.Repeat("s", i%50)+string(rune('a'+i%20)), WatchValueOf(long))
		peak = max(peak, w.MemoryUsed())
	}
	if w.Len() != 8 {
		t.Fatalf("want 8 subjects, got %d", w.Len())
	}
	// 8 subjects of 60 values, each text at most WatchText (+ "…" and quotes).
	if limit := int64(8 * (60*(WatchText+8+32) + 64 + 400)); peak > limit {
		t.Errorf("memory peaked at %d, over %d", peak, limit)
	}
	if w.MemoryUsed() <= 0 {
		t.Error("memory of kept series should be counted")
	}
}

func TestWatchValueOf(t *testing.T) {
	deep := any(map[string]any{"a": 1.0})
	for range 1000 {
		deep = map[string]any{"x": deep}
	}
	for _, c := range []struct {
		name string
		in   any
		want string
		num  bool
	}{
		{"int", 42, "42", true},
		{"float", 52.520008, "52.52", true},
		{"huge", 1e300, "1e+300", true},
		{"negative", -0.5, "-0.5", true},
		{"inf is text", math.Inf(1), "+Inf", false},
		{"string", "ok", `"ok"`, false},
		{"escapes", "\x1b]52;c;aGk=\x07\u202e", `"\x1b]52;c;aGk=\a\u202e"`, false},
		{"bool", true, "true", false},
		{"null", nil, "null", false},
		{"deep object", deep, "{1 fields}", false},
		{"array", []any{1, 2, 3}, "[3 items]", false},
	} {
		v := WatchValueOf(c.in)
		if v.String() != c.want || v.Numeric != c.num {
			t.Errorf("%s: got %q numeric=%v, want %q numeric=%v", c.name, v.String(), v.Numeric, c.want, c.num)
		}
		if strings.ContainsAny(v.String(), "\x1b\x07") || len(v.Text) > WatchText+len("…") {
			t.Errorf("%s: unsafe or too long: %q", c.name, v.Text)
		}
	}
	long := WatchValueOf(strings.Repeat("日本", 100))
	if len(long.Text) > WatchText+len("…") || !strings.HasSuffix(long.Text, "…") {
		t.Errorf("a long string should be cut to %d bytes: %q (%d)", WatchText, long.Text, len(long.Text))
	}
}

func TestSeriesDistinct(t *testing.T) {
	w := NewWatchSeries(10, 1)
	for _, s := range []string{"ok", "ok", "degraded", "ok", "down", "down"} {
		w.Add("svc", WatchValueOf(s))
	}
	got := strings.Join(w.Get("svc").Distinct(5), " ")
	if got != `"down" "ok" "degraded"` {
		t.Errorf("distinct newest first: got %s", got)
	}
}
