package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// e2eKVCreateFollow: on the demo, n on the drivers bucket's keys makes a
// new key (a bad name refused in the prompt first), asked before it is
// put; the server then holds it. F in ORDERS' browser follows the end:
// the newest sequence shown grows while nothing is pressed.
func e2eKVCreateFollow(t *testing.T, bin string) {
	listen := e2eListen(t)
	term := e2eStart(t, bin, 120, 30, "--listen", listen)
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "connected") })
	e2eSend(t, term, "J")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasAll(s, "JetStream streams", "KV_drivers") })
	e2eSend(t, term, "gjK") // JOBS, KV_drivers, ORDERS by name
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasAll(s, "drivers · keys", "n new") })
	e2eSend(t, term, "nbad key\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, `key "bad key": not a valid key`) })
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return !strings.Contains(s, "not a valid key") })
	e2eSend(t, term, "ne2e.new\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "new e2e.new>") })
	e2eSend(t, term, `{"status":"new"}`+"\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "create e2e.new in drivers (16 B)? y/N") })
	e2eSend(t, term, "y")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, "created e2e.new in drivers: revision") && strings.Contains(s, "e2e.new\n")
	})
	js, err := jetstream.New(e2eConnect(t, "nats://"+listen))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), "drivers")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(context.Background(), "e2e.new"); err != nil || string(e.Value()) != `{"status":"new"}` {
		t.Fatalf("e2e.new after the create: %v, %v", e, err)
	}

	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "JetStream streams") })
	e2eSend(t, term, "gjj")
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "ORDERS · messages") })
	e2eSend(t, term, "F")
	var first string
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		first = newestShown.FindString(s)
		return strings.Contains(s, "ORDERS · messages · following") && first != ""
	})
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		l := newestShown.FindString(s)
		return l != "" && l != first
	})
	e2eQuit(t, term)
}

// newestShown is the browser title's range of sequences shown.
var newestShown = regexp.MustCompile(`#\d+-#\d+`)
