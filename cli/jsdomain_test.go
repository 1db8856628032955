package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// TestRecordStreamDomain: on a leaf node, record --stream reads the hub's
// stream when --js-domain or the context's jetstream_domain names the
// hub's domain (the flag winning over the context), and the leaf's own
// stream of the same name without one; who lists the hub's stream.
func TestRecordStreamDomain(t *testing.T) {
	t.Setenv("NATS_URL", "")
	hub, leaf := testkit.JetStreamDomains(t, "hub", "leaf")
	hubMsgs := fillEvents(t, hub.ClientURL(), jetstream.LimitsPolicy)
	// The leaf's own EVENTS, on other subjects (a leafnode shares the
	// account's interest: a stream on ev.> on both sides would store both
	// sides' publishes).
	ljs, err := jetstream.New(testkit.Conn(t, leaf.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := ljs.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"edge.>"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"edge.one", "edge.two"} {
		if _, err := ljs.Publish(ctx, s, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	leafURL := leaf.ClientURL()
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name+".natsx") }
	subjects := func(path string) []string {
		var s []string
		for _, m := range readCapture(t, path) {
			s = append(s, m.subject)
		}
		return s
	}

	said := runOK(t, "record", "-s", leafURL, "--js-domain", "hub", "--stream", "EVENTS", "--out", out("flag"))
	sameMessages(t, readCapture(t, out("flag")), hubMsgs)
	if !strings.Contains(said, "recorded 29 messages of stream EVENTS") {
		t.Fatalf("record said %q", said)
	}
	runOK(t, "record", "-s", leafURL, "--stream", "EVENTS", "--out", out("own"))
	if got := subjects(out("own")); strings.Join(got, " ") != "edge.one edge.two" {
		t.Fatalf("without a domain, from the leaf: %v, want the leaf's own EVENTS", got)
	}

	// natscli contexts: the domain the user configured, the flag over it.
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	writeContext := func(name, body string) {
		p := filepath.Join(cfg, "nats", "context", name+".json")
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeContext("edge", `{"url":"`+leafURL+`","jetstream_domain":"hub"}`)
	writeContext("imported", `{"url":"`+leafURL+`","jetstream_api_prefix":"JS.acme.API"}`)
	runOK(t, "record", "--context", "edge", "--stream", "EVENTS", "--out", out("ctx"))
	sameMessages(t, readCapture(t, out("ctx")), hubMsgs)
	runOK(t, "record", "--context", "edge", "--js-domain", "leaf", "--stream", "EVENTS", "--out", out("ctxflag"))
	if got := subjects(out("ctxflag")); strings.Join(got, " ") != "edge.one edge.two" {
		t.Fatalf("--js-domain leaf over the context's hub: %v, want the leaf's EVENTS", got)
	}
	runFail(t, []string{"record", "--context", "imported", "--stream", "EVENTS", "--out", out("prefix")},
		`JetStream API prefix "JS.acme.API": not supported by natsx`)
	if _, err := os.Stat(out("prefix")); err == nil {
		t.Fatal("a refused record left a file")
	}
	// With a domain the prefix is not used.
	runOK(t, "record", "--context", "imported", "--js-domain", "hub", "--stream", "EVENTS", "--count", "3", "--out", out("prefixflag"))
	sameMessages(t, readCapture(t, out("prefixflag")), hubMsgs[:3])

	// who: the hub's stream stores ev.a; the leaf's does not.
	var whoOut, whoErr bytes.Buffer
	if code := run([]string{"who", "-s", leafURL, "--js-domain", "hub", "--json", "ev.a"}, &whoOut, &whoErr); code != 0 {
		t.Fatalf("who: exit %d: %s", code, whoErr.String())
	}
	var r struct {
		Streams []struct{ Name, Subject string }
	}
	if err := json.Unmarshal(whoOut.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Streams) != 1 || r.Streams[0].Name != "EVENTS" || r.Streams[0].Subject != "ev.>" {
		t.Fatalf("who ev.a in domain hub: %+v", r.Streams)
	}
}

// TestJetStreamDomainFlagBadInput: a malformed domain, or one where no
// server is named, is one line and exit 1 before anything connects.
func TestJetStreamDomainFlagBadInput(t *testing.T) {
	t.Setenv("NATS_URL", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no selected context
	out := filepath.Join(t.TempDir(), "x.natsx")
	// An address nothing listens on: a check after connecting would
	// answer "connection refused" instead.
	dead := "nats://127.0.0.1:1"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"record", "-s", dead, "--out", out, "--stream", "S", "--js-domain", "a.b"}, `--js-domain: "a.b" is not a valid JetStream domain`},
		{[]string{"record", "-s", dead, "--out", out, "--stream", "S", "--js-domain", "h*"}, "not a valid JetStream domain"},
		{[]string{"record", "-s", dead, "--out", out, "--js-domain", "hub"}, "--js-domain reads a stream"},
		{[]string{"record", "--out", out, "--stream", "S", "--js-domain", "hub"}, "the embedded broker has none"},
		{[]string{"run", "-s", dead, "--js-domain", "a b"}, "not a valid JetStream domain"},
		{[]string{"run", "--embedded", "--js-domain", "hub"}, "the embedded broker has none"},
		{[]string{"who", "-s", dead, "--js-domain", "x\x1b[2J", "a.b"}, "not a valid JetStream domain"},
		{[]string{"tree", "-s", dead, "--js-domain", "hub"}, "unknown flag --js-domain"},
	} {
		msg := runFail(t, c.args, c.want)
		if strings.Contains(msg, "\x1b") {
			t.Fatalf("natsx %v: an escape reached stderr: %q", c.args, msg)
		}
	}
}
