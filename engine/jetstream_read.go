package engine

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
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
		if errors.Is(err, ErrNoMessage) || err == nil && m.Seq > end.Seq {
			return
		}
		if !yield(m, err) || err != nil {
			return
		}
		n, window := uint64(1), 1
		for r.Count == 0 || n < r.Count {
			batch, err := j.window(ctx, stream, m.Seq+1, window, r.Filter)
			for _, b := range batch {
				if b.Seq > end.Seq || r.Count != 0 && n == r.Count {
					return
				}
				if !yield(b, nil) {
					return
				}
				m = b
				n++
			}
			if err != nil {
				if !errors.Is(err, ErrNoMessage) {
					yield(nil, err)
				}
				return
			}
			// Dense matches: ask more at once; sparse ones would bring the
			// same message back from every question of a wide window.
			window = min(max(2*len(batch), 1), readWindow)
		}
	}
}

// readWindow is how many questions Read has in flight at most: one at a
// time is bound by the round trip (~0.3 ms), not by the server.
const readWindow = 64

// window asks for the first match at or after each of from … from+n-1 at
// once and returns the distinct answers in order: every match in that
// range and the first one after it. ErrNoMessage (with what came before)
// when the stream ends within it.
func (j *JetStream) window(ctx context.Context, stream string, from uint64, n int, filter string) ([]*StoredMsg, error) {
	got := make([]*StoredMsg, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = j.NextMsg(ctx, stream, from+uint64(i), filter) })
	}
	wg.Wait()
	var out []*StoredMsg
	for i := range n {
		if errs[i] != nil {
			return out, errs[i]
		}
		if len(out) == 0 || got[i].Seq > out[len(out)-1].Seq {
			out = append(out, got[i])
		}
	}
	return out, nil
}
