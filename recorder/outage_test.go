package recorder

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"natsx/model"
	"natsx/testkit"
)

// TestConnWatch: the connection states a feed reports become
// disconnection and reconnection records, including a whole cycle that
// happened between two polls, and pair up into outages.
func TestConnWatch(t *testing.T) {
	up := func(n uint64) model.SourceStatus {
		return model.SourceStatus{State: model.StateConnected, Reconnects: n}
	}
	down := func(n uint64) model.SourceStatus {
		return model.SourceStatus{State: model.StateReconnecting, Reconnects: n}
	}
	steps := []struct {
		st   model.SourceStatus
		t    int64
		want []GapSource
	}{
		{up(0), 10, nil},
		{down(0), 20, []GapSource{GapDisconnected}},
		{down(0), 30, nil},
		{up(1), 40, []GapSource{GapReconnected}},
		{up(2), 50, []GapSource{GapDisconnected, GapReconnected}}, // a cycle between polls
		{down(2), 60, []GapSource{GapDisconnected}},
		// A reconnection and the next loss between two polls.
		{down(3), 80, []GapSource{GapReconnected, GapDisconnected}},
	}
	var c connWatch
	var l outageList
	for _, s := range steps {
		got := c.note(s.st, s.t)
		if len(got) != len(s.want) {
			t.Fatalf("at %d: %d records, want %v", s.t, len(got), s.want)
		}
		for i := range got {
			if got[i].Source != s.want[i] || got[i].Kind != KindGap {
				t.Fatalf("at %d: %v, want %v", s.t, got[i].Source, s.want[i])
			}
			l.add(&got[i])
		}
	}
	out := l.finish(90)
	want := []Outage{{20, 40, false}, {40, 50, false}, {60, 80, false}, {80, 90, true}}
	if len(out) != len(want) || l.disconnects != 4 {
		t.Fatalf("outages %+v, %d disconnects", out, l.disconnects)
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("outage %d: %+v, want %+v", i, out[i], want[i])
		}
	}
	st := RecordStats{Messages: 5, Disconnects: 3, Disconnected: true}
	if s := st.String(); !strings.Contains(s, "3 disconnections") || !strings.Contains(s, "DISCONNECTED") {
		t.Fatalf("status line %q", s)
	}
}

// TestPlayerOutages: the API the timeline draws outages with lists them
// once the background scan has passed them, and Stats agrees.
func TestPlayerOutages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.natsx")
	w, err := Create(path, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	base := int64(1e18)
	_ = w.WriteMessage(&model.Message{Received: base, Subject: "a", Data: []byte("x"), Size: 1})
	_ = w.WriteGap(base+10, GapDisconnected, 0)
	_ = w.WriteGap(base+50, GapReconnected, 0)
	_ = w.WriteMessage(&model.Message{Received: base + 60, Subject: "a", Data: []byte("x"), Size: 1})
	_ = w.WriteGap(base+70, GapDisconnected, 0)
	_ = w.WriteMessage(&model.Message{Received: base + 90, Subject: "a", Data: []byte("x"), Size: 1})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []Outage{{base + 10, base + 50, false}, {base + 70, base + 90, true}}
	r, _ := Open(path)
	s, err := r.Stats()
	_ = r.Close()
	if err != nil || s.Disconnects != 2 || s.Gaps != 0 || !slices.Equal(s.Outages, want) || s.Offline != 60 {
		t.Fatalf("stats %+v %v", s, err)
	}
	srv := testkit.Server(t)
	p, err := OpenPlayer(path, testkit.Conn(t, srv.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	deadline := time.Now().Add(5 * time.Second)
	for p.Status().Outages < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := p.Outages(); !slices.Equal(got, want) {
		t.Fatalf("player outages %+v, want %+v", got, want)
	}
	// The timeline hands the same outages to the UI's bar, as spans.
	tl := NewTimeline(p, testkit.Conn(t, srv.ClientURL()), path)
	spans := tl.Status().Outages
	if len(spans) != 2 || spans[0].Start.UnixNano() != base+10 || spans[0].End.UnixNano() != base+50 ||
		spans[1].Start.UnixNano() != base+70 || spans[1].End.UnixNano() != base+90 {
		t.Fatalf("timeline outages %+v", spans)
	}
}
