package ui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// Recording is a capture being written from the live feed (R). main wires
// it to the recorder package, which the UI does not import.
type Recording interface {
	// Progress is the messages and bytes written so far.
	Progress() (messages, bytes uint64)
	// Mark adds a marker to the capture (m).
	Mark(label string) error
	// Stop finishes the file; it may block briefly, so it runs in a Cmd.
	Stop() error
}

// Flight keeps the last minute of traffic for F ("save what just happened").
type Flight interface {
	// Add is called with every batch the UI applies.
	Add(msgs []model.Message)
	// Snapshot copies what is kept, oldest first.
	Snapshot() []model.Message
	// Reset forgets what is kept (a seek back in natsx open).
	Reset()
}

// Recorder is what Options needs to record: start a capture at path from
// the feed's current head, and save a flight snapshot.
type Recorder struct {
	Start  func(path string) (Recording, error)
	Save   func(path string, msgs []model.Message) (int, error)
	Flight Flight
}

type recordingStoppedMsg struct {
	path     string
	messages uint64
	err      error
}

// captureName is a new file name in the working directory.
func captureName(prefix string, now time.Time) string {
	return fmt.Sprintf("%s-%s.natsx", prefix, now.Format("20060102-150405"))
}

// toggleRecording starts or stops recording what natsx sees.
func (m *Model) toggleRecording() tea.Cmd {
	r := m.opts.Recorder
	if r == nil || r.Start == nil {
		m.setFlash("recording is not available here", true)
		return nil
	}
	if m.rec != nil {
		rec, path := m.rec, m.recPath
		m.rec = nil
		return func() tea.Msg {
			n, _ := rec.Progress()
			return recordingStoppedMsg{path: path, messages: n, err: rec.Stop()}
		}
	}
	path := captureName("natsx", time.Now())
	rec, err := r.Start(path)
	if err != nil {
		m.setFlash("record: "+err.Error(), true)
		return nil
	}
	m.rec, m.recPath = rec, path
	m.setFlash("recording to "+path+" (R stops, m adds a marker)", false)
	return nil
}

// markRecording adds a marker while recording.
func (m *Model) markRecording() {
	if m.rec == nil {
		m.setFlash("not recording: R starts", true)
		return
	}
	m.marks++
	if err := m.rec.Mark(fmt.Sprintf("mark %d", m.marks)); err != nil {
		m.setFlash("marker: "+err.Error(), true)
		return
	}
	m.setFlash(fmt.Sprintf("marker %d added", m.marks), false)
}

// saveFlight writes the flight recorder's last minute to a capture.
func (m *Model) saveFlight() tea.Cmd {
	r := m.opts.Recorder
	if r == nil || r.Flight == nil || r.Save == nil {
		m.setFlash("flight recorder is not available here", true)
		return nil
	}
	msgs := r.Flight.Snapshot() // taken on the UI goroutine, written in the Cmd
	path := captureName("natsx-flight", time.Now())
	save := r.Save
	return func() tea.Msg {
		n, err := save(path, msgs)
		if err != nil {
			return statusMsg{text: "flight: " + err.Error(), isErr: true}
		}
		return statusMsg{text: fmt.Sprintf("saved the last %d messages to %s", n, path)}
	}
}

// recHeader is the header's recording badge.
func (m *Model) recHeader() string {
	if m.rec == nil {
		return ""
	}
	n, b := m.rec.Progress()
	return m.styles.Bad.Render(fmt.Sprintf("● REC %s %s", model.HumanCount(n), model.HumanBytes(b)))
}
