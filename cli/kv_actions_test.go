package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// The KV keys list's filter (f) and actions (p put, D delete) on a real
// bucket, through the UI model as natsx wires it; see
// streams_browse_test.go for why here.

// kvBucket is a bucket "drivers" with driver.1, driver.2 and truck.1 on
// a real JetStream server, and the engine natsx reads it with.
func kvBucket(t *testing.T) (*engine.JetStream, jetstream.KeyValue) {
	t.Helper()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "drivers", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"driver.1", "driver.2", "truck.1"} {
		if _, err := kv.PutString(ctx, k, "idle"); err != nil {
			t.Fatal(err)
		}
	}
	j, err := engine.NewJetStream(nc, engine.JetStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Close)
	return j, kv
}

// kvValue is key's current value ("" and false when deleted or absent).
func kvValue(t *testing.T, kv jetstream.KeyValue, key string) (string, bool) {
	t.Helper()
	e, err := kv.Get(context.Background(), key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(e.Value()), true
}

// TestKVKeysFilter: f on the keys asks for a pattern; the keys are
// listed again with it and the title shows it; a bad pattern is one line
// in the prompt and the list stays as it was; an empty one lists all.
func TestKVKeysFilter(t *testing.T) {
	j, kv := kvBucket(t)
	b := newBrowser(t, j, 100, 30)
	b.read("J")
	b.wants("streams", "KV_drivers")
	openBucketKeys(b)
	b.wants("all keys", "drivers · keys", "3 keys", "driver.1", "driver.2", "truck.1")

	b.press("f")
	b.typeIn("driver..")
	if cmd := b.press("enter"); cmd != nil {
		t.Fatal("a bad filter listed the keys")
	}
	b.wants("bad filter", "keys> driver..", "3 keys", "truck.1")

	b.press("esc", "f")
	b.typeIn("driver.*")
	list := b.press("enter")
	if list == nil {
		t.Fatal("the filter listed nothing")
	}
	tick := b.update(list())
	b.wants("filtered", "drivers · keys driver.*", "2 keys", "driver.1", "driver.2")
	if listsKey(b.screen(), "truck.1") {
		t.Fatalf("truck.1 listed under driver.*:\n%s", b.screen())
	}
	// The watch brings new keys inside the filter only.
	for _, k := range []string{"truck.9", "driver.9"} {
		if _, err := kv.PutString(context.Background(), k, "new"); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		if strings.Contains(b.screen(), "● driver.9") {
			break
		}
		tick = b.update(tick())
	}
	b.wants("watched in the filter", "3 keys", "● driver.9")
	if strings.Contains(b.screen(), "truck.9") {
		t.Fatalf("truck.9 listed under driver.*:\n%s", b.screen())
	}

	b.press("f", "backspace")
	b.typeIn("bus.>")
	b.read("enter")
	b.wants("nothing matches", "no key matches bus.>")

	b.press("f", "backspace")
	b.read("enter")
	b.wants("all again", "drivers · keys", "5 keys", "truck.1", "truck.9")
}

// TestKVPutDelete: p on a key asks for a value, then asks naming the key,
// the bucket and the size; anything but y changes nothing; y puts it and
// the keys are listed again. D asks, naming the key and the bucket; y
// deletes it and it leaves the list.
func TestKVPutDelete(t *testing.T) {
	j, kv := kvBucket(t)
	b := actionBrowser(t, j, false, 100, 30)
	b.read("J")
	openBucketKeys(b)
	b.wants("keys with actions", "driver.1", "p put", "D delete")

	// The selection is on driver.1 (the first key).
	b.press("p")
	b.typeIn("busy")
	if cmd := b.press("enter"); cmd != nil {
		t.Fatal("the value put before the answer")
	}
	b.wants("put asked", "put driver.1 in drivers (4 B)? y/N")
	if cmd := b.press("n"); cmd != nil {
		t.Fatal("n ran the put")
	}
	b.wants("cancelled", "cancelled")
	if v, _ := kvValue(t, kv, "driver.1"); v != "idle" {
		t.Fatalf("after cancelling driver.1 is %q", v)
	}

	b.press("p")
	b.typeIn("busy")
	b.press("enter")
	list := b.answer()
	if list == nil {
		t.Fatal("the put did not list the keys again")
	}
	b.wants("put", "put driver.1 in drivers: revision 4")
	if v, _ := kvValue(t, kv, "driver.1"); v != "busy" {
		t.Fatalf("after the put driver.1 is %q", v)
	}
	b.update(list())
	b.wants("listed after the put", "3 keys", "driver.1")

	b.press("j") // driver.2
	if cmd := b.press("D"); cmd != nil {
		t.Fatal("D ran something before the answer")
	}
	b.wants("delete asked", "delete key driver.2 from drivers? y/N")
	list = b.answer()
	if list == nil {
		t.Fatal("the delete did not list the keys again")
	}
	b.wants("deleted", "deleted key driver.2 from drivers")
	if _, ok := kvValue(t, kv, "driver.2"); ok {
		t.Fatal("driver.2 still has a value after the delete")
	}
	b.update(list())
	b.wants("listed after the delete", "2 keys", "driver.1", "truck.1")
	if listsKey(b.screen(), "driver.2") {
		t.Fatalf("driver.2 listed after its delete:\n%s", b.screen())
	}
}

// TestKVActionsReadOnly: with --read-only p and D on the keys ask nothing
// and change nothing, and neither the footer nor the help offers them.
func TestKVActionsReadOnly(t *testing.T) {
	j, kv := kvBucket(t)
	rw := actionBrowser(t, j, false, 200, 60)
	rw.press("?")
	rw.wants("the help without --read-only", "put a value in the selected key")
	ro := actionBrowser(t, j, true, 200, 60)
	ro.press("?")
	if sc := ro.screen(); strings.Contains(sc, "put a value") {
		t.Fatalf("the read-only help lists put:\n%s", sc)
	}

	b := actionBrowser(t, j, true, 100, 30)
	b.read("J")
	openBucketKeys(b)
	b.wants("read-only keys", "driver.1", "f filter")
	if sc := b.screen(); strings.Contains(sc, "p put") || strings.Contains(sc, "D delete") {
		t.Fatalf("the read-only keys offer actions:\n%s", sc)
	}
	for _, k := range []string{"p", "D", "y"} {
		if cmd := b.press(k); cmd != nil {
			t.Fatalf("%s ran something on the read-only keys", k)
		}
		if strings.Contains(b.screen(), "y/N") || strings.Contains(b.screen(), "put driver") {
			t.Fatalf("%s asked on the read-only keys:\n%s", k, b.screen())
		}
	}
	b.press("p")
	b.wants("said", "read-only: put and delete are off")
	if v, _ := kvValue(t, kv, "driver.1"); v != "idle" {
		t.Fatalf("read-only: driver.1 is %q", v)
	}
}

// listsKey tells whether a row of screen is key alone (a listed key, not
// a flash naming it).
func listsKey(screen, key string) bool {
	for l := range strings.SplitSeq(screen, "\n") {
		if strings.TrimSpace(l) == key {
			return true
		}
	}
	return false
}
