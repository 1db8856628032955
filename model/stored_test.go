package model

import (
	"maps"
	"testing"
)

func TestStoredMark(t *testing.T) {
	ss := NewStoredStreams([]StreamSummary{
		{Name: "ORDERS", Subjects: []string{"orders.>"}},
		{Name: "CREATED", Subjects: []string{"shop.*.created", "audit"}},
		{Name: "BAD", Subjects: []string{"x..y"}}, // not a pattern: left out
	})
	if len(ss) != 2 {
		t.Fatalf("kept %d streams, want 2", len(ss))
	}
	for _, c := range []struct {
		subj   string
		branch bool
		stream string
		mark   StoredMark
	}{
		{"orders", true, "ORDERS", Stored},
		{"orders.eu.created", false, "ORDERS", Stored},
		{"orders", false, "", NotStored}, // "orders.>" does not take "orders"
		{"order", true, "", NotStored},
		{"shop", true, "CREATED", StoredBelow},
		{"shop.eu", true, "CREATED", StoredBelow},
		{"shop.eu.created", false, "CREATED", Stored},
		{"shop.eu.created", true, "CREATED", StoredBelow}, // its children are not kept
		{"shop.eu.paid", false, "", NotStored},
		{"audit", false, "CREATED", Stored},
		{"x", true, "", NotStored},
	} {
		s, m := ss.Mark(c.subj, c.branch)
		if s != c.stream || m != c.mark {
			t.Errorf("Mark(%q, %v) = %q %v; want %q %v", c.subj, c.branch, s, m, c.stream, c.mark)
		}
	}
	if ss.Find("CREATED") == nil || ss.Find("BAD") != nil {
		t.Error("Find")
	}
}

func TestCountFilter(t *testing.T) {
	for _, c := range []struct {
		rows []string
		leaf bool
		want string
	}{
		{nil, false, ""},
		{[]string{"orders.eu.created"}, true, "orders.eu.created"},
		{[]string{"orders.eu"}, false, "orders.>"}, // and its own messages
		{[]string{"orders.eu", "orders.us"}, false, "orders.>"},
		{[]string{"orders", "orders.eu", "orders.eu.created"}, false, ">"},
		{[]string{"a.b.c", "a.b", "a.b.d"}, false, "a.>"},
		{[]string{"orders.eu", "jobs.x"}, false, ">"},
	} {
		if got := CountFilter(c.rows, c.leaf); got != c.want {
			t.Errorf("CountFilter(%q, %v) = %q; want %q", c.rows, c.leaf, got, c.want)
		}
	}
}

func TestAddCounts(t *testing.T) {
	subjects := map[string]uint64{"a.b.c": 2, "a.b": 1, "a.bc": 4, "x": 7}
	got := map[string]uint64{}
	AddCounts(got, subjects, []string{"a", "a.b", "a.b.c", "x", "y"})
	want := map[string]uint64{"a": 7, "a.b": 3, "a.b.c": 2, "x": 7}
	if !maps.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
}
