package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
)

// SubjectCounts asks stream how many messages it holds on each subject
// matching filter (one STREAM.INFO with subjects_filter) and adds them up
// for rows, tree nodes' subjects: a row counts its own subject and every
// subject under it. Only the server's first page is read (at most
// model.MaxStoredSubjects subjects); when the filter matches more, the
// counts are partial and Cut says so. The caller asks for the rows on
// screen only, one request at a time.
//
// Asked again for the same rows while the stream holds what it held (its
// first and last sequence and message count unchanged), it answers from
// the last answer after a STREAM.INFO without subjects: an idle tree
// whose cursor sits on a stream of 100k subjects no longer fetches and
// decodes them every few seconds.
func (j *JetStream) SubjectCounts(ctx context.Context, stream, filter string, rows []string) (model.StoredCounts, error) {
	out := model.StoredCounts{Stream: stream, Filter: filter}
	if err := checkStream(stream); err != nil {
		return out, err
	}
	if !validFilter(filter) {
		return out, fmt.Errorf("subject filter %q: not a valid filter", model.Sanitize(filter))
	}
	if memo, ok := j.counted.get(stream, filter, rows); ok {
		var resp struct {
			apiResponse
			jetstream.StreamInfo
		}
		if err := j.request(ctx, "STREAM.INFO."+stream, nil, &resp); err != nil {
			return out, err
		}
		if err := apiError(resp.Error, fmt.Sprintf("stream %q", stream)); err != nil {
			return out, err
		}
		if memo.state == stateOf(resp.State) {
			return memo.out, nil
		}
	}
	var resp struct {
		apiResponse
		Total int `json:"total"`
		jetstream.StreamInfo
	}
	req := map[string]any{"subjects_filter": filter}
	if err := j.request(ctx, "STREAM.INFO."+stream, req, &resp); err != nil {
		return out, err
	}
	if err := apiError(resp.Error, fmt.Sprintf("stream %q", stream)); err != nil {
		return out, err
	}
	subjects := resp.State.Subjects
	out.Subjects, out.Total = len(subjects), max(resp.Total, len(subjects))
	out.Cut = out.Total > out.Subjects
	out.Counts = make(map[string]uint64, len(rows))
	model.AddCounts(out.Counts, subjects, rows)
	j.counted.set(stream, filter, rows, stateOf(resp.State), out)
	return out, nil
}

// streamState is what tells a stream's stored counts may have changed.
type streamState struct{ first, last, msgs uint64 }

func stateOf(s jetstream.StreamState) streamState {
	return streamState{s.FirstSeq, s.LastSeq, s.Msgs}
}

// countsMemo is SubjectCounts' last answer: one, so it holds no more than
// the rows on screen.
type countsMemo struct {
	mu             sync.Mutex
	stream, filter string
	rows           []string
	state          streamState
	out            model.StoredCounts
}

type countsAnswer struct {
	state streamState
	out   model.StoredCounts
}

func (c *countsMemo) get(stream, filter string, rows []string) (countsAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil || c.stream != stream || c.filter != filter || !slices.Equal(c.rows, rows) {
		return countsAnswer{}, false
	}
	return countsAnswer{c.state, c.out}, true
}

func (c *countsMemo) set(stream, filter string, rows []string, state streamState, out model.StoredCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stream, c.filter, c.rows, c.state, c.out = stream, filter, slices.Clone(rows), state, out
}
