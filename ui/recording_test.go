package ui

import (
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"natsx/model"

	tea "charm.land/bubbletea/v2"
)

// fakeRecording is a capture that only counts.
type fakeRecording struct{ marks []string }

func (r *fakeRecording) Progress() (uint64, uint64) { return 3, 30 }
func (r *fakeRecording) Mark(label string) error    { r.marks = append(r.marks, label); return nil }
func (r *fakeRecording) Stop() error                { return nil }
func (r *fakeRecording) Err() error                 { return nil }

// fakeFlight records what the UI does to the flight recorder.
type fakeFlight struct {
	added     []string // subjects, in the order added
	times     []int64  // their receive times, when a test sets them
	snapshots int
	resets    int
}

func (f *fakeFlight) Add(msgs []model.Message) {
	for _, m := range msgs {
		f.added = append(f.added, m.Subject)
	}
}

func (f *fakeFlight) All() iter.Seq[*model.Message] {
	f.snapshots++
	added, times := slices.Clone(f.added), slices.Clone(f.times)
	return func(yield func(*model.Message) bool) {
		for i, s := range added {
			m := &model.Message{Subject: s}
			if i < len(times) {
				m.Received = times[i]
			}
			if !yield(m) {
				return
			}
		}
	}
}

func (f *fakeFlight) Reset() { f.added, f.resets = nil, f.resets+1 }

// TestRecordingStartsInCmd: R opens the capture in a Cmd (file IO), not in
// Update; the result arrives as a message and turns recording on.
func TestRecordingStartsInCmd(t *testing.T) {
	var started []string
	rec := &fakeRecording{}
	m := New(Options{Start: sceneStart, Recorder: &Recorder{Start: func(path string) (Recording, error) {
		started = append(started, path)
		return rec, nil
	}}})
	cmd := send(m, press("R"))
	if len(started) != 0 || m.rec != nil {
		t.Fatal("R opened the capture inside Update")
	}
	if cmd == nil {
		t.Fatal("R returned no Cmd")
	}
	if again := send(m, press("R")); again != nil || len(started) != 0 {
		t.Error("a second R while starting started another capture")
	}
	send(m, cmd())
	if len(started) != 1 || m.rec != rec || !strings.HasPrefix(m.recPath, "natsx-") {
		t.Fatalf("after the Cmd: started %v, recording %v at %q", started, m.rec, m.recPath)
	}
	if f := footerText(m); !strings.Contains(f, "recording to natsx-") {
		t.Errorf("footer %q", f)
	}
	send(m, press("m"))
	if !slices.Equal(rec.marks, []string{"mark 1"}) {
		t.Errorf("marks %v", rec.marks)
	}
	// A refused start says why and leaves recording off.
	m = New(Options{Start: sceneStart, Recorder: &Recorder{Start: func(string) (Recording, error) {
		return nil, errors.New("disk full")
	}}})
	send(m, send(m, press("R"))())
	if m.rec != nil || !strings.Contains(footerText(m), "record: disk full") {
		t.Errorf("refused start: recording %v, footer %q", m.rec, footerText(m))
	}
}

// TestFlightSaveHandsOver: F hands the flight recorder to the save's Cmd,
// so Update neither copies it nor feeds it while the Cmd reads it; what
// arrives meanwhile is added, in order, when the save comes back.
func TestFlightSaveHandsOver(t *testing.T) {
	fl := &fakeFlight{}
	var saved []string
	f := &feed{status: model.SourceStatus{State: model.StateConnected}}
	m := New(Options{Source: f, Start: sceneStart, Recorder: &Recorder{Flight: fl,
		Save: func(path string, msgs iter.Seq[*model.Message]) (int, error) {
			for m := range msgs {
				saved = append(saved, m.Subject)
			}
			return len(saved), nil
		}}})
	f.publish(paneMsg(sceneNow, "a", "1", ""), paneMsg(sceneNow, "b", "2", ""))
	pullInto(t, m)
	cmd := send(m, press("F"))
	if fl.snapshots != 0 || cmd == nil {
		t.Fatalf("F: %d snapshots in Update, cmd %v; want none and a Cmd", fl.snapshots, cmd != nil)
	}
	c := paneMsg(sceneNow, "c", "3", "")
	f.publish(c)
	pullInto(t, m)
	if !slices.Equal(fl.added, []string{"a", "b"}) {
		t.Fatalf("the flight recorder was fed while the save had it: %v", fl.added)
	}
	// What waits keeps copies: a message read from the engine's store
	// points into one of its pages, which it would keep alive.
	if p := m.flight.pending; len(p) != 1 || unsafe.StringData(p[0].Subject) == unsafe.StringData(c.Subject) ||
		&p[0].Data[0] == &c.Data[0] || p[0].Subject != "c" || string(p[0].Data) != "3" {
		t.Fatalf("what waits for the save is not a copy of what came: %+v", p)
	}
	send(m, cmd())
	if !slices.Equal(saved, []string{"a", "b"}) {
		t.Errorf("saved %v, want a b", saved)
	}
	if !slices.Equal(fl.added, []string{"a", "b", "c"}) {
		t.Errorf("after the save the recorder holds %v, want a b c", fl.added)
	}
	if ft := footerText(m); !strings.Contains(ft, "saved the last 2 messages to natsx-flight-") {
		t.Errorf("footer %q", ft)
	}
	// Fed directly again.
	f.publish(paneMsg(sceneNow, "d", "4", ""))
	pullInto(t, m)
	if !slices.Equal(fl.added, []string{"a", "b", "c", "d"}) {
		t.Errorf("after the save: %v", fl.added)
	}
}

// TestQuitWhileRecordingStops (review): q while R's Stop is still writing
// the capture waits for it, then quits; before, it quit at once and the
// process exit left the capture torn.
func TestQuitWhileRecordingStops(t *testing.T) {
	rec := &fakeRecording{}
	m := New(Options{Start: sceneStart, Recorder: &Recorder{Start: func(string) (Recording, error) { return rec, nil }}})
	send(m, send(m, press("R"))()) // recording
	stop := send(m, press("R"))    // Stop's Cmd, not run yet
	if stop == nil {
		t.Fatal("no stop Cmd")
	}
	if q := send(m, press("q")); q != nil {
		if _, ok := q().(tea.QuitMsg); ok {
			t.Fatal("q quit while the recording's Stop was still running")
		}
	}
	done := send(m, stop())
	if done == nil {
		t.Fatal("the finished Stop did not quit")
	}
	if _, ok := done().(tea.QuitMsg); !ok {
		t.Fatal("the finished Stop did not quit")
	}
}

// evictingFlight is a flight recorder whose budget evicted messages.
type evictingFlight struct{ fakeFlight }

func (f *evictingFlight) Stats() (int, int64, uint64, time.Duration) { return len(f.added), 0, 7, 0 }

// TestFlightSavedSaysItsSpan: F says how far back the save goes, and when
// the recorder's share of the budget, not the minute, set that.
func TestFlightSavedSaysItsSpan(t *testing.T) {
	fl := &evictingFlight{}
	f := &feed{status: model.SourceStatus{State: model.StateConnected}}
	m := New(Options{Source: f, Start: sceneStart, Recorder: &Recorder{Flight: fl,
		Save: func(path string, msgs iter.Seq[*model.Message]) (int, error) {
			n := 0
			for range msgs {
				n++
			}
			return n, nil
		}}})
	fl.added = []string{"a", "b"}
	fl.times = []int64{sceneNow.UnixNano(), sceneNow.Add(1500 * time.Millisecond).UnixNano()}
	send(m, send(m, press("F"))())
	if ft := footerText(m); !strings.Contains(ft, "saved the last 2 messages (1.5s; older ones outgrew its share of --max-memory)") {
		t.Errorf("footer %q", ft)
	}
}
