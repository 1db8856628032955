package recorder

// Creating capture files without destroying data: a new file is created
// exclusively, replacing one is done through a temporary file renamed on
// success, and a file that received nothing is removed again.

import (
	"errors"
	"fmt"
	"io/fs"
	"natsx/model"
	"os"
	"path/filepath"
)

// Create creates a capture at path with mode 0600 and writes the header.
// It never destroys data it was not told to: an existing file that holds
// anything is refused unless o.Replace is set (see WriterOptions.Replace),
// and when the header cannot be written (a full disk) the file it made is
// removed again rather than left behind empty.
func Create(path string, o WriterOptions) (*Writer, error) {
	if o.Replace || o.Atomic {
		return createTemp(path, o)
	}
	w, _, err := createNew(path, o)
	return w, err
}

// createTemp writes to a temporary file next to path (the same file
// system, so moving it into place is atomic) that Close moves to path.
func createTemp(path string, o WriterOptions) (*Writer, error) {
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("recorder: %s exists and is not a regular file", path)
		}
		if !o.Replace && st.Size() > 0 {
			// Said now rather than after the work: Close checks again.
			return nil, fmt.Errorf("recorder: %s%w", path, checkEmptyFile(st, nil))
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("recorder: create %s: %w", path, unwrapPath(err))
	}
	tmp := f.Name()
	w, err := createOn(f, path, o)
	if err != nil {
		_ = os.Remove(tmp)
		return nil, err
	}
	w.tmp = tmp
	return w, nil
}

// createOn writes the header to f, opened for writing at path, and
// returns its Writer; f is closed on failure.
func createOn(f *os.File, path string, o WriterOptions) (*Writer, error) {
	// The mode only applies to new files; an old capture keeps its mode.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("recorder: chmod %s: %w", path, unwrapPath(err))
	}
	w, err := newWriter(f, f, path, o)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return w, nil
}

// createNew creates a capture at path, refusing to overwrite a file that
// holds anything: a keypress in the TUI must never destroy an old capture.
// It reports whether it created the file, so a failed save can remove it.
func createNew(path string, o WriterOptions) (w *Writer, created bool, err error) {
	// One handle from the check to the writer: no window in which a file
	// written meanwhile by someone else would be truncated.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, fs.ErrExist):
		// Stat before opening: opening a FIFO for writing would block.
		if err := checkEmptyFile(os.Stat(path)); err != nil {
			return nil, false, fmt.Errorf("recorder: %s%w", path, err)
		}
		if f, err = os.OpenFile(path, os.O_WRONLY, 0); err != nil {
			return nil, false, fmt.Errorf("recorder: %s: %w", path, unwrapPath(err))
		}
		if err := checkEmptyFile(f.Stat()); err != nil { // written meanwhile?
			_ = f.Close()
			return nil, false, fmt.Errorf("recorder: %s%w", path, err)
		}
	default:
		return nil, false, fmt.Errorf("recorder: create %s: %w", path, unwrapPath(err))
	}
	w, err = createOn(f, path, o)
	if err != nil {
		if created {
			_ = os.Remove(path) // a full disk at start must not leave an empty file behind
		}
		return nil, false, err
	}
	w.made = created
	return w, created, nil
}

// checkEmptyFile accepts an empty regular file; its error reads after
// the path.
func checkEmptyFile(st fs.FileInfo, err error) error {
	switch {
	case err != nil:
		return fmt.Errorf(": %w", unwrapPath(err))
	case !st.Mode().IsRegular():
		return errors.New(" exists and is not a regular file")
	case st.Size() > 0:
		return fmt.Errorf(" already exists (%s): refusing to overwrite it", model.HumanBytes(uint64(st.Size())))
	}
	return nil
}

// settle puts the closed file where it belongs: the temporary file of a
// Replace renamed over path, or removed with any file Create made when
// nothing of value reached it.
func (w *Writer) settle() {
	// An atomic file (import) is all or nothing: a partial one would pass
	// for the whole, and with Replace it would take the old file's place.
	empty := w.err != nil && (w.keptRecords == 0 || w.o.Atomic)
	switch {
	case w.tmp != "" && empty:
		_ = os.Remove(w.tmp)
	case w.tmp != "":
		if err := w.moveIntoPlace(); err != nil {
			w.err = errors.Join(w.err, err)
		}
	case w.made && empty:
		_ = os.Remove(w.path)
	}
}

// moveIntoPlace puts the finished temporary file at path: a rename with
// Replace; otherwise a hard link, which fails rather than replace a file
// that appeared at path meanwhile (the temporary file is then kept and
// named in the error, so nothing is lost), or a rename over an empty one.
func (w *Writer) moveIntoPlace() error {
	if !w.o.Replace {
		err := os.Link(w.tmp, w.path)
		if err == nil {
			return removeQuiet(w.tmp)
		}
		if cerr := checkEmptyFile(os.Lstat(w.path)); !errors.Is(err, fs.ErrExist) || cerr != nil {
			if cerr == nil {
				cerr = fmt.Errorf(": %w", unwrapPath(err))
			}
			return fmt.Errorf("recorder: %s%w; the capture is in %s", w.path, cerr, w.tmp)
		}
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		_ = os.Remove(w.tmp)
		return fmt.Errorf("recorder: replace %s: %w", w.path, unwrapPath(err))
	}
	return nil
}

// Discard closes the writer without keeping what it wrote: the file Create
// made (or the temporary file of a Replace) is removed and any old file at
// the path is left as it was. For a caller whose input failed half-way
// (an import), where a partial capture would pass for a whole one.
func (w *Writer) Discard() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.zstd != nil {
		_ = w.zstd.Close()
	}
	if w.f == nil {
		return nil
	}
	_ = w.f.Close()
	switch {
	case w.tmp != "":
		return removeQuiet(w.tmp)
	case w.made:
		return removeQuiet(w.path)
	}
	return nil
}
