package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// TestStreamBrowserMillion: on a file-stored stream of 1,000,000 small
// messages, opening the stream browser shows the newest page at once: the
// JetStream API requests it costs are counted on the server (a subscriber
// to $JS.API.>) and are a page's worth, not the stream's. Publishing the
// million takes a few seconds, so -short skips it.
func TestStreamBrowserMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 1,000,000 messages")
	}
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MILLION", Subjects: []string{"m.>"}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1_000_000
	pubJS, _ := jetstream.New(testkit.Conn(t, srv.ClientURL()), jetstream.WithPublishAsyncMaxPending(16384))
	for i := range n {
		for {
			_, err := pubJS.PublishAsync(fmt.Sprintf("m.%d", i%10), []byte("x"), jetstream.WithStallWait(time.Minute))
			if err == nil {
				break
			}
			if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-pubJS.PublishAsyncComplete():
	case <-ctx.Done():
		t.Fatal("publishing timed out")
	}
	if info, err := st.Info(ctx); err != nil || info.State.Msgs != n {
		t.Fatalf("the stream holds %v of %d: %v", info, n, err)
	}

	// Every API request the UI sends, counted where the server sees it.
	counter := testkit.Conn(t, srv.ClientURL())
	var asked atomic.Int64
	if _, err := counter.Subscribe("$JS.API.>", func(*nats.Msg) { asked.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := counter.Flush(); err != nil {
		t.Fatal(err)
	}
	j, err := engine.NewJetStream(nc, engine.JetStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	b := newBrowser(t, j, 100, 30)
	b.read("J")
	b.wants("streams", "MILLION", "1.0M")
	if err := counter.Flush(); err != nil {
		t.Fatal(err)
	}
	before := asked.Load()
	b.read("b")
	b.wants("newest page", "MILLION · messages", "#999901-#1000000", "stream 1-1000000, 1000000 messages")
	if err := counter.Flush(); err != nil { // the copies sent before the answers are in
		t.Fatal(err)
	}
	reqs := asked.Load() - before
	t.Logf("opening the browser on %d messages: %d API requests", n, reqs)
	// A page of 100 is read with a stream info and one batch of gets per
	// window: a page's worth.
	if reqs == 0 || reqs > 3*100 {
		t.Fatalf("%d API requests to open the browser on %d messages", reqs, n)
	}
	// The start of the stream costs a page too.
	before = asked.Load()
	b.read("g")
	b.wants("first page", "#1-#100")
	if err := counter.Flush(); err != nil {
		t.Fatal(err)
	}
	if reqs := asked.Load() - before; reqs == 0 || reqs > 3*100 {
		t.Fatalf("%d API requests for the first page", reqs)
	}
	if !strings.Contains(b.screen(), "m.0") {
		t.Fatalf("no message on m.0 in the first page:\n%s", b.screen())
	}
}
