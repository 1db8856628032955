package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"natsx/recorder"
)

// ImportCmd builds a capture from NDJSON or a natscli dump directory.
type ImportCmd struct {
	Src   string `arg:"" help:"NDJSON file (as natsx export writes it) or a 'nats sub --dump' directory" placeholder:"FILE.ndjson|DIR"`
	Out   string `short:"o" required:"" help:"capture file to write" placeholder:"FILE"`
	Force bool   `help:"replace --out if it exists (the old file stays until the import succeeds)"`
}

// Run imports into a new capture. The capture is written to a temporary
// file next to --out and moved into place only when the import succeeded,
// so a bad line never costs the file that was there.
func (c *ImportCmd) Run(env *Env) (err error) {
	st, err := os.Stat(c.Src)
	if err != nil {
		return fmt.Errorf("import %s: %w", c.Src, errors.Unwrap(err))
	}
	if err := notAnInput(c.Src, st, c.Out); err != nil {
		return err
	}
	w, err := createCapture(c.Out, recorder.WriterOptions{NatsxVersion: env.Version, Atomic: true, Replace: c.Force})
	if err != nil {
		return refusedHint(err)
	}
	defer func() {
		if err != nil {
			_ = w.Discard()
		} else {
			err = w.Close()
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

// notAnInput refuses an --out that is the input (the same file by any
// name, --force or not) or one of the files of an input dump directory.
func notAnInput(src string, srcInfo os.FileInfo, out string) error {
	outInfo, err := os.Stat(out)
	if err == nil && os.SameFile(srcInfo, outInfo) {
		return fmt.Errorf("import: --out %s is the input: refusing to overwrite it", out)
	}
	if srcInfo.IsDir() && strings.HasSuffix(out, ".json") {
		a, err1 := filepath.Abs(filepath.Dir(out))
		b, err2 := filepath.Abs(src)
		if err1 == nil && err2 == nil && a == b {
			return fmt.Errorf("import: --out %s is in the dump directory being read: refusing to write there", out)
		}
	}
	return nil
}
