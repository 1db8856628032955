package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
)

// Summaries lists every stream as the streams view shows it (one listing
// at a time, maxListed streams at most), in name order.
func (j *JetStream) Summaries(ctx context.Context) ([]model.StreamSummary, error) {
	infos, _, err := j.Streams(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.StreamSummary, 0, len(infos))
	for _, si := range infos {
		out = append(out, Summary(si))
	}
	model.SortStreams(out, model.StreamsByName)
	return out, nil
}

// Summary is what the streams view shows of one stream's info.
func Summary(si *jetstream.StreamInfo) model.StreamSummary {
	c, st := &si.Config, &si.State
	s := model.StreamSummary{
		Name: c.Name, Subjects: c.Subjects,
		Messages: st.Msgs, Bytes: st.Bytes, FirstSeq: st.FirstSeq, LastSeq: st.LastSeq,
		Consumers: st.Consumers, NumSubjects: st.NumSubjects,
		Retention: strings.ToLower(c.Retention.String()), Storage: strings.ToLower(c.Storage.String()),
		Replicas: c.Replicas,
	}
	if st.Msgs > 0 {
		s.FirstTime, s.LastTime = st.FirstTime, st.LastTime
	}
	var notes []string
	if si.Cluster != nil {
		s.Leader = si.Cluster.Leader
		for _, p := range si.Cluster.Replicas {
			switch {
			case p == nil:
			case p.Offline:
				notes = append(notes, fmt.Sprintf("replica %s offline", p.Name))
			case !p.Current:
				notes = append(notes, fmt.Sprintf("replica %s behind by %d", p.Name, p.Lag))
			}
		}
		if s.Leader == "" && c.Replicas > 1 {
			notes = append(notes, "no leader")
		}
	}
	if m := si.Mirror; m != nil {
		notes = append(notes, sourceNote("mirror of", m))
	}
	for _, src := range si.Sources {
		if src != nil {
			notes = append(notes, sourceNote("source", src))
		}
	}
	s.Note = strings.Join(notes, "; ")
	return s
}

// sourceNote is "mirror of X, lag N" or "source X: error".
func sourceNote(kind string, src *jetstream.StreamSourceInfo) string {
	n := kind + " " + src.Name
	if src.Error != nil {
		return n + ": " + src.Error.Description
	}
	if src.Lag > 0 {
		return fmt.Sprintf("%s, lag %d", n, src.Lag)
	}
	return n
}

// ConsumerSummaries lists stream's consumers as the consumers board shows
// them (one listing at a time, maxListed consumers at most).
func (j *JetStream) ConsumerSummaries(ctx context.Context, stream string) ([]model.ConsumerSummary, error) {
	infos, _, err := j.Consumers(ctx, stream)
	if err != nil {
		return nil, err
	}
	out := make([]model.ConsumerSummary, 0, len(infos))
	for _, ci := range infos {
		if ci != nil {
			out = append(out, ConsumerSummary(ci))
		}
	}
	return out, nil
}

// ConsumerSummary is what the consumers board shows of one consumer's info.
func ConsumerSummary(ci *jetstream.ConsumerInfo) model.ConsumerSummary {
	c := &ci.Config
	s := model.ConsumerSummary{
		Name: ci.Name, Pull: c.DeliverSubject == "", PushBound: ci.PushBound,
		Filter:  strings.Join(consumerFilters(c), ","),
		Pending: ci.NumPending, AckPending: ci.NumAckPending, Redelivered: ci.NumRedelivered, Waiting: ci.NumWaiting,
		AckNone: c.AckPolicy == jetstream.AckNonePolicy,
		Paused:  ci.Paused, PauseRemaining: ci.PauseRemaining,
	}
	if !s.AckNone {
		s.MaxAckPending = c.MaxAckPending
	}
	if t := ci.Delivered.Last; t != nil {
		s.LastDelivered = *t
	}
	if t := ci.AckFloor.Last; t != nil {
		s.LastAcked = *t
	}
	if cl := ci.Cluster; cl != nil {
		s.Leader = cl.Leader
		s.NoLeader = cl.Leader == "" && len(cl.Replicas) > 0
	}
	return s
}
