package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"natsx/model"
)

// maxPage bounds a page of the stream browser: it holds what one screen
// shows, never the stream.
const maxPage = 500

// Page reads one page of stream's messages for the stream browser: q.Size
// messages at most (maxPage), in sequence order, each asked with
// STREAM.MSG.GET, so it reads limits, work-queue and interest streams
// alike and creates no consumer. Only the page is read, however large the
// stream: a stream of a million messages costs the same page as one of a
// hundred. Forwards it stops at the last message stored when it began;
// backwards it steps down from the sequence before q.Before (or the last
// message), a window of q.Size sequences at once, then one previous match
// at a time where a filter makes matches sparse. An empty page is not an
// error: nothing is there.
func (j *JetStream) Page(ctx context.Context, stream string, q model.PageQuery) (model.StreamPage, error) {
	if q.Size <= 0 || q.Size > maxPage {
		return model.StreamPage{}, fmt.Errorf("page of %d messages: want 1 to %d", q.Size, maxPage)
	}
	if _, err := filterOrAll(q.Filter); err != nil {
		return model.StreamPage{}, err
	}
	info, err := j.StreamInfo(ctx, stream)
	if err != nil {
		return model.StreamPage{}, err
	}
	page := model.StreamPage{FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, Total: info.State.Msgs}
	if page.Total == 0 {
		return page, nil
	}
	var msgs []*StoredMsg
	if q.Backward() {
		hi := q.Before
		if q.Last || hi > page.LastSeq+1 {
			hi = page.LastSeq + 1
		}
		msgs, err = j.pageBefore(ctx, stream, hi, q.Size, q.Filter)
	} else {
		r := StreamRange{Filter: q.Filter, StartSeq: q.From, Since: q.At, Count: uint64(q.Size)}
		if !q.At.IsZero() {
			r.StartSeq = 0
		}
		if r.StartSeq > page.LastSeq {
			return page, nil // past the end: nothing there (yet)
		}
		msgs, err = collect(j.Read(ctx, stream, r), 0)
	}
	if err != nil {
		return page, err
	}
	page.Msgs = make([]model.StoredMessage, len(msgs))
	for i, m := range msgs {
		page.Msgs[i] = model.StoredMessage{Seq: m.Seq, Msg: model.KeptCopy(m.Message())}
	}
	return page, nil
}

// collect gathers what read yields, stopping before sequence stop (0: no
// stop).
func collect(read func(yield func(*StoredMsg, error) bool), stop uint64) ([]*StoredMsg, error) {
	var out []*StoredMsg
	var err error
	read(func(m *StoredMsg, e error) bool {
		if e != nil {
			err = e
			return false
		}
		if stop != 0 && m.Seq >= stop {
			return false
		}
		out = append(out, m)
		return true
	})
	return out, err
}

// pageBefore is the last n messages below sequence hi matching filter, in
// sequence order: first the n sequences below hi read forwards (dense
// streams are done there), then the previous match, one at a time, for
// what gaps and the filter left missing.
func (j *JetStream) pageBefore(ctx context.Context, stream string, hi uint64, n int, filter string) ([]*StoredMsg, error) {
	if hi <= 1 {
		return nil, nil
	}
	lo := hi - min(uint64(n), hi-1)
	got, err := collect(j.Read(ctx, stream, StreamRange{Filter: filter, StartSeq: lo, Count: uint64(n)}), hi)
	if err != nil {
		return nil, err
	}
	// Each step back starts from the gap crossed last (at first: the one
	// the window just read suggests), so that sparse matches cost a few
	// requests each.
	below, gap := lo, uint64(n/(len(got)+1))
	var older []*StoredMsg
	for len(got)+len(older) < n && below > 1 {
		m, err := j.prevMsg(ctx, stream, below, filter, gap)
		if errors.Is(err, ErrNoMessage) {
			break
		}
		if err != nil {
			return nil, err
		}
		older = append(older, m)
		below, gap = m.Seq, below-m.Seq
	}
	slices.Reverse(older)
	out := append(older, got...)
	return out[max(len(out)-n, 0):], nil
}
