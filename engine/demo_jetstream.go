package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// What the demo keeps in JetStream, so a user (and natscli) finds a
// realistic set on the embedded broker without any setup.
const (
	// DemoOrdersStream keeps every order request (limits retention).
	DemoOrdersStream = "ORDERS"
	// DemoJobsStream is a work queue of background jobs.
	DemoJobsStream = "JOBS"
	// DemoJobsConsumer is the pull consumer that works through JOBS more
	// slowly than the demo adds to it at its peak, so pending grows and
	// shrinks.
	DemoJobsConsumer = "workers"
	// DemoNotifierConsumer reads new orders from ORDERS and now and then
	// fails to ack one in time, which the server redelivers.
	DemoNotifierConsumer = "notifier"
	// DemoDriversBucket is a KV bucket of driver status by id.
	DemoDriversBucket = "drivers"
)

const (
	// demoJobsPeriod is one cycle of the job producer's rate: above the
	// workers' pace for half of it (pending grows), below for the rest.
	demoJobsPeriod = 90 * time.Second
	// demoJobsSwing is how far the producer's rate swings around its base.
	demoJobsSwing = 0.8
	// demoWorkerPace is the workers' speed as a multiple of the base rate:
	// a little faster on average, so a cycle ends with the queue drained.
	demoWorkerPace = 1.15
	// demoNotifierAckWait is how long the server waits for the notifier's
	// ack before it redelivers.
	demoNotifierAckWait = 2 * time.Second
	// demoNotifierForget is one in how many first deliveries the notifier
	// leaves unacked.
	demoNotifierForget = 8
	// demoJSSetup bounds creating the streams, consumers and bucket.
	demoJSSetup = 5 * time.Second
)

// The demo's publishes into streams carry a fixed reply subject, so the
// server's acks land on one subject in the tree, as the order replies do.
var (
	demoJobsAckInbox = demoInboxPrefix + "jobs-ack"
	demoKVAckInbox   = demoInboxPrefix + "kv-ack"
)

var demoJobKinds = []string{"email", "invoice", "thumbnail", "geocode"}

// demoJS is the JetStream half of the demo: a job producer, a slow worker,
// a notifier that redelivers now and then, and a KV updater.
type demoJS struct {
	nc       *nats.Conn
	base     float64 // jobs per second on average
	period   time.Duration
	kvRate   float64
	seed     int64
	stop     <-chan struct{}
	iterMu   sync.Mutex
	iters    []jetstream.MessagesContext
	stopping bool
}

// demoJetStreamRates are the job and KV rates for a demo of rate messages
// per second: a small share, so JetStream adds realism, not load.
func demoJetStreamRates(rate float64) (jobs, kv float64) {
	return min(max(rate/40, 0.5), 50), min(max(rate/100, 0.2), 20)
}

// startDemoJetStream creates the demo's streams, consumers and bucket and
// starts their goroutines on wg. A server without JetStream (or an
// account without it) gets none of it and no error: the demo's plain
// traffic works anywhere.
func startDemoJetStream(nc *nats.Conn, rate float64, seed int64, period time.Duration, stop <-chan struct{}, wg *sync.WaitGroup) (*demoJS, error) {
	// Asked of the server's INFO, not of the API: on a server without
	// JetStream a subscriber to ">" (natsx's own tap) receives the API
	// request, so it would wait for a timeout instead of "no responders".
	if ok, _ := nc.ConnectedServerJetStream(); !ok {
		return nil, nil
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("engine: demo: jetstream: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), demoJSSetup)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			return nil, nil
		}
		return nil, fmt.Errorf("engine: demo: JetStream account info: %w", err)
	}
	jobs, notifier, err := createDemoStreams(ctx, js)
	if err != nil {
		return nil, err
	}
	// Written with plain publishes (see updateDrivers), not through the handle.
	_, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      DemoDriversBucket,
		Description: "natsx demo: each driver's status, by city and id",
		History:     5,
		MaxBytes:    8 << 20,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("engine: demo: bucket %s: %w", DemoDriversBucket, err)
	}
	d := &demoJS{nc: nc, seed: seed, stop: stop, period: cmp.Or(period, demoJobsPeriod)}
	d.base, d.kvRate = demoJetStreamRates(rate)
	workerIt, err := jobs.Messages(jetstream.PullMaxMessages(1))
	if err != nil {
		return nil, fmt.Errorf("engine: demo: consume %s: %w", DemoJobsConsumer, err)
	}
	notifierIt, err := notifier.Messages(jetstream.PullMaxMessages(4))
	if err != nil {
		workerIt.Stop()
		return nil, fmt.Errorf("engine: demo: consume %s: %w", DemoNotifierConsumer, err)
	}
	d.iters = []jetstream.MessagesContext{workerIt, notifierIt}
	wg.Add(4)
	go d.produceJobs(wg)
	go d.work(wg, workerIt)
	go d.notify(wg, notifierIt)
	go d.updateDrivers(wg)
	return d, nil
}

// createDemoStreams creates (or, on a --store that has them, updates) the
// ORDERS and JOBS streams and their consumers.
func createDemoStreams(ctx context.Context, js jetstream.JetStream) (jobs, notifier jetstream.Consumer, err error) {
	orders, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        DemoOrdersStream,
		Description: "natsx demo: every order request",
		Subjects:    []string{"orders.>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      time.Hour,
		MaxMsgs:     100_000,
		MaxBytes:    64 << 20,
		// The order responder answers these requests: a PubAck from the
		// stream would be a second reply to every one.
		NoAck: true,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("engine: demo: stream %s: %w", DemoOrdersStream, err)
	}
	queue, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        DemoJobsStream,
		Description: "natsx demo: background jobs, each done once",
		Subjects:    []string{"jobs.>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxMsgs:     20_000,
		MaxBytes:    16 << 20,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("engine: demo: stream %s: %w", DemoJobsStream, err)
	}
	jobs, err = queue.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       DemoJobsConsumer,
		Description:   "natsx demo: a worker slower than the jobs' peak rate",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 8,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("engine: demo: consumer %s: %w", DemoJobsConsumer, err)
	}
	notifier, err = orders.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       DemoNotifierConsumer,
		Description:   "natsx demo: mails new orders, and now and then acks too late",
		FilterSubject: "orders.create",
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       demoNotifierAckWait,
		MaxDeliver:    5,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("engine: demo: consumer %s: %w", DemoNotifierConsumer, err)
	}
	return jobs, notifier, nil
}

// stopIterators ends the consumers' pulls, which unblocks their goroutines.
func (d *demoJS) stopIterators() {
	if d == nil {
		return
	}
	d.iterMu.Lock()
	defer d.iterMu.Unlock()
	d.stopping = true
	for _, it := range d.iters {
		it.Stop()
	}
}

// sleep waits for dur or Stop; false when stopped.
func (d *demoJS) sleep(dur time.Duration) bool {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-d.stop:
		return false
	case <-t.C:
		return true
	}
}

// produceJobs adds jobs at a rate that swings around base over
// demoJobsPeriod: one job after another, each waiting as long as the
// current rate says.
func (d *demoJS) produceJobs(wg *sync.WaitGroup) {
	defer wg.Done()
	rng := rand.New(rand.NewPCG(uint64(d.seed), 0x10b5))
	start := time.Now()
	var n uint64
	msg := &nats.Msg{Reply: demoJobsAckInbox, Header: nats.Header{"Content-Type": {"application/json"}}}
	for {
		phase := 2 * math.Pi * time.Since(start).Seconds() / d.period.Seconds()
		rate := d.base * (1 + demoJobsSwing*math.Sin(phase))
		if !d.sleep(time.Duration(float64(time.Second) / max(rate, d.base/10))) {
			return
		}
		n++
		kind := demoJobKinds[rng.IntN(len(demoJobKinds))]
		msg.Subject = "jobs." + kind
		msg.Data = fmt.Appendf(msg.Data[:0], `{"job_id":"job-%06d","kind":%q,"attempt":1,"created":%q}`,
			n, kind, time.Now().UTC().Format(demoTimeLayout))
		if err := d.nc.PublishMsg(msg); err != nil && d.nc.IsClosed() {
			return
		}
	}
}

// work is the slow worker: one job at a time, demoWorkerPace × base a
// second, each acked when done.
func (d *demoJS) work(wg *sync.WaitGroup, it jetstream.MessagesContext) {
	defer wg.Done()
	pace := time.Duration(float64(time.Second) / (d.base * demoWorkerPace))
	// Jobs end on a schedule, pace apart, so the time a pull takes is
	// part of a job's time rather than added to it: the worker's speed
	// does not depend on how busy the machine is.
	done := time.Now()
	for {
		m, err := it.Next()
		if err != nil {
			if !d.retry(err) {
				return
			}
			continue
		}
		if done = done.Add(pace); done.Before(time.Now()) {
			done = time.Now()
		}
		if !d.sleep(time.Until(done)) {
			return // unacked: the server gives the job to the next worker
		}
		_ = m.Ack()
	}
}

// notify acks new orders at once, except one in demoNotifierForget, which
// it leaves unacked twice for the server to redeliver after
// demoNotifierAckWait each time.
func (d *demoJS) notify(wg *sync.WaitGroup, it jetstream.MessagesContext) {
	defer wg.Done()
	rng := rand.New(rand.NewPCG(uint64(d.seed), 0x407e))
	for {
		m, err := it.Next()
		if err != nil {
			if !d.retry(err) {
				return
			}
			continue
		}
		meta, err := m.Metadata()
		if err == nil && (meta.NumDelivered == 1 && rng.IntN(demoNotifierForget) == 0 || meta.NumDelivered == 2) {
			// A forgotten order is forgotten once more: it stays
			// "redelivered" for an ack wait, long enough to be seen.
			continue
		}
		_ = m.Ack()
	}
}

// retry reports whether a consumer's goroutine should go on after err: not
// once the demo stops, the connection closed or the iterator ended (a user
// deleted the consumer); otherwise after a pause.
func (d *demoJS) retry(err error) bool {
	d.iterMu.Lock()
	stopping := d.stopping
	d.iterMu.Unlock()
	if stopping || d.nc.IsClosed() || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
		return false
	}
	return d.sleep(time.Second)
}

// updateDrivers puts a random driver's status into the bucket kvRate times
// a second. It publishes to the bucket's subject as kv.Put does, with a
// fixed reply subject (see demoKVAckInbox).
func (d *demoJS) updateDrivers(wg *sync.WaitGroup) {
	defer wg.Done()
	rng := rand.New(rand.NewPCG(uint64(d.seed), 0xd817))
	// The same seed gives the publisher's drivers: a key names a driver
	// whose drivers.CITY.ID the tree shows.
	var keys []string
	for _, dr := range newDemoGen(d.seed).drivers {
		keys = append(keys, strings.TrimPrefix(dr.subject, "drivers."))
	}
	every := time.Duration(float64(time.Second) / d.kvRate)
	msg := &nats.Msg{Reply: demoKVAckInbox}
	for d.sleep(every) {
		status := demoDriverStatuses[rng.IntN(len(demoDriverStatuses))]
		msg.Subject = "$KV." + DemoDriversBucket + "." + keys[rng.IntN(len(keys))]
		msg.Data = fmt.Appendf(msg.Data[:0], `{"status":%q,"since":%q}`, status, time.Now().UTC().Format(demoTimeLayout))
		if err := d.nc.PublishMsg(msg); err != nil && d.nc.IsClosed() {
			return
		}
	}
}
