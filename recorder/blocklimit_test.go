package recorder

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"natsx/model"
)

// TestBlockSizeLimit covers issue 12 item 20: a block that claims a
// decompressed size past the format's limit is refused as corrupt, with
// its offset, without allocating it; the blocks around it still read.
func TestBlockSizeLimit(t *testing.T) {
	hdr, _ := appendFileHeader(nil, Header{})
	rec := appendRecord(nil, &Entry{Kind: KindMessage, Time: 1, Msg: model.Message{Subject: "a", Data: []byte("x"), Size: 1}}, 1)
	enc, _ := zstd.NewWriter(nil)
	body := enc.EncodeAll(bytes.Repeat([]byte{0}, 1<<20), nil)
	file := appendBlock(hdr, blockRecords, codecNone, 1, len(rec), 1, 1, rec)
	bomb := int64(len(file))
	for range 8 {
		// Each claims 200 MiB; a zstd frame of zeros that large is a few
		// hundred bytes, which is what made the crafted file so small.
		file = appendBlock(file, blockRecords, codecZstd, 1, 200<<20, 2, 2, body)
	}
	file = appendBlock(file, blockRecords, codecNone, 1, len(rec), 3, 3, rec)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.Stats()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Fatalf("reading the crafted blocks allocated %d MiB", alloc>>20)
	}
	if s.Messages != 2 || len(s.Problems) == 0 {
		t.Fatalf("stats %+v", s)
	}
	p := s.Problems[0].String()
	if !strings.Contains(p, "offset "+strconv.FormatInt(bomb, 10)) || !strings.Contains(p, "limit") {
		t.Fatalf("problem %q: want the offset %d and the limit", p, bomb)
	}
}

// TestLargeRecordGetsItsOwnBlock: a record that would take the open block
// past the limit ends that block instead of failing.
func TestLargeRecordGetsItsOwnBlock(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{FlushInterval: -1, BlockSize: maxBlock})
	big := make([]byte, maxBlock/2+1)
	for i := range 3 {
		if err := w.WriteMessage(&model.Message{Received: int64(i), Subject: "big", Data: big, Size: len(big)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteMessage(&model.Message{Subject: "huge", Data: make([]byte, maxBlock+1)}); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("a record past the limit: %v", err)
	}
	_ = w.Close()
	r, _ := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if s, _ := r.Stats(); s.Messages != 3 || len(s.Problems) != 0 {
		t.Fatalf("stats %+v", s)
	}
}
