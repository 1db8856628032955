package engine

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestEmbeddedJetStream: the embedded broker runs JetStream in a temporary
// store that Shutdown removes, or in --store, which stays.
func TestEmbeddedJetStream(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	tmp := e.tempDir
	if !e.Server().JetStreamEnabled() || tmp == "" {
		e.Shutdown()
		t.Fatalf("JetStream enabled %v, temporary store %q", e.Server().JetStreamEnabled(), tmp)
	}
	cfg := e.Server().JetStreamConfig()
	if cfg.MaxMemory != DefaultJetStreamMemory || cfg.MaxStore != DefaultJetStreamStore {
		t.Errorf("limits memory %d store %d; want %d and %d", cfg.MaxMemory, cfg.MaxStore, DefaultJetStreamMemory, DefaultJetStreamStore)
	}
	e.Shutdown()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temporary store %s still there after Shutdown: %v", tmp, err)
	}

	dir := t.TempDir()
	e, err = StartEmbedded(EmbeddedOptions{RandomPort: true, StoreDir: dir, MaxMemory: 32 << 20, MaxStore: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := e.Server().JetStreamConfig(); cfg.MaxMemory != 32<<20 || cfg.MaxStore != 64<<20 {
		t.Errorf("limits memory %d store %d; want the options'", cfg.MaxMemory, cfg.MaxStore)
	}
	nc := testkit.Conn(t, e.URL())
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "KEPT", Subjects: []string{"kept"}}); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	e.Shutdown()
	// The same store again: the stream is still there.
	e, err = StartEmbedded(EmbeddedOptions{RandomPort: true, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	js, _ = jetstream.New(testkit.Conn(t, e.URL()))
	if _, err := js.Stream(ctx, "KEPT"); err != nil {
		t.Fatalf("stream in --store after a restart: %v", err)
	}
}

// TestDemoJetStream: the demo creates ORDERS, the JOBS work queue whose
// pending grows and shrinks, a consumer that redelivers, and a KV bucket
// it keeps updating.
func TestDemoJetStream(t *testing.T) {
	t.Parallel()
	s := testkit.JetStreamServer(t)
	nc := demoConnect(t, s.ClientURL())
	d := demoStart(t, nc, DemoOptions{Rate: 4000, Seed: 7, jobsPeriod: 2 * time.Second})
	if d.js == nil {
		t.Fatal("no JetStream demo on a server with JetStream")
	}
	js, _ := jetstream.New(demoConnect(t, s.ClientURL()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	orders, err := js.Stream(ctx, DemoOrdersStream)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := orders.CachedInfo().Config; cfg.Retention != jetstream.LimitsPolicy || cfg.Subjects[0] != "orders.>" {
		t.Errorf("ORDERS: retention %v subjects %v", cfg.Retention, cfg.Subjects)
	}
	jobs, err := js.Stream(ctx, DemoJobsStream)
	if err != nil {
		t.Fatal(err)
	}
	if r := jobs.CachedInfo().Config.Retention; r != jetstream.WorkQueuePolicy {
		t.Errorf("JOBS retention %v, want work queue", r)
	}
	workers, err := jobs.Consumer(ctx, DemoJobsConsumer)
	if err != nil {
		t.Fatal(err)
	}
	// Pending rises while the producer is above the workers' pace, then
	// falls back as it drops below.
	var peak uint64
	demoWaitFor(t, 30*time.Second, "the jobs' pending to grow and shrink", func() bool {
		ci, err := workers.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		peak = max(peak, ci.NumPending)
		return peak >= 10 && ci.NumPending <= peak/3 && ci.AckFloor.Consumer > 0
	})
	kv, err := js.KeyValue(ctx, DemoDriversBucket)
	if err != nil {
		t.Fatal(err)
	}
	demoWaitFor(t, 5*time.Second, "driver statuses in the bucket", func() bool {
		st, err := kv.Status(ctx)
		return err == nil && st.Values() > 3
	})
	// Each key is a driver the publisher drives: drivers.KEY is a subject.
	drivers := map[string]bool{}
	for _, s := range newDemoGen(7).subjects() {
		drivers[s] = true
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := range keys.Keys() {
		if !drivers["drivers."+k] {
			t.Errorf("key %q is no demo driver", k)
		}
	}
	if testing.Short() {
		return
	}
	notifier, err := orders.Consumer(ctx, DemoNotifierConsumer)
	if err != nil {
		t.Fatal(err)
	}
	demoWaitFor(t, 10*time.Second, "a redelivery to the notifier", func() bool {
		ci, err := notifier.Info(ctx)
		return err == nil && ci.NumRedelivered > 0
	})
	info, err := orders.Info(ctx)
	if err != nil || info.State.Msgs == 0 {
		t.Fatalf("ORDERS holds %v messages (%v)", info.State.Msgs, err)
	}
}

// TestDemoWithoutJetStream: on a server without JetStream the demo runs
// without its JetStream half, and a flood leaves it out.
func TestDemoWithoutJetStream(t *testing.T) {
	nc := demoConnect(t, testkit.Server(t).ClientURL())
	if d := demoStart(t, nc, DemoOptions{Rate: 100}); d.js != nil {
		t.Fatal("JetStream demo on a server without JetStream")
	}
	js := testkit.JetStreamServer(t)
	d := demoStart(t, demoConnect(t, js.ClientURL()), DemoOptions{Rate: math.Inf(1)})
	if d.js != nil {
		t.Fatal("JetStream demo in a flood")
	}
}

// TestDemoJetStreamInTheWay: a stream of the user's in the demo's way
// (a --store from elsewhere) leaves the demo without JetStream, saying
// why, and its plain traffic goes on.
func TestDemoJetStreamInTheWay(t *testing.T) {
	s := testkit.JetStreamServer(t)
	js, _ := jetstream.New(demoConnect(t, s.ClientURL()))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: DemoOrdersStream, Subjects: []string{"orders.>"}, Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	d := demoStart(t, demoConnect(t, s.ClientURL()), DemoOptions{Rate: 1000})
	if d.js != nil || d.JetStreamErr() == nil || !strings.Contains(d.JetStreamErr().Error(), DemoOrdersStream) {
		t.Fatalf("demo JetStream %v, error %v; want none and an error naming %s", d.js, d.JetStreamErr(), DemoOrdersStream)
	}
	demoWaitFor(t, 5*time.Second, "plain traffic", func() bool { return d.Published() > 10 })
}
