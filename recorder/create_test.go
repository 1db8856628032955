package recorder

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"natsx/model"
)

// failAfter takes n bytes, then fails as a full disk does.
type failAfter struct {
	buf bytes.Buffer
	n   int
}

func (f *failAfter) Write(b []byte) (int, error) {
	if len(b) > f.n {
		k := f.n
		f.buf.Write(b[:k])
		f.n = 0
		return k, errors.New("no space left on device")
	}
	f.n -= len(b)
	return f.buf.Write(b)
}

// TestCreateNeverDestroys: Create refuses a file that holds anything;
// Replace keeps the old file until Close, and Discard keeps it for good.
func TestCreateNeverDestroys(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.natsx")
	_ = os.WriteFile(old, []byte("precious"), 0o600)
	if _, err := Create(old, WriterOptions{}); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("Create over a capture: %v", err)
	}
	if _, err := Create(old, WriterOptions{Atomic: true}); err == nil {
		t.Fatal("Create Atomic over a capture was accepted")
	}
	w, err := Create(old, WriterOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.WriteMessage(&model.Message{Received: 1, Subject: "a", Data: []byte("x"), Size: 1})
	if b, _ := os.ReadFile(old); string(b) != "precious" {
		t.Fatal("Replace touched the old file before Close")
	}
	if err := w.Discard(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(old); string(b) != "precious" {
		t.Fatal("Discard destroyed the old file")
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Fatalf("Discard left %d files", len(es))
	}
	w, _ = Create(old, WriterOptions{Replace: true})
	_ = w.WriteMessage(&model.Message{Received: 1, Subject: "a", Data: []byte("x"), Size: 1})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := Open(old); err != nil || r.Info().Messages != 1 {
		t.Fatalf("replaced: %v", err)
	}
}

// TestWriterKept: after a write error, Kept is what the file holds, and
// the error names the recorder once.
func TestWriterKept(t *testing.T) {
	dst := &failAfter{n: 5000}
	w, err := NewWriter(dst, WriterOptions{BlockSize: 1000, FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	written := 0
	for i := 0; werr == nil && i < 1000; i++ {
		werr = w.WriteMessage(&model.Message{Received: time.Now().UnixNano(), Subject: "k", Data: make([]byte, 100), Size: 100})
		written++
	}
	if werr == nil || strings.Count(werr.Error(), "recorder:") != 1 {
		t.Fatalf("error %v", werr)
	}
	_ = w.Close()
	r, err := NewReader(bytes.NewReader(dst.buf.Bytes()), int64(dst.buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for it := r.Iter(); it.Next(); {
		n++
	}
	if n != w.Kept() || n == 0 || n >= uint64(written) {
		t.Fatalf("kept %d, file holds %d, written %d", w.Kept(), n, written)
	}
}

// TestAtomicFailureKeepsTheOld (review): an import that fails late (the
// disk fills at its last block) leaves the old capture in place under
// --force and no temporary file behind; before, the partial file was
// renamed over the old one.
func TestAtomicFailureKeepsTheOld(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.natsx")
	if err := os.WriteFile(old, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Create(old, WriterOptions{Replace: true, Atomic: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := w.WriteMessage(&model.Message{Received: int64(i + 1), Subject: "a", Data: []byte("x"), Size: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	w.err = errors.New("write: no space left on device") // what a late write failure leaves
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed write reported no error")
	}
	if b, _ := os.ReadFile(old); string(b) != "precious" {
		t.Fatalf("the old capture was replaced by a partial import (%d bytes)", len(b))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}
