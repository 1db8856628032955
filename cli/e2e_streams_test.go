package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// e2eStreams: on the demo, S lists the demo's streams from the embedded
// broker's JetStream, and the list refreshes (JOBS' count changes while
// the view stays open); esc goes back to the tree.
func e2eStreams(t *testing.T, bin string) {
	listen := e2eListen(t)
	term := e2eStart(t, bin, 120, 30, "--listen", listen, "--demo-rate", "2000")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "connected") })
	e2eSend(t, term, "J")
	var first string
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		if !e2eHasAll(s, "JetStream streams", "ORDERS", "orders.>", "JOBS", "workqueue", "KV_drivers") {
			return false
		}
		first = streamLine(s, "KV_drivers")
		return true
	})
	// The bucket grows by 20 revisions a second at this rate: a refresh
	// shows another count.
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		l := streamLine(s, "KV_drivers")
		return l != "" && l != first
	})
	// enter on JOBS (first in name order): its consumers board lists the
	// demo's slow worker with its numbers; esc goes back to the list.
	e2eSend(t, term, "g")
	e2eSend(t, term, "\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "JOBS · consumers", "PENDING", "ACKPEND", "DIAGNOSIS") && consumerRow(s, "workers", "pull")
	})
	// b on the board: JOBS' messages, a work queue, browsed without a
	// consumer; esc back to the streams, then ORDERS' newest messages and
	// one shown in the inspector.
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		if strings.Contains(s, "no messages in this stream") {
			e2eSend(t, term, "G") // the workers drained the queue: read the end again
		}
		return e2eHasAll(s, "JOBS · messages", "SEQ", "STORED", "jobs.", `{"job_id":`)
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "JetStream streams", "KV_drivers") && !strings.Contains(s, "· messages")
	})
	e2eSend(t, term, "jj")
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "ORDERS · messages", "orders.", `{"order_id":`)
	})
	e2eSend(t, term, "\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "ORDERS · sequence", "· stored", "Content-Type: application/json")
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, "ORDERS · messages") && !strings.Contains(s, "ORDERS · sequence")
	})
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "JetStream streams", "KV_drivers") && !strings.Contains(s, "· messages")
	})
	// Browsing left no consumer: the demo's one on each stream.
	js, err := jetstream.New(e2eConnect(t, "nats://"+listen))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ORDERS", "JOBS"} {
		st, err := js.Stream(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if n := st.CachedInfo().State.Consumers; n != 1 {
			t.Fatalf("%s has %d consumers after browsing, want the demo's 1", name, n)
		}
	}
	e2eSend(t, term, "\x1b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return !strings.Contains(s, "JetStream streams") && strings.Contains(s, "▸ orders")
	})
	e2eQuit(t, term)
}

// streamLine is the messages and bytes of the stream row that starts with
// name ("" when none): the columns a refresh changes (the ages change
// with every frame).
func streamLine(screen, name string) string {
	for l := range strings.SplitSeq(screen, "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[0] == name {
			return strings.Join(f[2:5], " ")
		}
	}
	return ""
}

// consumerRow reports whether the board on screen has a row for the
// consumer name of that kind.
func consumerRow(screen, name, kind string) bool {
	for l := range strings.SplitSeq(screen, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == name && f[1] == kind {
			return true
		}
	}
	return false
}
