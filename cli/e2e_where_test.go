package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

// TestE2EWhere: in the real binary, f with "PATTERN where EXPR" opens a
// pane that keeps only the messages the expression holds for and counts
// the ones it cannot decide; a malformed expression is refused in the
// prompt with its place, and no pane opens.
func TestE2EWhere(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests build and run the binary")
	}
	bin := buildNatsx(t)
	term := e2eStart(t, bin, 120, 32, "--no-demo", "--listen", e2eListen(t))
	url := e2eWaitURL(t, term)
	e2eSend(t, term, "f")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "filter>") })
	e2eSend(t, term, "e2e.> where .total >")
	e2eSend(t, term, "\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, "✗ where: line 1, column 9: unexpected end of the expression")
	})
	e2eSend(t, term, ` 1000 && header("X-Tenant") == "acme"`)
	e2eSend(t, term, "\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, `1 e2e.> where .total > 1000 && header("X-Tenant") == "acme" 0 msgs`)
	})
	nc := e2eConnect(t, url)
	for i := range 30 {
		m := &nats.Msg{Subject: fmt.Sprintf("e2e.order.%d", i), Header: nats.Header{"X-Tenant": {"acme"}},
			Data: []byte(fmt.Sprintf(`{"total": %d, "id": "id-%d"}`, i*100, i))}
		if i%2 == 1 {
			m.Header.Set("X-Tenant", "other")
		}
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	_ = nc.Publish("e2e.text", []byte("not json"))
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Matches: acme (even i) with total > 1000: i = 12, 14, …, 28.
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return strings.Contains(s, " 9 msgs") && strings.Contains(s, "missed 1 (the payload is not JSON)") &&
			strings.Contains(s, "id-28") && strings.Contains(s, "id-12")
	})
	if s := term.Screen(); strings.Contains(s, `"id-10"`) || strings.Contains(s, `"id-13"`) {
		t.Fatalf("the pane shows a message its condition refuses:\n%s", s)
	}
	e2eQuit(t, term)
}
