package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultDemoRate is the demo's total message rate when DemoOptions.Rate is 0.
const DefaultDemoRate = 200

const (
	// demoTick paces the publisher: each tick publishes what is due since the
	// start, so the fractional remainder carries over and missed ticks catch up.
	demoTick = 10 * time.Millisecond
	// demoMaxLag bounds catching up after a stall (GC, a suspended laptop):
	// older debt is forgiven rather than sent as one burst.
	demoMaxLag = 250 * time.Millisecond
	// demoFlushEvery is how many messages go out between round trips to the
	// server, which keeps a flood from running ahead of the broker.
	demoFlushEvery = 4096
	// demoFloodBatch is how many messages a flood publishes between checks of Stop.
	demoFloodBatch = 256
	// demoFlushTimeout bounds a flush so Stop is never stuck behind one.
	demoFlushTimeout = 2 * time.Second
	// demoResponderQueue lets several demos on one broker share the order
	// responder, as replicas of a real service would.
	demoResponderQueue = "natsx-demo"
)

// DemoOptions tunes the demo traffic.
type DemoOptions struct {
	// Rate is the total messages per second across all subjects, replies
	// included; 0 means DefaultDemoRate, math.Inf(1) means publish as fast as
	// possible (flood).
	Rate float64
	// Seed makes the subject set and payloads deterministic; 0 seeds from the clock.
	Seed int64
	// jobsPeriod shortens the job producer's cycle in tests; 0 means
	// demoJobsPeriod.
	jobsPeriod time.Duration
}

// Demo is running demo traffic: a publisher, an order responder and the
// inbox its replies go to.
type Demo struct {
	nc        *nats.Conn
	gen       *demoGen
	published atomic.Uint64

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	responder *nats.Subscription
	inbox     *nats.Subscription
	// js is the JetStream half (streams, consumers, a KV bucket); nil on a
	// server without JetStream and in a flood.
	js    *demoJS
	jsErr error

	// respMu serialises the responder with Stop, so no reply goes out (or is
	// counted) once Stop has returned.
	respMu   sync.Mutex
	respStop bool
	respRng  *rand.Rand
	respBuf  []byte
}

// StartDemo starts publishing on nc in its own goroutines and returns at once.
func StartDemo(nc *nats.Conn, o DemoOptions) (*Demo, error) {
	if nc == nil {
		return nil, errors.New("engine: demo: no connection")
	}
	rate := o.Rate
	switch {
	case math.IsNaN(rate) || rate < 0:
		return nil, fmt.Errorf("engine: demo: invalid rate %v", rate)
	case rate == 0:
		rate = DefaultDemoRate
	}
	seed := o.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	d := &Demo{
		nc:      nc,
		gen:     newDemoGen(seed),
		stop:    make(chan struct{}),
		respRng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)),
		respBuf: make([]byte, 0, 256),
	}
	var err error
	// The requester fires and forgets, but like a real one it listens on its
	// inboxes, so replies have a receiver.
	d.inbox, err = nc.Subscribe(demoInboxPrefix+">", func(*nats.Msg) {})
	if err != nil {
		return nil, fmt.Errorf("engine: demo: subscribe %q: %w", demoInboxPrefix+">", err)
	}
	d.responder, err = nc.QueueSubscribe("orders.*", demoResponderQueue, d.respond)
	if err != nil {
		_ = d.inbox.Unsubscribe()
		return nil, fmt.Errorf("engine: demo: subscribe %q: %w", "orders.*", err)
	}
	// A flood measures the tap: streams storing a share of it would
	// measure the broker's disk instead.
	if !math.IsInf(rate, 1) {
		// Without it (a full disk, a user's stream in the way on --store)
		// the plain traffic goes on; JetStreamErr says why.
		d.js, d.jsErr = startDemoJetStream(nc, rate, seed, o.jobsPeriod, d.stop, &d.wg)
	}
	// No flush needed: the server handles this connection's SUBs before the
	// requests that follow them, so the responder never misses the first one.
	d.wg.Add(1)
	go d.run(rate)
	return d, nil
}

// Stop stops the publishers and the responder and waits for them.
func (d *Demo) Stop() {
	d.stopOnce.Do(func() {
		close(d.stop)
		d.js.stopIterators()
		d.wg.Wait()
		d.respMu.Lock()
		d.respStop = true
		d.respMu.Unlock()
		// Errors only say the connection is already closed, which also ends them.
		_ = d.responder.Unsubscribe()
		_ = d.inbox.Unsubscribe()
	})
}

// JetStreamErr is why the demo runs without its streams, consumers and
// bucket on a server that has JetStream; nil when they run or the server
// has no JetStream.
func (d *Demo) JetStreamErr() error { return d.jsErr }

// Published is how many messages the demo has published so far (atomic).
func (d *Demo) Published() uint64 { return d.published.Load() }

func (d *Demo) run(rate float64) {
	defer d.wg.Done()
	if math.IsInf(rate, 1) {
		d.flood()
		return
	}
	// The responder's replies are part of the total rate; the publisher
	// sends the rest (see demoWeightOrders).
	d.paced(rate * demoWeightTotal / (demoWeightTotal + demoWeightOrders))
}

// paced publishes what is due at each tick since start, rate per second.
func (d *Demo) paced(rate float64) {
	t := time.NewTicker(demoTick)
	defer t.Stop()
	start := time.Now()
	maxLag := uint64(math.Max(1, rate*demoMaxLag.Seconds()))
	var sent, sinceFlush uint64
	for {
		select {
		case <-d.stop:
			return
		case now := <-t.C:
			due := uint64(rate * now.Sub(start).Seconds())
			if due > sent+maxLag {
				sent = due - maxLag
			}
			for ; sent < due; sent++ {
				if err := d.publish(now, &sinceFlush); err != nil {
					if d.fatal(err) {
						return
					}
					sent = due // transient (reconnecting): skip this tick's share
					break
				}
			}
		}
	}
}

// flood publishes in a tight loop, looking at Stop every demoFloodBatch messages.
func (d *Demo) flood() {
	var sinceFlush uint64
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		now := time.Now()
		for range demoFloodBatch {
			if err := d.publish(now, &sinceFlush); err != nil {
				if d.fatal(err) {
					return
				}
				// Transient (reconnect buffer full, slow flush): back off a tick.
				select {
				case <-d.stop:
					return
				case <-time.After(demoTick):
				}
				break
			}
		}
	}
}

// publish sends the next message and, every demoFlushEvery messages, waits
// for the server to catch up.
func (d *Demo) publish(now time.Time, sinceFlush *uint64) error {
	if err := d.nc.PublishMsg(d.gen.next(now)); err != nil {
		return err
	}
	d.published.Add(1)
	if *sinceFlush++; *sinceFlush >= demoFlushEvery {
		*sinceFlush = 0
		return d.nc.FlushTimeout(demoFlushTimeout)
	}
	return nil
}

// fatal reports whether err means the connection is gone for good, which
// ends the demo quietly.
func (d *Demo) fatal(err error) bool {
	return errors.Is(err, nats.ErrConnectionClosed) ||
		errors.Is(err, nats.ErrConnectionDraining) ||
		errors.Is(err, nats.ErrInvalidConnection) ||
		d.nc.IsClosed()
}

// respond answers an order request. It runs on the subscription's goroutine,
// one message at a time, so respRng and respBuf need no lock of their own.
func (d *Demo) respond(m *nats.Msg) {
	d.respMu.Lock()
	defer d.respMu.Unlock()
	if d.respStop || m.Reply == "" {
		return
	}
	reply := &nats.Msg{Header: orderReplyHeader(m.Header)}
	reply.Data = d.orderReply(m.Subject, m.Data)
	if err := m.RespondMsg(reply); err == nil {
		d.published.Add(1)
	}
}

// orderReplyHeader is the responder's reply header for a request with
// header req: JSON, and the request's X-Request-Id when it has one.
func orderReplyHeader(req nats.Header) nats.Header {
	h := nats.Header{"Content-Type": {"application/json"}}
	if id := req.Get("X-Request-Id"); id != "" {
		h["X-Request-Id"] = []string{id}
	}
	return h
}

// orderReply builds the responder's answer. Anyone on the broker may publish
// to orders.*, so bad input gets an error reply, never a panic.
func (d *Demo) orderReply(subject string, data []byte) []byte {
	var req struct {
		OrderID string `json:"order_id"`
	}
	b := d.respBuf[:0]
	if err := json.Unmarshal(data, &req); err != nil || req.OrderID == "" {
		return append(b, `{"error":"invalid request: want {\"order_id\":...}"}`...)
	}
	id, _ := json.Marshal(req.OrderID) // a string always marshals
	b = append(b, `{"order_id":`...)
	b = append(b, id...)
	switch subject {
	case "orders.create":
		if d.respRng.IntN(25) == 0 {
			b = append(b, `,"status":"rejected","reason":"out_of_stock"}`...)
			break
		}
		b = append(b, `,"status":"accepted","eta_s":`...)
		b = strconv.AppendInt(b, 600+d.respRng.Int64N(2100), 10)
		b = append(b, '}')
	case "orders.status":
		states := [...]string{"preparing", "out-for-delivery", "delivered"}
		st := states[d.respRng.IntN(len(states))]
		b = append(b, `,"status":"`...)
		b = append(b, st...)
		b = append(b, `","eta_s":`...)
		eta := int64(0)
		if st != "delivered" {
			eta = 60 + d.respRng.Int64N(1800)
		}
		b = strconv.AppendInt(b, eta, 10)
		b = append(b, '}')
	case "orders.cancel":
		b = append(b, `,"status":"cancelled"}`...)
	default:
		b = append(b, `,"error":"unknown operation"}`...)
	}
	d.respBuf = b
	return b
}
