package ui

import (
	"fmt"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
	"natsx/recorder"
	"natsx/testkit"
)

// realRecorder records f into dir with the real recorder.
func realRecorder(f *feed, dir string) *Recorder {
	return &Recorder{Start: func(path string) (Recording, error) {
		f.mu.Lock()
		head := f.start + uint64(len(f.msgs))
		f.mu.Unlock()
		r, err := recorder.StartLive(f, head, filepath.Join(dir, path), recorder.HeaderInfo{NatsxVersion: "test"})
		if err != nil {
			return nil, err
		}
		return recorder.Recording{LiveRecorder: r}, nil
	}}
}

// TestRecordingStopCountsWhatTheFileHolds (issue 12 item 6): the count R
// reports when it stops is the file's, including what the recorder wrote
// while stopping, not the progress read before Stop.
func TestRecordingStopCountsWhatTheFileHolds(t *testing.T) {
	dir := t.TempDir()
	f := &feed{status: model.SourceStatus{State: model.StateConnected}}
	m := New(Options{Source: f, Start: sceneStart, Recorder: realRecorder(f, dir)})
	send(m, send(m, press("R"))())
	if m.rec == nil {
		t.Fatalf("R did not start recording: %q", footerText(m))
	}
	// A burst just before R: the recorder has not polled it yet.
	for i := range 20000 {
		f.publish(paneMsg(sceneNow, "a.b", fmt.Sprintf("m%d", i), ""))
	}
	send(m, send(m, press("R"))())
	r, err := recorder.Open(filepath.Join(dir, m.recPath))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := r.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("recorded %d messages", st.Messages)
	if st.Messages != 20000 || !strings.Contains(m.flash.text, want) {
		t.Errorf("file holds %d messages; flash %q, want %q", st.Messages, m.flash.text, want)
	}
}

// TestRecordingFailureShowsAtOnce (issue 12 item 4): when the recorder
// fails on its own (a full disk; here the file size limit, which fails the
// write the same way), the header says so at the next tick, without R.
// It runs in a child process: the size limit applies to the whole process.
func TestRecordingFailureShowsAtOnce(t *testing.T) {
	if !testkit.Alone(t) {
		return
	}
	signal.Ignore(syscall.SIGXFSZ) // the write fails with EFBIG instead
	lim := syscall.Rlimit{Cur: 256 << 10, Max: 256 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("no file size limit here: %v", err)
	}
	dir := t.TempDir()
	f := &feed{status: model.SourceStatus{State: model.StateConnected}}
	m := New(Options{Source: f, Start: sceneStart, Recorder: realRecorder(f, dir)})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	send(m, send(m, press("R"))())
	payload := strings.Repeat("x", 1000)
	for i := range 1000 {
		f.publish(paneMsg(sceneNow, "a.b", fmt.Sprintf("%d %s", i, payload), ""))
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(screenText(m), "REC failed") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		b, _ := runPull(t, m.pullCmd(0))
		for _, msg := range runCmds(send(m, b)) {
			if _, ok := msg.(recordingStoppedMsg); ok {
				send(m, msg) // the Cmd the failure started finished the file
			}
		}
	}
	head := strings.Join(strings.Split(screenText(m), "\n")[:2], "\n")
	if !strings.Contains(head, "REC failed") || !strings.Contains(head, "file too large") {
		t.Fatalf("the header does not show the failure:\n%s", screenText(m))
	}
	if regexp.MustCompile(`● REC \d`).MatchString(head) {
		t.Errorf("the header still shows recording:\n%s", head)
	}
}

// TestQuitFinishesRecording: the sibling of items 4 and 6: q while
// recording used to exit with the capture unfinished (what the recorder
// had not drained yet, and the index, never written). Quitting now stops
// the recording first and quits when the file is complete.
func TestQuitFinishesRecording(t *testing.T) {
	for _, quit := range []string{"q", ":q"} {
		dir := t.TempDir()
		f := &feed{status: model.SourceStatus{State: model.StateConnected}}
		m := New(Options{Source: f, Start: sceneStart, Recorder: realRecorder(f, dir)})
		send(m, send(m, press("R"))())
		for i := range 20000 {
			f.publish(paneMsg(sceneNow, "a.b", fmt.Sprintf("m%d", i), ""))
		}
		var cmd tea.Cmd
		if quit == "q" {
			cmd = send(m, press("q"))
		} else {
			send(m, pk(":"))
			typeIn(m, "q")
			cmd = send(m, pk("enter"))
		}
		if cmd == nil {
			t.Fatalf("%s: no command", quit)
		}
		msg := cmd()
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatalf("%s quit before the recording was finished", quit)
		}
		after := send(m, msg)
		if after == nil {
			t.Fatalf("%s: no quit after the recording stopped", quit)
		}
		if _, ok := after().(tea.QuitMsg); !ok {
			t.Errorf("%s: after the recording stopped, no quit", quit)
		}
		r, err := recorder.Open(filepath.Join(dir, m.recPath))
		if err != nil {
			t.Fatal(err)
		}
		st, err := r.Stats()
		r.Close()
		if err != nil || st.Messages != 20000 || !st.Indexed {
			t.Errorf("%s: the capture holds %d messages (indexed %v, err %v), want 20000 and an index", quit, st.Messages, st.Indexed, err)
		}
	}
}

// TestQuitWhileRecordingStarts: q while R's Cmd is still opening the file
// waits for it, finishes it, then quits.
func TestQuitWhileRecordingStarts(t *testing.T) {
	dir := t.TempDir()
	f := &feed{status: model.SourceStatus{State: model.StateConnected}}
	m := New(Options{Source: f, Start: sceneStart, Recorder: realRecorder(f, dir)})
	start := send(m, press("R"))
	if cmd := send(m, press("q")); cmd != nil {
		t.Fatal("q quit while the recording was starting")
	}
	stop := send(m, start())
	if stop == nil {
		t.Fatal("the started recording was not stopped")
	}
	quit := send(m, stop())
	if quit == nil {
		t.Fatal("no quit after the recording stopped")
	}
	if _, ok := quit().(tea.QuitMsg); !ok {
		t.Error("no quit")
	}
	r, err := recorder.Open(filepath.Join(dir, m.recPath))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if st, err := r.Stats(); err != nil || !st.Indexed {
		t.Errorf("the capture was not finished: %+v %v", st, err)
	}
}
