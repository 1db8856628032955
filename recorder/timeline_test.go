package recorder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"natsx/model"
)

// TestTimelineRewind: a seek back over messages already published puts the
// rewind marker on the player's connection, after them and before the
// replayed ones; a seek that replays nothing does not; the player's
// sentinel errors become what the user can do; Stamp gives the published
// messages their recorded times.
func TestTimelineRewind(t *testing.T) {
	path, _ := playerCapture(t, 6, time.Second)
	rig := newPlayerRig(t, path)
	tl := NewTimeline(rig.p, rig.nc, path)
	if st := tl.Status(); st.Name != filepath.Base(path) || st.Total != 6 || st.Playing {
		t.Fatalf("status %+v", st)
	}
	if !strings.HasPrefix(tl.RewindSubject(), model.RewindPrefix) || tl.RewindSubject() == model.RewindPrefix {
		t.Fatalf("rewind subject %q", tl.RewindSubject())
	}
	for range 3 {
		if rewound, err := tl.Step(); rewound || err != nil {
			t.Fatalf("step: %v, %v", rewound, err)
		}
	}
	got := rig.received(t)
	batch := make([]model.Message, len(got))
	for i, m := range got {
		batch[i] = model.Message{Subject: m.Subject, Data: m.Data, Size: len(m.Data)}
	}
	tl.Stamp(batch, -1, false)
	for i, m := range batch {
		if want := at(time.Duration(i) * time.Second).UnixNano(); m.Received != want {
			t.Fatalf("message %d stamped %d, want its recorded %d", i, m.Received, want)
		}
	}

	rewound, err := tl.SeekTo(0)
	if err != nil || !rewound {
		t.Fatalf("seek back: rewound %v, %v", rewound, err)
	}
	if _, err := tl.Step(); err != nil {
		t.Fatal(err)
	}
	if err := rig.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	msgs := rig.c.waitFor(t, 5)
	if msgs[3].Subject != tl.RewindSubject() || msgs[4].Subject != "p.0" {
		t.Fatalf("after three messages: %q then %q, want the rewind marker then p.0", msgs[3].Subject, msgs[4].Subject)
	}
	if rewound, err := tl.SeekTo(5 * time.Second); rewound || err != nil {
		t.Fatalf("seek forward: rewound %v, %v", rewound, err)
	}
	if _, err := tl.Marker(true); err == nil || !strings.Contains(err.Error(), "no marker that way") {
		t.Fatalf("marker with none: %v", err)
	}
	if _, err := tl.Step(); err != nil {
		t.Fatal(err)
	}
	if _, err := tl.Step(); err == nil || !strings.Contains(err.Error(), "space plays it again") {
		t.Fatalf("step past the end: %v", err)
	}
}

// TestTimelineSaysDamage (issue 12 item 10): a capture with a torn tail
// plays what is intact, and the timeline's status says how much it
// skipped, so natsx open can show it.
func TestTimelineSaysDamage(t *testing.T) {
	path, _ := playerCapture(t, 50, 10*time.Millisecond)
	rig := newPlayerRig(t, path)
	if st := NewTimeline(rig.p, rig.nc, path).Status(); st.Damaged != 0 || st.SkippedBytes != 0 {
		t.Fatalf("intact capture: damaged %d, skipped %d", st.Damaged, st.SkippedBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	torn := filepath.Join(t.TempDir(), "torn.natsx")
	if err := os.WriteFile(torn, b[:len(b)-40], 0o600); err != nil {
		t.Fatal(err)
	}
	rig = newPlayerRig(t, torn)
	st := NewTimeline(rig.p, rig.nc, torn).Status()
	if st.Damaged != 1 || st.SkippedBytes <= 0 {
		t.Fatalf("torn capture: damaged %d, skipped %d; want 1 place and its bytes", st.Damaged, st.SkippedBytes)
	}
}
