package engine

import (
	"bytes"
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"natsx/model"
)

// DemoTraffic is what the demo publishes from start to end at rate
// messages a second, as natsx's tap receives it: the same generator and
// seed as StartDemo, each request followed 2-9 ms later by the responder's
// reply, evenly spaced with a little jitter. It needs no server and is
// deterministic, for the screenshots and for tests that want the demo's
// real shape (its ~300 subjects) rather than a staged one.
func DemoTraffic(seed int64, start, end time.Time, rate float64) []model.Message {
	if rate <= 0 || !end.After(start) {
		return nil
	}
	g := newDemoGen(seed)
	d := &Demo{respRng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), respBuf: make([]byte, 0, 256)}
	jitter := rand.New(rand.NewPCG(uint64(seed), 0x717))
	step := time.Duration(float64(time.Second) / rate)
	var out []model.Message
	for at := start; at.Before(end); at = at.Add(step) {
		t := at.Add(time.Duration(jitter.Int64N(int64(step)/2 + 1)))
		m := g.next(t)
		msg := model.Message{
			Received: t.UnixNano(),
			Subject:  m.Subject,
			Reply:    m.Reply,
			Header:   model.Header(maps.Clone(m.Header)),
			Data:     bytes.Clone(m.Data),
			Size:     len(m.Data),
		}
		out = append(out, msg)
		if m.Reply == "" {
			continue
		}
		rt := t.Add(time.Duration(2+jitter.IntN(8)) * time.Millisecond)
		if !rt.Before(end) {
			continue
		}
		h := model.Header(orderReplyHeader(m.Header))
		data := bytes.Clone(d.orderReply(m.Subject, m.Data))
		out = append(out, model.Message{Received: rt.UnixNano(), Subject: m.Reply, Header: h, Data: data, Size: len(data)})
	}
	// Replies land a few ms after their request: keep receive order, and
	// number the messages as the store does.
	// Stable, so messages at the same nanosecond keep publish order.
	slices.SortStableFunc(out, func(a, b model.Message) int { return cmp.Compare(a.Received, b.Received) })
	for i := range out {
		out[i].Seq = uint64(i + 1)
	}
	return out
}
