package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// run is Main with the version tests use.
func run(args []string, stdout, stderr io.Writer) int { return Main("dev", args, stdout, stderr) }

// TestCLIBadInput checks that every kind of bad input is one clear line on
// stderr and a non-zero code, never a panic or a usage dump.
func TestCLIBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"--bogus"}, 2, "unknown flag --bogus"},
		{"unknown command flag", []string{"tree", "--nope"}, 2, "unknown flag --nope"},
		{"bad demo rate", []string{"--demo-rate", "fast"}, 1, "--demo-rate"},
		{"negative demo rate", []string{"--demo-rate=-3"}, 1, "--demo-rate"},
		{"bad memory", []string{"--max-memory", "lots"}, 1, "--max-memory"},
		{"tiny memory", []string{"--max-memory", "1MiB"}, 1, "at least 16MiB"},
		{"bad listen", []string{"--listen", "not-an-ip"}, 1, "--listen"},
		{"bad listen port", []string{"tree", "--listen", "127.0.0.1:99999"}, 1, "bad port"},
		{"creds without server", []string{"--user", "bob"}, 1, "without --server"},
		{"listen with server", []string{"-s", "nats://127.0.0.1:1", "--listen", "127.0.0.1"}, 1, "--listen applies"},
		{"store with server", []string{"-s", "nats://127.0.0.1:1", "--store", "/tmp/x"}, 1, "--store applies"},
		{"malformed url", []string{"tree", "-s", "http://example.com"}, 1, "engine"},
		{"unreachable", []string{"tree", "-s", "nats://127.0.0.1:1"}, 1, "127.0.0.1:1"},
		{"missing creds", []string{"tree", "-s", "nats://127.0.0.1:1", "--creds", "/nonexistent/x.creds"}, 1, "/nonexistent/x.creds"},
		{"zero duration", []string{"tree", "--for", "0s"}, 1, "--for"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NATS_URL", "")
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errb.String())
			}
			msg := errb.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
				t.Fatalf("stderr is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "natsx: ") || !strings.Contains(msg, c.want) {
				t.Fatalf("stderr %q, want natsx: …%s…", msg, c.want)
			}
			for _, bad := range []string{"panic", "goroutine", "Usage:"} {
				if strings.Contains(msg+out.String(), bad) {
					t.Fatalf("output contains %q: %q", bad, msg+out.String())
				}
			}
		})
	}
}

// TestCLITreeJSON runs `natsx tree --json` on the embedded broker with demo
// traffic and checks the report is JSON whose totals add up.
func TestCLITreeJSON(t *testing.T) {
	t.Setenv("NATS_URL", "")
	var out, errb bytes.Buffer
	code := run([]string{"tree", "--listen", "127.0.0.1:0", "--for", "700ms", "--demo-rate", "2000", "--json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Server   string
		Messages uint64
		Subjects int
		Tree     []struct {
			Name     string
			Messages uint64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if rep.Messages == 0 || rep.Subjects == 0 || !strings.HasPrefix(rep.Server, "nats://127.0.0.1:") {
		t.Fatalf("empty or wrong report: %+v", rep)
	}
	var sum uint64
	names := map[string]bool{}
	for _, r := range rep.Tree {
		sum += r.Messages
		names[r.Name] = true
	}
	if sum != rep.Messages {
		t.Fatalf("roots sum to %d, total says %d", sum, rep.Messages)
	}
	for _, want := range []string{"sensors", "drivers"} {
		if !names[want] {
			t.Fatalf("no %q root in %v", want, names)
		}
	}
}

// TestCLITreeText checks the text report has a header and indented rows.
func TestCLITreeText(t *testing.T) {
	t.Setenv("NATS_URL", "")
	var out, errb bytes.Buffer
	if code := run([]string{"tree", "--listen", "127.0.0.1:0", "--for", "500ms", "--demo-rate", "2000"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "SUBJECT") || !strings.Contains(s, "\nsensors ") || !strings.Contains(s, "\n  hq ") {
		t.Fatalf("unexpected report:\n%s", s)
	}
}
