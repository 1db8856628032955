package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the developer's natscli configuration out of every test:
// a selected context (nats context select) or NATS_URL would send the
// tests that expect the embedded broker to a real server. Tests that want
// either set it themselves (t.Setenv).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "natsx-cli-test-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Unsetenv("NATS_URL")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
