package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/testkit"
)

// TestRecordDisconnects covers issue 12 item 5 (CLI and recorder part):
// the server goes away twice during a recording; the capture holds both
// outages with their times, and inspect (text and JSON) and export show
// them, where before they looked like quiet traffic ("gaps 0").
func TestRecordDisconnects(t *testing.T) {
	if raceDetector {
		// nats-server 2.15.2 itself races here: an account-scoped CONNZ
		// (natsx asking why it was disconnected, engine/loss.go) reads a
		// client's cid (server/monitor.go:297) that a client connecting at
		// the same moment is writing (client.go:725, initClient), about
		// one run in eight. Not natsx's code; the test runs without -race
		// (the README's go test ./...).
		t.Skip("nats-server 2.15.2 races in CONNZ against a connecting client; run without -race")
	}
	t.Setenv("NATS_URL", "")
	s := testkit.Server(t)
	port := s.Addr().(*net.TCPAddr).Port
	url := s.ClientURL()
	path := filepath.Join(t.TempDir(), "flaky.natsx")
	before := s.NumSubscriptions()
	done := make(chan string, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"record", "-s", url, "--out", path, "--count", "3"}, &out, &errb)
		done <- fmt.Sprintf("%d %s%s", code, out.String(), errb.String())
	}()
	waitSubs(t, s, before)
	publish := func(s *server.Server) {
		nc := testkit.Conn(t, s.ClientURL())
		_ = nc.Publish("flaky.x", []byte("x"))
		_ = nc.Flush()
		nc.Close()
	}
	publish(s)
	for range 2 {
		s.Shutdown()
		s.WaitForShutdown()
		time.Sleep(300 * time.Millisecond) // an outage long enough to see
		s = testkit.Server(t, func(o *server.Options) { o.Port = port })
		// The same server, so the same subscriptions of its own as before
		// the recorder started (counting them now raced the recorder's
		// reconnect, 250 ms on, when the server was slow to start).
		waitSubs(t, s, before)
		publish(s)
	}
	var res string
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("record did not finish")
	}
	if !strings.HasPrefix(res, "0 ") || !strings.Contains(res, "2 disconnections") {
		t.Fatalf("record: %s", res)
	}
	var j struct {
		Messages, Gaps, Disconnects uint64
		OfflineNS                   int64 `json:"offline_ns"`
		Outages                     []struct {
			Start, End time.Time
			Open       bool
		}
	}
	if err := json.Unmarshal([]byte(runOK(t, "inspect", "--json", path)), &j); err != nil {
		t.Fatal(err)
	}
	if j.Messages != 3 || j.Gaps != 0 || j.Disconnects != 2 || len(j.Outages) != 2 || j.OfflineNS < int64(500*time.Millisecond) {
		t.Fatalf("inspect --json: %+v", j)
	}
	for _, o := range j.Outages {
		if o.Open || o.End.Sub(o.Start) < 250*time.Millisecond {
			t.Fatalf("outage %+v: want closed and at least the 300 ms the server was gone", o)
		}
	}
	text := runOK(t, "inspect", path)
	if !strings.Contains(text, "2 disconnections") || strings.Count(text, "\noutage ") != 2 {
		t.Fatalf("inspect:\n%s", text)
	}
	// Durations are rounded for a person (8.24s, 512ms), not 8.23999466s.
	if !regexp.MustCompile(`(?m)^duration +\d{1,3}(\.\d{1,2})?(µs|ms|s)$`).MatchString(text) ||
		!regexp.MustCompile(`(?m)^outage .*, \d{1,3}(\.\d{1,2})?(µs|ms|s)$`).MatchString(text) {
		t.Fatalf("inspect's durations are not rounded:\n%s", text)
	}
	nd := runOK(t, "export", path)
	if strings.Count(nd, `"source":"disconnected"`) != 2 || strings.Count(nd, `"source":"reconnected"`) != 2 {
		t.Fatalf("export:\n%s", nd)
	}
}
