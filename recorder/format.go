// Package recorder reads and writes natsx capture files, records traffic
// from the engine's store into them, replays them into a NATS server with
// their timing, and converts them to and from NDJSON. The file format is
// described in FORMAT.md. It imports model (and nats.go for publishing),
// never ui.
package recorder

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"natsx/model"
)

// Version is the capture format version this package writes and reads.
const Version = 1

const (
	fileMagic       = "NATSXCAP"
	blockMagic      = "NXBK"
	footerMagic     = "NXIX"
	fileHeaderFixed = 8 + 2 + 4 // magic, version, JSON length
	blockHeaderLen  = 40
	footerLen       = 16
	// maxHeaderJSON and maxBlock bound what a reader allocates for lengths
	// read from the file, so a corrupt or crafted length cannot exhaust
	// memory (a 165 KB file of zstd blocks claiming 256 MiB each took
	// inspect to 1 GB). A block holds at most one record past the block
	// size, and a NATS server accepts payloads of at most 64 MiB: 64 MiB
	// plus 8 MiB for subject, reply, headers and the records before it.
	maxHeaderJSON = 1 << 20
	maxBlock      = 72 << 20

	blockRecords = 1
	blockIndex   = 2

	codecNone = 0
	codecZstd = 1
	codecS2   = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Compression chooses how blocks are compressed.
type Compression uint8

const (
	// CompressNone stores blocks as they are.
	CompressNone Compression = codecNone
	// CompressZstd compresses blocks with zstd (smallest files).
	CompressZstd Compression = codecZstd
	// CompressS2 compresses blocks with S2 (fastest).
	CompressS2 Compression = codecS2
)

// String is the name ParseCompression accepts.
func (c Compression) String() string {
	switch c {
	case CompressNone:
		return "none"
	case CompressZstd:
		return "zstd"
	case CompressS2:
		return "s2"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// ParseCompression reads "none", "zstd" or "s2".
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return CompressNone, nil
	case "zstd":
		return CompressZstd, nil
	case "s2":
		return CompressS2, nil
	}
	return 0, fmt.Errorf("recorder: compression %q: want none, zstd or s2", s)
}

// Header describes a capture: when, where from and what was recorded.
type Header struct {
	// Version is the format version of the file.
	Version int `json:"-"`
	// Created is when recording started.
	Created time.Time `json:"created"`
	// Server is the source server URL, credentials redacted.
	Server string `json:"server,omitempty"`
	// Subjects are the subject filters recorded; empty means everything.
	Subjects []string `json:"subjects,omitempty"`
	// NatsxVersion is the version of natsx that wrote the file.
	NatsxVersion string `json:"natsx_version,omitempty"`
	// Compression is the codec the writer used for blocks.
	Compression string `json:"compression,omitempty"`
}

// appendFileHeader encodes the header: magic, version, JSON length, JSON,
// CRC32C of everything before it.
func appendFileHeader(dst []byte, h Header) ([]byte, error) {
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("recorder: header: %w", err)
	}
	start := len(dst)
	dst = append(dst, fileMagic...)
	dst = binary.LittleEndian.AppendUint16(dst, Version)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(js)))
	dst = append(dst, js...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli)), nil
}

// blockHeader is the fixed 40-byte prefix of every block.
type blockHeader struct {
	kind, codec     uint8
	count           uint32
	rawLen, bodyLen uint32
	first, last     int64
	crc             uint32
	offset          int64 // where the block starts in the file (not stored)
}

func (b *blockHeader) end() int64 { return b.offset + blockHeaderLen + int64(b.bodyLen) }

func appendBlock(dst []byte, kind, codec uint8, count uint32, rawLen int, first, last int64, body []byte) []byte {
	start := len(dst)
	dst = append(dst, blockMagic...)
	dst = append(dst, kind, codec, 0, 0)
	dst = binary.LittleEndian.AppendUint32(dst, count)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(rawLen))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(body)))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(first))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(last))
	crc := crc32.Update(crc32.Checksum(dst[start:], castagnoli), castagnoli, body)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, body...)
}

// parseBlockHeader checks everything that can be checked without the
// body; the CRC is checked by verify.
func parseBlockHeader(b []byte, off int64) (blockHeader, string) {
	if len(b) < blockHeaderLen {
		return blockHeader{}, "short block header"
	}
	if string(b[:4]) != blockMagic {
		return blockHeader{}, "no block magic"
	}
	h := blockHeader{
		kind:    b[4],
		codec:   b[5],
		count:   binary.LittleEndian.Uint32(b[8:]),
		rawLen:  binary.LittleEndian.Uint32(b[12:]),
		bodyLen: binary.LittleEndian.Uint32(b[16:]),
		first:   int64(binary.LittleEndian.Uint64(b[20:])),
		last:    int64(binary.LittleEndian.Uint64(b[28:])),
		crc:     binary.LittleEndian.Uint32(b[36:]),
		offset:  off,
	}
	switch {
	case h.kind != blockRecords && h.kind != blockIndex:
		return h, fmt.Sprintf("unknown block kind %d", h.kind)
	case h.codec > codecS2:
		return h, fmt.Sprintf("unknown codec %d", h.codec)
	case b[6] != 0 || b[7] != 0:
		return h, "reserved bytes set"
	case h.rawLen > maxBlock:
		return h, fmt.Sprintf("decompressed length %d over the format's limit of %d bytes", h.rawLen, maxBlock)
	case h.bodyLen > maxBlock:
		return h, fmt.Sprintf("stored length %d over the format's limit of %d bytes", h.bodyLen, maxBlock)
	case h.codec == codecNone && h.rawLen != h.bodyLen:
		return h, "length mismatch"
	case uint64(h.count) > uint64(h.rawLen):
		return h, "record count out of range"
	}
	return h, ""
}

// verify checks the CRC over the header bytes and body.
func (h *blockHeader) verify(hdr, body []byte) bool {
	return crc32.Update(crc32.Checksum(hdr[:36], castagnoli), castagnoli, body) == h.crc
}

// Entry encoding: a tag byte (kind in the low 2 bits, then flags), the
// time as a zigzag varint delta from the previous record in the block,
// then the kind's fields with uvarint lengths.
const (
	tagReply     = 1 << 2
	tagHeader    = 1 << 3
	tagTruncated = 1 << 4
	tagKnown     = 3 | tagReply | tagHeader | tagTruncated
)

// appendRecord encodes r after prev (the previous record's time).
func appendRecord(dst []byte, r *Entry, prev int64) []byte {
	tag := byte(r.Kind)
	m := &r.Msg
	if r.Kind == KindMessage {
		if m.Reply != "" {
			tag |= tagReply
		}
		if m.Header != nil {
			tag |= tagHeader
		}
		if m.Size > len(m.Data) {
			tag |= tagTruncated
		}
	}
	dst = append(dst, tag)
	dst = binary.AppendVarint(dst, r.Time-prev)
	switch r.Kind {
	case KindMessage:
		dst = appendString(dst, m.Subject)
		if tag&tagReply != 0 {
			dst = appendString(dst, m.Reply)
		}
		if tag&tagHeader != 0 {
			dst = appendHeader(dst, m.Header)
		}
		dst = binary.AppendUvarint(dst, uint64(len(m.Data)))
		dst = append(dst, m.Data...)
		if tag&tagTruncated != 0 {
			dst = binary.AppendUvarint(dst, uint64(m.Size-len(m.Data)))
		}
	case KindGap:
		dst = append(dst, byte(r.Source))
		dst = binary.AppendUvarint(dst, r.Missed)
	case KindMarker:
		dst = appendString(dst, r.Label)
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendHeader writes (key, value) pairs, keys sorted so equal headers
// encode equally; a key without values is lost, as on the wire.
func appendHeader(dst []byte, h model.Header) []byte {
	keys := make([]string, 0, len(h))
	pairs := 0
	for k, vs := range h {
		keys = append(keys, k)
		pairs += len(vs)
	}
	slices.Sort(keys)
	dst = binary.AppendUvarint(dst, uint64(pairs))
	for _, k := range keys {
		for _, v := range h[k] {
			dst = appendString(dst, k)
			dst = appendString(dst, v)
		}
	}
	return dst
}

// decoder reads records from one block's raw body. Strings are interned
// per reader: captures repeat a few subjects millions of times.
type decoder struct {
	b      []byte
	prev   int64
	intern map[string]string
	// alias makes strings point into the block instead of interning
	// copies: for a reader that uses each record once (Iter.transient),
	// not one that keeps records (a string would keep its 64 KiB block
	// alive).
	alias bool
}

var errShort = errors.New("record runs past the end of its block")

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errShort
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.b)) {
		return nil, errShort
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) string() (string, error) {
	b, err := d.bytes()
	if err != nil {
		return "", err
	}
	if d.alias {
		// The block is not written while its records are in use (a
		// transient iterator reuses it only once they are all read, and
		// payloads point into it too), so the string does not change
		// while anyone reads it.
		return unsafe.String(unsafe.SliceData(b), len(b)), nil
	}
	if s, ok := d.intern[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(d.intern) < 4096 && len(s) <= 256 {
		d.intern[s] = s
	}
	return s, nil
}

// next decodes one record into r.
func (d *decoder) next(r *Entry) error {
	if len(d.b) == 0 {
		return errShort
	}
	tag := d.b[0]
	d.b = d.b[1:]
	if tag&^tagKnown != 0 || tag&3 > byte(KindMarker) {
		return fmt.Errorf("unknown record tag %#x", tag)
	}
	delta, n := binary.Varint(d.b)
	if n <= 0 {
		return errShort
	}
	d.b = d.b[n:]
	*r = Entry{Kind: Kind(tag & 3), Time: d.prev + delta}
	d.prev = r.Time
	var err error
	switch r.Kind {
	case KindMessage:
		err = d.message(tag, &r.Msg)
		r.Msg.Received = r.Time
	case KindGap:
		if len(d.b) == 0 {
			return errShort
		}
		r.Source = GapSource(d.b[0])
		d.b = d.b[1:]
		r.Missed, err = d.uvarint()
	case KindMarker:
		r.Label, err = d.string()
	}
	return err
}

func (d *decoder) message(tag byte, m *model.Message) error {
	var err error
	if m.Subject, err = d.string(); err != nil {
		return err
	}
	if tag&tagReply != 0 {
		if m.Reply, err = d.string(); err != nil {
			return err
		}
	}
	if tag&tagHeader != 0 {
		pairs, err := d.uvarint()
		if err != nil {
			return err
		}
		if pairs > uint64(len(d.b))/2 {
			return errShort
		}
		m.Header = make(model.Header, min(pairs, 16))
		for range pairs {
			k, err := d.string()
			if err != nil {
				return err
			}
			v, err := d.string()
			if err != nil {
				return err
			}
			m.Header[k] = append(m.Header[k], v)
		}
	}
	if m.Data, err = d.bytes(); err != nil {
		return err
	}
	m.Size = len(m.Data)
	if tag&tagTruncated != 0 {
		cut, err := d.uvarint()
		if err != nil {
			return err
		}
		if cut > math.MaxInt32 {
			return errors.New("truncated size out of range")
		}
		m.Size += int(cut)
	}
	return nil
}

// FormatError is a problem with the file's bytes, at an offset.
type FormatError struct {
	// Path is the file, empty for a reader without one.
	Path string
	// Offset is where in the file the problem starts.
	Offset int64
	// Problem says what is wrong.
	Problem string
	// Err is the sentinel (ErrNotCapture, ErrVersion, ErrCorrupt) for errors.Is.
	Err error
}

// Error is "recorder: PATH: offset N: problem".
func (e *FormatError) Error() string {
	p := e.Path
	if p == "" {
		p = "capture"
	}
	return fmt.Sprintf("recorder: %s: offset %d: %s", p, e.Offset, e.Problem)
}

// Unwrap returns the sentinel.
func (e *FormatError) Unwrap() error { return e.Err }

var (
	// ErrNotCapture means the file does not start like a natsx capture.
	ErrNotCapture = errors.New("not a natsx capture file")
	// ErrVersion means the file was written by a format version this package cannot read.
	ErrVersion = errors.New("unknown capture format version")
	// ErrCorrupt means bytes that should be valid fail their checks.
	ErrCorrupt = errors.New("corrupt capture")
)
