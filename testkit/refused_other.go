//go:build !unix

package testkit

import (
	"net"
	"testing"
)

// RefusedAddr is a loopback host:port nothing listens on: the port of a
// listener closed at once (on unix the port stays bound for the test).
func RefusedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
