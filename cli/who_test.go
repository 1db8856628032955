package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/engine"
	"natsx/testkit"
)

// whoServer is a real server with a subscriber on orders.* whose name
// carries an escape sequence, and one on payments.> that must not show.
func whoServer(t *testing.T) string {
	t.Helper()
	s := testkit.Server(t)
	for name, subj := range map[string]string{"evil\x1b[2J\tname": "orders.*", "payments": "payments.>"} {
		nc := testkit.Conn(t, s.ClientURL(), nats.Name(name))
		if _, err := nc.QueueSubscribe(subj, "workers", func(*nats.Msg) {}); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return s.ClientURL()
}

func TestWhoCommandTable(t *testing.T) {
	t.Parallel()
	url := whoServer(t)
	var out, errb bytes.Buffer
	if code := run([]string{"who", "-s", url, "--timeout", "500ms", "orders.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	if strings.ContainsAny(text, "\x1b\t") {
		t.Fatalf("unsanitized server strings reached the terminal: %q", text)
	}
	for _, want := range []string{"orders.new: 1 subscriber (source: acct", "cannot see: only this connection's account ($G)", "NAME", "orders.*", "workers", `evil\x1b[2J\tname`} {
		if !strings.Contains(text, want) {
			t.Fatalf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "payments") || strings.Contains(text, "partial") {
		t.Fatalf("output:\n%s", text)
	}
}

func TestWhoCommandJSONAndNobody(t *testing.T) {
	t.Parallel()
	url := whoServer(t)
	var out, errb bytes.Buffer
	if code := run([]string{"who", "-s", url, "--timeout", "500ms", "--json", "orders.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r engine.WhoResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if r.Source != engine.WhoAccount || len(r.Subscribers) != 1 || r.Subscribers[0].Queue != "workers" || r.Subscribers[0].Name != "evil\x1b[2J\tname" {
		t.Fatalf("result %+v", r)
	}

	out.Reset()
	if code := run([]string{"who", "-s", url, "--timeout", "500ms", "nobody.here"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "goes nowhere") {
		t.Fatalf("an empty answer must say the message goes nowhere:\n%s", out.String())
	}
}

func TestWhoCommandBadInput(t *testing.T) {
	t.Setenv("NATS_URL", "")
	runFail(t, []string{"who", "-s", "nats://127.0.0.1:1", "orders.*"}, "not a subject a message can be published on")
	runFail(t, []string{"who", "-s", "nats://127.0.0.1:1", "a b"}, "not a subject")
	if msg := runFail(t, []string{"who", "-s", "nats://127.0.0.1:1", "a.\x1b[31m.>"}, "not a subject"); strings.Contains(msg, "\x1b") {
		t.Errorf("escape reached stderr: %q", msg)
	}
	runFail(t, []string{"who", "orders.new"}, "who asks a running server")
	runFail(t, []string{"who", "-s", "nats://127.0.0.1:1", "orders.new"}, "connection refused")
	runFail(t, []string{"who", "-s", "nats://127.0.0.1:1", "--timeout", "0s", "orders.new"}, "--timeout")
}

// TestWriteWhoKindsAndProblems: a leafnode connection and an internal
// subscription say what they are; a partial answer says why.
func TestWriteWhoKindsAndProblems(t *testing.T) {
	t.Parallel()
	r := &engine.WhoResult{Subject: "orders.new", Source: engine.WhoSystem, Servers: []string{"n1", "n2"},
		Subscribers: []engine.Subscriber{
			{Name: "edge", Kind: "Leafnode", Server: "n2", Pattern: "orders.>", Account: "A"},
			{Kind: "internal", Server: "n1", Pattern: "orders.*", Account: "A"},
			{Name: "w1", Kind: "Client", Server: "n1", Pattern: "orders.*", Account: "A", Queue: "workers"},
			{Name: "w2", Kind: "Client", Server: "n2", Pattern: "orders.new", Account: "A", Queue: "workers"},
			{Name: "solo", Kind: "Client", Server: "n2", Pattern: "orders.new", Account: "B", Queue: "workers"},
		},
		OwnLeftOut: 2, Problems: []string{"n3 did not answer within 2s"}}
	var out bytes.Buffer
	if err := writeWho(&out, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 subscribers (source: sys; 2 servers answered: n1, n2)", "edge (leafnode)", "(internal)",
		"queue group workers (account A): each message goes to one of its 2 members\nleft",
		"left out: 2 subscriptions of natsx's own", "partial: n3 did not answer within 2s"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "goes nowhere") {
		t.Fatalf("a partial answer must not claim nobody listens:\n%s", out.String())
	}
}

// TestWhoCommandStreams: the streams that store the subject and the
// consumers that take it are listed; with nobody subscribed the message is
// said to be only stored.
func TestWhoCommandStreams(t *testing.T) {
	t.Parallel()
	s := testkit.JetStreamServer(t)
	js, _ := jetstream.New(testkit.Conn(t, s.ClientURL()))
	ctx := t.Context()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "ship", FilterSubject: "orders.new"}); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"who", "-s", s.ClientURL(), "--timeout", "500ms", "orders.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"stream ORDERS (limits) stores it as orders.>; consumers: ship on orders.new (pull, 0 pending)",
		"a message published on orders.new now is only stored"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
}
