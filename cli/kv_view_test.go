package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// TestKVView: on a real bucket, K on its stream lists the keys; enter on
// a key shows its history in the stream browser, a delete marked as such;
// the inspector diffs one revision against the one before; esc goes back
// to the keys, then to the streams. K on a stream that is not a bucket
// says so and changes nothing.
func TestKVView(t *testing.T) {
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cfg", History: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "AAA", Subjects: []string{"aaa"}}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{`{"mode":"slow","n":1}`, `{"mode":"fast","n":1}`} {
		if _, err := kv.PutString(ctx, "app.mode", v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.PutString(ctx, "gone", "x"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "app.mode", `{"mode":"fast","n":2}`); err != nil {
		t.Fatal(err)
	}
	j, err := engine.NewJetStream(nc, engine.JetStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	b := newBrowser(t, j, 100, 30)
	b.read("J")
	b.wants("streams", "AAA", "KV_cfg")
	if cmd := b.press("K"); cmd != nil {
		t.Fatal("K on AAA listed keys")
	}
	b.wants("not a bucket", "AAA is not a KV bucket", "JetStream streams")
	b.press("j")
	tick := openBucketKeys(b)
	b.wants("keys", "cfg · keys", "1 key · watching", "app.mode")
	// The watch: a new key joins the list, lit, on a tick.
	if _, err := kv.PutString(ctx, "app.new", "1"); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if strings.Contains(b.screen(), "● app.new") {
			break
		}
		tick = b.update(tick())
	}
	b.wants("watched", "2 keys · watching", "● app.new")
	if strings.Contains(b.screen(), "gone") {
		t.Fatalf("a deleted key listed:\n%s", b.screen())
	}
	b.read("enter")
	b.wants("history", "KV_cfg · messages", "$KV.cfg.app.mode", `{"mode":"slow","n":1}`, `{"mode":"fast","n":2}`)
	b.press("enter", "d")
	b.wants("diff", "KV_cfg · sequence 5", "diff vs previous: 1 changed", `"n": 2  (was: 1)`)
	b.press("esc", "esc")
	b.wants("back to the keys", "cfg · keys", "app.mode")
	// The deleted key's history: its put and the delete marker, read
	// from the stream whole (the keys list leaves deleted keys out).
	b.press("esc")
	b.press("j")
	openBucketKeys(b)
	b.read("enter")
	b.press("f")
	b.typeIn("$KV.cfg.gone")
	b.read("enter")
	b.wants("delete marker", "$KV.cfg.gone", "‹deleted›")
	b.press("esc")
	b.wants("keys again", "cfg · keys")
}

// openBucketKeys presses K and runs the watch's start and the listing;
// the watch's tick is returned.
func openBucketKeys(b *browser) tea.Cmd {
	b.t.Helper()
	watch := b.press("K")
	if watch == nil {
		b.t.Fatalf("K started nothing:\n%s", b.screen())
	}
	list := b.update(watch())
	if list == nil {
		b.t.Fatalf("no listing after the watch:\n%s", b.screen())
	}
	return b.update(list())
}
