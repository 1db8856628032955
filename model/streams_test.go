package model

import (
	"testing"
	"time"
)

func TestSortStreams(t *testing.T) {
	rows := []StreamSummary{
		{Name: "b", Messages: 5, Bytes: 10},
		{Name: "a", Messages: 5, Bytes: 30},
		{Name: "c", Messages: 9, Bytes: 20},
	}
	for _, tc := range []struct {
		by   StreamSort
		want string
	}{
		{StreamsByName, "abc"},
		{StreamsByMessages, "cab"},
		{StreamsByBytes, "acb"},
	} {
		SortStreams(rows, tc.by)
		var got string
		for _, r := range rows {
			got += r.Name
		}
		if got != tc.want {
			t.Errorf("by %s: %s, want %s", tc.by, got, tc.want)
		}
	}
	if StreamsByBytes.Next() != StreamsByName || StreamsByName.Next() != StreamsByMessages {
		t.Error("Next does not cycle name, messages, bytes")
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{
		{0, "now"}, {45 * time.Second, "45s"}, {12 * time.Minute, "12m"}, {3 * time.Hour, "3h"},
		{47 * time.Hour, "47h"}, {9 * 24 * time.Hour, "9d"},
	} {
		if got := Age(now.Add(-tc.ago), now); got != tc.want {
			t.Errorf("Age(%s ago) = %q, want %q", tc.ago, got, tc.want)
		}
	}
	if Age(time.Time{}, now) != "-" {
		t.Error("a zero time is not -")
	}
}

func TestStreamTrends(t *testing.T) {
	var tr StreamTrends
	for i := range StreamTrendLen + 5 {
		tr.Update([]StreamSummary{{Name: "A", Messages: uint64(i)}, {Name: "B", Messages: 7}})
	}
	a := tr.Trend("A")
	if len(a) != StreamTrendLen || a[0] != 5 || a[len(a)-1] != StreamTrendLen+4 {
		t.Fatalf("A: %v", a)
	}
	tr.Update([]StreamSummary{{Name: "A", Messages: 1}})
	if tr.Trend("B") != nil || len(tr.Trend("A")) != StreamTrendLen {
		t.Fatalf("B kept after it left the listing, or A lost: %v %v", tr.Trend("B"), tr.Trend("A"))
	}
}
