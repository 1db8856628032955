package recorder

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"natsx/model"
)

// The flight recorder's record encoding. It is private to the process
// (never written to a file), so it favours what Add needs: the size is
// computed without encoding, the receive time sits at a fixed offset for
// the window check, and nothing allocates. The capture format's
// appendRecord does not fit: it sorts header keys into a new slice and
// does not keep Seq, Sum or Via.
//
// A record is
//
//	uvarint  length of the rest
//	8 bytes  Received, little endian
//	1 byte   flags
//	uvarint  Seq, uvarint Size
//	8 bytes  Sum, if flagSum
//	string   Subject; Reply if flagReply; Via if flagVia
//	header   if flagHeader: uvarint keys, each a string and uvarint
//	         values, each a string
//	string   Data, if flagData; only its length if flagBig
//
// where a string is a uvarint length and its bytes. A big payload (flagBig)
// is kept out of line, in the recorder's queue of big payloads, so a
// chunk never wastes more than a small record's room at its end. Flags tell a nil
// Header or Data from an empty one, so a snapshot is the messages as
// added.
const (
	flagSum = 1 << iota
	flagReply
	flagVia
	flagHeader
	flagData
	flagBig
)

// uvarintLen is how many bytes binary.AppendUvarint writes for x.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

func stringLen(n int) int { return uvarintLen(uint64(n)) + n }

// recordBody is the length of m's record after its length prefix.
func recordBody(m *model.Message) int {
	n := 8 + 1 + uvarintLen(m.Seq) + uvarintLen(uint64(m.Size)) + stringLen(len(m.Subject))
	if m.Sum != 0 {
		n += 8
	}
	if m.Reply != "" {
		n += stringLen(len(m.Reply))
	}
	if m.Via != "" {
		n += stringLen(len(m.Via))
	}
	if m.Header != nil {
		n += uvarintLen(uint64(len(m.Header)))
		for k, vs := range m.Header {
			n += stringLen(len(k)) + uvarintLen(uint64(len(vs)))
			for _, v := range vs {
				n += stringLen(len(v))
			}
		}
	}
	if m.Data != nil {
		n += stringLen(len(m.Data))
	}
	return n
}

// messageCost is what a message counts against the flight recorder's
// budget: the bytes of its record, which is what it occupies in a chunk.
func messageCost(m *model.Message) int64 {
	body := recordBody(m)
	return int64(uvarintLen(uint64(body)) + body)
}

// appendFlightRecord encodes m onto dst, which has the room: appending
// within capacity does not allocate. body is recordBody(m), less the
// payload's bytes if big (they are kept out of line).
func appendFlightRecord(dst []byte, m *model.Message, body int, big bool) []byte {
	dst = binary.AppendUvarint(dst, uint64(body))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(m.Received))
	var flags byte
	if m.Sum != 0 {
		flags |= flagSum
	}
	if m.Reply != "" {
		flags |= flagReply
	}
	if m.Via != "" {
		flags |= flagVia
	}
	if m.Header != nil {
		flags |= flagHeader
	}
	if m.Data != nil {
		flags |= flagData
	}
	if big {
		flags |= flagBig
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, m.Seq)
	dst = binary.AppendUvarint(dst, uint64(m.Size))
	if flags&flagSum != 0 {
		dst = binary.LittleEndian.AppendUint64(dst, m.Sum)
	}
	dst = appendString(dst, m.Subject)
	if flags&flagReply != 0 {
		dst = appendString(dst, m.Reply)
	}
	if flags&flagVia != 0 {
		dst = appendString(dst, m.Via)
	}
	if flags&flagHeader != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(m.Header)))
		for k, vs := range m.Header {
			dst = appendString(dst, k)
			dst = binary.AppendUvarint(dst, uint64(len(vs)))
			for _, v := range vs {
				dst = appendString(dst, v)
			}
		}
	}
	if flags&flagData != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(m.Data)))
		if !big {
			dst = append(dst, m.Data...)
		}
	}
	return dst
}

// recordAt returns the length of the record at the start of b, its body's
// length, its receive time and whether its payload is out of line,
// without decoding the rest.
func recordAt(b []byte) (length, body int, received int64, big bool) {
	n, k := binary.Uvarint(b)
	return k + int(n), int(n), int64(binary.LittleEndian.Uint64(b[k:])), b[k+8]&flagBig != 0
}

// flightDecoder reads the records of a private copy of chunk bytes. The
// copy is never written again, so strings alias it instead of each
// being an allocation, and payloads are capped slices of it.
type flightDecoder struct {
	b []byte
	// bigs are the out-of-line payloads, in record order; they are never
	// written after Add copied them, so messages share them.
	bigs [][]byte
}

func (d *flightDecoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	d.b = d.b[k:]
	return v
}

func (d *flightDecoder) bytes() []byte {
	n := d.uvarint()
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *flightDecoder) string() string {
	b := d.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// next decodes the record at the front into m.
func (d *flightDecoder) next(m *model.Message) {
	d.uvarint() // the length: the fields say where they end
	m.Received = int64(binary.LittleEndian.Uint64(d.b))
	flags := d.b[8]
	d.b = d.b[9:]
	m.Seq = d.uvarint()
	m.Size = int(d.uvarint())
	if flags&flagSum != 0 {
		m.Sum = binary.LittleEndian.Uint64(d.b)
		d.b = d.b[8:]
	}
	m.Subject = d.string()
	if flags&flagReply != 0 {
		m.Reply = d.string()
	}
	if flags&flagVia != 0 {
		m.Via = d.string()
	}
	if flags&flagHeader != 0 {
		keys := d.uvarint()
		m.Header = make(model.Header, keys)
		for range keys {
			k := d.string()
			vs := make([]string, d.uvarint())
			for i := range vs {
				vs[i] = d.string()
			}
			m.Header[k] = vs
		}
	}
	switch {
	case flags&flagBig != 0:
		d.uvarint()
		m.Data = d.bigs[0]
		d.bigs = d.bigs[1:]
	case flags&flagData != 0:
		m.Data = d.bytes()
	}
}
