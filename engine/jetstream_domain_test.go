package engine

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

// TestJetStreamDomain: a client connected to a leafnode asks the hub's
// JetStream by its domain: the hub's streams, a page of the hub stream's
// messages, the keys of a hub bucket, a read of the whole stream; without
// the domain the same client sees the leaf's own JetStream.
func TestJetStreamDomain(t *testing.T) {
	hub, leaf := testkit.JetStreamDomains(t, "hub", "leaf")
	ctx := testCtx(t)
	// The hub's data, made on the hub.
	hjs, err := jetstream.New(testkit.Conn(t, hub.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hjs.CreateStream(ctx, jetstream.StreamConfig{Name: "HUBS", Subjects: []string{"hub.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := hjs.Publish(ctx, "hub.m"+string(rune('a'+i)), []byte{byte('0' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	kv, err := hjs.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "hubkv", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "driver.7", "busy"); err != nil {
		t.Fatal(err)
	}
	// The leaf's own stream.
	nc := testkit.Conn(t, leaf.ClientURL())
	ljs, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ljs.CreateStream(ctx, jetstream.StreamConfig{Name: "EDGE", Subjects: []string{"edge.>"}}); err != nil {
		t.Fatal(err)
	}

	names := func(j *JetStream) []string {
		t.Helper()
		sums, err := j.Summaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range sums {
			out = append(out, s.Name)
		}
		return out
	}
	j, err := NewJetStream(nc, JetStreamOptions{Domain: "hub", Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := names(j); !slices.Contains(got, "HUBS") || slices.Contains(got, "EDGE") {
		t.Fatalf("streams in domain hub from the leaf: %v, want HUBS and not EDGE", got)
	}
	page, err := j.Page(ctx, "HUBS", model.PageQuery{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Msgs) != 3 || page.Msgs[0].Msg.Subject != "hub.ma" || page.Msgs[2].Seq != 3 {
		t.Fatalf("first page of HUBS: %+v", page.Msgs)
	}
	keys, _, err := j.Keys(ctx, "hubkv", "", 10)
	if err != nil || !slices.Equal(keys, []string{"driver.7"}) {
		t.Fatalf("keys of the hub's bucket from the leaf: %v %v", keys, err)
	}

	// The consumers board, the tree's stored counts, a key's history and
	// the live watch, from the leaf, in the hub.
	if _, err := hjs.CreateOrUpdateConsumer(ctx, "HUBS", jetstream.ConsumerConfig{Durable: "audit"}); err != nil {
		t.Fatal(err)
	}
	cons, err := j.ConsumerSummaries(ctx, "HUBS")
	if err != nil || len(cons) != 1 || cons[0].Name != "audit" || cons[0].Pending != 5 {
		t.Fatalf("consumers of HUBS from the leaf: %+v %v", cons, err)
	}
	counts, err := j.SubjectCounts(ctx, "HUBS", "hub.>", []string{"hub.ma", "hub"})
	if err != nil || counts.Counts["hub.ma"] != 1 || counts.Counts["hub"] != 5 {
		t.Fatalf("stored counts of HUBS from the leaf: %+v %v", counts, err)
	}
	w, err := j.WatchKeys(ctx, "hubkv")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := kv.PutString(ctx, "driver.7", "idle"); err != nil {
		t.Fatal(err)
	}
	hist, err := j.History(ctx, "hubkv", "driver.7")
	if err != nil || len(hist) != 2 {
		t.Fatalf("history of driver.7 from the leaf: %+v %v", hist, err)
	}
	changed := map[string]string{}
	for deadline := time.Now().Add(10 * time.Second); changed["driver.7"] != "put" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, _ := w.Changes()
		maps.Copy(changed, c)
	}
	if changed["driver.7"] != "put" {
		t.Fatalf("the watch of the hub's bucket from the leaf saw %v", changed)
	}

	// A domain nobody serves is named in the one line, not taken for a
	// server without JetStream.
	nope, err := NewJetStream(nc, JetStreamOptions{Domain: "nope", Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer nope.Close()
	if _, err := nope.Summaries(ctx); err == nil || errors.Is(err, ErrNoJetStream) || !strings.Contains(err.Error(), `nothing answers in domain "nope"`) {
		t.Fatalf("streams in a domain nobody serves: %v", err)
	}

	local := testJetStream(t, nc)
	defer local.Close()
	if got := names(local); !slices.Equal(got, []string{"EDGE"}) {
		t.Fatalf("streams without a domain from the leaf: %v, want only EDGE", got)
	}
	if _, _, err := local.Keys(ctx, "hubkv", "", 10); err == nil {
		t.Fatal("the hub's bucket read without the domain from the leaf")
	}
}

// TestJetStreamAPIPrefix: a context's API prefix, which natsx does not
// support, makes every question answer one line saying so instead of
// asking the account's own JetStream; the default prefix is no prefix.
func TestJetStreamAPIPrefix(t *testing.T) {
	s := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, s.ClientURL())
	ctx := testCtx(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "kv"}); err != nil {
		t.Fatal(err)
	}
	j, err := NewJetStream(nc, JetStreamOptions{APIPrefix: "JS.acme.API"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, err = j.Summaries(ctx)
	if !errors.Is(err, ErrAPIPrefix) || !strings.Contains(err.Error(), `"JS.acme.API"`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("streams through an API prefix: %v, want one line with ErrAPIPrefix", err)
	}
	if _, _, err := j.Keys(ctx, "kv", "", 10); !errors.Is(err, ErrAPIPrefix) {
		t.Fatalf("KV keys through an API prefix: %v, want ErrAPIPrefix", err)
	}
	if _, err := j.WatchKeys(ctx, "kv"); !errors.Is(err, ErrAPIPrefix) {
		t.Fatalf("KV watch through an API prefix: %v, want ErrAPIPrefix", err)
	}
	def, err := NewJetStream(nc, JetStreamOptions{APIPrefix: "$JS.API"})
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if _, _, err := def.Keys(ctx, "kv", "", 10); err != nil {
		t.Fatalf("the default prefix: %v", err)
	}
	if _, err := NewJetStream(nc, JetStreamOptions{Domain: "a.b"}); err == nil || !strings.Contains(err.Error(), `"a.b" is not a valid JetStream domain`) {
		t.Fatalf("bad domain: %v", err)
	}
}
