package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"
)

// contextFile is the part of a natscli context (github.com/nats-io/jsm.go
// natscontext) that natsx understands. encoding/json ignores the other
// fields, so files written by newer natscli versions still load.
type contextFile struct {
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password"`
	Token    string `json:"token"`
	Creds    string `json:"creds"`
	NKey     string `json:"nkey"`
	Cert     string `json:"cert"`
	Key      string `json:"key"`
	CA       string `json:"ca"`
	NSC      string `json:"nsc"`
	UserJWT  string `json:"user_jwt"`
	// JetStream's address: a domain (a hub or leaf node's), or an API
	// prefix (JetStream imported from another account).
	JSDomain    string `json:"jetstream_domain"`
	JSAPIPrefix string `json:"jetstream_api_prefix"`
}

// Resolve fills empty fields from a natscli context and NATS_URL, then checks
// offline everything that can fail before a connection attempt.
//
// The context is Context when set; otherwise natscli's selected context
// (context.txt), but only when nothing at all names a server or credentials:
// silently mixing a stored identity with an ad-hoc server would send
// credentials somewhere the user did not choose. A selected context that is
// used is set in Context, so the caller can say which one it connected with.
// Explicit fields always win; an explicit auth method (user/password, token,
// creds or nkey) drops the context's other methods instead of combining with
// them. NATS_URL fills the server only after the context; a context that
// names no server after that means nats://127.0.0.1:4222, as it does for
// natscli. Servers stays empty when nothing names a server, so the caller
// decides what that means (natsx starts its embedded broker). getenv is
// os.Getenv in production and a map lookup in tests.
func (o ConnOptions) Resolve(getenv func(string) string) (ConnOptions, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	r := o.trimmed()
	// origin maps a flag to where its value came from when that was not the
	// command line, so an error blames the file the user has to fix.
	origin := map[string]string{}

	ctxName, ctxFlag := r.Context, "--context"
	if ctxName == "" && !r.namesAnything() && getenv("NATS_URL") == "" {
		name, err := SelectedContext(getenv)
		if err != nil {
			return ConnOptions{}, err
		}
		ctxName, ctxFlag = name, "selected context"
		r.Context = name
	}
	if ctxName != "" {
		cf, label, err := loadContext(ctxFlag, ctxName, getenv)
		if err != nil {
			return ConnOptions{}, err
		}
		if err := r.merge(cf, label, origin, getenv); err != nil {
			return ConnOptions{}, err
		}
	}
	if r.Servers == "" {
		if u := strings.TrimSpace(getenv("NATS_URL")); u != "" {
			r.Servers = u
			origin["--server"] = "NATS_URL"
		}
	}
	if r.Servers == "" && ctxName != "" {
		// natscli's fallback for a context without "url" (jsm.go
		// natscontext: nats.DefaultURL).
		r.Servers = nats.DefaultURL
	}
	if r.Name == "" {
		r.Name = defaultConnName
	}
	if r.ConnectTimeout <= 0 {
		r.ConnectTimeout = defaultConnectTimeout
	}
	if err := r.validate(origin, getenv); err != nil {
		return ConnOptions{}, err
	}
	return r, nil
}

// trimmed drops stray whitespace that shells and JSON editors leave behind.
func (o ConnOptions) trimmed() ConnOptions {
	for _, p := range []*string{&o.Servers, &o.User, &o.Token, &o.Creds, &o.NKey,
		&o.TLSCert, &o.TLSKey, &o.TLSCA, &o.Context, &o.Name, &o.JetStreamDomain, &o.JetStreamAPIPrefix} {
		*p = strings.TrimSpace(*p)
	}
	return o // Password is kept verbatim: spaces may be part of it.
}

// namesAnything reports whether the user gave a server or any credential.
func (o ConnOptions) namesAnything() bool {
	return o.Servers != "" || o.User != "" || o.Password != "" || o.Token != "" ||
		o.Creds != "" || o.NKey != "" || o.TLSCert != "" || o.TLSKey != "" || o.TLSCA != ""
}

// merge copies context values into empty fields and records their origin.
func (o *ConnOptions) merge(cf contextFile, label string, origin map[string]string, getenv func(string) string) error {
	take := func(flag, field string, dst *string, v string, path bool) {
		if *dst != "" || strings.TrimSpace(v) == "" {
			return
		}
		if field != "password" { // Spaces may be part of a password.
			v = strings.TrimSpace(v)
		}
		if path {
			// No shell expanded these, so do what natscli does: ~ and $VARS.
			v = expandPath(v, getenv)
		}
		*dst = v
		origin[flag] = label + " " + field
	}
	take("--server", "url", &o.Servers, cf.URL, false)
	if !o.hasAuth() {
		// Fail on credentials natsx cannot use rather than connect
		// anonymously and report a puzzling authorization error.
		switch {
		case cf.NSC != "" && cf.Creds == "":
			return fmt.Errorf("engine: %s: nsc lookups (%q) are not supported; export a creds file and set \"creds\"", label, cf.NSC)
		case cf.UserJWT != "":
			return fmt.Errorf("engine: %s: \"user_jwt\" is not supported; use a creds file", label)
		}
		take("--user", "user", &o.User, cf.User, false)
		take("--password", "password", &o.Password, cf.Password, false)
		take("--token", "token", &o.Token, cf.Token, false)
		take("--creds", "creds", &o.Creds, cf.Creds, true)
		take("--nkey", "nkey", &o.NKey, cf.NKey, true)
	} else if o.User != "" || o.Password != "" {
		// Same method on both sides: a password on the command line for a
		// user stored in the context avoids storing it. A context password
		// is only ever paired with the context's own user.
		if o.User == "" || o.User == strings.TrimSpace(cf.User) {
			take("--user", "user", &o.User, cf.User, false)
			take("--password", "password", &o.Password, cf.Password, false)
		}
	}
	take("--tlscert", "cert", &o.TLSCert, cf.Cert, true)
	take("--tlskey", "key", &o.TLSKey, cf.Key, true)
	take("--tlsca", "ca", &o.TLSCA, cf.CA, true)
	// A domain given here (--js-domain) wins over the context's, and a
	// domain leaves no room for a prefix: nats.go asks one or the other.
	take("--js-domain", "jetstream_domain", &o.JetStreamDomain, cf.JSDomain, false)
	if o.JetStreamDomain == "" {
		take("--js-api-prefix", "jetstream_api_prefix", &o.JetStreamAPIPrefix, cf.JSAPIPrefix, false)
	}
	return nil
}

// hasAuth reports whether any authentication method is already chosen.
func (o ConnOptions) hasAuth() bool {
	return o.User != "" || o.Password != "" || o.Token != "" || o.Creds != "" || o.NKey != ""
}

// validate checks URLs, combinations and files, naming the flag or context
// field at fault.
func (o *ConnOptions) validate(origin map[string]string, getenv func(string) string) error {
	where := func(flag string) string {
		if s, ok := origin[flag]; ok {
			return s
		}
		return flag
	}
	if o.Servers != "" {
		s, err := normalizeServers(o.Servers)
		if err != nil {
			return fmt.Errorf("engine: %s %w", where("--server"), err)
		}
		o.Servers = s
	}
	if o.Password != "" && o.User == "" {
		return fmt.Errorf("engine: %s is set but %s is empty", where("--password"), where("--user"))
	}
	if o.JetStreamDomain != "" {
		if err := CheckJetStreamDomain(o.JetStreamDomain); err != nil {
			return fmt.Errorf("engine: %s: %w", where("--js-domain"), err)
		}
		o.JetStreamAPIPrefix = ""
	}
	var methods []string
	for _, m := range []struct {
		set  bool
		flag string
	}{{o.User != "", "--user"}, {o.Creds != "", "--creds"}, {o.NKey != "", "--nkey"}} {
		if m.set {
			methods = append(methods, where(m.flag))
		}
	}
	if len(methods) > 1 {
		return fmt.Errorf("engine: choose one of --user/--password, --creds or --nkey (got %s)", strings.Join(methods, " and "))
	}
	for _, s := range []struct {
		flag string
		v    *string
	}{{"--password", &o.Password}, {"--token", &o.Token}} {
		v, err := resolveSecret(*s.v, getenv)
		if err != nil {
			return fmt.Errorf("engine: %s: %w", where(s.flag), err)
		}
		*s.v = v
	}
	switch {
	case o.TLSCert != "" && o.TLSKey == "":
		return fmt.Errorf("engine: %s %s needs --tlskey", where("--tlscert"), o.TLSCert)
	case o.TLSKey != "" && o.TLSCert == "":
		return fmt.Errorf("engine: %s %s needs --tlscert", where("--tlskey"), o.TLSKey)
	}
	for _, f := range []struct{ flag, path string }{
		{"--creds", o.Creds}, {"--nkey", o.NKey},
		{"--tlscert", o.TLSCert}, {"--tlskey", o.TLSKey}, {"--tlsca", o.TLSCA},
	} {
		if f.path == "" {
			continue
		}
		if err := checkReadable(f.path); err != nil {
			return &friendlyError{msg: fmt.Sprintf("engine: %s %s: %s", where(f.flag), f.path, fileProblem(err)), err: err}
		}
	}
	return nil
}

// resolveSecret understands natscli's env://NAME references so a context can
// keep a password out of the file; other reference schemes natscli knows
// (op://, nsc://) would otherwise be sent to the server as the password.
func resolveSecret(v string, getenv func(string) string) (string, error) {
	switch {
	case strings.HasPrefix(v, "env://"):
		name := strings.TrimPrefix(v, "env://")
		if name == "" {
			return "", errors.New("env:// reference without a variable name")
		}
		s := getenv(name)
		if s == "" {
			return "", fmt.Errorf("environment variable %s is empty or not set", name)
		}
		return s, nil
	case strings.HasPrefix(v, "op://"), strings.HasPrefix(v, "nsc://"):
		scheme, _, _ := strings.Cut(v, "://")
		return "", fmt.Errorf("%s:// secret references are not supported by natsx", scheme)
	}
	return v, nil
}

// checkReadable opens path so permission problems surface before the
// connection attempt, where nats.go would report them far less clearly.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return &fs.PathError{Op: "open", Path: path, Err: errIsDir}
	}
	return nil
}

var errIsDir = errors.New("is a directory")

// fileProblem turns an os error into the few words a user needs; the path is
// already in the message.
func fileProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, errIsDir):
		return "is a directory, not a file"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return oneLine(err.Error())
}

// configDir is natscli's parent directory: $XDG_CONFIG_HOME or ~/.config.
func configDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return d, nil
	}
	home, err := homeDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".config"), nil
}

// homeDir prefers the injected $HOME so tests never touch the real one.
func homeDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("engine: cannot find the natscli configuration: %w", err)
	}
	return h, nil
}

// SelectedContext is the context natscli selected (nats context select):
// the name in context.txt under $XDG_CONFIG_HOME/nats or ~/.config/nats, ""
// when nothing is selected. getenv is os.Getenv outside tests.
func SelectedContext(getenv func(string) string) (string, error) {
	dir, err := configDir(getenv)
	if err != nil {
		return "", nil // No home directory: there is nothing selected either.
	}
	b, err := os.ReadFile(filepath.Join(dir, "nats", "context.txt"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("engine: selected context %s: %s", filepath.Join(dir, "nats", "context.txt"), fileProblem(err))
	}
	return strings.TrimSpace(string(b)), nil
}

// loadContext reads a context by name, or directly when name is a .json
// path, and returns it with the label errors use for its fields; flag says
// where the name came from.
func loadContext(flag, name string, getenv func(string) string) (contextFile, string, error) {
	var cf contextFile
	var path, label string
	if strings.HasSuffix(name, ".json") {
		path = name // From the command line: the shell already expanded it.
		label = "context " + path
	} else {
		if strings.Contains(name, "..") || strings.ContainsAny(name, `/\`) {
			return cf, "", fmt.Errorf("engine: %s %q: invalid context name", flag, name)
		}
		dir, err := configDir(getenv)
		if err != nil {
			return cf, "", err
		}
		dir = filepath.Join(dir, "nats", "context")
		path = filepath.Join(dir, name+".json")
		label = fmt.Sprintf("context %q", name)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return cf, "", &friendlyError{
				msg: fmt.Sprintf("engine: %s %q: unknown context (no %s.json in %s)", flag, name, name, dir),
				err: err,
			}
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cf, "", &friendlyError{msg: fmt.Sprintf("engine: %s %s: %s", flag, path, fileProblem(err)), err: err}
	}
	if err := json.Unmarshal(b, &cf); err != nil {
		return cf, "", fmt.Errorf("engine: %s (%s): invalid JSON: %w", label, path, err)
	}
	return cf, label, nil
}

// expandPath applies natscli's expansion of context paths: file:// prefix,
// a leading ~ and $VARS.
func expandPath(p string, getenv func(string) string) string {
	p = strings.TrimPrefix(p, "file://")
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := homeDir(getenv); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	return os.Expand(p, getenv)
}

// ContextLabel is how a context is named to the user (the header): its name,
// or a context file's name without ".json"; never its contents.
func ContextLabel(context string) string {
	if strings.HasSuffix(context, ".json") {
		return strings.TrimSuffix(filepath.Base(context), ".json")
	}
	return context
}
