package recorder

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"natsx/model"
)

// DefaultFlushInterval bounds how long a record waits in memory: a kill -9
// loses at most this much of the capture.
const DefaultFlushInterval = 100 * time.Millisecond

// DefaultBlockSize is the raw size at which a block is written even before
// the flush interval: big enough that the 40-byte block header is noise.
const DefaultBlockSize = 64 << 10

// indexEvery is the spacing of seek index entries in file bytes: seeking
// reads at most this much before the target.
const indexEvery = 1 << 20

// WriterOptions describe the capture and how it is written.
type WriterOptions struct {
	// Server is the source server URL; user info is redacted again here in
	// case the caller did not.
	Server string
	// Subjects are the subject filters being recorded.
	Subjects []string
	// NatsxVersion is stored in the header.
	NatsxVersion string
	// Created is stored in the header; zero means now.
	Created time.Time
	// FlushInterval is how long a record may wait before it is written
	// (default 100 ms; negative writes only full blocks and on Flush/Close).
	FlushInterval time.Duration
	// BlockSize is the raw block size that triggers a write (default 64 KiB).
	BlockSize int
	// Compression compresses blocks (default none).
	Compression Compression
	// Replace lets Create replace an existing file. The capture is then
	// written to a temporary file in the same directory and renamed over
	// the old one by Close, so the old file survives until the new one is
	// complete (or, after a write error, holds at least one message).
	// Without it Create refuses a file that holds anything.
	Replace bool
	// Atomic makes the file appear at path only when it is complete: it is
	// written to a temporary file in the same directory that Close moves
	// into place (without replacing a file unless Replace is set). For
	// whole files produced at once (import), not for a recording that a
	// crash should leave readable under its own name.
	Atomic bool
}

// indexEntry points the seek index at a block.
type indexEntry struct {
	offset     int64
	first      int64
	msgsBefore uint64
}

// summary is what the trailer says about the whole capture.
type summary struct {
	messages, gaps, missed, markers, blocks, wireBytes uint64
	first, last                                        int64
}

// Writer appends records to a capture. It is safe for concurrent use. A
// write error is sticky: the file stays readable up to the last complete
// block and every later call returns the error.
type Writer struct {
	mu    sync.Mutex
	w     io.Writer
	f     *os.File
	path  string
	o     WriterOptions
	zstd  *zstd.Encoder
	raw   []byte // the open block's records
	out   []byte // scratch for the encoded block
	count uint32
	// blockMsgs counts the open block's messages, for the index.
	blockMsgs uint64
	first     int64
	prev      int64

	written     int64
	index       []indexEntry
	lastIndexed int64
	sum         summary
	kept        uint64 // messages in blocks written whole: what the file holds after a write error
	keptRecords uint64 // records of any kind in blocks written whole
	made        bool   // Create made the file at path: Discard and a failed start remove it
	tmp         string // with Replace, the temporary file Close renames to path
	err         error
	closed      bool
	timer       *time.Timer
}

// NewWriter writes a capture to any writer (a pipe, a buffer, a test's
// failing writer); Close does not close it.
func NewWriter(dst io.Writer, o WriterOptions) (*Writer, error) {
	return newWriter(dst, nil, "", o)
}

// newWriter writes the header to dst; f and path, when set, are the file
// behind dst, named once in every error (never "recorder: x: recorder: …").
func newWriter(dst io.Writer, f *os.File, path string, o WriterOptions) (*Writer, error) {
	if o.FlushInterval == 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.BlockSize <= 0 || o.BlockSize > maxBlock {
		o.BlockSize = DefaultBlockSize
	}
	if o.Created.IsZero() {
		o.Created = time.Now()
	}
	if o.Compression > CompressS2 {
		return nil, fmt.Errorf("recorder: unknown compression %d", o.Compression)
	}
	w := &Writer{w: dst, f: f, path: path, o: o, raw: make([]byte, 0, o.BlockSize+o.BlockSize/4)}
	if o.Compression == CompressZstd {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			return nil, fmt.Errorf("recorder: %s: %w", w.name(), err)
		}
		w.zstd = enc
	}
	hdr, err := appendFileHeader(nil, Header{
		Created:      o.Created.UTC(),
		Server:       model.RedactURL(o.Server), // again: the format never depends on the caller remembering,
		Subjects:     o.Subjects,
		NatsxVersion: o.NatsxVersion,
		Compression:  o.Compression.String(),
	})
	if err != nil {
		return nil, err
	}
	if err := w.write(hdr); err != nil {
		return nil, err
	}
	w.lastIndexed = -indexEvery
	return w, nil
}

// WriteMessage appends a message; its time is m.Received.
func (w *Writer) WriteMessage(m *model.Message) error {
	r := Entry{Kind: KindMessage, Time: m.Received, Msg: *m}
	return w.WriteEntry(&r)
}

// WriteGap appends a gap standing for missed messages lost at source.
func (w *Writer) WriteGap(t int64, source GapSource, missed uint64) error {
	return w.WriteEntry(&Entry{Kind: KindGap, Time: t, Source: source, Missed: missed})
}

// WriteMarker appends a labelled marker.
func (w *Writer) WriteMarker(t int64, label string) error {
	return w.WriteEntry(&Entry{Kind: KindMarker, Time: t, Label: label})
}

// WriteEntry appends any record.
func (w *Writer) WriteEntry(r *Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("recorder: write after close")
	}
	if r.Kind > KindMarker {
		return fmt.Errorf("recorder: unknown record kind %d", r.Kind)
	}
	if w.count == 0 {
		w.first, w.prev = r.Time, r.Time
		if w.o.FlushInterval > 0 {
			w.armTimer()
		}
	}
	before := len(w.raw)
	w.raw = appendRecord(w.raw, r, w.prev)
	if len(w.raw) > maxBlock {
		size := len(w.raw) - before
		w.raw = w.raw[:before]
		if size > maxBlock {
			return fmt.Errorf("recorder: record of %d bytes is over the format's limit of %d", size, maxBlock)
		}
		// The record fits a block of its own: end the open one first.
		if err := w.flushBlock(); err != nil {
			return err
		}
		w.first, w.prev = r.Time, r.Time
		w.raw = appendRecord(w.raw, r, w.prev)
	}
	w.prev = r.Time
	w.count++
	switch r.Kind {
	case KindMessage:
		w.sum.messages++
		w.blockMsgs++
		w.sum.wireBytes += uint64(r.Msg.WireBytes())
	case KindGap:
		// Disconnection records count here too (with 0 missed), so a
		// reader knows from the trailer that a scan will find outages.
		w.sum.gaps++
		w.sum.missed += r.Missed
	case KindMarker:
		w.sum.markers++
	}
	if w.sum.messages+w.sum.gaps+w.sum.markers == 1 {
		w.sum.first = r.Time
	}
	w.sum.last = r.Time
	if len(w.raw) >= w.o.BlockSize {
		return w.flushBlock()
	}
	return nil
}

func (w *Writer) armTimer() {
	if w.timer == nil {
		w.timer = time.AfterFunc(w.o.FlushInterval, w.timerFlush)
		return
	}
	w.timer.Reset(w.o.FlushInterval)
}

func (w *Writer) timerFlush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && !w.closed {
		_ = w.flushBlock() // the error is sticky: the next call returns it
	}
}

// Flush writes the open block now.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	return w.flushBlock()
}

// flushBlock encodes and writes the open block in one Write, so a crash
// leaves whole blocks and at most one torn one at the end.
func (w *Writer) flushBlock() error {
	if w.count == 0 {
		return nil
	}
	body, codec := w.compress(w.raw)
	if w.written-w.lastIndexed >= indexEvery {
		w.index = append(w.index, indexEntry{offset: w.written, first: w.first, msgsBefore: w.sum.messages - w.blockMsgs})
		w.lastIndexed = w.written
	}
	w.out = appendBlock(w.out[:0], blockRecords, codec, w.count, len(w.raw), w.first, w.prev, body)
	msgs, recs := w.blockMsgs, uint64(w.count)
	w.raw, w.count, w.blockMsgs = w.raw[:0], 0, 0
	w.sum.blocks++
	if err := w.write(w.out); err != nil {
		return err
	}
	w.kept, w.keptRecords = w.kept+msgs, w.keptRecords+recs
	return nil
}

func (w *Writer) compress(raw []byte) ([]byte, uint8) {
	var c []byte
	switch w.o.Compression {
	case CompressZstd:
		c = w.zstd.EncodeAll(raw, nil)
	case CompressS2:
		c = s2.Encode(nil, raw)
	default:
		return raw, codecNone
	}
	if len(c) >= len(raw) {
		return raw, codecNone // incompressible: store it as is
	}
	return c, uint8(w.o.Compression)
}

// write writes b whole or marks the writer failed; a partial write is cut
// off again where possible, so the file ends on a complete block.
func (w *Writer) write(b []byte) error {
	n, err := w.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if w.f != nil && n > 0 {
			_ = w.f.Truncate(w.written)
			_, _ = w.f.Seek(w.written, io.SeekStart)
		}
		w.err = fmt.Errorf("recorder: write %s at offset %d: %w", w.name(), w.written, unwrapPath(err))
		return w.err
	}
	w.written += int64(n)
	return nil
}

func (w *Writer) name() string {
	if w.path == "" {
		return "capture"
	}
	return w.path
}

// Size is the number of bytes in the file so far, counting the open block
// uncompressed.
func (w *Writer) Size() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written + int64(len(w.raw))
}

// Messages is the number of messages written so far.
func (w *Writer) Messages() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sum.messages
}

// Kept is the number of messages in blocks written whole: after a write
// error (a full disk), what the file holds.
func (w *Writer) Kept() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kept
}

// Close writes the open block, the seek index and the footer, syncs and
// closes the file. After a write error it only closes: the file then reads
// up to its last complete block, without an index; a file Create made
// that holds no record is removed instead. With Replace, Close renames
// the temporary file over the old one when it holds the new capture (or,
// after a write error, at least one record), and removes it otherwise.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.err == nil && w.flushBlock() == nil {
		_ = w.writeTrailer()
	}
	if w.zstd != nil {
		_ = w.zstd.Close()
	}
	if w.f != nil {
		if w.err == nil {
			if err := w.f.Sync(); err != nil {
				w.err = fmt.Errorf("recorder: sync %s: %w", w.path, unwrapPath(err))
			}
		}
		if err := w.f.Close(); err != nil && w.err == nil {
			w.err = fmt.Errorf("recorder: close %s: %w", w.path, unwrapPath(err))
		}
		w.settle()
	}
	return w.err
}

// writeTrailer writes the index block and the footer pointing at it.
func (w *Writer) writeTrailer() error {
	s := &w.sum
	var b []byte
	for _, v := range []uint64{s.messages, s.gaps, s.missed, s.markers, s.blocks, s.wireBytes} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(w.index)))
	var prev indexEntry
	for _, e := range w.index {
		b = binary.AppendUvarint(b, uint64(e.offset-prev.offset))
		b = binary.AppendVarint(b, e.first-prev.first)
		b = binary.AppendUvarint(b, e.msgsBefore-prev.msgsBefore)
		prev = e
	}
	at := w.written
	w.out = appendBlock(w.out[:0], blockIndex, codecNone, uint32(len(w.index)), len(b), s.first, s.last, b)
	w.out = append(w.out, footerMagic...)
	w.out = binary.LittleEndian.AppendUint64(w.out, uint64(at))
	foot := w.out[len(w.out)-12:]
	w.out = binary.LittleEndian.AppendUint32(w.out, crc32.Checksum(foot, castagnoli))
	return w.write(w.out)
}

// unwrapPath drops the *PathError layer whose text repeats the path we
// already name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
