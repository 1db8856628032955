package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
	"natsx/testkit"
)

// actionStream is a limits stream A on a.>, b.> holding n messages over
// a.x, a.y and b.z (see fillStream, gaps included), and what it holds.
func actionStream(t *testing.T, n int) (*JetStream, jetstream.JetStream, jetstream.Stream, []stored) {
	t.Helper()
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	ctx := testCtx(t)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>", "b.>"}})
	if err != nil {
		t.Fatal(err)
	}
	all := fillStream(t, ctx, js, s, n)
	return testJetStream(t, nc), js, s, all
}

// held is every sequence and subject stream s holds, read one by one.
func held(t *testing.T, s jetstream.Stream) []stored {
	t.Helper()
	ctx := testCtx(t)
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []stored
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stored{seq: seq, subj: m.Subject})
	}
	if uint64(len(out)) != info.State.Msgs {
		t.Fatalf("read %d messages, the stream says %d", len(out), info.State.Msgs)
	}
	return out
}

func subjectsSeqs(ms []stored) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%d %s", m.seq, m.subj)
	}
	return out
}

// TestJetStreamPurge: purging one subject leaves exactly the other
// subjects' messages; keep leaves the newest of the subject; purging all
// leaves nothing, and says how many went each time.
func TestJetStreamPurge(t *testing.T) {
	j, _, s, all := actionStream(t, 60)
	ctx := testCtx(t)
	ay := matching(all, "a.y")
	if n, err := j.SubjectMessages(ctx, "A", "a.y"); err != nil || n != uint64(len(ay)) {
		t.Fatalf("a.y's messages: %d, %v; want %d", n, err, len(ay))
	}
	if n, err := j.SubjectMessages(ctx, "A", "none.here"); err != nil || n != 0 {
		t.Fatalf("a subject never stored: %d, %v", n, err)
	}
	if _, err := j.SubjectMessages(ctx, "A", "a.*"); err == nil || err.Error() != `subject "a.*": not a literal subject` {
		t.Fatalf("a wildcard's count: %v", err)
	}
	n, err := j.Purge(ctx, "A", "a.y", 0)
	if err != nil || n != uint64(len(ay)) {
		t.Fatalf("purge a.y: %d, %v; want %d", n, err, len(ay))
	}
	var rest []stored
	for _, m := range all {
		if m.subj != "a.y" {
			rest = append(rest, stored{seq: m.seq, subj: m.subj})
		}
	}
	if got := held(t, s); !slices.Equal(subjectsSeqs(got), subjectsSeqs(rest)) {
		t.Fatalf("after purging a.y the stream holds\n%q\nwant\n%q", subjectsSeqs(got), subjectsSeqs(rest))
	}
	// keep 2 of b.z: the two newest stay.
	bz := matching(all, "b.z")
	n, err = j.Purge(ctx, "A", "b.z", 2)
	if err != nil || n != uint64(len(bz)-2) {
		t.Fatalf("purge b.z keep 2: %d, %v; want %d", n, err, len(bz)-2)
	}
	var want []stored
	for _, m := range all {
		if m.subj == "a.x" || m.subj == "b.z" && m.seq >= bz[len(bz)-2].seq {
			want = append(want, stored{seq: m.seq, subj: m.subj})
		}
	}
	if got := held(t, s); !slices.Equal(subjectsSeqs(got), subjectsSeqs(want)) {
		t.Fatalf("after purging b.z keeping 2 the stream holds\n%q\nwant\n%q", subjectsSeqs(got), subjectsSeqs(want))
	}
	n, err = j.Purge(ctx, "A", "", 0)
	if err != nil || n != uint64(len(want)) {
		t.Fatalf("purge all: %d, %v; want %d", n, err, len(want))
	}
	if got := held(t, s); len(got) != 0 {
		t.Fatalf("after purging all the stream holds %q", subjectsSeqs(got))
	}
}

// TestJetStreamDeleteMsg: deleting a sequence removes exactly it, and the
// browser's page reads past it; deleting it again, or one never stored,
// is one clear error.
func TestJetStreamDeleteMsg(t *testing.T) {
	j, _, s, all := actionStream(t, 30)
	ctx := testCtx(t)
	victim := all[5].seq
	if err := j.DeleteMsg(ctx, "A", victim); err != nil {
		t.Fatal(err)
	}
	var want []stored
	for _, m := range all {
		if m.seq != victim {
			want = append(want, stored{seq: m.seq, subj: m.subj})
		}
	}
	if got := held(t, s); !slices.Equal(subjectsSeqs(got), subjectsSeqs(want)) {
		t.Fatalf("after deleting #%d the stream holds\n%q\nwant\n%q", victim, subjectsSeqs(got), subjectsSeqs(want))
	}
	page, err := j.Page(ctx, "A", model.PageQuery{From: all[4].seq, Size: 2})
	if err != nil || len(page.Msgs) != 2 || page.Msgs[0].Seq != all[4].seq || page.Msgs[1].Seq != all[6].seq {
		t.Fatalf("the page from #%d: %+v, %v; want #%d then #%d", all[4].seq, page.Msgs, err, all[4].seq, all[6].seq)
	}
	for _, seq := range []uint64{victim, 2, 1000} {
		err := j.DeleteMsg(ctx, "A", seq)
		if !errors.Is(err, ErrNoMessage) || strings.Contains(err.Error(), "\n") {
			t.Errorf("delete #%d (not stored): %v; want one line saying no such message", seq, err)
		}
	}
}

// TestJetStreamKVPutDelete: a put adds a revision with the value, a
// delete a delete marker, both in the key's history.
func TestJetStreamKVPutDelete(t *testing.T) {
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "status", History: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	rev, err := j.KVPut(ctx, "status", "driver.7", []byte("en-route"))
	if err != nil || rev != 2 {
		t.Fatalf("put: revision %d, %v; want 2", rev, err)
	}
	if rev, err = j.KVPut(ctx, "status", "driver.7", []byte("delivering")); err != nil || rev != 3 {
		t.Fatalf("second put: revision %d, %v; want 3", rev, err)
	}
	if err := j.KVDelete(ctx, "status", "driver.7"); err != nil {
		t.Fatal(err)
	}
	hist, err := j.History(ctx, "status", "driver.7")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, fmt.Sprintf("%d %s %s", e.Revision, e.Op, e.Value))
	}
	if want := []string{"2 put en-route", "3 put delivering", "4 delete "}; !slices.Equal(got, want) {
		t.Fatalf("history %q, want %q", got, want)
	}
	if e, err := kv.Get(ctx, "other"); err != nil || string(e.Value()) != "x" {
		t.Fatalf("the other key: %v, %v", e, err)
	}
}

// TestJetStreamKVCreate: a create adds a key that was not there (or was
// deleted); on a key that holds a value it is refused with ErrKeyExists in
// one line and the value stays; a bad key is refused before anything is
// sent.
func TestJetStreamKVCreate(t *testing.T) {
	srv := testkit.JetStreamServer(t)
	nc := testkit.Conn(t, srv.ClientURL())
	js, _ := jetstream.New(nc)
	j := testJetStream(t, nc)
	ctx := testCtx(t)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "drivers", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, "lisbon.7", "idle"); err != nil {
		t.Fatal(err)
	}
	rev, err := j.KVCreate(ctx, "drivers", "lisbon.42", []byte(`{"status":"idle"}`))
	if err != nil || rev != 2 {
		t.Fatalf("create: revision %d, %v; want 2", rev, err)
	}
	if e, err := kv.Get(ctx, "lisbon.42"); err != nil || string(e.Value()) != `{"status":"idle"}` {
		t.Fatalf("the created key: %v, %v", e, err)
	}

	_, err = j.KVCreate(ctx, "drivers", "lisbon.7", []byte("busy"))
	if !errors.Is(err, ErrKeyExists) || strings.Contains(err.Error(), "\n") ||
		err.Error() != `bucket "drivers": create "lisbon.7": the key exists` {
		t.Fatalf("create on a key with a value: %v; want one line saying it exists", err)
	}
	if e, err := kv.Get(ctx, "lisbon.7"); err != nil || string(e.Value()) != "idle" {
		t.Fatalf("the refused create changed lisbon.7: %v, %v", e, err)
	}

	// A deleted key holds no value: it can be created again.
	if err := kv.Delete(ctx, "lisbon.7"); err != nil {
		t.Fatal(err)
	}
	if rev, err := j.KVCreate(ctx, "drivers", "lisbon.7", []byte("back")); err != nil || rev != 4 {
		t.Fatalf("create after a delete: revision %d, %v; want 4", rev, err)
	}

	before, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, want string }{
		{"a b", `key "a b": not a valid key`},
		{"a..b", `key "a..b": not a valid key`},
		{"a.*", `key "a.*": not a valid key`},
		{"café", `key "café": not a valid key`},
		{"", `key "": not a valid key`},
	} {
		_, err := j.KVCreate(ctx, "drivers", tc.key, []byte("x"))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("create %q: %v; want %q…", tc.key, err, tc.want)
		}
	}
	if _, err := j.KVCreate(ctx, "nope", "k", nil); err == nil || err.Error() != `bucket "nope": not found` {
		t.Errorf("create in a missing bucket: %v", err)
	}
	after, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before.Values() != after.Values() {
		t.Fatalf("bad keys changed the bucket: %d values, want %d", after.Values(), before.Values())
	}
}

// TestJetStreamActionsBadInput: bad names, filters, keys and sequences,
// missing streams and buckets: one clear line each, nothing sent.
func TestJetStreamActionsBadInput(t *testing.T) {
	j, _, s, all := actionStream(t, 20)
	ctx := testCtx(t)
	if _, err := jetstream.New(j.nc); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(j.nc)
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "kv"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"purge a bad name", second(j.Purge(ctx, "a.b", "", 0)), `stream "a.b": not a valid stream name`},
		{"purge a bad filter", second(j.Purge(ctx, "A", "a..b", 0)), `subject filter "a..b": not a valid subject pattern`},
		{"purge a missing stream", second(j.Purge(ctx, "NOPE", "", 0)), `purge stream "NOPE": stream not found`},
		{"delete a bad name", j.DeleteMsg(ctx, "", 1), `stream "": not a valid stream name`},
		{"delete sequence 0", j.DeleteMsg(ctx, "A", 0), "sequence 0: sequences start at 1"},
		{"delete in a missing stream", j.DeleteMsg(ctx, "NOPE", 1), `delete stream "NOPE" #1: stream not found`},
		{"put a bad bucket", second(j.KVPut(ctx, "a b", "k", nil)), `bucket "a b": not a valid bucket name`},
		{"put a bad key", second(j.KVPut(ctx, "kv", "k.*", nil)), `key "k.*": not a valid key (letters, digits, -/_=. only)`},
		{"put in a missing bucket", second(j.KVPut(ctx, "nope", "k", nil)), `bucket "nope": not found`},
		{"delete a bad key", j.KVDelete(ctx, "kv", "a..b"), `key "a..b": not a valid key (an empty token)`},
		{"delete in a missing bucket", j.KVDelete(ctx, "nope", "k"), `bucket "nope": not found`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: %v; want %q", tc.name, tc.err, tc.want)
		}
	}
	if got := held(t, s); len(got) != len(all) {
		t.Fatalf("bad input changed the stream: %d messages, want %d", len(got), len(all))
	}
}

func second[T any](_ T, err error) error { return err }

// TestJetStreamActionsDenied: a user who may read a stream but not purge
// it or delete from it gets the permissions error, not a wait to the
// deadline.
func TestJetStreamActionsDenied(t *testing.T) {
	srv := testkit.JetStreamServer(t, func(o *server.Options) {
		o.Users = []*server.User{
			{Username: "admin", Password: "p"},
			{Username: "ro", Password: "p", Permissions: &server.Permissions{
				Publish: &server.SubjectPermission{Allow: []string{">"}, Deny: []string{"$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.MSG.DELETE.>"}},
			}},
		}
	})
	admin := testkit.Conn(t, srv.ClientURL(), nats.UserInfo("admin", "p"))
	js, _ := jetstream.New(admin)
	ctx := testCtx(t)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "A", Subjects: []string{"a.>"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "a.x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	ro, err := NewJetStream(testkit.Conn(t, srv.ClientURL(), nats.UserInfo("ro", "p"), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})),
		JetStreamOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.StreamInfo(ctx, "A"); err != nil {
		t.Fatalf("ro may read: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = ro.Purge(short, "A", "", 0)
	if short.Err() != nil {
		t.Fatalf("the purge waited for its deadline: %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "permissions violation") || !strings.Contains(err.Error(), "STREAM.PURGE.A") {
		t.Fatalf("purge without permission: %v", err)
	}
	short, cancel = context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = ro.DeleteMsg(short, "A", 1)
	if short.Err() != nil {
		t.Fatalf("the delete waited for its deadline: %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "permissions violation") || !strings.Contains(err.Error(), "STREAM.MSG.DELETE.A") {
		t.Fatalf("delete without permission: %v", err)
	}
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Fatalf("the stream after denied actions: %v, %v", info, err)
	}
}

// TestJetStreamLastMsgAfterTheLastGoes: when the stream's last sequence is
// deleted, the last message is the one before it (nats-server's
// last_by_subj ">" says there is none), and the newest page holds the rest.
func TestJetStreamLastMsgAfterTheLastGoes(t *testing.T) {
	j, _, _, all := actionStream(t, 30)
	ctx := testCtx(t)
	last := all[len(all)-1].seq
	if err := j.DeleteMsg(ctx, "A", last); err != nil {
		t.Fatal(err)
	}
	m, err := j.LastMsg(ctx, "A", "")
	if want := all[len(all)-2].seq; err != nil || m.Seq != want {
		t.Fatalf("the last message after deleting #%d: %v, %v; want #%d", last, m, err, want)
	}
	page, err := j.Page(ctx, "A", model.PageQuery{Last: true, Size: 5})
	if err != nil || len(page.Msgs) != 5 || page.Msgs[4].Seq != all[len(all)-2].seq {
		t.Fatalf("the newest page after deleting the last message: %+v, %v", page.Msgs, err)
	}
	if _, err := j.Purge(ctx, "A", "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := j.LastMsg(ctx, "A", ""); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("the last message of an empty stream: %v", err)
	}
}
