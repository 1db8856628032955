package recorder

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// waitCond polls cond until it holds or 10 s pass.
func waitCond(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func publishAll(t testing.TB, nc *nats.Conn, msgs ...*nats.Msg) {
	t.Helper()
	for _, m := range msgs {
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func sameAsPublished(t testing.TB, i int, e *Entry, want *nats.Msg) {
	t.Helper()
	got := &e.Msg
	if e.Kind != KindMessage || got.Subject != want.Subject || got.Reply != want.Reply ||
		!bytes.Equal(got.Data, want.Data) || got.Size != len(want.Data) ||
		!reflect.DeepEqual(map[string][]string(got.Header), map[string][]string(want.Header)) {
		t.Fatalf("record %d: got %+v, want %+v", i, e, want)
	}
}

// TestLiveRecordsNewTrafficAndMarks records through a real session: the
// traffic from before the start is not recorded, the N messages after it
// are, and a marker set between two bursts lands exactly between them.
func TestLiveRecordsNewTrafficAndMarks(t *testing.T) {
	sess, err := engine.Open(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}, Store: recordingStore})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	pub := testkit.Conn(t, sess.Embedded().URL())
	for i := range 20 {
		publishAll(t, pub, &nats.Msg{Subject: "before.start", Data: []byte{byte(i)}})
	}
	waitCond(t, "the old traffic in the store", func() bool { return sess.Head() == 20 })

	path := filepath.Join(t.TempDir(), "live.natsx")
	r, err := StartLive(sess, sess.Head(), path, HeaderInfo{Server: "nats://alice:secret@127.0.0.1:4222", NatsxVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	const n, more = 1000, 25
	for i := range n {
		publishAll(t, pub, floodMessage(i))
	}
	waitCond(t, "n messages recorded", func() bool { return r.Status().Messages == n })
	if err := r.Mark("after n"); err != nil {
		t.Fatal(err)
	}
	for i := n; i < n+more; i++ {
		publishAll(t, pub, floodMessage(i))
	}
	waitCond(t, "all messages recorded", func() bool { return r.Status().Messages == n+more })
	st, err := r.Stop()
	if err != nil || st.Messages != n+more || st.Markers != 1 || st.Gaps != 0 || st.Err != "" || st.Path != path {
		t.Fatalf("status %+v, err %v", st, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 || uint64(fi.Size()) != st.Bytes {
		t.Fatalf("file %v (%v), status bytes %d", fi, err, st.Bytes)
	}
	if err := r.Mark("late"); !errors.Is(err, ErrLiveStopped) {
		t.Fatalf("Mark after Stop: %v", err)
	}
	if st2, err := r.Stop(); err != nil || st2 != st {
		t.Fatalf("second Stop: %+v %v", st2, err)
	}

	rd, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	info := rd.Info()
	if !info.Indexed || info.Messages != n+more || info.Markers != 1 {
		t.Fatalf("info %+v: want a closed capture with footer and index", info)
	}
	if h := rd.Header(); strings.Contains(h.Server, "secret") || h.NatsxVersion != "test" {
		t.Fatalf("header %+v", h)
	}
	it := rd.Iter()
	for i := 0; it.Next(); i++ {
		e := it.Entry()
		switch {
		case i < n:
			sameAsPublished(t, i, e, floodMessage(i))
		case i == n:
			if e.Kind != KindMarker || e.Label != "after n" {
				t.Fatalf("record %d: %v, want the marker", i, e)
			}
		default:
			sameAsPublished(t, i, e, floodMessage(i-1))
		}
	}
	stats, err := rd.Stats()
	if err != nil || stats.TornBytes != 0 || len(stats.Problems) != 0 || !stats.Indexed {
		t.Fatalf("stats %+v, err %v", stats, err)
	}
}

// TestLiveGapsAndTimeMarkers covers a feed without Head (markers placed by
// time) and both kinds of loss.
func TestLiveGapsAndTimeMarkers(t *testing.T) {
	now := time.Now().UnixNano()
	f := &sliceFeed{lose: map[uint64]uint64{0: 5}}
	for i := range 100 {
		f.msgs = append(f.msgs, model.Message{Received: now - int64(time.Hour) + int64(i), Subject: "a.b", Data: []byte("x")})
	}
	path := filepath.Join(t.TempDir(), "gaps.natsx")
	r, err := StartLive(f, 0, path, HeaderInfo{})
	if err != nil {
		t.Fatal(err)
	}
	waitCond(t, "100 messages", func() bool { return r.Status().Messages == 100 })
	if err := r.Mark("end"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the marker written", func() bool { return r.Status().Markers == 1 })
	f.mu.Lock()
	f.dropped = 3
	f.mu.Unlock()
	st, err := r.Stop()
	if err != nil || st.Gaps != 2 || st.Missed != 8 || st.Markers != 1 {
		t.Fatalf("status %+v, err %v", st, err)
	}
	rd, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var kinds []Kind
	it := rd.Iter()
	for it.Next() {
		if e := it.Entry(); e.Kind != KindMessage {
			kinds = append(kinds, e.Kind)
		}
	}
	// The store gap comes first; the marker was set after every message,
	// and the client drop noticed by the final drain follows it.
	if want := []Kind{KindGap, KindMarker, KindGap}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("non-message records %v, want %v", kinds, want)
	}
}

func TestLiveRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.natsx")
	if err := os.WriteFile(old, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &sliceFeed{}
	if _, err := StartLive(f, 0, old, HeaderInfo{}); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("StartLive over a file: %v", err)
	}
	if _, err := SaveMessages(old, nil, HeaderInfo{}); err == nil {
		t.Fatal("SaveMessages overwrote a file")
	}
	if b, _ := os.ReadFile(old); string(b) != "precious" {
		t.Fatalf("old file now %q", b)
	}
	if _, err := StartLive(f, 0, dir, HeaderInfo{}); err == nil {
		t.Fatal("StartLive on a directory")
	}
	if _, err := StartLive(f, 0, filepath.Join(dir, "no", "such", "dir.natsx"), HeaderInfo{}); err == nil {
		t.Fatal("StartLive in a missing directory")
	}

	// An empty file (say, from mktemp) is taken over, and made private.
	empty := filepath.Join(dir, "empty.natsx")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := StartLive(f, 0, empty, HeaderInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
		t.Fatalf("empty file after recording: %v %v", fi, err)
	}
}
