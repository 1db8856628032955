package testkit

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// aloneEnv names the test a process of the test binary was started to run.
const aloneEnv = "NATSX_TEST_ALONE"

// Alone runs the calling test again in a process of its own (the test
// binary, with -test.run for that test only) and reports false once it
// passed there, failing t when it failed; in that process it reports true
// and the test goes on. For what must not share a process with the other
// tests: a process-wide limit, or memory measured as a fresh natsx would.
//
//	if !testkit.Alone(t) {
//		return
//	}
func Alone(t *testing.T) bool {
	t.Helper()
	if os.Getenv(aloneEnv) == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v")
	cmd.Env = append(os.Environ(), aloneEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a process of its own: %v\n%s", t.Name(), err, out)
	}
	t.Logf("in a process of its own:\n%s", out)
	return false
}
