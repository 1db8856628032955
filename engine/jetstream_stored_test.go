package engine

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestSubjectCounts: the per-subject counts of a real stream, added up for
// tree rows (a branch counts every subject under it), with bad input
// refused in one line and a missing stream named.
func TestSubjectCounts(t *testing.T) {
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORD", Subjects: []string{"orders.>"}}); err != nil {
		t.Fatal(err)
	}
	for subj, n := range map[string]int{"orders.eu.created": 3, "orders.eu.paid": 2, "orders.us.created": 1} {
		for range n {
			if _, err := js.Publish(ctx, subj, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows := []string{"orders", "orders.eu", "orders.us", "orders.eu.created", "orders.asia"}
	got, err := j.SubjectCounts(ctx, "ORD", "orders.>", rows)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"orders": 6, "orders.eu": 5, "orders.us": 1, "orders.eu.created": 3}
	if !maps.Equal(got.Counts, want) || got.Subjects != 3 || got.Cut {
		t.Fatalf("counts %v (%d subjects, cut %v); want %v", got.Counts, got.Subjects, got.Cut, want)
	}
	got, err = j.SubjectCounts(ctx, "ORD", "orders.eu.paid", []string{"orders.eu.paid"})
	if err != nil || got.Counts["orders.eu.paid"] != 2 || got.Subjects != 1 {
		t.Fatalf("one subject: %v, %v", got, err)
	}
	if _, err := j.SubjectCounts(ctx, "NOPE", ">", rows); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	for _, bad := range [][2]string{{"OR.D", ">"}, {"ORD", "orders..x"}, {"ORD", "a b"}, {"ORD", ""}} {
		if _, err := j.SubjectCounts(ctx, bad[0], bad[1], rows); err == nil {
			t.Fatalf("%q %q: no error", bad[0], bad[1])
		}
	}
}

// TestSubjectCountsCut: a stream holding more subjects than one answer
// lists gives partial counts and says so, rather than paging through them
// all.
func TestSubjectCountsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 100,001 subjects")
	}
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	js, _ := jetstream.New(nc)
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MANY", Subjects: []string{"many.>"}, Storage: jetstream.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_001
	for i := range n {
		if err := nc.Publish(fmt.Sprintf("many.%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream holds %d of %d", info.State.Msgs, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, err := j.SubjectCounts(ctx, "MANY", ">", []string{"many"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cut || got.Total != n || got.Subjects >= n || got.Counts["many"] != uint64(got.Subjects) {
		t.Fatalf("cut %v, total %d, subjects %d, count %d", got.Cut, got.Total, got.Subjects, got.Counts["many"])
	}
}

// TestSubjectCountsUnchanged: asked again for the same rows while the
// stream holds what it held, the counts come from the last answer (the
// subjects are not fetched again: a few hundred bytes instead of the
// subject list); a publish or a purge changes the stream, and the counts
// are asked again.
func TestSubjectCountsUnchanged(t *testing.T) {
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	js, _ := jetstream.New(nc)
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "U", Subjects: []string{"u.>"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if _, err := js.Publish(ctx, fmt.Sprintf("u.%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	rows := []string{"u", "u.7"}
	ask := func(what string) (uint64, map[string]uint64) {
		t.Helper()
		in := nc.Stats().InBytes
		got, err := j.SubjectCounts(ctx, "U", "u.>", rows)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return nc.Stats().InBytes - in, got.Counts
	}
	first, counts := ask("first")
	if counts["u"] != 2000 || counts["u.7"] != 1 {
		t.Fatalf("first counts %v", counts)
	}
	again, counts := ask("again")
	if counts["u"] != 2000 || again*10 > first {
		t.Fatalf("unchanged stream asked again: %d bytes (first %d), counts %v", again, first, counts)
	}
	if _, err := js.Publish(ctx, "u.7", nil); err != nil {
		t.Fatal(err)
	}
	if changed, counts := ask("after a publish"); counts["u"] != 2001 || counts["u.7"] != 2 || changed*10 < first {
		t.Fatalf("after a publish: %d bytes (first %d), counts %v", changed, first, counts)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSubject("u.7")); err != nil {
		t.Fatal(err)
	}
	if _, counts := ask("after a purge"); counts["u"] != 1999 || counts["u.7"] != 0 {
		t.Fatalf("after a purge: counts %v", counts)
	}
}
