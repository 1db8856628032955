package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// Publish sends one message from the UI's publish form. The subject must be
// a valid literal subject; the server's verdict (e.g. a permissions
// violation) arrives asynchronously and is reported in Status.
func (s *Session) Publish(subject, reply string, header model.Header, data []byte) error {
	if s.nc == nil {
		return errors.New("engine: not connected")
	}
	msg := &nats.Msg{Subject: subject, Reply: reply, Data: data}
	if len(header) > 0 {
		msg.Header = nats.Header(header)
	}
	if err := s.nc.PublishMsg(msg); err != nil {
		return fmt.Errorf("engine: publish %q: %w", subject, err)
	}
	// Flush so an error (and the message itself in the tree) shows at once.
	if err := s.nc.FlushTimeout(2 * time.Second); err != nil {
		return fmt.Errorf("engine: publish %q: %w", subject, err)
	}
	return nil
}

// Request sends a request and waits up to timeout for the first reply,
// returning it and the round-trip time. "No responders" is reported as
// such, not as a timeout.
func (s *Session) Request(subject string, header model.Header, data []byte, timeout time.Duration) (model.Message, time.Duration, error) {
	if s.nc == nil {
		return model.Message{}, 0, errors.New("engine: not connected")
	}
	msg := &nats.Msg{Subject: subject, Data: data}
	if len(header) > 0 {
		msg.Header = nats.Header(header)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	resp, err := s.nc.RequestMsgWithContext(ctx, msg)
	rtt := time.Since(start)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return model.Message{}, rtt, fmt.Errorf("no responders on %q", subject)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		if s.sub.Load() != nil {
			// Our own ">" subscription is interest, so the server never
			// answers "no responders" while the tap runs.
			return model.Message{}, rtt, fmt.Errorf("no reply on %q in %s (no responders? natsx's tap hides that)", subject, model.HumanDuration(timeout))
		}
		return model.Message{}, rtt, fmt.Errorf("no reply on %q in %s", subject, model.HumanDuration(timeout))
	case err != nil:
		return model.Message{}, rtt, fmt.Errorf("engine: request %q: %w", subject, err)
	}
	return model.Message{
		Received: start.Add(rtt).UnixNano(),
		Subject:  resp.Subject,
		Reply:    resp.Reply,
		Header:   model.Header(resp.Header),
		Data:     resp.Data,
		Size:     len(resp.Data),
	}, rtt, nil
}
