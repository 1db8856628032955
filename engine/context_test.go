package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/testkit"
)

// mapEnv is a getenv over a fixed map; HOME and XDG_CONFIG_HOME default to
// a directory that does not exist so no test reads the real configuration.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		if k == "HOME" || k == "XDG_CONFIG_HOME" {
			return "/nonexistent/natsx-test-home"
		}
		return ""
	}
}

// writeFile creates dir/name (and its parents) with content.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolveServers(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "127.0.0.1:4222", want: "nats://127.0.0.1:4222"},
		{in: "localhost", want: "nats://localhost"},
		{in: " nats://a:1 , tls://b:2 ,", want: "nats://a:1,tls://b:2"},
		{in: "ws://h:8080/path,wss://h", want: "ws://h:8080/path,wss://h"},
		{in: "NATS://h:4222", want: "NATS://h:4222"},
		{in: "nats://[::1]:4222", want: "nats://[::1]:4222"},
		{in: "u:p@h:4222", want: "nats://u:p@h:4222"},
		{in: "nats://::bad", err: `engine: --server nats://::bad: invalid port ":bad" after host (IPv6 addresses need brackets: nats://[::1]:4222)`},
		{in: "http://x", err: `engine: --server http://x: unsupported scheme "http" (use nats://, tls://, ws:// or wss://)`},
		{in: "nats://a:1,http://x", err: `http://x: unsupported scheme "http"`},
		{in: "nats://", err: "engine: --server nats://: missing host"},
		{in: "nats://h:99999", err: `engine: --server nats://h:99999: invalid port "99999"`},
		{in: "nats://u:pw@h:x", err: `engine: --server nats://u:***@h:x: invalid port ":x" after host`},
		{in: ",", err: `engine: --server ",": no server URL`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := ConnOptions{Servers: tc.in}.Resolve(mapEnv(nil))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "pw") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil || r.Servers != tc.want {
				t.Fatalf("got %q, %v; want %q", r.Servers, err, tc.want)
			}
		})
	}
}

func TestResolveValidation(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "file", "x")
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name string
		o    ConnOptions
		err  string // "" means no error
	}{
		{"user without password", ConnOptions{User: "alice"}, ""},
		{"password without user", ConnOptions{Password: "pw"}, "engine: --password is set but --user is empty"},
		{"missing creds", ConnOptions{Creds: missing}, "engine: --creds " + missing + ": no such file"},
		{"missing nkey", ConnOptions{NKey: missing}, "engine: --nkey " + missing + ": no such file"},
		{"nkey is a directory", ConnOptions{NKey: dir}, "engine: --nkey " + dir + ": is a directory, not a file"},
		{"missing ca", ConnOptions{TLSCA: missing}, "engine: --tlsca " + missing + ": no such file"},
		{"missing cert", ConnOptions{TLSCert: missing, TLSKey: file}, "engine: --tlscert " + missing + ": no such file"},
		{"missing key", ConnOptions{TLSCert: file, TLSKey: missing}, "engine: --tlskey " + missing + ": no such file"},
		{"cert without key", ConnOptions{TLSCert: file}, "engine: --tlscert " + file + " needs --tlskey"},
		{"key without cert", ConnOptions{TLSKey: file}, "engine: --tlskey " + file + " needs --tlscert"},
		{"two methods", ConnOptions{User: "a", Creds: file}, "engine: choose one of --user/--password, --creds or --nkey (got --user and --creds)"},
		{"token with user", ConnOptions{User: "a", Token: "t"}, ""},
		{"env password", ConnOptions{User: "a", Password: "env://NATSX_PW"}, ""},
		{"empty env password", ConnOptions{User: "a", Password: "env://NATSX_NONE"}, "engine: --password: environment variable NATSX_NONE is empty or not set"},
		{"op token", ConnOptions{Token: "op://vault/item"}, "engine: --token: op:// secret references are not supported by natsx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.o.Resolve(mapEnv(map[string]string{"NATSX_PW": "from-env"}))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
	_, err := ConnOptions{Creds: missing}.Resolve(mapEnv(nil))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error %v does not wrap fs.ErrNotExist", err)
	}
	if os.Geteuid() != 0 { // root reads anything
		locked := writeFile(t, dir, "locked", "x")
		os.Chmod(locked, 0)
		_, err := ConnOptions{Creds: locked}.Resolve(mapEnv(nil))
		if want := "engine: --creds " + locked + ": permission denied"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

func TestResolveDefaults(t *testing.T) {
	r, err := ConnOptions{}.Resolve(mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := ConnOptions{Name: "natsx", ConnectTimeout: 2 * time.Second}
	if r != want {
		t.Fatalf("got %+v, want %+v (nothing names a server: Servers stays empty)", r, want)
	}
	r, _ = ConnOptions{Name: "tap", ConnectTimeout: time.Second}.Resolve(mapEnv(nil))
	if r.Name != "tap" || r.ConnectTimeout != time.Second {
		t.Fatalf("explicit name/timeout lost: %+v", r)
	}
}

// A context the way natscli writes it, with fields natsx ignores, and a
// JetStream domain.
const prodContext = `{
  "description": "production",
  "url": "prod.example.com:4222",
  "socks_proxy": "",
  "token": "",
  "user": "ctxuser",
  "password": "ctxpass",
  "creds": "",
  "nkey": "",
  "cert": "",
  "key": "",
  "ca": "~/certs/ca.pem",
  "nsc": "",
  "jetstream_domain": "hub",
  "inbox_prefix": "",
  "color_scheme": "dark",
  "tls_first": false
}`

func TestResolveContext(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "cfg")
	ca := writeFile(t, home, "certs/ca.pem", "x")
	writeFile(t, cfg, "nats/context/prod.json", prodContext)
	writeFile(t, cfg, "nats/context/dev.json", `{"url":"nats://dev:4222","creds":"$CREDS_DIR/dev.creds"}`)
	writeFile(t, cfg, "nats/context/bad.json", `{"url": 42}`)
	writeFile(t, cfg, "nats/context/nsc.json", `{"nsc":"nsc://op/acct/user"}`)
	writeFile(t, cfg, "nats/context/nourl.json", `{"token":"tok"}`)
	writeFile(t, cfg, "nats/context/leaf.json", `{"url":"leaf:4222","jetstream_domain":" hub ","jetstream_api_prefix":"JS.hub.API"}`)
	writeFile(t, cfg, "nats/context/prefix.json", `{"url":"leaf:4222","jetstream_api_prefix":"JS.acme.API"}`)
	writeFile(t, cfg, "nats/context/baddomain.json", `{"url":"leaf:4222","jetstream_domain":"a.b"}`)
	writeFile(t, cfg, "nats/context.txt", "prod\n")
	creds := writeFile(t, home, "creds/dev.creds", "x")
	direct := writeFile(t, home, "elsewhere/direct.json", `{"url":"direct:4222","token":"tok"}`)
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": cfg, "CREDS_DIR": filepath.Dir(creds)}
	withEnv := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		m[k] = v
		return m
	}
	base := ConnOptions{Name: "natsx", ConnectTimeout: 2 * time.Second}
	with := func(f func(*ConnOptions)) ConnOptions { o := base; f(&o); return o }
	prod := with(func(o *ConnOptions) {
		o.Servers, o.User, o.Password, o.TLSCA = "nats://prod.example.com:4222", "ctxuser", "ctxpass", ca
		o.JetStreamDomain = "hub"
	})

	tests := []struct {
		name string
		in   ConnOptions
		env  map[string]string
		want ConnOptions
		err  string
	}{
		{name: "named", in: ConnOptions{Context: "prod"}, env: env, want: with(func(o *ConnOptions) { *o = prod; o.Context = "prod" })},
		{name: "selected when nothing given", in: ConnOptions{}, env: env, want: with(func(o *ConnOptions) { *o = prod; o.Context = "prod" })},
		{name: "selected ignored with a server", in: ConnOptions{Servers: "x:1"}, env: env,
			want: with(func(o *ConnOptions) { o.Servers = "nats://x:1" })},
		{name: "selected ignored with NATS_URL", in: ConnOptions{}, env: withEnv("NATS_URL", "envhost:4222"),
			want: with(func(o *ConnOptions) { o.Servers = "nats://envhost:4222" })},
		{name: "flag beats context", in: ConnOptions{Context: "prod", Servers: "nats://flag:1", TLSCA: creds}, env: env,
			want: with(func(o *ConnOptions) { *o = prod; o.Context, o.Servers, o.TLSCA = "prod", "nats://flag:1", creds })},
		{name: "context beats NATS_URL", in: ConnOptions{Context: "prod"}, env: withEnv("NATS_URL", "envhost:4222"),
			want: with(func(o *ConnOptions) { *o = prod; o.Context = "prod" })},
		{name: "json path", in: ConnOptions{Context: direct}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.Token = direct, "nats://direct:4222", "tok" })},
		{name: "NATS_URL fills a context without url", in: ConnOptions{Context: "nourl"}, env: withEnv("NATS_URL", "envhost"),
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.Token = "nourl", "nats://envhost", "tok" })},
		{name: "context without url means natscli's default", in: ConnOptions{Context: "nourl"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.Token = "nourl", "nats://127.0.0.1:4222", "tok" })},
		{name: "explicit method drops context method", in: ConnOptions{Context: "dev", User: "u", Password: "p"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.User, o.Password = "dev", "nats://dev:4222", "u", "p" })},
		{name: "password flag for context user", in: ConnOptions{Context: "prod", Password: "flagpass"}, env: env,
			want: with(func(o *ConnOptions) { *o = prod; o.Context, o.Password = "prod", "flagpass" })},
		{name: "other user never gets the context password", in: ConnOptions{Context: "prod", User: "bob"}, env: env,
			want: with(func(o *ConnOptions) { *o = prod; o.Context, o.User, o.Password = "prod", "bob", "" })},
		{name: "$VAR in context path", in: ConnOptions{Context: "dev"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.Creds = "dev", "nats://dev:4222", creds })},
		{name: "context file missing creds", in: ConnOptions{Context: "dev"}, env: withEnv("CREDS_DIR", "/nope"),
			err: `engine: context "dev" creds /nope/dev.creds: no such file`},
		{name: "unknown context", in: ConnOptions{Context: "staging"}, env: env,
			err: `engine: --context "staging": unknown context (no staging.json in ` + filepath.Join(cfg, "nats", "context") + ")"},
		{name: "unknown selected context", in: ConnOptions{}, env: withEnv("XDG_CONFIG_HOME", writeSel(t, "gone")),
			err: `engine: selected context "gone": unknown context`},
		{name: "missing json path", in: ConnOptions{Context: "/nope/x.json"}, env: env,
			err: "engine: --context /nope/x.json: no such file"},
		{name: "invalid name", in: ConnOptions{Context: "../prod"}, env: env, err: `engine: --context "../prod": invalid context name`},
		{name: "bad json", in: ConnOptions{Context: "bad"}, env: env, err: `engine: context "bad" (`},
		{name: "nsc lookup", in: ConnOptions{Context: "nsc"}, env: env, err: `engine: context "nsc": nsc lookups`},
		{name: "context domain, its prefix dropped", in: ConnOptions{Context: "leaf"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.JetStreamDomain = "leaf", "nats://leaf:4222", "hub" })},
		{name: "domain flag beats context domain", in: ConnOptions{Context: "leaf", JetStreamDomain: "edge"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.JetStreamDomain = "leaf", "nats://leaf:4222", "edge" })},
		{name: "context prefix kept without a domain", in: ConnOptions{Context: "prefix"}, env: env,
			want: with(func(o *ConnOptions) {
				o.Context, o.Servers, o.JetStreamAPIPrefix = "prefix", "nats://leaf:4222", "JS.acme.API"
			})},
		{name: "domain flag drops context prefix", in: ConnOptions{Context: "prefix", JetStreamDomain: "hub"}, env: env,
			want: with(func(o *ConnOptions) { o.Context, o.Servers, o.JetStreamDomain = "prefix", "nats://leaf:4222", "hub" })},
		{name: "bad context domain", in: ConnOptions{Context: "baddomain"}, env: env,
			err: `engine: context "baddomain" jetstream_domain: "a.b" is not a valid JetStream domain`},
		{name: "bad domain flag", in: ConnOptions{Servers: "x:1", JetStreamDomain: "h*b"}, env: env,
			err: `engine: --js-domain: "h*b" is not a valid JetStream domain`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Resolve(mapEnv(tc.env))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line starting %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// writeSel makes a config dir whose context.txt selects name.
func writeSel(t *testing.T, name string) string {
	dir := t.TempDir()
	writeFile(t, dir, "nats/context.txt", name)
	return dir
}

// TestContextConnect is the whole path: a context file in a temporary
// XDG_CONFIG_HOME names a real server and its credentials.
func TestContextConnect(t *testing.T) {
	s := testkit.Server(t, func(o *server.Options) { o.Username, o.Password = "ctx", "pw" })
	cfg := t.TempDir()
	writeFile(t, cfg, "nats/context/local.json", `{"url":"`+s.ClientURL()+`","user":"ctx","password":"pw","description":"test"}`)
	writeFile(t, cfg, "nats/context.txt", "local")
	o, err := ConnOptions{}.Resolve(mapEnv(map[string]string{"XDG_CONFIG_HOME": cfg}))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := Connect(o)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// The header names the context the session came from, never its
	// secrets (issue 15 item 10).
	sess, err := Open(SessionOptions{Conn: o})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	st := sess.Status()
	if st.Context != "local" || strings.Contains(st.URL, "pw") || st.Embedded {
		t.Fatalf("status: context %q, url %q, embedded %v; want context local, no password", st.Context, st.URL, st.Embedded)
	}
	emb, err := Open(SessionOptions{Conn: o, Embedded: &EmbeddedOptions{RandomPort: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	if c := emb.Status().Context; c != "" {
		t.Fatalf("the embedded broker reports context %q", c)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://user:pass@host:4222", "nats://user:***@host:4222"},
		{"nats://token@host:4222", "nats://***@host:4222"},
		{"user:pass@host", "user:***@host"},
		{"nats://u:p@a:1,nats://b:2,tls://tok@c:3", "nats://u:***@a:1,nats://b:2,tls://***@c:3"},
		{"nats://u:pa/ss@host", "nats://u:***@host"},
		{"nats://u:p@ss@host", "nats://u:***@host"},
		{"nats://u:@host", "nats://u:***@host"},
		{"nats://u:p@::bad", "nats://u:***@::bad"},
		{"wss://u:p@host/ws", "wss://u:***@host/ws"},
	}
	for _, tc := range tests {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContextLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"prod", "prod"},
		{"/home/me/ctx/staging.json", "staging"},
		{"direct.json", "direct"},
	} {
		if got := ContextLabel(tc.in); got != tc.want {
			t.Errorf("ContextLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
