package cli

import (
	"bytes"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"natsx/engine"
	"natsx/recorder"
	"natsx/testkit"
)

// TestExplorerRecordingKeepsLargePayloads: R records from the explorer's
// own store (the default budget's share, as natsx runs), so a payload far beyond what
// the tree keeps for display (model.KeptPayload) must reach the capture
// whole, not cut.
func TestExplorerRecordingKeepsLargePayloads(t *testing.T) {
	b := SplitBudget(256 << 20)
	sess, err := engine.Open(BudgetSession(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}}, b))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	rec := tuiRecorder(sess, "dev", b.Flight)
	path := filepath.Join(t.TempDir(), "r.natsx")
	r, err := rec.Start(path)
	if err != nil {
		t.Fatal(err)
	}
	nc := testkit.Conn(t, sess.Embedded().URL())
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	small := []byte("small")
	for _, data := range [][]byte{small, big, small} {
		if err := nc.Publish("big.payload", data); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n, _ := r.Progress(); n < 3; n, _ = r.Progress() {
		if time.Now().After(deadline) {
			t.Fatalf("recorded %d of 3", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	rd, err := recorder.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	it := rd.Iter()
	var got [][]byte
	for it.Next() {
		if e := it.Entry(); e.Kind == recorder.KindMessage {
			if e.Msg.Truncated() {
				t.Errorf("message %d recorded truncated: %d of %d bytes", len(got), len(e.Msg.Data), e.Msg.Size)
			}
			got = append(got, bytes.Clone(e.Msg.Data))
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !bytes.Equal(got[0], small) || !bytes.Equal(got[1], big) || !bytes.Equal(got[2], small) {
		t.Fatalf("recorded %d messages; the large one intact: %v", len(got), len(got) > 1 && bytes.Equal(got[1], big))
	}
}

// TestExplorerProcs checks the explorer's floor of Ps: 4 when it hosts the
// broker, 2 on another, and an explicit GOMAXPROCS left alone.
func TestExplorerProcs(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	have := runtime.GOMAXPROCS(0)
	if got, want := ExplorerProcs(true, false), max(have, 4); got != want {
		t.Errorf("embedded broker: %d Ps, want %d", got, want)
	}
	if got, want := ExplorerProcs(false, false), max(have, 2); got != want {
		t.Errorf("external broker: %d Ps, want %d", got, want)
	}
	t.Setenv("GOMAXPROCS", "2")
	if got := ExplorerProcs(true, false); got != have {
		t.Errorf("GOMAXPROCS set: %d Ps, want the runtime's %d", got, have)
	}
}
