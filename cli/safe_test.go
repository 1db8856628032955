package cli

// Tests that no command destroys data it was not told to: existing
// captures, an import's own input, and what a full disk leaves behind.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"natsx/recorder"
	"natsx/testkit"
)

// runFail runs natsx, wanting a non-zero exit and exactly one line on
// stderr containing every want; it returns that line.
func runFail(t *testing.T, args []string, want ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	msg := errorLine(errb.String())
	if code == 0 || msg == "" {
		t.Fatalf("natsx %s: exit %d, stderr %q; want one error line", strings.Join(args, " "), code, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Fatalf("natsx %s: stderr %q; want %q in it", strings.Join(args, " "), msg, w)
		}
	}
	return msg
}

// errorLine is the one "natsx: " line of stderr (record first says what
// it records on a line of its own), or "" when there is not exactly one.
func errorLine(stderr string) string {
	var found []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if strings.HasPrefix(l, "natsx: ") {
			found = append(found, l)
		}
	}
	if len(found) != 1 || !strings.HasSuffix(stderr, "\n") {
		return ""
	}
	return found[0]
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noTempFiles fails when a temporary file was left in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
	}
}

// TestImportNeverDestroys covers issue 12 items 1–3 for import: a bad
// input keeps the existing capture, an existing capture is refused
// without --force, and --out equal to the input is refused, --force or
// not, by any name.
func TestImportNeverDestroys(t *testing.T) {
	dir := t.TempDir()
	keep := openCapture(t, 5)
	old := readFile(t, keep)
	good := filepath.Join(dir, "good.ndjson")
	if err := os.WriteFile(good, []byte(runOK(t, "export", keep)), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.ndjson")
	_ = os.WriteFile(bad, []byte(`{"time":"2025-01-01T00:00:00Z","subject":"a","data":"aGk="}`+"\n{oops\n"), 0o600)

	// 1: a failing import with --force leaves the old capture as it was.
	runFail(t, []string{"import", bad, "--out", keep, "--force"}, "line 2")
	if !bytes.Equal(readFile(t, keep), old) {
		t.Fatal("a failed import changed the existing capture")
	}
	noTempFiles(t, filepath.Dir(keep))

	// 3: an existing capture is refused without --force …
	runFail(t, []string{"import", good, "--out", keep}, "refusing to overwrite", "--force")
	if !bytes.Equal(readFile(t, keep), old) {
		t.Fatal("import replaced an existing capture without --force")
	}
	// … and replaced with it.
	if out := runOK(t, "import", good, "--out", keep, "--force"); !strings.Contains(out, "imported 5 records") {
		t.Fatalf("import --force: %s", out)
	}
	if o := inspect(t, keep); o.Messages != 5 {
		t.Fatalf("replaced capture: %+v", o)
	}
	noTempFiles(t, filepath.Dir(keep))

	// 2: the input itself, by its name, another spelling and a symlink.
	same := filepath.Join(dir, "same.ndjson")
	content := readFile(t, good)
	_ = os.WriteFile(same, content, 0o600)
	link := filepath.Join(dir, "link.ndjson")
	_ = os.Symlink(same, link)
	for _, out := range []string{same, filepath.Join(dir, ".", "..", filepath.Base(dir), "same.ndjson"), link} {
		for _, force := range []bool{false, true} {
			args := []string{"import", same, "--out", out}
			if force {
				args = append(args, "--force")
			}
			runFail(t, args, "is the input")
			if !bytes.Equal(readFile(t, same), content) {
				t.Fatalf("import --out %s destroyed its input", out)
			}
		}
	}

	// A dump directory: --out one of its .json files is refused.
	dump := t.TempDir()
	msg := filepath.Join(dump, "1.json")
	_ = os.WriteFile(msg, []byte(`{"Subject":"a","Data":"aGk="}`), 0o600)
	runFail(t, []string{"import", dump, "--out", msg, "--force"}, "dump directory")
	if string(readFile(t, msg)) != `{"Subject":"a","Data":"aGk="}` {
		t.Fatal("import into its own dump directory destroyed an input file")
	}
}

// TestRecordNeverDestroys covers item 3 for record: an existing capture is
// refused without --force (nothing is connected to or written), and
// replaced only once the new recording is complete with it.
func TestRecordNeverDestroys(t *testing.T) {
	t.Setenv("NATS_URL", "")
	s := testkit.Server(t)
	keep := openCapture(t, 7)
	old := readFile(t, keep)
	runFail(t, []string{"record", "-s", s.ClientURL(), "--out", keep, "--count", "1"}, "refusing to overwrite", "--force")
	if !bytes.Equal(readFile(t, keep), old) {
		t.Fatal("record replaced an existing capture without --force")
	}

	before := s.NumSubscriptions()
	done := make(chan string, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"record", "-s", s.ClientURL(), "--out", keep, "--count", "2", "--force"}, &out, &errb)
		done <- strings.TrimSpace(errb.String() + out.String() + " exit " + string(rune('0'+code)))
	}()
	waitSubs(t, s, before)
	// Until the recording ends, the old capture is still there, whole.
	if !bytes.Equal(readFile(t, keep), old) {
		t.Fatal("record --force destroyed the old capture before the new one was complete")
	}
	pub := testkit.Conn(t, s.ClientURL())
	for range 2 {
		_ = pub.Publish("force.test", []byte("x"))
	}
	_ = pub.Flush()
	if res := <-done; !strings.HasSuffix(res, "exit 0") {
		t.Fatalf("record --force: %s", res)
	}
	if o := inspect(t, keep); o.Messages != 2 {
		t.Fatalf("record --force: %+v", o)
	}
	noTempFiles(t, filepath.Dir(keep))
}

// diskFull is a file that takes n bytes and then fails as a full disk does.
type diskFull struct {
	mu sync.Mutex
	f  *os.File
	n  int
}

func (d *diskFull) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(b) > d.n {
		n, _ := d.f.Write(b[:d.n])
		d.n = 0
		return n, errors.New("no space left on device")
	}
	d.n -= len(b)
	return d.f.Write(b)
}

// TestRecordDiskFull covers item 4 through the writer seam: the one error
// line says how many messages the file kept, that number is what the file
// holds, and the recorder's prefix is said once.
func TestRecordDiskFull(t *testing.T) {
	t.Setenv("NATS_URL", "")
	path := filepath.Join(t.TempDir(), "full.natsx")
	old := createCapture
	t.Cleanup(func() { createCapture = old })
	createCapture = func(p string, o recorder.WriterOptions) (*recorder.Writer, error) {
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = f.Close() })
		return recorder.NewWriter(&diskFull{f: f, n: 200 << 10}, o)
	}
	msg := runFail(t, []string{"record", "--out", path, "--listen", "127.0.0.1:0", "--demo-rate", "max", "--count", "1000000"},
		"no space left on device", "kept")
	if strings.Count(msg, "recorder:") != 1 {
		t.Fatalf("prefix repeated: %q", msg)
	}
	var kept, total uint64
	if _, err := fmtSscan(msg[strings.Index(msg, "kept"):], "kept %d of %d", &kept, &total); err != nil || kept == 0 || kept > total {
		t.Fatalf("%q: kept %d of %d (%v)", msg, kept, total, err)
	}
	r, err := recorder.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n uint64
	for it := r.Iter(); it.Next(); {
		if it.Entry().Kind == recorder.KindMessage {
			n++
		}
	}
	if n != kept {
		t.Fatalf("the line says %d kept, the file holds %d", kept, n)
	}
}

// TestRecordDiskFullReal runs the binary under a file size limit (ulimit
// -f: writes past it fail with EFBIG, as on a full disk): at start no
// empty file is left and the error names the recorder once; mid-way the
// line says how many messages the file kept.
func TestRecordDiskFullReal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	bin := buildNatsx(t)
	limited := func(blocks string, args ...string) (string, error) {
		cmd := exec.Command("sh", append([]string{"-c", `ulimit -f "$0" && exec "$@"`, blocks, bin}, args...)...)
		var errb bytes.Buffer
		cmd.Stderr, cmd.Stdout = &errb, io.Discard
		err := cmd.Run()
		return errb.String(), err
	}
	start := filepath.Join(dir, "start.natsx")
	msg, err := limited("0", "record", "--out", start, "--listen", "127.0.0.1:0", "--count", "10")
	if msg = errorLine(msg); err == nil || strings.Count(msg, "recorder:") != 1 {
		t.Fatalf("full at start: %v, %q", err, msg)
	}
	if _, err := os.Stat(start); err == nil {
		t.Fatal("a full disk at start left a file behind")
	}
	mid := filepath.Join(dir, "mid.natsx")
	msg, err = limited("256", "record", "--out", mid, "--listen", "127.0.0.1:0", "--demo-rate", "max", "--count", "10000000")
	if msg = errorLine(msg); err == nil || !strings.Contains(msg, " kept ") {
		t.Fatalf("full mid-way: %v, %q", err, msg)
	}
	var kept, total uint64
	if _, err := fmtSscan(msg[strings.Index(msg, "kept"):], "kept %d of %d", &kept, &total); err != nil {
		t.Fatalf("%q: %v", msg, err)
	}
	if o := inspect(t, mid); o.Messages != kept || kept == 0 {
		t.Fatalf("the line says %d kept, inspect %+v", kept, o)
	}
}

// fmtSscan is fmt.Sscanf, named so the tests read as what they check.
var fmtSscan = fmt.Sscanf
