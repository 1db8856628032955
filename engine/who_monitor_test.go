package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/testkit"
)

// TestWhoMonitor (issue 14 item 1, fourth source): with --monitor and no
// system account, who asks the server's HTTP monitoring port: subscribers
// of every account, named by /connz, natsx's own left out.
func TestWhoMonitor(t *testing.T) {
	t.Parallel()
	s := testkit.Server(t, accountsConfig(), testkit.Monitor, func(o *server.Options) { o.ServerName = "mon" })
	url := s.ClientURL()
	subscribe(t, withUser(url, "a"), "a-svc", "orders.new")
	subscribe(t, withUser(url, "b"), "b-svc", "orders.* workers")
	subscribe(t, withUser(url, "b"), "b-other", "billing.>")
	mon, err := ParseMonitorURL(testkit.MonitorURL(t, s) + "/")
	if err != nil {
		t.Fatal(err)
	}
	nc := natsxConn(t, url, nats.UserInfo("a", "a"))
	a := NewWhoAsker(nc, nil, WhoOptions{Timeout: time.Second, Monitor: mon})
	r, err := a.Who(context.Background(), "orders.new")
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != WhoMonitor || a.Probed() != WhoMonitor {
		t.Fatalf("source %q, probed %q", r.Source, a.Probed())
	}
	wantRows(t, r, "a-svc A mon orders.new", "b-svc B mon orders.* workers")
	if r.OwnLeftOut != 1 {
		t.Fatalf("own left out %d", r.OwnLeftOut)
	}
	for _, sub := range r.Subscribers {
		if sub.Lang != "go" || sub.Kind != "Client" {
			t.Fatalf("not named by /connz: %+v", sub)
		}
		if sub.Pattern == "orders.*" && sub.Queue != "workers" {
			t.Fatalf("queue %q", sub.Queue)
		}
	}
	if r.Partial() || !strings.Contains(r.Headline(), "source: monitor") {
		t.Fatalf("headline %q problems %v", r.Headline(), r.Problems)
	}

	// The system account sees every server: it wins over the port.
	sys := NewWhoAsker(natsxConn(t, url, nats.UserInfo("sys", "sys")), nil, WhoOptions{Timeout: time.Second, Monitor: mon})
	if r, err := sys.Who(context.Background(), "orders.new"); err != nil || r.Source != WhoSystem {
		t.Fatalf("system account with --monitor: %v %+v", err, r)
	}
}

// TestWhoMonitorBad: a bad URL, a closed port, an HTTP server that is not
// a NATS monitor and a NATS client port are each one error line naming
// what is wrong.
func TestWhoMonitorBad(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "ftp://x:1", "http://", "http://h:1/?x=1", "nats://127.0.0.1:4222", " :: "} {
		if _, err := ParseMonitorURL(bad); !errors.Is(err, ErrBadMonitorURL) {
			t.Errorf("ParseMonitorURL(%q): %v", bad, err)
		}
	}
	if u, err := ParseMonitorURL("127.0.0.1:8222"); err != nil || u != "http://127.0.0.1:8222" {
		t.Errorf("bare host:port: %q %v", u, err)
	}

	s := testkit.Server(t)
	closed := "http://" + testkit.RefusedAddr(t)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	}))
	defer html.Close()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"server_id":"` + strings.Repeat("x", maxMonitorBody) + `"}`))
	}))
	defer huge.Close()
	for _, tc := range []struct{ url, want string }{
		{closed, "refused"},
		{html.URL, "not a NATS monitoring port"},
		{huge.URL, "larger than"},
		{"http://" + strings.TrimPrefix(s.ClientURL(), "nats://"), "not an HTTP server"},
	} {
		// A timeout a loaded machine under -race meets: reading the 8 MiB
		// body within 1 s failed once as "context deadline exceeded".
		a := NewWhoAsker(natsxConn(t, s.ClientURL()), nil, WhoOptions{Timeout: 10 * time.Second, Monitor: tc.url})
		_, err := a.Who(context.Background(), "orders.new")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tc.url, err, tc.want)
		}
	}
}
