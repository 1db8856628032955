package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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

// TestKVCreate: n on the keys asks for a new key's name (a bad one, or one
// the list shows with a value, is one line in the prompt and nothing
// changes), then its value, then asks naming the key, the bucket and the
// size; y creates it and the keys are listed again with it. A key put by
// someone else after the listing is refused by the server, said in one
// line, and keeps its value.
func TestKVCreate(t *testing.T) {
	j, kv := kvBucket(t)
	b := actionBrowser(t, j, false, 100, 30)
	b.read("J")
	openBucketKeys(b)
	b.wants("keys with new", "3 keys", "n new")

	b.press("n")
	b.wants("name asked", "new key>")
	for _, bad := range []string{"lisbon 42", "lisbon..42", "lisbon.*", "lisbon.42."} {
		b.typeIn(bad)
		if cmd := b.press("enter"); cmd != nil {
			t.Fatalf("the bad key %q started something", bad)
		}
		b.wants("bad key "+bad, "not a valid key")
		if strings.Contains(b.screen(), "y/N") || strings.Contains(b.screen(), "\x1b[2J") {
			t.Fatalf("bad key %q asked, or reached the screen raw:\n%s", bad, b.screen())
		}
		b.press("esc", "n")
	}
	// A pasted name with a terminal control: refused, and shown harmless.
	b.update(tea.PasteMsg{Content: "a\x1b[2Jb"})
	b.press("enter")
	b.wants("pasted control", "not a valid key")
	if raw := b.m.Render(); strings.Contains(raw, "\x1b[2J") {
		t.Fatal("a pasted key's control reached the screen")
	}
	b.press("esc", "n")
	b.typeIn("driver.1")
	b.press("enter")
	b.wants("listed key refused", `key "driver.1" exists: p puts a new value in it`)
	b.press("esc")
	if n := bucketValues(t, kv); n != 3 {
		t.Fatalf("bad names changed the bucket: %d values", n)
	}

	b.press("n")
	b.typeIn("lisbon.42")
	b.press("enter")
	b.wants("value asked", "new lisbon.42>")
	b.typeIn(`{"status":"idle"}`)
	if cmd := b.press("enter"); cmd != nil {
		t.Fatal("the key created before the answer")
	}
	b.wants("create asked", "create lisbon.42 in drivers (17 B)? y/N")
	b.press("n")
	b.wants("cancelled", "cancelled")
	if _, ok := kvValue(t, kv, "lisbon.42"); ok {
		t.Fatal("lisbon.42 exists after cancelling")
	}

	b.press("n")
	b.typeIn("lisbon.42")
	b.press("enter")
	b.typeIn(`{"status":"idle"}`)
	b.press("enter")
	list := b.answer()
	if list == nil {
		t.Fatal("the create did not list the keys again")
	}
	b.wants("created", "created lisbon.42 in drivers: revision 4")
	if v, _ := kvValue(t, kv, "lisbon.42"); v != `{"status":"idle"}` {
		t.Fatalf("after the create lisbon.42 is %q", v)
	}
	b.update(list())
	b.wants("listed after the create", "4 keys")
	if !listsKey(b.screen(), "lisbon.42") {
		t.Fatalf("lisbon.42 not listed after its create:\n%s", b.screen())
	}

	// Put by another client after the listing: the list does not know it,
	// the server refuses the create.
	if _, err := kv.PutString(context.Background(), "porto.7", "theirs"); err != nil {
		t.Fatal(err)
	}
	b.press("n")
	b.typeIn("porto.7")
	b.press("enter")
	b.typeIn("mine")
	b.press("enter")
	b.wants("create asked", "create porto.7 in drivers (4 B)? y/N")
	if list := b.answer(); list != nil {
		t.Fatal("a refused create listed the keys again")
	}
	b.wants("refused", `bucket "drivers": create "porto.7": the key exists`)
	if v, _ := kvValue(t, kv, "porto.7"); v != "theirs" {
		t.Fatalf("the refused create overwrote porto.7: %q", v)
	}
}

// bucketValues is how many revisions the bucket holds.
func bucketValues(t *testing.T, kv jetstream.KeyValue) uint64 {
	t.Helper()
	st, err := kv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Values()
}

// TestKVActionsReadOnly: with --read-only p and D on the keys ask nothing
// and change nothing, and neither the footer nor the help offers them.
func TestKVActionsReadOnly(t *testing.T) {
	j, kv := kvBucket(t)
	rw := actionBrowser(t, j, false, 200, 60)
	rw.press("?")
	rw.wants("the help without --read-only", "put a value in the selected key", "a new key")
	ro := actionBrowser(t, j, true, 200, 60)
	ro.press("?")
	if sc := ro.screen(); strings.Contains(sc, "put a value") || strings.Contains(sc, "a new key") {
		t.Fatalf("the read-only help lists put:\n%s", sc)
	}

	b := actionBrowser(t, j, true, 100, 30)
	b.read("J")
	openBucketKeys(b)
	b.wants("read-only keys", "driver.1", "f filter")
	if sc := b.screen(); strings.Contains(sc, "p put") || strings.Contains(sc, "D delete") || strings.Contains(sc, "n new") {
		t.Fatalf("the read-only keys offer actions:\n%s", sc)
	}
	for _, k := range []string{"p", "D", "n", "y"} {
		if cmd := b.press(k); cmd != nil {
			t.Fatalf("%s ran something on the read-only keys", k)
		}
		if strings.Contains(b.screen(), "y/N") || strings.Contains(b.screen(), "put driver") {
			t.Fatalf("%s asked on the read-only keys:\n%s", k, b.screen())
		}
	}
	b.press("p")
	b.wants("said", "read-only: put, new key and delete are off")
	b.press("n")
	if strings.Contains(b.screen(), "new key>") {
		t.Fatalf("n asked for a key on the read-only keys:\n%s", b.screen())
	}
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
