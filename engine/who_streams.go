package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
)

const (
	// maxWhoStreams bounds the streams one answer lists (one page of
	// STREAM.LIST, which the server filters by subject).
	maxWhoStreams = 32
	// maxWhoConsumerStreams bounds the streams whose consumers are listed:
	// one CONSUMER.LIST each.
	maxWhoConsumerStreams = 8
)

// WhoStores lists the streams that would store a message published on
// subject (the server filters STREAM.LIST by subject) and, for the first
// few, the consumers whose filter takes it. problems say what was left
// out; a server or account without JetStream is no stream and no problem.
func (j *JetStream) WhoStores(ctx context.Context, subject string) (streams []model.WhoStream, problems []string, err error) {
	if err := CheckPublishSubject(subject); err != nil {
		return nil, nil, fmt.Errorf("engine: who: %w", err)
	}
	var page listPage[*jetstream.StreamInfo]
	err = j.request(ctx, "STREAM.LIST", map[string]any{"offset": 0, "subject": subject}, &page)
	if err == nil {
		err = apiError(page.Error, "streams")
	}
	if errors.Is(err, ErrNoJetStream) || errors.Is(err, ErrNoJetStreamAccount) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	infos := page.Streams
	if len(infos) > maxWhoStreams {
		infos = infos[:maxWhoStreams]
	}
	if n := max(page.Total, len(page.Streams)); n > len(infos) {
		problems = append(problems, fmt.Sprintf("%d streams store it, %d listed", n, len(infos)))
	}
	for i, si := range infos {
		ws := model.WhoStream{Name: si.Config.Name, Retention: strings.ToLower(si.Config.Retention.String()), Consumers: []model.WhoConsumer{}}
		for _, s := range si.Config.Subjects {
			if server.SubjectMatchesFilter(subject, s) {
				ws.Subject = s
				break
			}
		}
		if i >= maxWhoConsumerStreams {
			if si.State.Consumers > 0 {
				ws.ConsumersCut = true
			}
			streams = append(streams, ws)
			continue
		}
		cons, cut, err := j.Consumers(ctx, si.Config.Name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("stream %s: consumers: %v", si.Config.Name, err))
		}
		ws.ConsumersCut = cut || err != nil
		for _, ci := range cons {
			if wc, ok := consumerTakes(ci, subject); ok {
				ws.Consumers = append(ws.Consumers, wc)
			}
		}
		streams = append(streams, ws)
	}
	return streams, problems, nil
}

// consumerFilters is a consumer's filter subjects, the single one first;
// none: it takes every message of its stream.
func consumerFilters(c *jetstream.ConsumerConfig) []string {
	if c.FilterSubject == "" {
		return c.FilterSubjects
	}
	return append([]string{c.FilterSubject}, c.FilterSubjects...)
}

// consumerTakes reports whether consumer ci's filter takes a message on
// subject (no filter takes every message of its stream).
func consumerTakes(ci *jetstream.ConsumerInfo, subject string) (model.WhoConsumer, bool) {
	c := &ci.Config
	filters := consumerFilters(c)
	wc := model.WhoConsumer{Name: ci.Name, Pending: ci.NumPending, Push: c.DeliverSubject != "", Bound: ci.PushBound, Waiting: ci.NumWaiting}
	if len(filters) == 0 {
		return wc, true
	}
	for _, f := range filters {
		if server.SubjectMatchesFilter(subject, f) {
			wc.Filter = f
			return wc, true
		}
	}
	return wc, false
}
