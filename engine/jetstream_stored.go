package engine

import (
	"context"
	"fmt"

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
func (j *JetStream) SubjectCounts(ctx context.Context, stream, filter string, rows []string) (model.StoredCounts, error) {
	out := model.StoredCounts{Stream: stream, Filter: filter}
	if err := checkStream(stream); err != nil {
		return out, err
	}
	if !validFilter(filter) {
		return out, fmt.Errorf("subject filter %q: not a valid filter", model.Sanitize(filter))
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
	return out, nil
}
