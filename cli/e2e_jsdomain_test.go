package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/testkit"
)

// e2eStreamsDomain: the explorer on a leaf node asks the hub's JetStream
// with --js-domain hub, and with a context whose jetstream_domain is hub:
// the streams view's title names the domain, lists the hub's stream and
// not the leaf's, and browses its messages. A context with only an API
// prefix gets one line in the streams view, and the tree goes on.
func e2eStreamsDomain(t *testing.T, bin string) {
	hub, leaf := testkit.JetStreamDomains(t, "hub", "leaf")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct{ url, stream, subject string }{{hub.ClientURL(), "HUBS", "hub.>"}, {leaf.ClientURL(), "EDGE", "edge.>"}} {
		js, err := jetstream.New(testkit.Conn(t, c.url))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: c.stream, Subjects: []string{c.subject}}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"first", "second"} {
			if _, err := js.Publish(ctx, strings.TrimSuffix(c.subject, ">")+s, []byte(`{"from":"`+c.stream+`"}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	context := func(name, body string) string {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edge := context("edge", `{"url":"`+leaf.ClientURL()+`","jetstream_domain":"hub"}`)
	imported := context("imported", `{"url":"`+leaf.ClientURL()+`","jetstream_api_prefix":"JS.acme.API"}`)

	for _, args := range [][]string{{"-s", leaf.ClientURL(), "--js-domain", "hub"}, {"--context", edge}} {
		term := e2eStart(t, bin, 100, 30, args...)
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "connected") })
		e2eSend(t, term, "J")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return e2eHasAll(s, "JetStream streams · domain hub", "HUBS", "hub.>") && !strings.Contains(s, "EDGE")
		})
		e2eSend(t, term, "b")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return e2eHasAll(s, "HUBS · messages", "hub.first", "hub.second")
		})
		e2eSend(t, term, "\x1b")
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return !strings.Contains(s, "HUBS · messages") })
		e2eQuit(t, term)
	}

	term := e2eStart(t, bin, 100, 30, "--context", imported)
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "connected") })
	e2eSend(t, term, "J")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "JetStream streams", `JetStream API prefix "JS.acme.API": not supported by natsx`) && !strings.Contains(s, "EDGE")
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return !strings.Contains(s, "JetStream streams") })
	e2eQuit(t, term)
}
