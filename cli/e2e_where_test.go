package cli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
	"natsx/recorder"
)

// e2eWhere: in the real binary, f with "PATTERN where EXPR" opens a
// pane that keeps only the messages the expression holds for and counts
// the ones it cannot decide; a malformed expression is refused in the
// prompt with its place, and no pane opens.
func e2eWhere(t *testing.T, bin string) {
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

// e2eBreakOpen: natsx open at max speed with a breakpoint stops the
// player exactly at the first matching message, message 1,234 of 3,000:
// the inspector shows it and the tree counted 1,234 messages.
func e2eBreakOpen(t *testing.T, bin string) {
	path := filepath.Join(t.TempDir(), "temps.natsx")
	w, err := recorder.Create(path, recorder.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := timelineStart.UnixNano()
	for i := 1; i <= 3000; i++ {
		temp := 20 + i%50
		if i == 1234 || i == 2000 {
			temp = 85
		}
		m := model.Message{Received: start + int64(i)*int64(time.Millisecond), Subject: fmt.Sprintf("sensors.s%d.temp", i%7),
			Data: []byte(fmt.Sprintf(`{"n": %d, "temp": %d}`, i, temp))}
		m.Size = len(m.Data)
		if err := w.WriteMessage(&m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	term := e2eStart(t, bin, 120, 36, "open", path, "--paused", "--speed", "max", "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasAll(s, "connected", "⏸ max", "3.0k msgs") })
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "break>") })
	e2eSend(t, term, "\x7fsensors.> where .temp > 80\r")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "breakpoint 1: sensors.> where .temp > 80") })
	e2eSend(t, term, " ")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "⏸ breakpoint 1 · 1 hit", `"n": 1234`, "⏸ max", "msgs 1.2k")
	})
	// Stopped exactly there: messages 1 to 1,234 on sensors.s(i%7): 177
	// each on s1 and s2, 176 on the others (the tree opens on the hit).
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "▸ s0                       176 ", "▸ s1                       177 ",
			"▾ s2                       177 ", "▸ s6                       176 ")
	})
	if s := term.Screen(); strings.Contains(s, `"n": 1235`) || strings.Contains(s, " 178 ") {
		t.Fatalf("the player went past the breakpoint:\n%s", s)
	}
	// b goes on to the next match, message 2,000.
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return e2eHasAll(s, "⏸ breakpoint 1 · 2 hits", `"n": 2000`, "msgs 2.0k")
	})
	e2eQuit(t, term)
}

// e2eBreakLive: on the demo traffic, a breakpoint with a payload
// condition stops the display on a matching message; b goes on.
func e2eBreakLive(t *testing.T, bin string) {
	term := e2eStart(t, bin, 120, 36, "--listen", e2eListen(t))
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return e2eHasAll(s, "connected", "sensors") })
	e2eSend(t, term, "b")
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool { return strings.Contains(s, "break>") })
	e2eSend(t, term, "\x7fsensors.*.*.co2 where .value > 450\r")
	value := regexp.MustCompile(`"value": (\d+)`)
	check := func(hits string) {
		t.Helper()
		e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
			return e2eHasAll(s, "⏸ breakpoint 1 · "+hits, `-co2"`) && value.MatchString(s)
		})
		s := term.Screen()
		v, _ := strconv.Atoi(value.FindStringSubmatch(s)[1])
		if v <= 450 {
			t.Fatalf("stopped on a value of %d:\n%s", v, s)
		}
		// The display holds the hit while the demo goes on.
		if again := term.Screen(); value.FindString(again) != value.FindString(s) {
			t.Fatalf("the inspector left the hit:\n%s", again)
		}
	}
	check("1 hit")
	e2eSend(t, term, "b")
	check("2 hits")
	e2eQuit(t, term)
}
