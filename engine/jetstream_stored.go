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
	if state, out, ok := j.counted.get(stream, filter, rows); ok {
		si, err := j.StreamInfo(ctx, stream)
		if err != nil {
			return model.StoredCounts{Stream: stream, Filter: filter}, err
		}
		if state == stateOf(si.State) {
			return out, nil
		}
	}
	state, out, err := j.subjectCounts(ctx, stream, filter, rows)
	if err == nil {
		j.counted.set(rows, state, out)
	}
	return out, err
}

// subjectCounts is SubjectCounts without its memo: always the server's
// answer, with the stream's state it came with.
func (j *JetStream) subjectCounts(ctx context.Context, stream, filter string, rows []string) (streamState, model.StoredCounts, error) {
	out := model.StoredCounts{Stream: stream, Filter: filter}
	if err := checkStream(stream); err != nil {
		return streamState{}, out, err
	}
	if !validFilter(filter) {
		return streamState{}, out, fmt.Errorf("subject filter %q: not a valid filter", model.Sanitize(filter))
	}
	var resp struct {
		apiResponse
		Total int `json:"total"`
		jetstream.StreamInfo
	}
	req := map[string]any{"subjects_filter": filter}
	if err := j.request(ctx, "STREAM.INFO."+stream, req, &resp); err != nil {
		return streamState{}, out, err
	}
	if err := apiError(resp.Error, fmt.Sprintf("stream %q", stream)); err != nil {
		return streamState{}, out, err
	}
	subjects := resp.State.Subjects
	out.Subjects, out.Total = len(subjects), max(resp.Total, len(subjects))
	out.Cut = out.Total > out.Subjects
	out.Counts = make(map[string]uint64, len(rows))
	model.AddCounts(out.Counts, subjects, rows)
	return stateOf(resp.State), out, nil
}

// streamState is what tells a stream's stored counts may have changed.
type streamState struct{ first, last, msgs uint64 }

func stateOf(s jetstream.StreamState) streamState {
	return streamState{s.FirstSeq, s.LastSeq, s.Msgs}
}

// countsMemo is SubjectCounts' last answer: one, so it holds no more than
// the rows on screen. Its stream and filter are out's.
type countsMemo struct {
	mu    sync.Mutex
	rows  []string
	state streamState
	out   model.StoredCounts
}

func (c *countsMemo) get(stream, filter string, rows []string) (streamState, model.StoredCounts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil || c.out.Stream != stream || c.out.Filter != filter || !slices.Equal(c.rows, rows) {
		return streamState{}, model.StoredCounts{}, false
	}
	return c.state, c.out, true
}

func (c *countsMemo) set(rows []string, state streamState, out model.StoredCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rows, c.state, c.out = slices.Clone(rows), state, out
}
