//go:build !unix

package testkit

import "testing"

// RefusedAddr is a loopback host:port nothing listens on: a free port
// (on unix the port stays bound for the test).
func RefusedAddr(t testing.TB) string { return FreeAddr(t) }
