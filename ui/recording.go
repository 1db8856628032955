package ui

import (
	"fmt"
	"iter"
	"strings"
	"time"
	"unsafe"

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
	// Err is the error that ended the recording by itself (a full disk),
	// nil while it records. It is cheap: the UI asks on every tick, so the
	// header says so at once, not at the next R.
	Err() error
}

// Flight keeps the last minute of traffic for F ("save what just happened").
type Flight interface {
	// Add is called with every batch the UI applies.
	Add(msgs []model.Message)
	// All yields what is kept, oldest first, one message at a time (valid
	// until the next): a save writes them without copying them all.
	All() iter.Seq[*model.Message]
	// Reset forgets what is kept (a seek back in natsx open).
	Reset()
}

// Recorder is what Options needs to record: start a capture at path from
// the feed's current head, and save a flight snapshot.
type Recorder struct {
	Start  func(path string) (Recording, error)
	Save   func(path string, msgs iter.Seq[*model.Message]) (int, error)
	Flight Flight
}

type recordingStoppedMsg struct {
	path     string
	messages uint64
	err      error
	quit     bool // the user quit: quit now that the file is complete
}

// recordingStartedMsg carries a capture opened by a Cmd (creating and
// writing the file is IO, so not on the UI goroutine).
type recordingStartedMsg struct {
	path string
	rec  Recording
	err  error
}

// flightSavedMsg hands the flight recorder back to the UI goroutine after
// a save (see saveFlight).
type flightSavedMsg struct {
	status statusMsg
}

// memoryHolder is a flight recorder that can say what it holds on the
// heap, for the header's mem.
type memoryHolder interface{ Memory() int64 }

// flightState is the UI's side of the flight recorder. While a save runs,
// the recorder belongs to the save's Cmd (which copies and writes what it
// holds off the UI goroutine); the batches applied meanwhile wait in
// pending and are added when it comes back, so nothing is lost or touched
// by two goroutines.
type flightState struct {
	saving  bool
	pending []model.Message
	bytes   int64 // what pending holds, by pendingCost
	reset   bool  // a rewind happened during the save
	missed  uint64
	// held is what the recorder held on the heap after the UI last fed
	// it (the header's share; while a save runs the recorder is the
	// save's, so it is not asked).
	held int64
}

// defaultFlightPending bounds what is held for the flight recorder while
// a save runs when Options.Budget does not say: beyond the bound (the
// recorder's own share of the budget, so the hand-over never holds more
// than the recorder would) messages are counted, not kept, and the save's
// flash says how many.
const defaultFlightPending = 64 << 20

// noteFlight remembers what the flight recorder holds, for the header.
func (m *Model) noteFlight() {
	if r := m.opts.Recorder; r != nil {
		if h, ok := r.Flight.(memoryHolder); ok {
			m.flight.held = h.Memory()
		}
	}
}

// pendingCost is what a held message costs: its struct, subject, reply
// and payload (headers are rare and small; an estimate is enough for a
// bound).
func pendingCost(m *model.Message) int64 {
	return int64(unsafe.Sizeof(*m)) + int64(len(m.Subject)+len(m.Reply)+len(m.Data))
}

// captureName is a new file name in the working directory.
func captureName(prefix string, now time.Time) string {
	return fmt.Sprintf("%s-%s.natsx", prefix, now.Format("20060102-150405"))
}

// toggleRecording starts or stops recording what natsx sees; both touch
// the file, so both run in a Cmd.
func (m *Model) toggleRecording() tea.Cmd {
	r := m.opts.Recorder
	if r == nil || r.Start == nil {
		m.setFlash("recording is not available here", true)
		return nil
	}
	if m.recStarting {
		m.setFlash("recording is starting…", false)
		return nil
	}
	if m.rec != nil {
		return m.stopRecording()
	}
	m.recStarting, m.recFailed = true, ""
	start := r.Start
	return func() tea.Msg {
		path := captureName("natsx", time.Now())
		rec, err := start(path)
		return recordingStartedMsg{path: path, rec: rec, err: err}
	}
}

// quit quits, finishing a recording first: exiting with it running lost
// what the recorder had not written yet and left the capture without its
// index.
func (m *Model) quit() tea.Cmd {
	if m.recStarting || m.recStopping > 0 || m.flight.saving {
		// A Cmd is still opening, finishing or writing a capture: exiting
		// now would leave it torn. Its result quits (see finishQuit).
		m.quitting = true
		return nil
	}
	if m.rec == nil {
		return tea.Quit
	}
	stop := m.stopRecording()
	return func() tea.Msg {
		msg := stop().(recordingStoppedMsg)
		msg.quit = true
		return msg
	}
}

// stopRecording hands the capture to a Cmd that finishes it. The count
// is read after Stop, which writes what the feed still held: read before,
// it fell short of the file (542 reported, 547 kept).
func (m *Model) stopRecording() tea.Cmd {
	rec, path := m.rec, m.recPath
	m.rec = nil
	m.recStopping++
	return func() tea.Msg {
		err := rec.Stop()
		n, _ := rec.Progress()
		return recordingStoppedMsg{path: path, messages: n, err: err}
	}
}

// checkRecording notices a recording that failed by itself: the header
// says so and a Cmd finishes the file (Stop reports the final count).
func (m *Model) checkRecording() tea.Cmd {
	if m.rec == nil {
		return nil
	}
	err := m.rec.Err()
	if err == nil {
		return nil
	}
	n, _ := m.rec.Progress()
	// The cause comes last in a wrapped error; the header has room for
	// it, the footer's flash gets the whole error when the file is closed.
	text := err.Error()
	if i := strings.LastIndex(text, ": "); i >= 0 {
		text = text[i+2:]
	}
	m.recFailed = fmt.Sprintf("✗ REC failed: %s · kept %s msgs", text, model.HumanCount(n))
	return m.stopRecording()
}

// recordingStopped reports how a recording ended, with what the file kept
// even when it failed.
func (m *Model) recordingStopped(msg recordingStoppedMsg) tea.Cmd {
	m.recStopping--
	if msg.err != nil {
		m.setFlash(fmt.Sprintf("recording failed, %d messages kept in %s: %v", msg.messages, msg.path, msg.err), true)
	} else {
		m.setFlash(fmt.Sprintf("recorded %d messages to %s", msg.messages, msg.path), false)
	}
	if msg.quit {
		m.quitting = true
	}
	return m.finishQuit()
}

// recordingStarted takes a capture the Cmd opened.
func (m *Model) recordingStarted(msg recordingStartedMsg) tea.Cmd {
	m.recStarting = false
	if msg.err != nil {
		m.setFlash("record: "+msg.err.Error(), true)
		if m.quitting {
			return tea.Quit
		}
		return nil
	}
	m.rec, m.recPath = msg.rec, msg.path
	if m.quitting {
		return m.quit()
	}
	m.setFlash("recording to "+msg.path+" (R stops, m adds a marker)", false)
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

// saveFlight writes the flight recorder's last minute to a capture. The
// recorder is handed to the Cmd (reading it and writing the file happen
// there) and comes back with flightSavedMsg.
func (m *Model) saveFlight() tea.Cmd {
	r := m.opts.Recorder
	if r == nil || r.Flight == nil || r.Save == nil {
		m.setFlash("flight recorder is not available here", true)
		return nil
	}
	if m.flight.saving {
		m.setFlash("the flight recorder is being saved…", false)
		return nil
	}
	m.flight.saving = true
	fl, save := r.Flight, r.Save
	return func() tea.Msg {
		path := captureName("natsx-flight", time.Now())
		var first, last int64
		n, err := save(path, func(yield func(*model.Message) bool) {
			for msg := range fl.All() {
				if first == 0 {
					first = msg.Received
				}
				last = msg.Received
				if !yield(msg) {
					return
				}
			}
		})
		if err != nil {
			return flightSavedMsg{statusMsg{text: "flight: " + err.Error(), isErr: true}}
		}
		return flightSavedMsg{statusMsg{text: flightSavedText(fl, n, time.Duration(last-first), path)}}
	}
}

// flightEvictions is a flight recorder that counts the messages its
// share of the budget evicted before they left its window.
type flightEvictions interface {
	Stats() (messages int, bytes int64, dropped uint64, span time.Duration)
}

// flightSavedText says what F saved: how many messages and over what
// span, and, when the recorder's share of --max-memory evicted messages
// before they were a minute old, that the span is its bound, not the
// minute's (in a flood it is the last second or so).
func flightSavedText(fl Flight, n int, span time.Duration, path string) string {
	if n < 2 || span <= 0 {
		return fmt.Sprintf("saved the last %d messages to %s", n, path)
	}
	why := ""
	if ev, ok := fl.(flightEvictions); ok {
		if _, _, dropped, _ := ev.Stats(); dropped > 0 {
			why = "; older ones outgrew its share of --max-memory"
		}
	}
	return fmt.Sprintf("saved the last %d messages (%s%s) to %s", n, model.HumanDuration(span), why, path)
}

// flightAdd feeds the flight recorder a batch, or holds it while a save
// has the recorder.
func (m *Model) flightAdd(msgs []model.Message) {
	r := m.opts.Recorder
	if r == nil || r.Flight == nil || len(msgs) == 0 {
		return
	}
	if !m.flight.saving {
		r.Flight.Add(msgs)
		m.noteFlight()
		return
	}
	fs := &m.flight
	for i := range msgs {
		c := pendingCost(&msgs[i])
		if fs.bytes+c > m.opts.Budget.Flight {
			fs.missed += uint64(len(msgs) - i)
			return
		}
		fs.bytes += c
		// Owned: msgs point into the engine's store's pages.
		fs.pending = append(fs.pending, msgs[i].Owned(len(msgs[i].Data)))
	}
}

// flightReset forgets the flight recorder's messages (a rewind).
func (m *Model) flightReset() {
	r := m.opts.Recorder
	if r == nil || r.Flight == nil {
		return
	}
	if m.flight.saving {
		m.flight.reset, m.flight.pending, m.flight.bytes = true, nil, 0
		return
	}
	r.Flight.Reset()
	m.noteFlight()
}

// flightSaved takes the recorder back and gives it what arrived meanwhile.
func (m *Model) flightSaved(msg flightSavedMsg) {
	fs := &m.flight
	if r := m.opts.Recorder; r != nil && r.Flight != nil {
		if fs.reset {
			r.Flight.Reset()
		}
		r.Flight.Add(fs.pending)
	}
	text := msg.status.text
	if fs.missed > 0 && !msg.status.isErr {
		text += fmt.Sprintf(" (%d messages arrived too fast to keep meanwhile)", fs.missed)
	}
	*fs = flightState{}
	m.noteFlight()
	m.setFlash(text, msg.status.isErr)
}

// finishQuit quits once a q that came while a capture was being written
// has nothing left to wait for.
func (m *Model) finishQuit() tea.Cmd {
	if !m.quitting || m.recStarting || m.recStopping > 0 || m.flight.saving {
		return nil
	}
	if m.rec != nil {
		m.quitting = false
		return m.quit()
	}
	return tea.Quit
}

// recHeader is the header's recording badge, or the failure that ended
// the recording (it stays until R starts another).
func (m *Model) recHeader() string {
	if m.rec == nil {
		if m.recFailed != "" {
			return m.styles.Bad.Render(model.Sanitize(m.recFailed))
		}
		return ""
	}
	n, b := m.rec.Progress()
	return m.styles.Bad.Render(fmt.Sprintf("● REC %s %s", model.HumanCount(n), model.HumanBytes(b)))
}
