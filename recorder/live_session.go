package recorder

import "errors"

// Recording is a LiveRecorder as the explorer drives it (R to start and
// stop, m for markers, the header's progress and failure): it has the
// methods of the UI's Recording interface, so the CLI and the UI's tests
// wire the one real recorder the same way.
type Recording struct{ *LiveRecorder }

// Progress is the messages and bytes written so far.
func (r Recording) Progress() (messages, bytes uint64) {
	st := r.Status()
	return st.Messages, st.Bytes
}

// Stop ends the recording and closes the file.
func (r Recording) Stop() error {
	_, err := r.LiveRecorder.Stop()
	return err
}

// Err is the error that ended the recording by itself (a full disk); nil
// while it runs.
func (r Recording) Err() error {
	if e := r.Status().Err; e != "" {
		return errors.New(e)
	}
	return nil
}
