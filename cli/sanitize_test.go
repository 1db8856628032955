package cli

// Issue 12 item 18: nothing a capture, a file name, a URL or a context
// file holds reaches the terminal raw, on any output path of any command.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"natsx/model"
	"natsx/recorder"
)

// hostile is what the seeds put in every field: a title change, a screen
// clear, an OSC 52 clipboard write, bidi and zero-width runes, C1
// controls in UTF-8 and as raw bytes, and bytes that are not UTF-8.
var hostile = []string{
	"\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\x1b]52;c;cHduZWQ=\x07", "\u202eevil\u200b", "\u009b31m\u0085",
	"\x9b2J", "\xff\xfe", "ok",
}

// safeOutput fails when out holds anything model.Sanitize would change on
// one of its lines: a control byte, invalid UTF-8 or an invisible rune.
func safeOutput(t *testing.T, what string, out []byte) {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if !utf8.ValidString(line) || model.Sanitize(line) != line {
			t.Fatalf("%s printed a raw control or invisible rune: %q", what, line)
		}
	}
}

// hostileCapture writes a capture whose header fields and records all hold
// s, under a file name holding s too (as far as a file name can).
func hostileCapture(t testing.TB, dir, s string) string {
	var buf bytes.Buffer
	w, err := recorder.NewWriter(&buf, recorder.WriterOptions{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := model.Message{Received: 1e18, Subject: "a." + s, Reply: s, Header: model.Header{s: {s}}, Data: []byte(s), Size: len(s) + 5}
	_ = w.WriteMessage(&m)
	_ = w.WriteMarker(1e18+1, s)
	_ = w.WriteGap(1e18+2, recorder.GapStore, 3)
	_ = w.Close()
	// Rewrite the header JSON with s in every field the writer would clean.
	b := buf.Bytes()
	n := binary.LittleEndian.Uint32(b[10:])
	rest := b[14+n+4:]
	js, _ := json.Marshal(map[string]any{"created": "2025-01-01T00:00:00Z", "server": "nats://" + s,
		"subjects": []string{s}, "natsx_version": s, "compression": s})
	hdr := append([]byte("NATSXCAP\x01\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(js)))...)
	hdr = append(hdr, js...)
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(hdr, crc32.MakeTable(crc32.Castagnoli)))
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == 0 {
			return '_'
		}
		return r
	}, s)
	if len(name) > 100 {
		name = name[:100]
	}
	path := filepath.Join(dir, "c"+name+".natsx")
	if err := os.WriteFile(path, append(hdr, rest...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runAll runs natsx and checks that what it printed is safe.
func runAll(t *testing.T, args ...string) {
	t.Helper()
	var out, errb bytes.Buffer
	run(args, &out, &errb)
	safeOutput(t, "natsx "+strings.Join(args, " ")+" (stdout)", out.Bytes())
	safeOutput(t, "natsx "+strings.Join(args, " ")+" (stderr)", errb.Bytes())
}

// FuzzCLIOutput runs every command that prints a capture (inspect, its
// JSON, export, replay --dry-run, import's report) on a capture whose
// every field is the fuzzer's string, and a damaged copy of it.
func FuzzCLIOutput(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add(strings.Join(hostile, ""))
	f.Fuzz(func(t *testing.T, s string) {
		t.Setenv("NATS_URL", "")
		dir := t.TempDir()
		path := hostileCapture(t, dir, s)
		runAll(t, "inspect", path)
		runAll(t, "inspect", "--json", path)
		runAll(t, "export", path)
		runAll(t, "replay", "--dry-run", path)
		nd := filepath.Join(dir, "e.ndjson")
		var out bytes.Buffer
		run([]string{"export", path}, &out, &bytes.Buffer{})
		_ = os.WriteFile(nd, out.Bytes(), 0o600)
		runAll(t, "import", nd, "--out", filepath.Join(dir, "i"+filepath.Base(path)))
		// Damage in the middle and a torn tail: the warnings print too.
		b, _ := os.ReadFile(path)
		if len(b) > 200 {
			b[len(b)/2] ^= 0xff
			_ = os.WriteFile(path, b[:len(b)-7], 0o600)
			runAll(t, "inspect", path)
			runAll(t, "export", path)
		}
	})
}

// TestCLIErrorLinesSanitized: error lines echo file names, URLs and
// context files; none of them reaches the terminal raw.
func TestCLIErrorLinesSanitized(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	evil := "\x1b]0;pwned\x07\u202e"
	ctxFile := filepath.Join(dir, "ctx.json")
	_ = os.WriteFile(ctxFile, []byte(`{"url":"nats://\u001b]52;c;eA==\u0007@127.0.0.1:1"}`), 0o600)
	bad := filepath.Join(dir, evil+".natsx")
	_ = os.WriteFile(bad, []byte("NATSXCAP\x01\x00\xff"), 0o600)
	for _, args := range [][]string{
		{"inspect", filepath.Join(dir, evil)},
		{"inspect", bad},
		{"export", bad},
		{"replay", bad, "--dry-run"},
		{"open", bad, "--headless"},
		{"tree", "-s", "nats://" + evil + "@127.0.0.1:1", "--for", "1ms"},
		{"tree", "-s", "nats://127.0.0.1:1" + evil},
		{"record", "-s", "nats://" + evil + "127.0.0.1:1", "--out", filepath.Join(dir, "o.natsx")},
		{"tree", "--context", ctxFile},
		{"record", "--out", filepath.Join(dir, "o.natsx"), "--subject", evil, "--duration", "10ms", "--listen", "127.0.0.1:0"},
		{"import", filepath.Join(dir, evil), "--out", filepath.Join(dir, "o.natsx")},
		{"replay", bad, "--remap", evil + "=x"},
		{"--filter", evil},
		{"--unknown" + evil},
		{"inspect", "--json", bad},
	} {
		runAll(t, args...)
	}
}

// TestSafeWriterSplitRune: a rune cut across two writes (a buffered
// exporter's chunk boundary) arrives whole, not as two escaped bytes.
func TestSafeWriterSplitRune(t *testing.T) {
	var b bytes.Buffer
	w := newSafeWriter(&b)
	e := []byte("é\u202e\n")
	for _, c := range e {
		_, _ = w.Write([]byte{c})
	}
	w.flush()
	if b.String() != "é\\u202e\n" {
		t.Fatalf("got %q", b.String())
	}
}

// TestListenExposedWarning covers issue 12 item 23 (CLI part): --listen
// on a non-loopback address says once on stderr that the broker is
// reachable without authentication; loopback says nothing.
func TestListenExposedWarning(t *testing.T) {
	t.Setenv("NATS_URL", "")
	for _, c := range []struct {
		listen string
		warn   int
	}{{"0.0.0.0:0", 1}, {"[::]:0", 1}, {"127.0.0.1:0", 0}, {"localhost:0", 0}, {":0", 0}} {
		var out, errb bytes.Buffer
		if code := run([]string{"tree", "--listen", c.listen, "--no-demo", "--for", "1ms"}, &out, &errb); code != 0 {
			t.Fatalf("--listen %s: exit %d %s", c.listen, code, errb.String())
		}
		if n := strings.Count(errb.String(), "reachable from the network without authentication"); n != c.warn {
			t.Errorf("--listen %s: %d warnings, want %d: %q", c.listen, n, c.warn, errb.String())
		}
	}
	capture := openCapture(t, 1)
	var errb bytes.Buffer
	run([]string{"replay", capture, "--dry-run", "--listen", "0.0.0.0"}, &bytes.Buffer{}, &errb)
	if strings.Contains(errb.String(), "reachable") {
		t.Errorf("a dry run starts no broker, yet: %q", errb.String())
	}
}
