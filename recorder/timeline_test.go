package recorder

import (
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
