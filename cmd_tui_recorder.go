package main

import (
	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
	"natsx/ui"
)

// liveRecording adapts recorder.LiveRecorder to the UI's Recording.
type liveRecording struct{ r *recorder.LiveRecorder }

func (l liveRecording) Progress() (uint64, uint64) {
	st := l.r.Status()
	return st.Messages, st.Bytes
}
func (l liveRecording) Mark(label string) error { return l.r.Mark(label) }
func (l liveRecording) Stop() error {
	_, err := l.r.Stop()
	return err
}

// tuiRecorder wires R (record from the store's head), F (flight recorder
// of the last minute, 64 MiB at most) and m (markers) to the recorder.
func tuiRecorder(sess *engine.Session) *ui.Recorder {
	hdr := recorder.HeaderInfo{Server: sess.Status().URL, NatsxVersion: version}
	return &ui.Recorder{
		Start: func(path string) (ui.Recording, error) {
			r, err := recorder.StartLive(sess, sess.Head(), path, hdr)
			if err != nil {
				return nil, err
			}
			return liveRecording{r}, nil
		},
		Save: func(path string, msgs []model.Message) (int, error) {
			return recorder.SaveMessages(path, msgs, hdr)
		},
		Flight: recorder.NewFlightRecorder(0, 0),
	}
}
