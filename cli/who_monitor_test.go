package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestWhoCommandMonitor (issue 14 item 1): natsx who --monitor asks the
// server's HTTP monitoring port and names the subscriber; a bad or dead
// --monitor is one line and a non-zero exit.
func TestWhoCommandMonitor(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, testkit.Monitor)
	nc := testkit.Conn(t, s.ClientURL(), nats.Name("billing-svc"))
	if _, err := nc.Subscribe("billing.*", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	mon := testkit.MonitorURL(t, s)
	var out, errb bytes.Buffer
	if code := run([]string{"who", "-s", s.ClientURL(), "--timeout", "500ms", "--monitor", mon, "billing.new"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"billing.new: 1 subscriber (source: monitor", "billing-svc", "billing.*", "cannot see: only the server at the monitoring port " + mon} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--monitor", "ftp://x"}, "not an http:// or https:// monitoring URL"},
		{[]string{"--monitor", strings.Replace(s.ClientURL(), "nats://", "http://", 1)}, "not an HTTP server"},
	} {
		out.Reset()
		errb.Reset()
		args := append([]string{"who", "-s", s.ClientURL(), "--timeout", "500ms"}, append(tc.args, "billing.new")...)
		code := run(args, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), tc.want) || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
			t.Fatalf("%v: exit %d, stderr %q, want one line with %q", tc.args, code, errb.String(), tc.want)
		}
	}
	// --monitor with natsx's own broker: it is asked in process.
	errb.Reset()
	if code := run([]string{"--embedded", "--monitor", mon}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--monitor") {
		t.Fatalf("run --embedded --monitor: exit %d, stderr %q", code, errb.String())
	}
}
