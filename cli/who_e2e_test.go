package cli

import (
	"strings"
	"testing"
	"time"
)

// e2eWho: in the real binary on the demo, w on orders.create lists
// the demo's responder (a queue subscription to orders.*), the ORDERS
// stream and its consumer on orders.create, and natsx's own tap left out;
// T then shows the trace-only path to the responder; esc goes back.
func e2eWho(t *testing.T, bin string) {
	term := e2eStart(t, bin, 100, 30, "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "connected") && strings.Contains(s, "▸ orders") })
	// The search lands on orders.create once the demo has published
	// there: search again until it has.
	for i := 0; ; i++ {
		e2eSend(t, term, "/orders.create\r")
		if term.WaitFor(2*time.Second, func(s string) bool { return e2eHasLine(s, "orders.create") }) {
			break
		}
		if i == 7 {
			t.Fatalf("orders.create not selected:\n%s", term.Screen())
		}
	}
	e2eSend(t, term, "w")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "Who gets orders.create", "source: embedded", "natsx-demo", "orders.*",
			"stream ORDERS (limits) stores it as orders.>", "left out: 1 subscription of natsx's own")
	})
	e2eSend(t, term, "T")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "Trace of orders.create", "trace only", `in      client "natsx"`, `out     client "natsx-demo"`,
			"js      stream ORDERS")
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return !strings.Contains(s, "Trace of") && strings.Contains(s, "▾ orders")
	})
	e2eQuit(t, term)
}

// e2eNoListenerAndConns: in the real binary on the demo, the demo's
// drivers.* positions have no subscriber but natsx's tap: the header
// counts subjects nobody listens on and the drivers branch is marked ∅;
// :conns lists the demo's connection and natsx's own.
func e2eNoListenerAndConns(t *testing.T, bin string) {
	term := e2eStart(t, bin, 120, 30, "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		if !strings.Contains(s, "∅ unheard") {
			return false
		}
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "▸ drivers") && strings.Contains(l, "∅") {
				return true
			}
		}
		return false
	})
	e2eSend(t, term, ":conns\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "Connections · sort msgs ↓", "natsx-demo", "* natsx", "source embedded")
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return !strings.Contains(s, "Connections ·") })
	e2eQuit(t, term)
}
