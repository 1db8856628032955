package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// StoredMsg is one message as a stream keeps it.
type StoredMsg struct {
	Stream  string
	Seq     uint64
	Subject string
	// Time is when the stream stored it.
	Time   time.Time
	Header nats.Header
	Data   []byte
}

// Message is the stored message as natsx's model sees traffic: received
// at its stored time.
func (m *StoredMsg) Message() model.Message {
	return model.Message{
		Received: m.Time.UnixNano(),
		Subject:  m.Subject,
		Header:   model.Header(m.Header),
		Data:     m.Data,
		Size:     len(m.Data),
	}
}

// msgGetRequest is STREAM.MSG.GET's request (nats-server
// JSApiMsgGetRequest): one message, the first at or after Seq or
// StartTime whose subject matches NextFor, or the last matching LastFor.
type msgGetRequest struct {
	Seq       uint64     `json:"seq,omitempty"`
	LastFor   string     `json:"last_by_subj,omitempty"`
	NextFor   string     `json:"next_by_subj,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`
}

type msgGetResponse struct {
	apiResponse
	Message *struct {
		Subject string    `json:"subject"`
		Seq     uint64    `json:"seq"`
		Header  []byte    `json:"hdrs,omitempty"`
		Data    []byte    `json:"data,omitempty"`
		Time    time.Time `json:"time"`
	} `json:"message,omitempty"`
}

// allSubjects is the filter that matches every stored subject.
const allSubjects = ">"

// getMsg asks the stream's leader for one message with STREAM.MSG.GET,
// never DIRECT.GET: a replica may answer a direct get with lag, and
// stepping through a stream needs the same answer twice. It reads work-
// queue and interest streams alike and creates no consumer.
func (j *JetStream) getMsg(ctx context.Context, stream string, req msgGetRequest) (*StoredMsg, error) {
	if err := checkStream(stream); err != nil {
		return nil, err
	}
	var resp msgGetResponse
	if err := j.request(ctx, "STREAM.MSG.GET."+stream, req, &resp); err != nil {
		return nil, err
	}
	if err := apiError(resp.Error, fmt.Sprintf("stream %q", stream)); err != nil {
		return nil, err
	}
	if resp.Message == nil {
		return nil, fmt.Errorf("stream %q: the server's answer holds no message", stream)
	}
	m := &StoredMsg{Stream: stream, Seq: resp.Message.Seq, Subject: resp.Message.Subject, Time: resp.Message.Time, Data: resp.Message.Data}
	if len(resp.Message.Header) > 0 {
		h, err := nats.DecodeHeadersMsg(resp.Message.Header)
		if err != nil {
			return nil, fmt.Errorf("stream %q sequence %d: headers: %w", stream, m.Seq, err)
		}
		m.Header = h
	}
	return m, nil
}

// filterOrAll is the filter to send: every subject when none is given.
func filterOrAll(filter string) (string, error) {
	if filter == "" {
		return allSubjects, nil
	}
	if !validFilter(filter) {
		return "", fmt.Errorf("subject filter %q: not a valid subject pattern", filter)
	}
	return filter, nil
}

// NextMsg is the first message at or after sequence seq whose subject
// matches filter (empty: any). Deleted sequences and other subjects are
// skipped by the server in one request. ErrNoMessage past the end.
func (j *JetStream) NextMsg(ctx context.Context, stream string, seq uint64, filter string) (*StoredMsg, error) {
	f, err := filterOrAll(filter)
	if err != nil {
		return nil, err
	}
	return j.getMsg(ctx, stream, msgGetRequest{Seq: seq, NextFor: f})
}

// MsgAtTime is the first message stored at or after t whose subject
// matches filter. ErrNoMessage when none is that recent.
func (j *JetStream) MsgAtTime(ctx context.Context, stream string, t time.Time, filter string) (*StoredMsg, error) {
	f, err := filterOrAll(filter)
	if err != nil {
		return nil, err
	}
	t = t.UTC()
	return j.getMsg(ctx, stream, msgGetRequest{StartTime: &t, NextFor: f})
}

// LastMsg is the last message whose subject matches filter.
func (j *JetStream) LastMsg(ctx context.Context, stream string, filter string) (*StoredMsg, error) {
	f, err := filterOrAll(filter)
	if err != nil {
		return nil, err
	}
	m, err := j.getMsg(ctx, stream, msgGetRequest{LastFor: f})
	if f == allSubjects && errors.Is(err, ErrNoMessage) {
		// nats-server answers last_by_subj ">" from the stream's last
		// sequence: when that one is gone (deleted, purged by subject,
		// taken by a work queue) it says "no message" while the stream
		// still holds others. Step back from there instead.
		info, ierr := j.StreamInfo(ctx, stream)
		if ierr != nil || info.State.Msgs == 0 {
			return nil, err
		}
		return j.PrevMsg(ctx, stream, info.State.LastSeq+1, filter)
	}
	return m, err
}

// MsgBeforeTime is the last message stored before t whose subject matches
// filter: the one before the first at or after t, or the last one when
// none is that recent.
func (j *JetStream) MsgBeforeTime(ctx context.Context, stream string, t time.Time, filter string) (*StoredMsg, error) {
	m, err := j.MsgAtTime(ctx, stream, t, filter)
	switch {
	case errors.Is(err, ErrNoMessage):
		last, err := j.LastMsg(ctx, stream, filter)
		if err != nil || last.Time.Before(t) {
			return last, err
		}
		// Stored times can step back (a clock moved on the server): go
		// on by sequence from the last one.
		return j.PrevMsg(ctx, stream, last.Seq, filter)
	case err != nil:
		return nil, err
	}
	return j.PrevMsg(ctx, stream, m.Seq, filter)
}

// PrevMsg is the last message before sequence seq whose subject matches
// filter. The API only looks forwards, so it steps down in windows that
// double (1, 2, 4 … sequences below seq) until one holds a match, then
// halves that window down to the last match in it: O(log gap) requests,
// however far back the previous match is and however many sequences in
// between were deleted, taken by a work queue, or hold other subjects.
// ErrNoMessage when there is none.
func (j *JetStream) PrevMsg(ctx context.Context, stream string, seq uint64, filter string) (*StoredMsg, error) {
	return j.prevMsg(ctx, stream, seq, filter, 1)
}

// prevWalk is how many matches prevMsg steps through forwards in the
// window that holds the previous match before it halves what is left.
const prevWalk = 4

// prevMsg is PrevMsg with a first window of step sequences: a caller
// stepping back through a sparse filter passes the gap it just crossed,
// so the window one gap below mostly holds the previous match alone and
// costs two requests (the match, and the question whether another one
// follows it below seq), where windows doubling from 1 and then halved
// cost two log2(gap). A wrong guess costs what PrevMsg costs, plus at
// most prevWalk requests.
func (j *JetStream) prevMsg(ctx context.Context, stream string, seq uint64, filter string, step uint64) (*StoredMsg, error) {
	f, err := filterOrAll(filter)
	if err != nil {
		return nil, err
	}
	// next is the first match at or after lo, if it is below hi.
	next := func(lo, hi uint64) (*StoredMsg, error) {
		m, err := j.getMsg(ctx, stream, msgGetRequest{Seq: lo, NextFor: f})
		if errors.Is(err, ErrNoMessage) || err == nil && m.Seq >= hi {
			return nil, nil
		}
		return m, err
	}
	hi := seq // matches are searched below hi
	var best *StoredMsg
	for step = max(step, 1); best == nil; step = min(2*step, 1<<62) {
		if hi <= 1 {
			return nil, ErrNoMessage // sequences start at 1
		}
		lo := uint64(1)
		if hi-1 > step {
			lo = hi - step
		}
		if best, err = next(lo, hi); err != nil {
			return nil, err
		}
		if best == nil {
			hi = lo
		}
	}
	// best is a match below hi; the last match is in [best.Seq, hi). A
	// window about one gap wide holds few: step through them first.
	for range prevWalk {
		if best.Seq+1 >= hi {
			return best, nil
		}
		m, err := next(best.Seq+1, hi)
		if err != nil {
			return nil, err
		}
		if m == nil {
			return best, nil
		}
		best = m
	}
	for best.Seq+1 < hi {
		mid := best.Seq + 1 + (hi-best.Seq-1)/2
		m, err := next(mid, hi)
		if err != nil {
			return nil, err
		}
		if m != nil {
			best = m
		} else {
			hi = mid
		}
	}
	return best, nil
}
