package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"natsx/testkit"
)

// natsConfig makes a natscli configuration directory (XDG_CONFIG_HOME) with
// the given contexts (name → JSON) and selected the way `nats context
// select` does when selected is not "".
func natsConfig(t *testing.T, selected string, contexts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, "nats", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, js := range contexts {
		write(filepath.Join("context", name+".json"), js)
	}
	if selected != "" {
		write("context.txt", selected+"\n")
	}
	return dir
}

// TestSourceSelection (issue 15 item 10): without -s or --context, natsx
// connects where natscli would (NATS_URL, else the selected context), a
// fresh machine with neither gets the embedded broker with demo traffic,
// and --embedded forces the embedded broker whatever the environment says.
func TestSourceSelection(t *testing.T) {
	contexts := map[string]string{
		"prod":    `{"url":"prod.example.com:4222","token":"s3cret"}`,
		"staging": `{"url":"nats://staging:4222"}`,
	}
	const embedded = "embedded"
	for _, tc := range []struct {
		name     string
		selected string // context.txt; "" is a fresh machine
		natsURL  string
		flags    SourceFlags
		want     string // the servers natsx connects to, or embedded
		context  string // the context it connects with
	}{
		{name: "fresh machine", want: embedded},
		{name: "selected context", selected: "prod", want: "nats://prod.example.com:4222", context: "prod"},
		{name: "NATS_URL", natsURL: "envhost:4222", want: "nats://envhost:4222"},
		{name: "NATS_URL over the selected context", selected: "prod", natsURL: "envhost:4222", want: "nats://envhost:4222"},
		{name: "-s over the selected context", selected: "prod", flags: SourceFlags{ConnFlags: ConnFlags{Server: "flag:1"}}, want: "nats://flag:1"},
		{name: "--context over the selected one", selected: "prod", flags: SourceFlags{ConnFlags: ConnFlags{Context: "staging"}},
			want: "nats://staging:4222", context: "staging"},
		{name: "--embedded over the selected context", selected: "prod", flags: SourceFlags{Embedded: true}, want: embedded},
		{name: "--embedded over NATS_URL", natsURL: "envhost:4222", flags: SourceFlags{Embedded: true}, want: embedded},
		{name: "--embedded --no-demo", selected: "prod", flags: SourceFlags{Embedded: true, NoDemo: true}, want: embedded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", natsConfig(t, tc.selected, contexts))
			t.Setenv("NATS_URL", tc.natsURL)
			if err := tc.flags.validate(); err != nil {
				t.Fatal(err)
			}
			so, err := tc.flags.sessionOptions()
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == embedded {
				if so.Embedded == nil || so.Conn.Servers != "" {
					t.Fatalf("connects to %q, want the embedded broker", so.Conn.Servers)
				}
				if so.Demo == tc.flags.NoDemo {
					t.Fatalf("demo %v with --no-demo %v", so.Demo, tc.flags.NoDemo)
				}
				return
			}
			if so.Embedded != nil || so.Conn.Servers != tc.want || so.Conn.Context != tc.context {
				t.Fatalf("embedded %v, servers %q, context %q; want %q with context %q",
					so.Embedded != nil, so.Conn.Servers, so.Conn.Context, tc.want, tc.context)
			}
		})
	}
}

// TestSourceSelectionErrors: what contradicts the selection, or a
// selection natsx cannot follow, is one line and exit 1, never a silent
// fall back to the embedded broker.
func TestSourceSelectionErrors(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", natsConfig(t, "prod", map[string]string{"prod": `{"url":"nats://127.0.0.1:1"}`}))
	for _, tc := range []struct {
		name     string
		selected string // overrides the configuration above when set
		args     []string
		want     string
	}{
		{name: "--embedded with -s", args: []string{"tree", "--embedded", "-s", "nats://127.0.0.1:1"}, want: "--embedded runs natsx's own broker"},
		{name: "--embedded with --context", args: []string{"--embedded", "--context", "prod"}, want: "--embedded runs natsx's own broker"},
		{name: "--listen with the selected context", args: []string{"tree", "--listen", "127.0.0.1:0"},
			want: `--listen applies to the embedded broker, not to the selected natscli context "prod" (add --embedded`},
		{name: "--store with the selected context", args: []string{"--store", filepath.Join(t.TempDir(), "js")}, want: "--store applies"},
		{name: "credentials with the selected context", args: []string{"tree", "--user", "bob"},
			want: `the selected context "prod" is used only without credential flags`},
		{name: "credentials with --embedded", args: []string{"tree", "--embedded", "--user", "bob"}, want: "credentials given with --embedded"},
		{name: "unknown selected context", selected: "gone", args: []string{"tree"}, want: `selected context "gone": unknown context`},
		{name: "selected server down", args: []string{"tree"}, want: "127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.selected != "" {
				t.Setenv("XDG_CONFIG_HOME", natsConfig(t, tc.selected, nil))
			}
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, errb.String())
			}
			msg := errb.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
				t.Fatalf("stderr %q, want one line with %q", msg, tc.want)
			}
		})
	}
}

// TestTreeSource (issue 15 item 11): natsx tree in a script goes where the
// explorer goes: the selected context or NATS_URL, and else the embedded
// demo with one line on stderr saying so (stdout stays the report).
func TestTreeSource(t *testing.T) {
	s := testkit.Server(t)
	nc := testkit.Conn(t, s.ClientURL())
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				nc.Publish("real.server.only", []byte("x"))
			}
		}
	}()
	defer func() { close(stop); <-done }()
	sel := natsConfig(t, "local", map[string]string{"local": `{"url":"` + s.ClientURL() + `"}`})
	for _, tc := range []struct {
		name, selected, natsURL string
		args                    []string
		demo                    bool // the embedded demo, and the note
		note                    string
	}{
		{name: "selected context", selected: sel},
		{name: "NATS_URL", natsURL: s.ClientURL()},
		{name: "fresh machine", demo: true, note: "a tree of the embedded broker's demo traffic"},
		{name: "--embedded says nothing", selected: sel, args: []string{"--embedded"}, demo: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.selected == "" {
				tc.selected = t.TempDir()
			}
			t.Setenv("XDG_CONFIG_HOME", tc.selected)
			t.Setenv("NATS_URL", tc.natsURL)
			var out, errb bytes.Buffer
			args := append([]string{"tree", "--for", "400ms", "--json", "--listen", "127.0.0.1:0"}, tc.args...)
			if !tc.demo {
				args = []string{"tree", "--for", "400ms", "--json"}
			}
			if code := run(args, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var rep struct {
				Server string
				Tree   []struct{ Name string }
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("stdout is not the JSON report: %v\n%s", err, out.String())
			}
			roots := map[string]bool{}
			for _, r := range rep.Tree {
				roots[r.Name] = true
			}
			if tc.demo == roots["real"] || tc.demo != roots["sensors"] {
				t.Fatalf("demo %v: roots %v (server %s)", tc.demo, roots, rep.Server)
			}
			switch msg := errb.String(); {
			case tc.note == "" && msg != "":
				t.Fatalf("stderr %q, want nothing", msg)
			case tc.note != "" && (strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "natsx: ") || !strings.Contains(msg, tc.note)):
				t.Fatalf("stderr %q, want one line saying %q", msg, tc.note)
			}
		})
	}
}
