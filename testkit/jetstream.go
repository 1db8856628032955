package testkit

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

// JetStreamServer is Server with JetStream on, its store in the test's
// temporary directory and small limits; mods apply after, so a test may
// change them (accounts without JetStream, other limits).
func JetStreamServer(t testing.TB, mods ...func(*server.Options)) *server.Server {
	t.Helper()
	s := Server(t, append([]func(*server.Options){jetStreamIn(t.TempDir())}, mods...)...)
	if !s.JetStreamEnabled() {
		t.Fatal("testkit: JetStream did not start")
	}
	return s
}

// jetStreamIn turns JetStream on with its store in dir and small limits.
func jetStreamIn(dir string) func(*server.Options) {
	return func(o *server.Options) {
		o.JetStream = true
		o.StoreDir = dir
		o.JetStreamMaxMemory = 64 << 20
		o.JetStreamMaxStore = 256 << 20
	}
}
