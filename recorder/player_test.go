package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

// playerCapture has n messages step apart (message i at base+i*step,
// subject p.i), with replies and headers on some, a gap record, and
// markers at the given offsets.
func playerCapture(t testing.TB, n int, step time.Duration, markers ...time.Duration) (string, []Entry) {
	t.Helper()
	var recs []Entry
	mi := 0
	for i := range n {
		at := time.Duration(i) * step
		for mi < len(markers) && markers[mi] <= at {
			recs = append(recs, Entry{Kind: KindMarker, Time: base + int64(markers[mi]), Label: fmt.Sprint("m", mi)})
			mi++
		}
		var reply string
		var h model.Header
		if i%3 == 1 {
			reply = fmt.Sprintf("_INBOX.p.%d", i)
		}
		if i%4 == 2 {
			h = model.Header{"Seq": {fmt.Sprint(i)}, "Multi": {"x", "y"}}
		}
		recs = append(recs, msg(base+int64(at), fmt.Sprintf("p.%d", i), reply, h, []byte(fmt.Sprintf("payload %d", i))))
		if i == n/2 {
			recs = append(recs, Entry{Kind: KindGap, Time: base + int64(at), Source: GapStore, Missed: 7})
		}
	}
	for ; mi < len(markers); mi++ {
		recs = append(recs, Entry{Kind: KindMarker, Time: base + int64(markers[mi]), Label: fmt.Sprint("m", mi)})
	}
	return writeCapture(t, recs, WriterOptions{}), recs
}

type playerRig struct {
	p   *Player
	nc  *nats.Conn // the player's
	sub *nats.Conn // the subscriber's
	c   *collector
}

func newPlayerRig(t *testing.T, path string) *playerRig {
	t.Helper()
	s := runServer(t)
	rig := &playerRig{nc: testkit.Conn(t, s.ClientURL()), sub: testkit.Conn(t, s.ClientURL())}
	rig.c = collect(t, rig.sub, ">")
	p, err := OpenPlayer(path, rig.nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	rig.p = p
	return rig
}

// received waits until the subscriber holds as many messages as the
// player says it sent, and returns them.
func (rig *playerRig) received(t *testing.T) []*nats.Msg {
	t.Helper()
	sent := rig.p.Status().Sent
	if err := rig.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return rig.c.waitFor(t, int(sent))
}

// subjects are the numbers i of the p.i subjects received.
func subjects(msgs []*nats.Msg) []int {
	out := make([]int, len(msgs))
	for i, m := range msgs {
		_, _ = fmt.Sscanf(m.Subject, "p.%d", &out[i])
	}
	return out
}

func at(d time.Duration) time.Time { return time.Unix(0, base+int64(d)) }

func TestPlayerStep(t *testing.T) {
	path, _ := playerCapture(t, 10, time.Second)
	rig := newPlayerRig(t, path)
	if st := rig.p.Status(); !st.LastSent.IsZero() {
		t.Fatalf("LastSent %v before any message", st.LastSent)
	}
	for range 3 {
		if err := rig.p.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if got := subjects(rig.received(t)); !reflect.DeepEqual(got, []int{0, 1, 2}) {
		t.Fatalf("received %v after three steps", got)
	}
	st := rig.p.Status()
	if st.Playing || st.Sent != 3 || st.Total != 10 || !st.Pos.Equal(at(2*time.Second)) || st.Done ||
		!st.LastSent.Equal(at(2*time.Second)) ||
		!st.Start.Equal(at(0)) || !st.End.Equal(at(9*time.Second)) || st.Speed != 1 {
		t.Fatalf("status %+v", st)
	}
	for range 7 {
		if err := rig.p.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rig.p.Step(); !errors.Is(err, ErrEndOfCapture) {
		t.Fatalf("Step past the end: %v", err)
	}
	if st := rig.p.Status(); !st.Done || st.Sent != 10 || len(rig.received(t)) != 10 || !st.LastSent.Equal(at(9*time.Second)) {
		t.Fatalf("status at the end %+v", st)
	}
}

func TestPlayerPause(t *testing.T) {
	path, _ := playerCapture(t, 300, 10*time.Millisecond) // 3 s at 1x
	rig := newPlayerRig(t, path)
	rig.p.Play()
	waitCond(t, "playback", func() bool { return rig.p.Status().Sent >= 5 })
	rig.p.Pause()
	st := rig.p.Status()
	if st.Playing || st.Sent < 5 {
		t.Fatalf("status after Pause %+v", st)
	}
	if n := len(rig.received(t)); uint64(n) != st.Sent {
		t.Fatalf("received %d, sent %d", n, st.Sent)
	}
	time.Sleep(100 * time.Millisecond) // ten messages' worth: none may go out
	if n := len(rig.received(t)); uint64(n) != st.Sent || rig.p.Status().Sent != st.Sent {
		t.Fatalf("received %d while paused at %d", n, st.Sent)
	}
	// SetSpeed keeps the playhead; Step sends exactly the next one.
	rig.p.SetSpeed(4)
	if st2 := rig.p.Status(); !st2.Pos.Equal(st.Pos) || st2.Speed != 4 || st2.Playing {
		t.Fatalf("after SetSpeed %+v, before %+v", st2, st)
	}
	if err := rig.p.Step(); err != nil {
		t.Fatal(err)
	}
	got := subjects(rig.received(t))
	for i, s := range got {
		if s != i {
			t.Fatalf("received out of order: %v", got)
		}
	}
	if uint64(len(got)) != st.Sent+1 {
		t.Fatalf("received %d after a step from %d", len(got), st.Sent)
	}
}

func TestPlayerSeek(t *testing.T) {
	path, _ := playerCapture(t, 100, time.Second)
	rig := newPlayerRig(t, path)
	steps := []struct {
		seek func() error
		pos  time.Duration // playhead after the seek
		next int           // message Step then sends
	}{
		{func() error { return rig.p.Seek(at(42500 * time.Millisecond)) }, 42500 * time.Millisecond, 43},
		{func() error { return rig.p.Seek(at(10 * time.Second)) }, 10 * time.Second, 10},
		{func() error { return rig.p.SeekBy(10 * time.Second) }, 20 * time.Second, 20},
		{func() error { return rig.p.SeekBy(-time.Hour) }, 0, 0},
	}
	var want []int
	for i, s := range steps {
		if err := s.seek(); err != nil {
			t.Fatal(err)
		}
		if st := rig.p.Status(); !st.Pos.Equal(at(s.pos)) || st.Playing {
			t.Fatalf("seek %d: status %+v, want pos %s", i, st, s.pos)
		}
		if err := rig.p.Step(); err != nil {
			t.Fatal(err)
		}
		want = append(want, s.next)
	}
	if got := subjects(rig.received(t)); !reflect.DeepEqual(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}
	if err := rig.p.Seek(at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st := rig.p.Status(); !st.Done || !st.Pos.Equal(at(99*time.Second)) {
		t.Fatalf("past the end: %+v", st)
	}
	if err := rig.p.Step(); !errors.Is(err, ErrEndOfCapture) {
		t.Fatalf("Step past the end: %v", err)
	}
	// Seeking while playing goes on playing.
	rig.p.SetSpeed(math.Inf(1))
	rig.p.Play() // at the end: starts over
	waitCond(t, "the second pass", func() bool { return rig.p.Status().Done })
	if n := len(rig.received(t)); n != len(want)+100 {
		t.Fatalf("received %d, want %d", n, len(want)+100)
	}
}

func TestPlayerMarkers(t *testing.T) {
	path, _ := playerCapture(t, 40, time.Second, 10500*time.Millisecond, 20500*time.Millisecond, 30500*time.Millisecond)
	rig := newPlayerRig(t, path)
	waitCond(t, "the marker scan", func() bool { return len(rig.p.Status().Markers) == 3 })
	if ms := rig.p.Status().Markers; !ms[0].Equal(at(10500*time.Millisecond)) || !ms[2].Equal(at(30500*time.Millisecond)) {
		t.Fatalf("markers %v", ms)
	}
	if err := rig.p.PrevMarker(); !errors.Is(err, ErrNoMarker) {
		t.Fatalf("PrevMarker at the start: %v", err)
	}
	type move struct {
		f    func() error
		pos  time.Duration
		step int
	}
	moves := []move{
		{rig.p.NextMarker, 10500 * time.Millisecond, 11},
		{rig.p.NextMarker, 20500 * time.Millisecond, 21},
		{rig.p.NextMarker, 30500 * time.Millisecond, 31},
		{rig.p.PrevMarker, 20500 * time.Millisecond, 21},
		{rig.p.PrevMarker, 10500 * time.Millisecond, 11},
	}
	var want []int
	for i, m := range moves {
		if err := m.f(); err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
		if st := rig.p.Status(); !st.Pos.Equal(at(m.pos)) {
			t.Fatalf("move %d: at %s, want %s", i, st.Pos.Sub(at(0)), m.pos)
		}
		if err := rig.p.Step(); err != nil {
			t.Fatal(err)
		}
		want = append(want, m.step)
		// Back to the marker, so the next move starts from it.
		if err := rig.p.Seek(at(m.pos)); err != nil {
			t.Fatal(err)
		}
	}
	if got := subjects(rig.received(t)); !reflect.DeepEqual(got, want) {
		t.Fatalf("received %v, want %v", got, want)
	}
	if err := rig.p.Seek(at(31 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := rig.p.NextMarker(); !errors.Is(err, ErrNoMarker) {
		t.Fatalf("NextMarker after the last: %v", err)
	}
}

// TestPlayerFullPlay plays a whole capture at max speed: the subscriber
// sees exactly its messages, in order, headers and replies intact, and
// nothing for the gap and marker records.
func TestPlayerFullPlay(t *testing.T) {
	path, recs := playerCapture(t, 2000, time.Millisecond, 500*time.Millisecond)
	rig := newPlayerRig(t, path)
	rig.p.SetSpeed(math.Inf(1))
	rig.p.Play()
	waitCond(t, "the end", func() bool { return rig.p.Status().Done })
	st := rig.p.Status()
	if st.Sent != 2000 || st.Total != 2000 || st.Playing || st.Err != "" || !math.IsInf(st.Speed, 1) {
		t.Fatalf("status %+v", st)
	}
	got := rig.received(t)
	i := 0
	for _, e := range recs {
		if e.Kind != KindMessage {
			continue
		}
		if i >= len(got) {
			t.Fatalf("received %d messages, want 2000", len(got))
		}
		g := got[i]
		if g.Subject != e.Msg.Subject || g.Reply != e.Msg.Reply || !bytes.Equal(g.Data, e.Msg.Data) ||
			len(g.Header) != len(e.Msg.Header) || (len(g.Header) > 0 && !reflect.DeepEqual(map[string][]string(g.Header), map[string][]string(e.Msg.Header))) {
			t.Fatalf("message %d: got %+v, want %+v", i, g, e.Msg)
		}
		i++
	}
	if len(got) != 2000 {
		t.Fatalf("received %d messages, want 2000", len(got))
	}
}

// TestPlayerTiming: at 16x a one-second capture cannot finish before
// 1/16 s (the schedule is absolute), and finishes well within bounds.
func TestPlayerTiming(t *testing.T) {
	path, _ := playerCapture(t, 21, 50*time.Millisecond)
	rig := newPlayerRig(t, path)
	rig.p.SetSpeed(100) // clamped
	if s := rig.p.Status().Speed; s != MaxSpeed {
		t.Fatalf("speed %v, want %v", s, MaxSpeed)
	}
	start := time.Now()
	rig.p.Play()
	waitCond(t, "the end", func() bool { return rig.p.Status().Done })
	if d := time.Since(start); d < 60*time.Millisecond || d > 5*time.Second {
		t.Fatalf("1 s at 16x took %s", d)
	}
	rig.p.SetSpeed(math.NaN()) // ignored
	rig.p.SetSpeed(0)          // clamped
	if s := rig.p.Status().Speed; s != MinSpeed {
		t.Fatalf("speed %v, want %v", s, MinSpeed)
	}
}

func TestNextSpeed(t *testing.T) {
	cases := []struct {
		cur  float64
		up   bool
		want float64
	}{
		{1, true, 2}, {1, false, 0.5}, {16, true, math.Inf(1)}, {math.Inf(1), true, math.Inf(1)},
		{math.Inf(1), false, 16}, {0.25, false, 0.25}, {3, true, 4}, {3, false, 2},
	}
	for _, c := range cases {
		if got := NextSpeed(c.cur, c.up); got != c.want {
			t.Errorf("NextSpeed(%v, %v) = %v, want %v", c.cur, c.up, got, c.want)
		}
	}
}

// TestPlayerUnindexed plays a capture whose recorder died: no index, so
// the scan counts the messages and finds the end.
func TestPlayerUnindexed(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.natsx")
	w, err := Create(live, WriterOptions{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		e := msg(base+int64(i)*int64(time.Second), fmt.Sprintf("p.%d", i), "", nil, []byte("x"))
		if err := w.WriteEntry(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteMarker(base+int64(5500*time.Millisecond), "crash soon"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(live) // what a kill -9 leaves
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	path := filepath.Join(dir, "torn.natsx")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rig := newPlayerRig(t, path)
	waitCond(t, "the scan", func() bool { return rig.p.Status().Total == 10 })
	if err := rig.p.NextMarker(); err != nil {
		t.Fatal(err)
	}
	rig.p.SetSpeed(math.Inf(1))
	rig.p.Play()
	waitCond(t, "the end", func() bool { return rig.p.Status().Done })
	if got := subjects(rig.received(t)); !reflect.DeepEqual(got, []int{6, 7, 8, 9}) {
		t.Fatalf("received %v", got)
	}
}

func TestPlayerClose(t *testing.T) {
	path, _ := playerCapture(t, 5, time.Hour) // long gaps: Play waits
	rig := newPlayerRig(t, path)
	rig.p.Play()
	waitCond(t, "the first message", func() bool { return rig.p.Status().Sent == 1 })
	rig.p.Close()
	rig.p.Close()
	if err := rig.p.Step(); !errors.Is(err, ErrPlayerClosed) {
		t.Fatalf("Step after Close: %v", err)
	}
	rig.p.Play() // no effect, no hang
	select {
	case <-rig.p.Closed():
	default:
		t.Fatal("Closed not closed")
	}
	if _, err := OpenPlayer(path, nil); err == nil {
		t.Fatal("OpenPlayer without a connection")
	}
	if _, err := OpenPlayer(filepath.Join(t.TempDir(), "none"), rig.nc); err == nil {
		t.Fatal("OpenPlayer of a missing file")
	}
}
