package testkit

import (
	"net"
	"testing"
)

// FreeAddr is a loopback host:port free a moment ago: the address of a
// listener closed at once, for a server the test starts on it. Another
// listener may take it meanwhile; for a port that must stay refused,
// RefusedAddr.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
