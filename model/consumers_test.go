package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConsumerDiagnoses(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	tests := []struct {
		name string
		c    ConsumerSummary
		want []string
	}{
		{"caught up pull", ConsumerSummary{Pull: true, Waiting: 1}, nil},
		{"caught up, nobody waiting, nothing pending", ConsumerSummary{Pull: true}, nil},
		{"nobody pulling, never delivered", ConsumerSummary{Pull: true, Pending: 5}, []string{"nobody pulling"}},
		{"nobody pulling, idle long enough", ConsumerSummary{Pull: true, Pending: 5, LastDelivered: ago(IdlePull)}, []string{"nobody pulling"}},
		{"between two fetches", ConsumerSummary{Pull: true, Pending: 5, LastDelivered: ago(time.Second), LastAcked: ago(time.Second)}, nil},
		{"a pull waits", ConsumerSummary{Pull: true, Pending: 5, Waiting: 1, LastDelivered: ago(time.Hour)}, nil},
		{"push without subscriber", ConsumerSummary{Pending: 3}, []string{"push consumer without a subscriber"}},
		{"push bound", ConsumerSummary{PushBound: true, Pending: 3}, nil},
		{"ack limit", ConsumerSummary{Pull: true, Waiting: 1, AckPending: 8, MaxAckPending: 8, LastDelivered: ago(time.Second), LastAcked: ago(time.Second)},
			[]string{"ack pending at its limit (8)"}},
		{"below the ack limit", ConsumerSummary{Pull: true, Waiting: 1, AckPending: 7, MaxAckPending: 8, LastDelivered: ago(time.Second), LastAcked: ago(time.Second)}, nil},
		{"redelivering", ConsumerSummary{PushBound: true, AckPending: 2, Redelivered: 2, LastDelivered: ago(time.Second), LastAcked: ago(IdlePull - time.Second)},
			[]string{"redelivering 2"}},
		{"just delivered, not acked yet", ConsumerSummary{Pull: true, Waiting: 1, AckPending: 3, LastDelivered: ago(time.Second)}, nil},
		{"acks overdue, never acked", ConsumerSummary{Pull: true, Waiting: 1, AckPending: 3, LastDelivered: ago(IdlePull)}, []string{"acks overdue"}},
		{"acks overdue, acks stopped", ConsumerSummary{Pull: true, Waiting: 1, AckPending: 3, LastDelivered: ago(time.Second), LastAcked: ago(time.Minute)},
			[]string{"acks overdue"}},
		{"ack none takes no acks", ConsumerSummary{Pull: true, Waiting: 1, AckNone: true, LastDelivered: ago(time.Second)}, nil},
		{"paused", ConsumerSummary{Pull: true, Pending: 9, Paused: true, PauseRemaining: 4*time.Minute + 300*time.Millisecond}, []string{"paused, 4m00s left"}},
		{"no leader", ConsumerSummary{Pull: true, Waiting: 1, NoLeader: true}, []string{"no leader"}},
		{"everything at once", ConsumerSummary{Pending: 9, AckPending: 4, MaxAckPending: 4, Redelivered: 1, LastDelivered: ago(time.Minute)},
			[]string{"push consumer without a subscriber", "ack pending at its limit (4)", "redelivering 1", "acks overdue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Diagnoses(now); !slices.Equal(got, tt.want) {
				t.Fatalf("Diagnoses = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestConsumerBoardTrend: each listing adds one value per consumer, the
// trend keeps the last ConsumerTrend, and a consumer gone from a listing
// leaves the board (a new one of that name starts afresh).
func TestConsumerBoardTrend(t *testing.T) {
	b := NewConsumerBoard("S")
	for i := range ConsumerTrend + 5 {
		b.Update([]ConsumerSummary{{Name: "b", Pending: uint64(i), AckPending: 1}, {Name: "a", Pending: 100}})
	}
	if b.Rows[0].Name != "a" || b.Rows[1].Name != "b" {
		t.Fatalf("rows not in name order: %+v", b.Rows)
	}
	p, ack := b.Trend("b")
	if len(p) != ConsumerTrend || len(ack) != ConsumerTrend {
		t.Fatalf("trend of %d and %d values, want %d", len(p), len(ack), ConsumerTrend)
	}
	if p[0] != 5 || p[len(p)-1] != ConsumerTrend+4 {
		t.Fatalf("pending trend %v: want the last %d listings, oldest first", p, ConsumerTrend)
	}
	b.Update([]ConsumerSummary{{Name: "a"}})
	if p, _ := b.Trend("b"); p != nil {
		t.Fatalf("a consumer gone from the listing keeps a trend: %v", p)
	}
	if len(b.trends) != 1 {
		t.Fatalf("%d trends kept for one consumer", len(b.trends))
	}
	b.Update([]ConsumerSummary{{Name: "a"}, {Name: "b", Pending: 7}})
	if p, _ := b.Trend("b"); !slices.Equal(p, []float64{7}) {
		t.Fatalf("a returning consumer's trend %v", p)
	}
	if p, _ := b.Trend("a"); len(p) != ConsumerTrend {
		t.Fatalf("a's trend %d values", len(p))
	}
	if got := fmt.Sprint(b.Rows[1].Kind(), " ", (&ConsumerSummary{Pull: true}).Kind()); !strings.Contains(got, "push pull") {
		t.Fatalf("kinds %q", got)
	}
}
