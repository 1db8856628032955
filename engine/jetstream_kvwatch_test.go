package engine

import (
	"maps"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestWatchKeys: a watch on a real bucket reports the keys changed since
// the last drain with their last operation (values before the watch are
// not changes), stops cleanly, and refuses a missing bucket in one line.
func TestWatchKeys(t *testing.T) {
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	js, _ := jetstream.New(nc)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "before", "1"); err != nil {
		t.Fatal(err)
	}
	w, err := j.WatchKeys(ctx, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for _, k := range []string{"a", "b", "a"} {
		if _, err := kv.PutString(ctx, k, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "put", "b": "delete", "before": "purge"}
	got := map[string]string{}
	deadline := time.Now().Add(10 * time.Second)
	for !maps.Equal(got, want) && time.Now().Before(deadline) {
		c, dropped := w.Changes()
		if dropped != 0 {
			t.Fatalf("%d dropped", dropped)
		}
		maps.Copy(got, c)
		time.Sleep(20 * time.Millisecond)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("changes %v; want %v", got, want)
	}
	if c, _ := w.Changes(); len(c) != 0 {
		t.Fatalf("changes after a drain: %v", c)
	}
	w.Stop()
	w.Stop()
	// The watch's consumer leaves with it.
	st, err := js.Stream(ctx, "KV_w")
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Consumers == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d consumers left after Stop", info.State.Consumers)
		}
	}
	if _, err := j.WatchKeys(ctx, "nope"); err == nil {
		t.Fatal("a watch on a missing bucket")
	}
	if _, err := j.WatchKeys(ctx, "a.b"); err == nil {
		t.Fatal("a watch on a bad bucket name")
	}
}
