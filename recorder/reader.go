package recorder

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Problem is damage found in a capture: a corrupt stretch in the middle
// (reading skips it and resumes at the next valid block) or a torn tail (an
// interrupted write at the end; everything before it reads).
type Problem struct {
	// Offset is where the damage starts.
	Offset int64
	// Bytes is how many bytes were skipped or cut.
	Bytes int64
	// Torn marks a torn tail rather than corruption in the middle.
	Torn bool
	// Reason says what check failed.
	Reason string
	// Resume is where reading resumed, -1 when nothing valid followed.
	Resume int64
}

// String is one line for people.
func (p Problem) String() string {
	if p.Torn {
		return fmt.Sprintf("torn tail at offset %d: %d bytes cut (%s); everything before it reads", p.Offset, p.Bytes, p.Reason)
	}
	if p.Resume < 0 {
		return fmt.Sprintf("corrupt data at offset %d (%s): %d bytes skipped, nothing valid after it", p.Offset, p.Reason, p.Bytes)
	}
	return fmt.Sprintf("corrupt block at offset %d (%s): skipped %d bytes to the next valid block at offset %d", p.Offset, p.Reason, p.Bytes, p.Resume)
}

// Info is what a reader knows about a capture without reading it all.
type Info struct {
	// Indexed is true when the file has its trailer (it was closed cleanly);
	// the counts below are known only then.
	Indexed bool
	// Messages, Gaps, Missed and Markers count the records (Indexed only);
	// Gaps includes disconnection and reconnection records (Stats tells
	// them apart).
	Messages, Gaps, Missed, Markers uint64
	// WireBytes is the subject+reply+header+payload bytes recorded (Indexed only).
	WireBytes uint64
	// First and Last are the times of the first and last records.
	First, Last int64
}

// Reader reads a capture. Open it with Open or NewReader; it is safe for
// concurrent use by several iterators.
type Reader struct {
	ra        io.ReaderAt
	f         *os.File
	path      string
	size      int64
	hdr       Header
	dataStart int64
	dataEnd   int64
	index     []indexEntry
	info      Info

	mu       sync.Mutex
	problems []Problem
	seen     map[int64]bool
	zstdOnce sync.Once
	zstd     *zstd.Decoder
	zstdErr  error
}

// Open opens a capture file. Without a trailer (the recorder was killed)
// it rebuilds the index by hopping over block headers and finds the torn
// tail; with one, opening reads only the header and the trailer.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recorder: open %s: %w", path, unwrapPath(err))
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("recorder: %s: %w", path, unwrapPath(err))
	}
	if st.IsDir() {
		_ = f.Close()
		return nil, fmt.Errorf("recorder: %s: is a directory, not a capture file", path)
	}
	r, err := newReader(f, st.Size(), path)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	r.f = f
	return r, nil
}

// NewReader reads a capture from ra, which holds size bytes.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) {
	return newReader(ra, size, "")
}

func newReader(ra io.ReaderAt, size int64, path string) (*Reader, error) {
	r := &Reader{ra: ra, size: size, path: path, seen: map[int64]bool{}}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	if !r.readTrailer() {
		if err := r.hop(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Reader) fail(off int64, sentinel error, format string, args ...any) error {
	return &FormatError{Path: r.path, Offset: off, Problem: fmt.Sprintf(format, args...), Err: sentinel}
}

func (r *Reader) readAt(b []byte, off int64) error {
	n, err := r.ra.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("recorder: read %s at offset %d: %w", r.name(), off, unwrapPath(err))
}

func (r *Reader) name() string {
	if r.path == "" {
		return "capture"
	}
	return r.path
}

func (r *Reader) readHeader() error {
	fixed := make([]byte, fileHeaderFixed)
	if r.size < int64(len(fileMagic)) {
		if r.size == 0 {
			return r.fail(0, ErrNotCapture, "empty file, not a natsx capture")
		}
		return r.fail(0, ErrNotCapture, "%d bytes, not a natsx capture file", r.size)
	}
	if err := r.readAt(fixed[:len(fileMagic)], 0); err != nil {
		return err
	}
	if string(fixed[:len(fileMagic)]) != fileMagic {
		return r.fail(0, ErrNotCapture, "not a natsx capture file (no %q magic)", fileMagic)
	}
	if r.size < fileHeaderFixed {
		return r.fail(0, ErrCorrupt, "header cut short at %d bytes", r.size)
	}
	if err := r.readAt(fixed, 0); err != nil {
		return err
	}
	v := binary.LittleEndian.Uint16(fixed[8:])
	if v != Version {
		return r.fail(8, ErrVersion, "capture format version %d; this natsx reads version %d (a newer natsx wrote it?)", v, Version)
	}
	n := binary.LittleEndian.Uint32(fixed[10:])
	end := int64(fileHeaderFixed) + int64(n) + 4
	if n > maxHeaderJSON || end > r.size {
		return r.fail(10, ErrCorrupt, "header length %d runs past the end of the file", n)
	}
	b := make([]byte, end)
	if err := r.readAt(b, 0); err != nil {
		return err
	}
	if crc32.Checksum(b[:end-4], castagnoli) != binary.LittleEndian.Uint32(b[end-4:]) {
		return r.fail(0, ErrCorrupt, "header checksum mismatch")
	}
	if err := json.Unmarshal(b[fileHeaderFixed:end-4], &r.hdr); err != nil {
		return r.fail(fileHeaderFixed, ErrCorrupt, "header is not valid JSON: %v", err)
	}
	r.hdr.Version = int(v)
	r.dataStart, r.dataEnd = end, end
	return nil
}

// readTrailer loads the index written by Close; false when it is missing
// or damaged, and the caller rebuilds it.
func (r *Reader) readTrailer() bool {
	if r.size < r.dataStart+blockHeaderLen+footerLen {
		return false
	}
	foot := make([]byte, footerLen)
	if r.readAt(foot, r.size-footerLen) != nil || string(foot[:4]) != footerMagic ||
		crc32.Checksum(foot[:12], castagnoli) != binary.LittleEndian.Uint32(foot[12:]) {
		return false
	}
	at := int64(binary.LittleEndian.Uint64(foot[4:]))
	if at < r.dataStart || at > r.size-footerLen-blockHeaderLen {
		return false
	}
	h, body, _, problem := r.loadBlock(at, r.size-footerLen)
	if problem != "" || h.kind != blockIndex || h.end() != r.size-footerLen {
		return false
	}
	d := decoder{b: body}
	var vals [6]uint64
	for i := range vals {
		v, err := d.uvarint()
		if err != nil {
			return false
		}
		vals[i] = v
	}
	n, err := d.uvarint()
	if err != nil || n > uint64(len(d.b)) {
		return false
	}
	index := make([]indexEntry, 0, n)
	var e indexEntry
	for range n {
		off, err1 := d.uvarint()
		first, k := binary.Varint(d.b)
		if err1 != nil || k <= 0 {
			return false
		}
		d.b = d.b[k:]
		msgs, err2 := d.uvarint()
		if err2 != nil {
			return false
		}
		e = indexEntry{offset: e.offset + int64(off), first: e.first + first, msgsBefore: e.msgsBefore + msgs}
		if e.offset < r.dataStart || e.offset >= at {
			return false
		}
		index = append(index, e)
	}
	r.index, r.dataEnd = index, at
	r.info = Info{Indexed: true, Messages: vals[0], Gaps: vals[1], Missed: vals[2], Markers: vals[3],
		WireBytes: vals[5], First: h.first, Last: h.last}
	return true
}

// hop walks block headers from the start, rebuilding the index, and
// decides where the data ends: at a torn tail, or at an index block whose
// footer is missing.
func (r *Reader) hop() error {
	off, lastIndexed, recs := r.dataStart, int64(-indexEvery), uint64(0)
	hdr := make([]byte, blockHeaderLen)
	var last blockHeader
	for off < r.size {
		var h blockHeader
		problem := "block header cut short"
		if r.size-off >= blockHeaderLen {
			if err := r.readAt(hdr, off); err != nil {
				return err
			}
			h, problem = parseBlockHeader(hdr, off)
			if problem == "" && h.end() > r.size {
				problem = "block cut short"
			}
		}
		if problem != "" {
			next, ok, err := r.resync(off+1, r.size)
			if err != nil {
				return err
			}
			if !ok {
				r.note(Problem{Offset: off, Bytes: r.size - off, Torn: true, Reason: problem, Resume: -1})
				break
			}
			r.note(Problem{Offset: off, Bytes: next - off, Reason: problem, Resume: next})
			off = next
			continue
		}
		if h.kind == blockIndex {
			// The trailer was being written, or its footer is damaged.
			r.note(Problem{Offset: off, Bytes: r.size - off, Torn: true, Reason: "index without a valid footer", Resume: -1})
			break
		}
		if off-lastIndexed >= indexEvery {
			r.index = append(r.index, indexEntry{offset: off, first: h.first, msgsBefore: recs})
			lastIndexed = off
		}
		if last.offset == 0 {
			r.info.First = h.first
		}
		recs += uint64(h.count)
		last, off = h, h.end()
	}
	r.dataEnd = off
	if last.offset == 0 {
		return nil
	}
	// The last block is the one a crash may have left half-written with the
	// right length: check its CRC now so the torn tail is known at open.
	if _, _, _, problem := r.loadBlock(last.offset, last.end()); problem != "" {
		r.dropTorn()
		r.note(Problem{Offset: last.offset, Bytes: r.size - last.offset, Torn: true, Reason: problem, Resume: -1})
		r.dataEnd = last.offset
		r.index = slicesDeleteFrom(r.index, last.offset)
		return nil
	}
	r.info.Last = last.last
	return nil
}

// dropTorn forgets the torn tail found so far, when it turns out to start
// earlier.
func (r *Reader) dropTorn() {
	kept := r.problems[:0]
	for _, p := range r.problems {
		if p.Torn {
			delete(r.seen, p.Offset)
			continue
		}
		kept = append(kept, p)
	}
	r.problems = kept
}

func slicesDeleteFrom(index []indexEntry, off int64) []indexEntry {
	for len(index) > 0 && index[len(index)-1].offset >= off {
		index = index[:len(index)-1]
	}
	return index
}

// loadBlock reads and checks the block at off, which must end by limit,
// and returns its header, raw body and the block's CRC-checked bytes; a
// non-empty problem says why it is not valid.
func (r *Reader) loadBlock(off, limit int64) (blockHeader, []byte, int64, string) {
	return r.loadBlockInto(nil, off, limit)
}

// loadBlockInto is loadBlock reading the block's body into buf when it is
// big enough.
func (r *Reader) loadBlockInto(buf []byte, off, limit int64) (blockHeader, []byte, int64, string) {
	if limit-off < blockHeaderLen {
		return blockHeader{}, nil, 0, "block header cut short"
	}
	hdr := make([]byte, blockHeaderLen)
	if r.readAt(hdr, off) != nil {
		return blockHeader{}, nil, 0, "unreadable block header"
	}
	h, problem := parseBlockHeader(hdr, off)
	if problem != "" {
		return h, nil, 0, problem
	}
	if h.end() > limit {
		return h, nil, 0, "block cut short"
	}
	var body []byte
	if uint64(cap(buf)) >= uint64(h.bodyLen) {
		body = buf[:h.bodyLen]
	} else {
		body = make([]byte, h.bodyLen)
	}
	if r.readAt(body, off+blockHeaderLen) != nil {
		return h, nil, 0, "unreadable block"
	}
	if !h.verify(hdr, body) {
		return h, nil, 0, "checksum mismatch"
	}
	raw, err := r.decompress(&h, body)
	if err != nil {
		return h, nil, 0, err.Error()
	}
	return h, raw, h.end(), ""
}

func (r *Reader) decompress(h *blockHeader, body []byte) ([]byte, error) {
	switch h.codec {
	case codecNone:
		return body, nil
	case codecS2:
		if n, err := s2.DecodedLen(body); err != nil || n != int(h.rawLen) {
			return nil, errors.New("s2 block has the wrong length")
		}
		raw, err := s2.Decode(make([]byte, h.rawLen), body)
		if err != nil {
			return nil, fmt.Errorf("s2: %v", err)
		}
		return raw, nil
	case codecZstd:
		r.zstdOnce.Do(func() {
			r.zstd, r.zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderMaxMemory(maxBlock), zstd.WithDecodeAllCapLimit(true))
		})
		if r.zstdErr != nil {
			return nil, r.zstdErr
		}
		raw, err := r.zstd.DecodeAll(body, make([]byte, 0, h.rawLen))
		if err != nil || len(raw) != int(h.rawLen) {
			return nil, errors.New("zstd block does not decode to its length")
		}
		return raw, nil
	}
	return nil, fmt.Errorf("unknown codec %d", h.codec)
}

// resync scans [from, limit) for the next block magic that starts a valid
// block: how reading gets past corruption in the middle of a file.
func (r *Reader) resync(from, limit int64) (int64, bool, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk+len(blockMagic)-1)
	for pos := from; pos < limit; pos += chunk {
		n := int(min(int64(len(buf)), limit-pos))
		if err := r.readAt(buf[:n], pos); err != nil {
			return 0, false, err
		}
		for i := 0; i < n; {
			j := bytes.Index(buf[i:n], []byte(blockMagic))
			if j < 0 || i+j >= chunk {
				break
			}
			cand := pos + int64(i+j)
			if _, _, _, problem := r.loadBlock(cand, limit); problem == "" {
				return cand, true, nil
			}
			i += j + 1
		}
	}
	return 0, false, nil
}

// note records a problem once, however many iterators meet it.
func (r *Reader) note(p Problem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[p.Offset] {
		return
	}
	r.seen[p.Offset] = true
	r.problems = append(r.problems, p)
	sort.Slice(r.problems, func(i, j int) bool { return r.problems[i].Offset < r.problems[j].Offset })
}

// Header returns the capture's header.
func (r *Reader) Header() Header { return r.hdr }

// Info returns what is known without reading every record.
func (r *Reader) Info() Info { return r.info }

// Size is the file's size in bytes.
func (r *Reader) Size() int64 { return r.size }

// Problems lists the damage found so far: at open (torn tail, corrupt
// headers) and by iterators (corrupt blocks).
func (r *Reader) Problems() []Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Problem(nil), r.problems...)
}

// TornBytes is the size of the torn tail, 0 when the file ends cleanly.
func (r *Reader) TornBytes() int64 {
	for _, p := range r.Problems() {
		if p.Torn {
			return p.Bytes
		}
	}
	return 0
}

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.zstd != nil {
		r.zstd.Close()
	}
	if r.f != nil {
		return r.f.Close()
	}
	return nil
}
