package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/testkit"
)

func TestSessionPublishAndRequest(t *testing.T) {
	s := testkit.Server(t)
	sess, err := Open(SessionOptions{Conn: ConnOptions{Servers: s.ClientURL()}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()

	// Publish with headers and a reply subject: the tap sees it intact.
	if err := sess.Publish("form.x", "form.reply", model.Header{"K": {"v"}}, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]model.Message, 4)
	deadline := time.Now().Add(5 * time.Second)
	var got []model.Message
	for cursor := uint64(0); len(got) == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		n, next, _ := sess.Read(cursor, buf)
		got, cursor = append(got, buf[:n]...), next
	}
	if len(got) != 1 || got[0].Subject != "form.x" || got[0].Reply != "form.reply" || got[0].Header["K"][0] != "v" || string(got[0].Data) != "hi" {
		t.Fatalf("tap saw %+v", got)
	}

	// With the ">" tap natsx itself is interest, so the server cannot say
	// "no responders": the request times out, and the error says why.
	_, _, err = sess.Request("nobody.home", nil, nil, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "tap") {
		t.Fatalf("want a timeout explaining the tap, got %v", err)
	}
	// Without the tap (scoped mode) "no responders" is said as such.
	// (on a server of its own: the first session's tap would be interest).
	s2 := testkit.Server(t)
	scoped, err := Open(SessionOptions{Conn: ConnOptions{Servers: s2.ClientURL()}, NoTap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer scoped.Close()
	if _, _, err := scoped.Request("nobody.home", nil, nil, time.Second); err == nil || !strings.Contains(err.Error(), "no responders") {
		t.Fatalf("want no responders, got %v", err)
	}

	// A responder answers; the RTT is measured.
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Subscribe("echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("echo:"), m.Data...)) }); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	resp, rtt, err := sess.Request("echo", nil, []byte("ping"), 2*time.Second)
	if err != nil || string(resp.Data) != "echo:ping" || rtt <= 0 {
		t.Fatalf("request: %v %q %v", err, resp.Data, rtt)
	}

	// A silent subscriber means a timeout, reported with the subject.
	if _, err := nc.Subscribe("silent", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	// Short enough for an 80-column footer beside the prompt's hint.
	if _, _, err := sess.Request("silent", nil, nil, 100*time.Millisecond); err == nil || err.Error() != `no reply on "silent" in 100ms (no responders? natsx's tap hides that)` {
		t.Fatalf("want a timeout, got %v", err)
	}
}
