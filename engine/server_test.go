package engine

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"natsx/testkit"
)

func TestListenAddr(t *testing.T) {
	random := func(listen string) EmbeddedOptions { return EmbeddedOptions{Listen: listen, RandomPort: true} }
	tests := []struct {
		name     string
		o        EmbeddedOptions
		wantHost string
		wantPort int
		wantErr  string
	}{
		{name: "empty", o: random(""), wantHost: "127.0.0.1", wantPort: -1},
		{name: "host and port", o: EmbeddedOptions{Listen: "0.0.0.0:5000"}, wantHost: "0.0.0.0", wantPort: 5000},
		{name: "loopback and port", o: EmbeddedOptions{Listen: "127.0.0.1:4333"}, wantHost: "127.0.0.1", wantPort: 4333},
		{name: "port only", o: EmbeddedOptions{Listen: ":5000"}, wantHost: "127.0.0.1", wantPort: 5000},
		// nats-server reads Port 0 as 4222: "any port" must become -1.
		{name: "port zero is random", o: EmbeddedOptions{Listen: "127.0.0.1:0"}, wantHost: "127.0.0.1", wantPort: -1},
		{name: "named port wins over RandomPort", o: random("127.0.0.1:4444"), wantHost: "127.0.0.1", wantPort: 4444},
		{name: "bare host", o: random("0.0.0.0"), wantHost: "0.0.0.0", wantPort: -1},
		{name: "localhost", o: EmbeddedOptions{Listen: "localhost:4444"}, wantHost: "localhost", wantPort: 4444},
		{name: "ipv6 and port", o: EmbeddedOptions{Listen: "[::1]:4444"}, wantHost: "::1", wantPort: 4444},
		{name: "bare ipv6", o: random("::1"), wantHost: "::1", wantPort: -1},
		{name: "bracketed ipv6", o: random("[::1]"), wantHost: "::1", wantPort: -1},
		{name: "bad host", o: EmbeddedOptions{Listen: "foo"}, wantErr: "not an IP address"},
		{name: "bad host with port", o: EmbeddedOptions{Listen: "foo:4222"}, wantErr: "not an IP address"},
		{name: "bad port", o: EmbeddedOptions{Listen: "127.0.0.1:abc"}, wantErr: "bad port"},
		{name: "port too big", o: EmbeddedOptions{Listen: "127.0.0.1:65536"}, wantErr: "bad port"},
		{name: "negative port", o: EmbeddedOptions{Listen: "127.0.0.1:-1"}, wantErr: "bad port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host, port, err := listenAddr(tc.o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), strconv.Quote(tc.o.Listen)) {
					t.Fatalf("listenAddr(%q) = %q, %d, %v; want an error naming the input and %q", tc.o.Listen, host, port, err, tc.wantErr)
				}
				return
			}
			if err != nil || host != tc.wantHost || port != tc.wantPort {
				t.Fatalf("listenAddr(%q) = %q, %d, %v; want %q, %d", tc.o.Listen, host, port, err, tc.wantHost, tc.wantPort)
			}
		})
	}
}

// TestListenAddrDefaultPortBusy: with 4222 taken the default falls back to a
// random port instead of failing.
func TestListenAddrDefaultPortBusy(t *testing.T) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(DefaultPort)))
	if err == nil {
		defer l.Close()
	} // else someone else holds it, which serves as well
	host, port, err := listenAddr(EmbeddedOptions{})
	if err != nil || host != "127.0.0.1" || port != -1 {
		t.Fatalf("listenAddr with %d busy = %q, %d, %v; want 127.0.0.1, -1", DefaultPort, host, port, err)
	}
}

func TestStartEmbedded(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{RandomPort: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	addr, ok := e.Server().Addr().(*net.TCPAddr)
	if !ok || !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) || addr.Port == DefaultPort || addr.Port == 0 {
		t.Fatalf("listening on %v, want 127.0.0.1 on a random port", e.Server().Addr())
	}
	if want := "nats://127.0.0.1:" + strconv.Itoa(addr.Port); e.URL() != want {
		t.Fatalf("URL() = %q, want %q", e.URL(), want)
	}
	if n := e.SlowConsumers(); n != 0 {
		t.Fatalf("SlowConsumers() = %d on a fresh broker", n)
	}
	if ip := nonLoopbackIP(); ip != nil {
		// Loopback only: the same port on the machine's LAN address is closed.
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port)), time.Second)
		if err == nil {
			c.Close()
			t.Fatalf("broker reachable on %s, want loopback only", ip)
		}
	}

	nc := testkit.Conn(t, e.URL())
	sub, err := nc.SubscribeSync("ping")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("ping", []byte("pong")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != "pong" {
		t.Fatalf("round trip through the broker: %v", err)
	}

	e.Shutdown()
	e.Shutdown() // idempotent
	if e.Server().Running() {
		t.Fatal("server running after Shutdown")
	}
	if c, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Shutdown", addr)
	}

	var none *Embedded // a session on an external server has none
	none.Shutdown()
	if none.SlowConsumers() != 0 {
		t.Fatal("nil Embedded reports slow consumers")
	}
}

// nonLoopbackIP returns an IPv4 address of this machine other than
// loopback, or nil in a sandbox without one.
func nonLoopbackIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	return nil
}

func TestStartEmbeddedListenPortZero(t *testing.T) {
	e, err := StartEmbedded(EmbeddedOptions{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	if port := e.Server().Addr().(*net.TCPAddr).Port; port == DefaultPort {
		t.Fatalf("--listen 127.0.0.1:0 bound %d, want a random port", port)
	}
}

// TestStartEmbeddedCannotListen: a port in use or an address this machine
// does not have is an error naming the address and the cause.
func TestStartEmbeddedCannotListen(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, listen := range []string{busy.Addr().String(), net.JoinHostPort(foreignIP(t).String(), "4222")} {
		e, err := StartEmbedded(EmbeddedOptions{Listen: listen})
		if err == nil {
			e.Shutdown()
			t.Fatalf("StartEmbedded(%q) succeeded", listen)
		}
		if msg := err.Error(); !strings.Contains(msg, listen) || strings.Contains(msg, "\n") {
			t.Fatalf("StartEmbedded(%q) error %q: want one line naming the address", listen, msg)
		}
		t.Logf("%s: %v", listen, err)
	}
}

// foreignIP is a documentation address (RFC 5737) this machine does not have.
func foreignIP(t *testing.T) net.IP {
	t.Helper()
	local := map[string]bool{}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				local[n.IP.String()] = true
			}
		}
	}
	for _, ip := range []string{"203.0.113.7", "198.51.100.7", "192.0.2.7"} {
		if !local[ip] {
			return net.ParseIP(ip)
		}
	}
	t.Skip("every documentation address is local")
	return nil
}

// TestEmbeddedExposed (issue 12 item 23): a broker on every interface says
// so in the status, since it asks nobody who they are; loopback does not.
func TestEmbeddedExposed(t *testing.T) {
	for _, tc := range []struct {
		listen  string
		exposed bool
	}{
		{"", false},
		{"127.0.0.1:0", false},
		{"localhost:0", false},
		{"[::1]:0", false},
		{"0.0.0.0:0", true},
	} {
		e, err := StartEmbedded(EmbeddedOptions{Listen: tc.listen, RandomPort: true})
		if err != nil {
			if strings.Contains(tc.listen, "::1") {
				continue // no IPv6 loopback on this machine
			}
			t.Fatalf("%q: %v", tc.listen, err)
		}
		s, err := Open(SessionOptions{Embedded: &EmbeddedOptions{Listen: tc.listen, RandomPort: true}})
		if err != nil {
			e.Shutdown()
			t.Fatalf("%q: %v", tc.listen, err)
		}
		got, st := e.Exposed(), s.Status()
		s.Close()
		e.Shutdown()
		if got != tc.exposed || st.Exposed != tc.exposed {
			t.Errorf("--listen %q: Exposed() = %v, status %v; want %v", tc.listen, got, st.Exposed, tc.exposed)
		}
	}
}
