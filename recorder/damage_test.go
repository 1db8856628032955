package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallBlocks writes n messages in blocks of about 512 raw bytes.
func smallBlocks(t testing.TB, n int) ([]Entry, []byte) {
	t.Helper()
	var recs []Entry
	for i := range n {
		recs = append(recs, msg(base+int64(i)*1000, fmt.Sprintf("s.%d", i%5), "", nil, []byte(fmt.Sprintf("payload %04d", i))))
	}
	path := writeCapture(t, recs, WriterOptions{BlockSize: 512})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs, b
}

// blocks lists the record blocks of a clean capture and where the data ends.
func blocks(t testing.TB, b []byte) ([]blockHeader, int64) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []blockHeader
	for off := r.dataStart; off < r.dataEnd; {
		h, problem := parseBlockHeader(b[off:], off)
		if problem != "" {
			t.Fatalf("block at %d: %s", off, problem)
		}
		out = append(out, h)
		off = h.end()
	}
	return out, r.dataEnd
}

func TestNotACapture(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":  nil,
		"short":  []byte("NAT"),
		"text":   []byte("hello, this is a text file\n"),
		"ndjson": []byte(`{"subject":"a"}` + "\n"),
	} {
		_, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if !errors.Is(err, ErrNotCapture) || !strings.Contains(err.Error(), "offset 0") {
			t.Errorf("%s: %v, want not a capture at offset 0", name, err)
		}
	}
}

func TestUnknownVersion(t *testing.T) {
	_, b := smallBlocks(t, 3)
	b[8] = 7
	_, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "version 7") {
		t.Fatalf("got %v, want unknown version 7", err)
	}
}

func TestCorruptHeader(t *testing.T) {
	_, b := smallBlocks(t, 3)
	b[20] ^= 0xff // inside the header JSON
	_, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("got %v, want header checksum error", err)
	}
}

// TestCorruptMiddle damages one block in the middle, its body or its
// header, and checks reading skips exactly that block, says where, and
// resumes at the next one.
func TestCorruptMiddle(t *testing.T) {
	recs, clean := smallBlocks(t, 400)
	bl, _ := blocks(t, clean)
	if len(bl) < 5 {
		t.Fatalf("only %d blocks", len(bl))
	}
	k := len(bl) / 2
	victim := bl[k]
	before := 0
	for _, h := range bl[:k] {
		before += int(h.count)
	}
	for _, at := range []struct {
		name string
		off  int64
	}{
		{"body", victim.offset + blockHeaderLen + 10},
		{"magic", victim.offset},
		{"length", victim.offset + 16},
		{"crc", victim.offset + 36},
	} {
		t.Run(at.name, func(t *testing.T) {
			b := bytes.Clone(clean)
			b[at.off] ^= 0x5a
			got, r := readAll(t, b)
			want := append(append([]Entry{}, recs[:before]...), recs[before+int(victim.count):]...)
			sameRecords(t, got, want)
			probs := r.Problems()
			if len(probs) != 1 {
				t.Fatalf("problems %v", probs)
			}
			p := probs[0]
			if p.Torn || p.Offset != victim.offset || p.Resume != victim.end() || p.Bytes != victim.end()-victim.offset {
				t.Fatalf("problem %+v, want block at %d resuming at %d", p, victim.offset, victim.end())
			}
			s := p.String()
			if !strings.Contains(s, fmt.Sprintf("offset %d", victim.offset)) || !strings.Contains(s, "next valid block") {
				t.Fatalf("message %q", s)
			}
			st, err := r.Stats()
			if err != nil || st.CorruptBlocks != 1 || st.TornBytes != 0 || st.Messages != uint64(len(want)) {
				t.Fatalf("stats %+v %v", st, err)
			}
		})
	}
}

// TestTornTail cuts a clean file at every byte of its last block and of
// its trailer: everything before reads back and the torn bytes are exact.
func TestTornTail(t *testing.T) {
	recs, clean := smallBlocks(t, 200)
	bl, dataEnd := blocks(t, clean)
	last := bl[len(bl)-1]
	inLast := int(last.count)
	for cut := last.offset; cut < int64(len(clean)); cut++ {
		b := clean[:cut]
		got, r := readAll(t, b)
		wantN, torn := len(recs)-inLast, cut-last.offset
		if cut >= dataEnd {
			wantN, torn = len(recs), cut-dataEnd
		}
		sameRecords(t, got, recs[:wantN])
		if r.TornBytes() != torn {
			t.Fatalf("cut at %d: torn %d, want %d (%v)", cut, r.TornBytes(), torn, r.Problems())
		}
		st, err := r.Stats()
		if err != nil || st.TornBytes != torn || st.CorruptBlocks != 0 || st.Messages != uint64(wantN) {
			t.Fatalf("cut at %d: stats %+v %v", cut, st, err)
		}
		if r.Info().Indexed {
			t.Fatalf("cut at %d: still indexed", cut)
		}
	}
}

// TestTornTailGarbage is a crash that left a full-length last block of
// zeros (a file system that extended the file before the data landed).
func TestTornTailGarbage(t *testing.T) {
	recs, clean := smallBlocks(t, 100)
	bl, _ := blocks(t, clean)
	last := bl[len(bl)-1]
	b := bytes.Clone(clean[:last.end()])
	clear(b[last.offset+blockHeaderLen:])
	got, r := readAll(t, b)
	sameRecords(t, got, recs[:len(recs)-int(last.count)])
	if r.TornBytes() != last.end()-last.offset {
		t.Fatalf("torn %d, want %d", r.TornBytes(), last.end()-last.offset)
	}
}

// failingWriter accepts limit bytes, then writes part of the next buffer
// and fails like a full disk.
type failingWriter struct {
	buf   bytes.Buffer
	limit int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	room := f.limit - f.buf.Len()
	if len(p) <= room {
		return f.buf.Write(p)
	}
	n := max(room, 0) + min(len(p)-max(room, 0)-1, 7)
	f.buf.Write(p[:n])
	return n, syscall.ENOSPC
}

func TestFullDisk(t *testing.T) {
	fw := &failingWriter{limit: 20000}
	w, err := NewWriter(fw, WriterOptions{BlockSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var wrote []Entry
	var werr error
	for i := 0; i < 100000 && werr == nil; i++ {
		r := msg(base+int64(i), "disk.fill", "", nil, []byte(fmt.Sprintf("message %d", i)))
		if werr = w.WriteEntry(&r); werr == nil {
			wrote = append(wrote, r)
		}
	}
	if werr == nil || !errors.Is(werr, syscall.ENOSPC) || !strings.Contains(werr.Error(), "no space left") || !strings.Contains(werr.Error(), "offset") {
		t.Fatalf("write error %v, want no space left at an offset", werr)
	}
	r := msg(base, "again", "", nil, nil)
	if err := w.WriteEntry(&r); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write after failure: %v", err)
	}
	if err := w.Close(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("close after failure: %v", err)
	}
	got, rd := readAll(t, fw.buf.Bytes())
	if len(got) == 0 || len(got) > len(wrote) {
		t.Fatalf("read %d records of %d written", len(got), len(wrote))
	}
	sameRecords(t, got, wrote[:len(got)])
	if rd.TornBytes() == 0 {
		t.Fatal("the partial block is not reported as torn")
	}
}

// TestFullDiskFile fills a real file's quota-less stand-in: a write error
// on an *os.File cuts the partial block off again.
func TestFullDiskFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.natsx")
	w, err := Create(path, WriterOptions{BlockSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		r := msg(base+int64(i), "ok", "", nil, bytes.Repeat([]byte("x"), 100))
		if err := w.WriteEntry(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	good := w.Size()
	w.w = &failingWriter{limit: 0} // every later write fails after 7 bytes
	r := msg(base, "lost", "", nil, bytes.Repeat([]byte("y"), 2000))
	if err := w.WriteEntry(&r); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v", err)
	}
	_ = w.Close()
	st, _ := os.Stat(path)
	if st.Size() != good {
		t.Fatalf("file is %d bytes, want %d (up to the last complete block)", st.Size(), good)
	}
	rd, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	s, err := rd.Stats()
	if err != nil || s.Messages != 50 || s.TornBytes != 0 {
		t.Fatalf("stats %+v %v", s, err)
	}
}

func TestUnwritablePath(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "no", "such", "dir.natsx"), dir} {
		_, err := Create(p, WriterOptions{})
		if err == nil || !strings.Contains(err.Error(), p) || strings.Count(err.Error(), p) != 1 {
			t.Errorf("Create(%s): %v", p, err)
		}
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("Open(dir): %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Open(missing): %v", err)
	}
}

func TestPermissions(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.natsx")
	old := filepath.Join(dir, "old.natsx")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fresh, old} {
		w, err := Create(p, WriterOptions{Replace: p == old})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
	}
}
