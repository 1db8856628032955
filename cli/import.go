package cli

import (
	"errors"
	"fmt"
	"os"

	"natsx/recorder"
)

// ImportCmd builds a capture from NDJSON or a natscli dump directory.
type ImportCmd struct {
	Src string `arg:"" help:"NDJSON file (as natsx export writes it) or a 'nats sub --dump' directory" placeholder:"FILE.ndjson|DIR"`
	Out string `short:"o" required:"" help:"capture file to write" placeholder:"FILE"`
}

// Run imports into a new capture; on failure it removes the partial file.
func (c *ImportCmd) Run(env *Env) (err error) {
	st, err := os.Stat(c.Src)
	if err != nil {
		return fmt.Errorf("import %s: %w", c.Src, errors.Unwrap(err))
	}
	w, err := recorder.Create(c.Out, recorder.WriterOptions{NatsxVersion: env.Version})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(c.Out)
		}
	}()
	var n uint64
	if st.IsDir() {
		n, err = recorder.ImportDumpDir(c.Src, w)
	} else {
		var f *os.File
		if f, err = os.Open(c.Src); err != nil {
			return fmt.Errorf("import %s: %w", c.Src, errors.Unwrap(err))
		}
		defer f.Close()
		n, err = recorder.ImportNDJSON(f, w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "imported %d records from %s to %s\n", n, c.Src, c.Out)
	return nil
}
