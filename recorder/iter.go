package recorder

import (
	"fmt"
	"sort"
	"time"
)

// Iter walks a capture's records in file order. Corrupt blocks are
// skipped (reading resumes at the next valid block) and reported through
// Reader.Problems; Err reports only I/O errors.
type Iter struct {
	r      *Reader
	off    int64
	dec    decoder
	left   uint32
	block  int64
	rec    Entry
	err    error
	seekTo int64
	seek   bool
	reuse  bool   // see transient
	buf    []byte // the block buffer transient reuses
}

// transient makes records valid only until the next call to Next, for a
// caller that uses each record at once and keeps nothing (replay): strings
// point into the block instead of being interned, and the next block is
// read into the same buffer instead of a fresh one (64 KiB of garbage per
// block, and the GC work that comes with it).
func (it *Iter) transient() { it.dec.alias, it.reuse = true, true }

// Iter returns an iterator from the first record.
func (r *Reader) Iter() *Iter {
	return &Iter{r: r, off: r.dataStart, dec: decoder{intern: map[string]string{}}}
}

// SeekTime returns an iterator at the first record at or after t (Unix
// ns). It starts at the nearest index entry before t, so it reads at most
// about a megabyte before the target, however large the file.
func (r *Reader) SeekTime(t int64) *Iter {
	it := r.Iter()
	i := sort.Search(len(r.index), func(i int) bool { return r.index[i].first > t })
	if i > 0 {
		it.off = r.index[i-1].offset
	}
	it.seekTo, it.seek = t, true
	return it
}

// Next advances to the next record; false at the end or on an I/O error.
func (it *Iter) Next() bool {
	for it.err == nil {
		if it.left > 0 {
			it.left--
			if err := it.dec.next(&it.rec); err != nil {
				it.r.note(Problem{Offset: it.block, Bytes: it.off - it.block,
					Reason: "bad record: " + err.Error(), Resume: it.off})
				it.left = 0
				continue
			}
			if it.seek {
				if it.rec.Time < it.seekTo {
					continue
				}
				// Only the first match matters: later out-of-order times
				// (a wall clock stepping back) still read.
				it.seek = false
			}
			return true
		}
		if it.off >= it.r.dataEnd {
			return false
		}
		it.loadNext()
	}
	return false
}

// loadNext reads the block at it.off, or skips past damage to the next
// valid one.
func (it *Iter) loadNext() {
	r := it.r
	var buf []byte
	if it.reuse {
		buf = it.buf
	}
	h, raw, end, problem := r.loadBlockInto(buf, it.off, r.dataEnd)
	if problem == "" && h.kind != blockRecords {
		problem = "index block in the middle of the data"
	}
	if problem != "" {
		next, ok, err := r.resync(it.off+1, r.dataEnd)
		if err != nil {
			it.err = err
			return
		}
		if !ok {
			next = r.dataEnd
		}
		p := Problem{Offset: it.off, Bytes: next - it.off, Reason: problem, Resume: next}
		if !ok {
			p.Resume = -1
		}
		r.note(p)
		it.off = next
		return
	}
	it.block, it.off = it.off, end
	it.dec.b, it.dec.prev, it.left = raw, h.first, h.count
	if it.reuse && cap(raw) > cap(it.buf) {
		// The records now point into raw; the next block may overwrite it
		// once they are all read.
		it.buf = raw[:0]
	}
}

// Entry is the current record; it stays valid after Next (payloads are
// not reused).
func (it *Iter) Entry() *Entry { return &it.rec }

// Err is the I/O error that ended iteration, if any.
func (it *Iter) Err() error { return it.err }

// Stats summarize a whole capture, for inspect.
type Stats struct {
	// Header is the capture's header.
	Header Header
	// FileBytes is the file size.
	FileBytes int64
	// Messages, Gaps, Missed and Markers count records (Missed sums the gaps).
	Messages, Gaps, Missed, Markers uint64
	// First and Last are the first and last record times (Unix ns).
	First, Last int64
	// Subjects is the number of distinct subjects.
	Subjects int
	// WireBytes is subject+reply+header+payload bytes as received.
	WireBytes uint64
	// PayloadBytes is the payload bytes held (less than received when truncated).
	PayloadBytes uint64
	// Truncated counts messages whose payload was cut before recording.
	Truncated uint64
	// TornBytes is the size of a torn tail.
	TornBytes int64
	// CorruptBlocks and CorruptBytes count damage skipped in the middle.
	CorruptBlocks int
	// CorruptBytes is the number of bytes skipped because of corruption.
	CorruptBytes int64
	// Indexed is false when the trailer is missing (the recorder did not close).
	Indexed bool
	// Disconnects counts the times the recorder lost its connection, and
	// Outages lists them (the first maxOutages) with their times; Gaps and
	// Missed do not count them.
	Disconnects uint64
	// Outages are the disconnections in time order.
	Outages []Outage
	// Offline is the total time the recorder was disconnected.
	Offline time.Duration
	// Problems lists every problem found.
	Problems []Problem
}

// Duration is the time from the first to the last record.
func (s *Stats) Duration() time.Duration {
	if s.Last < s.First {
		return 0
	}
	return time.Duration(s.Last - s.First)
}

// Stats reads every record and summarizes the capture.
func (r *Reader) Stats() (Stats, error) {
	s := Stats{Header: r.hdr, FileBytes: r.size, Indexed: r.info.Indexed}
	subjects := map[string]struct{}{}
	var outages outageList
	it := r.Iter()
	n := 0
	for it.Next() {
		rec := it.Entry()
		if n == 0 || rec.Time < s.First {
			s.First = rec.Time
		}
		if n == 0 || rec.Time > s.Last {
			s.Last = rec.Time
		}
		n++
		switch rec.Kind {
		case KindMessage:
			s.Messages++
			s.WireBytes += uint64(rec.Msg.WireBytes())
			s.PayloadBytes += uint64(len(rec.Msg.Data))
			if rec.Msg.Truncated() {
				s.Truncated++
			}
			subjects[rec.Msg.Subject] = struct{}{}
		case KindGap:
			if outages.add(rec) {
				continue
			}
			s.Gaps++
			s.Missed += rec.Missed
		case KindMarker:
			s.Markers++
		}
	}
	if err := it.Err(); err != nil {
		return s, err
	}
	s.Outages, s.Disconnects = outages.finish(s.Last), outages.disconnects
	for _, o := range s.Outages {
		s.Offline += o.Duration()
	}
	s.Subjects = len(subjects)
	s.Problems = r.Problems()
	for _, p := range s.Problems {
		if p.Torn {
			s.TornBytes += p.Bytes
		} else {
			s.CorruptBlocks++
			s.CorruptBytes += p.Bytes
		}
	}
	return s, nil
}

// String is a short description of a record for dry runs and debugging.
func (rec *Entry) String() string {
	t := time.Unix(0, rec.Time).UTC().Format(time.RFC3339Nano)
	switch rec.Kind {
	case KindMessage:
		s := fmt.Sprintf("%s %s", t, rec.Msg.Subject)
		if rec.Msg.Reply != "" {
			s += " reply=" + rec.Msg.Reply
		}
		if len(rec.Msg.Header) > 0 {
			s += fmt.Sprintf(" headers=%d", len(rec.Msg.Header))
		}
		return s + fmt.Sprintf(" %d bytes", rec.Msg.Size)
	case KindGap:
		if rec.Source.Connection() {
			return fmt.Sprintf("%s %s", t, rec.Source)
		}
		return fmt.Sprintf("%s gap: %d messages lost (%s)", t, rec.Missed, rec.Source)
	}
	return fmt.Sprintf("%s marker %q", t, rec.Label)
}
