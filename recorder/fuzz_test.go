package recorder

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"natsx/model"
)

// fuzzSeeds are small valid captures in each codec, plus a torn one.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, comp := range []Compression{CompressNone, CompressZstd, CompressS2} {
		recs := []Entry{
			msg(base, "a.b", "r", model.Header{"K": {"v"}}, []byte("hello hello hello hello")),
			{Kind: KindGap, Time: base + 1, Source: GapClient, Missed: 9},
			{Kind: KindMarker, Time: base + 2, Label: "m"},
			msg(base+3, "c", "", nil, []byte{0, 1, 2}),
		}
		b, err := os.ReadFile(writeCapture(t, recs, WriterOptions{Compression: comp, BlockSize: 40}))
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b, b[:len(b)-30])
	}
	return seeds
}

// FuzzReader feeds arbitrary bytes to the reader: it may reject them, but
// never panics, hangs or allocates without bound.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if _, err := r.Stats(); err != nil {
			t.Fatalf("stats on in-memory bytes: %v", err)
		}
		it := r.SeekTime(base + 2)
		for it.Next() {
			_ = it.Entry().String()
		}
		var out bytes.Buffer
		_, _ = ExportNDJSON(&out, r)
		for _, p := range r.Problems() {
			if p.Offset < 0 || p.Bytes < 0 || p.Offset+p.Bytes > int64(len(b)) {
				t.Fatalf("problem out of range: %+v in %d bytes", p, len(b))
			}
		}
	})
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzReader with -update.
func TestWriteFuzzSeeds(t *testing.T) {
	// The -update flag is defined by example_test.go (package recorder_test,
	// same test binary).
	if f := flag.Lookup("update"); f == nil || f.Value.String() != "true" {
		t.Skip("run with -update to rewrite the fuzz seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds(t) {
		body := "go test fuzz v1\n[]byte(" + quoteBytes(s) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, "seed"+string(rune('a'+i))), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func quoteBytes(b []byte) string {
	const hex = "0123456789abcdef"
	var s bytes.Buffer
	s.WriteByte('"')
	for _, c := range b {
		s.WriteString(`\x`)
		s.WriteByte(hex[c>>4])
		s.WriteByte(hex[c&15])
	}
	s.WriteByte('"')
	return s.String()
}
