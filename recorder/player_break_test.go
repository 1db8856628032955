package recorder

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"natsx/model"
	"natsx/where"
)

// TestPlayerBreak: playing at max speed, a breakpoint stops the player
// exactly at the first matching message, 1,234 of 3,000, published and
// nothing after it; Play goes on to the next match.
func TestPlayerBreak(t *testing.T) {
	var recs []Entry
	for i := 1; i <= 3000; i++ {
		temp := 20 + i%50 // up to 69
		if i == 1234 || i == 2500 {
			temp = 85
		}
		subj := fmt.Sprintf("sensors.s%d.temp", i%7)
		recs = append(recs, msg(base+int64(i)*int64(time.Millisecond), subj, "", nil, []byte(fmt.Sprintf(`{"n": %d, "temp": %d}`, i, temp))))
	}
	path := writeCapture(t, recs, WriterOptions{})
	rig := newPlayerRig(t, path)
	var bps where.Breakpoints
	if _, err := bps.Add("sensors.*.temp where .temp > 80"); err != nil {
		t.Fatal(err)
	}
	rig.p.Break(func(m *model.Message) bool { return bps.Hit(m) != nil })
	rig.p.SetSpeed(math.Inf(1))
	rig.p.Play()
	waitCond(t, "the breakpoint", func() bool { return !rig.p.Status().Playing })
	st := rig.p.Status()
	if st.Sent != 1234 || st.Breaks != 1 || st.Done || !st.Pos.Equal(time.Unix(0, base+1234*int64(time.Millisecond))) {
		t.Fatalf("stopped with %d sent, %d breaks, done %v, at %v", st.Sent, st.Breaks, st.Done, st.Pos)
	}
	got := rig.received(t)
	var last struct{ N, Temp int }
	if err := json.Unmarshal(got[len(got)-1].Data, &last); err != nil || last.N != 1234 || last.Temp != 85 || len(got) != 1234 {
		t.Fatalf("received %d, the last %s", len(got), got[len(got)-1].Data)
	}
	rig.p.Play()
	waitCond(t, "the second hit", func() bool { st := rig.p.Status(); return !st.Playing && st.Breaks == 2 })
	if st := rig.p.Status(); st.Sent != 2500 || bps.List()[0].Hits != 2 {
		t.Fatalf("second stop at %d sent, %d hits", st.Sent, bps.List()[0].Hits)
	}
	rig.p.Break(nil)
	rig.p.Play()
	waitCond(t, "the end", func() bool { return rig.p.Status().Done })
	if st := rig.p.Status(); st.Sent != 3000 || st.Breaks != 2 {
		t.Fatalf("at the end: %d sent, %d breaks", st.Sent, st.Breaks)
	}
}

// TestPlayerBreakConditionOutsideLock: a breakpoint's condition runs
// outside the player's lock, so Status (the UI asks every tick) answers
// while a slow condition is evaluated.
func TestPlayerBreakConditionOutsideLock(t *testing.T) {
	var recs []Entry
	for i := 1; i <= 3; i++ {
		recs = append(recs, msg(base+int64(i)*int64(time.Millisecond), "slow.x", "", nil, []byte("x")))
	}
	rig := newPlayerRig(t, writeCapture(t, recs, WriterOptions{}))
	entered, release := make(chan struct{}), make(chan struct{})
	first := true
	rig.p.Break(func(*model.Message) bool {
		if first {
			first = false
			close(entered)
			<-release
		}
		return false
	})
	rig.p.SetSpeed(math.Inf(1))
	rig.p.Play()
	<-entered
	status := make(chan PlayerStatus, 1)
	go func() { status <- rig.p.Status() }()
	select {
	case st := <-status:
		if !st.Playing || st.Sent > 1 {
			t.Errorf("while the condition runs: playing %v, %d sent", st.Playing, st.Sent)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("Status waited for the breakpoint's condition")
	}
	close(release)
	waitCond(t, "the end", func() bool { return rig.p.Status().Done })
}
