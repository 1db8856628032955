package engine

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// StreamRange says which of a stream's messages Read reads.
type StreamRange struct {
	// Filter is a subject pattern; empty reads every subject.
	Filter string
	// StartSeq starts at this sequence (0: at the first message). It may
	// not be past the stream's last sequence.
	StartSeq uint64
	// Since starts at the first message stored at or after it, when set
	// (instead of StartSeq).
	Since time.Time
	// Count stops after this many messages; 0 reads to the end.
	Count uint64
}

// Read yields stream's messages in r, in sequence order, up to the last
// one stored when it began (a stream that keeps growing still ends). It
// asks one message at a time with STREAM.MSG.GET, so it reads every
// retention policy, creates no consumer and holds one message at a time.
// An error ends it: bad input (a missing stream, a start past the end) is
// the first thing yielded.
func (j *JetStream) Read(ctx context.Context, stream string, r StreamRange) iter.Seq2[*StoredMsg, error] {
	return func(yield func(*StoredMsg, error) bool) {
		if !r.Since.IsZero() && r.StartSeq != 0 {
			yield(nil, errors.New("read a stream from a sequence or from a time, not both"))
			return
		}
		info, err := j.StreamInfo(ctx, stream)
		if err != nil {
			yield(nil, err)
			return
		}
		if last := info.State.LastSeq; r.StartSeq > last {
			yield(nil, fmt.Errorf("stream %q: sequence %d is past its last one, %d", stream, r.StartSeq, last))
			return
		}
		end, err := j.LastMsg(ctx, stream, r.Filter)
		if errors.Is(err, ErrNoMessage) {
			return // nothing matches: nothing to read
		}
		if err != nil {
			yield(nil, err)
			return
		}
		var m *StoredMsg
		if !r.Since.IsZero() {
			m, err = j.MsgAtTime(ctx, stream, r.Since, r.Filter)
		} else {
			m, err = j.NextMsg(ctx, stream, r.StartSeq, r.Filter)
		}
		for n := uint64(0); r.Count == 0 || n < r.Count; n++ {
			if errors.Is(err, ErrNoMessage) || err == nil && m.Seq > end.Seq {
				return
			}
			if !yield(m, err) || err != nil {
				return
			}
			m, err = j.NextMsg(ctx, stream, m.Seq+1, r.Filter)
		}
	}
}
