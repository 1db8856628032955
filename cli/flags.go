package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"natsx/engine"
	"natsx/model"
	"natsx/where"

	"github.com/nats-io/nats.go"
)

// ConnFlags are natscli-compatible connection flags.
type ConnFlags struct {
	Server   string `short:"s" help:"NATS server URL(s), comma-separated (default: NATS_URL, else the selected natscli context, else the embedded broker)" placeholder:"URL"`
	User     string `help:"username"`
	Password string `help:"password"`
	Token    string `help:"authentication token"`
	Creds    string `help:"user credentials (.creds) file" type:"path"`
	Nkey     string `help:"nkey seed file" type:"path"`
	TLSCert  string `name:"tlscert" help:"TLS client certificate" type:"path"`
	TLSKey   string `name:"tlskey" help:"TLS client key" type:"path"`
	TLSCA    string `name:"tlsca" help:"TLS CA certificate" type:"path"`
	Context  string `help:"natscli context name or .json file (default: the one 'nats context select' chose)"`

	jsDomain string // --js-domain of the commands that read JetStream (JetStreamFlag.applyDomain)
}

// ListenFlag is where natsx's embedded broker listens; every command that
// starts one takes it.
type ListenFlag struct {
	Listen string `help:"address the embedded broker listens on (default 127.0.0.1, port 4222 if free)" placeholder:"HOST[:PORT]"`
}

// StoreFlag is where the embedded broker keeps JetStream's files, for the
// commands whose broker a user works with (run, tree, record, serve).
type StoreFlag struct {
	Store string `help:"keep the embedded broker's JetStream streams in DIR (default: a temporary directory removed on exit)" placeholder:"DIR" type:"path"`
}

// MonitorFlag names a server's HTTP monitoring port, a source for "who
// gets this" when natsx is not in the system account.
type MonitorFlag struct {
	Monitor string `help:"a server's HTTP monitoring port (http://HOST:PORT, its http_port): who gets a message is asked there, every account, when natsx is not in the system account" placeholder:"URL"`
}

// monitorURL is --monitor checked and normalized, "" without it.
func (f MonitorFlag) monitorURL() (string, error) {
	if f.Monitor == "" {
		return "", nil
	}
	u, err := engine.ParseMonitorURL(f.Monitor)
	if err != nil {
		return "", flagErrorf("%s", model.Sanitize(err.Error()))
	}
	return u, nil
}

// JetStreamFlag names the JetStream domain natsx asks, for the commands
// that read JetStream (the explorer's streams view, record --stream, who).
type JetStreamFlag struct {
	JSDomain string `name:"js-domain" help:"ask the JetStream of this domain (a hub's or a leaf node's; default: the context's jetstream_domain, else the account's own)" placeholder:"NAME"`
}

// applyDomain hands --js-domain to conn's resolution, which checks it and
// where it wins over the context's jetstream_domain (and drops its
// jetstream_api_prefix); external says whether a server is named (the
// embedded broker has no domain).
func (f JetStreamFlag) applyDomain(conn *ConnFlags, external bool) error {
	conn.jsDomain = f.JSDomain
	if f.JSDomain == "" {
		return nil
	}
	if !external {
		return flagErrorf("--js-domain names a domain on a running server: the embedded broker has none (give --server, --context or NATS_URL)")
	}
	return nil
}

// SourceFlags choose between the embedded broker and an external server.
type SourceFlags struct {
	ConnFlags
	ListenFlag
	StoreFlag
	Embedded bool `help:"use the embedded broker even when NATS_URL or a selected natscli context names a server"`
	NoDemo   bool `help:"no demo traffic on the embedded broker"`
	DemoRate Rate `default:"200" help:"demo messages per second, or max for a flood" placeholder:"N|max"`
}

// ExplorerFlags are the explorer's own flags, shared by run and open.
type ExplorerFlags struct {
	MaxMemory Size     `default:"256MiB" help:"memory budget for the whole process: subjects, kept messages and buffers" placeholder:"SIZE"`
	Filter    []string `short:"f" sep:"none" help:"open a filter pane for this pattern, narrowed by an expression after where (repeatable; wins over the saved set)" placeholder:"'PATTERN [where EXPR]'"`
	PaneDepth int      `default:"10000" help:"messages kept per filter pane"`
	Mouse     bool     `help:"click to focus and select, wheel to scroll"`
	ReadOnly  bool     `help:"no publish, request or edit from the UI"`
	AllCPUs   bool     `name:"all-cpus" help:"on an external server, run on every CPU: by default, on Linux, when natsx may use exactly 2 CPUs it keeps to one, so keys answer quickly when a flood shares the machine"`

	monitor   string                  // run's --monitor, normalized (MonitorFlag)
	jetstream engine.JetStreamOptions // run's domain (--js-domain, the context's)
}

// external reports whether -s, --context or NATS_URL name a server. The
// commands built on SourceFlags follow natscli's selected context too
// (SourceFlags.serverSource); replay, who and trace do not: replay would
// otherwise publish a capture into whatever context is selected.
func (f ConnFlags) external() bool { return f.namedSource() != "" }

// namedSource says which of -s, --context and NATS_URL names the server,
// "" when none does.
func (f ConnFlags) namedSource() string {
	switch {
	case f.Server != "":
		return "--server"
	case f.Context != "":
		return "--context"
	case os.Getenv("NATS_URL") != "":
		return "NATS_URL"
	}
	return ""
}

// credentials reports whether any credential or TLS flag is given.
func (f ConnFlags) credentials() bool {
	return f.User != "" || f.Password != "" || f.Token != "" || f.Creds != "" || f.Nkey != "" ||
		f.TLSCert != "" || f.TLSKey != "" || f.TLSCA != ""
}

// validate refuses flags that contradict each other: credentials for the
// embedded broker, which needs none, or --listen with an external server.
func (f ConnFlags) validate(listen string) error {
	return f.validateFor(f.namedSource(), listen)
}

// validateFor is validate for a server named by source ("" for the
// embedded broker).
func (f ConnFlags) validateFor(source, listen string) error {
	if source == "" {
		if f.credentials() {
			return flagErrorf("credentials given without --server: the embedded broker needs none")
		}
		return nil
	}
	if listen != "" {
		return flagErrorf("--listen applies to the embedded broker, not to %s%s", source, embeddedHint(source))
	}
	return nil
}

// embeddedHint tells how to get the embedded broker when NATS_URL or a
// selected context chose a server the user did not name on this command
// line.
func embeddedHint(source string) string {
	if source == "--server" || source == "--context" {
		return ""
	}
	return " (add --embedded for natsx's own broker)"
}

// connOptions resolves the flags (a natscli context, NATS_URL) into what
// engine.Connect takes, for a connection called name. Only for external().
func (f ConnFlags) connOptions(name string) (engine.ConnOptions, error) {
	c := engine.ConnOptions{
		Servers: f.Server, User: f.User, Password: f.Password, Token: f.Token,
		Creds: f.Creds, NKey: f.Nkey, TLSCert: f.TLSCert, TLSKey: f.TLSKey, TLSCA: f.TLSCA,
		Context: f.Context, Name: name, JetStreamDomain: f.jsDomain,
	}
	return c.Resolve(os.Getenv)
}

// serverSource says what names the server natsx connects to, for
// messages, "" for the embedded broker: nothing with --embedded; else -s,
// --context or NATS_URL; else natscli's selected context (nats context
// select), as engine.ConnOptions.Resolve follows it: only when no
// credential flag is given, so a stored identity never goes to a server
// it does not name. A selection natsx cannot read counts as one, so
// Resolve reports the problem instead of natsx silently running its own
// broker.
func (f SourceFlags) serverSource() string {
	if f.Embedded {
		return ""
	}
	if s := f.namedSource(); s != "" || f.credentials() {
		return s
	}
	name, err := engine.SelectedContext(os.Getenv)
	switch {
	case err != nil:
		return "the selected natscli context"
	case name != "":
		return fmt.Sprintf("the selected natscli context %q", name)
	}
	return ""
}

// external reports whether natsx connects to a server rather than starting
// its own broker.
func (f SourceFlags) external() bool { return f.serverSource() != "" }

// validate is ConnFlags.validate for the source serverSource chose, and
// the rules of --embedded and --store.
func (f SourceFlags) validate() error {
	if f.Embedded && (f.Server != "" || f.Context != "") {
		return flagErrorf("--embedded runs natsx's own broker: drop --server and --context, or --embedded")
	}
	if f.Embedded && f.credentials() {
		return flagErrorf("credentials given with --embedded: the embedded broker needs none")
	}
	source := f.serverSource()
	if source == "" && !f.Embedded && f.credentials() {
		if name, _ := engine.SelectedContext(os.Getenv); name != "" {
			// Resolve never gives a stored identity's server other
			// credentials: say so rather than blame the embedded broker.
			return flagErrorf("credentials given without --server: the selected context %q is used only without credential flags (name it with --context)", name)
		}
	}
	if f.Store != "" && source != "" {
		return flagErrorf("--store applies to the embedded broker, not to %s%s", source, embeddedHint(source))
	}
	return f.ConnFlags.validateFor(source, f.Listen)
}

// sessionOptions is the embedded broker (with demo traffic unless
// --no-demo) or the external server the flags, NATS_URL or the selected
// natscli context name.
func (f SourceFlags) sessionOptions() (engine.SessionOptions, error) {
	if !f.external() {
		return engine.SessionOptions{
			Embedded:    &engine.EmbeddedOptions{Listen: f.Listen, StoreDir: f.Store},
			Demo:        !f.NoDemo,
			DemoOptions: engine.DemoOptions{Rate: float64(f.DemoRate)},
		}, nil
	}
	c, err := f.connOptions("natsx")
	if err != nil {
		return engine.SessionOptions{}, err
	}
	return engine.SessionOptions{Conn: c}, nil
}

// minMemory is the smallest --max-memory the explorer runs in.
const minMemory = 16 << 20

func (f ExplorerFlags) validate() error {
	if f.MaxMemory < minMemory {
		return flagErrorf("--max-memory %s: at least 16MiB", model.HumanBytes(uint64(f.MaxMemory)))
	}
	for _, p := range f.Filter {
		// One pane a flag: an expression has commas of its own, so the
		// flag is not a comma list; a comma in the pattern says so.
		if pat, _, _ := strings.Cut(strings.TrimSpace(p), " "); strings.Contains(pat, ",") {
			return flagErrorf("--filter %q: one pattern per --filter (repeat the flag for more panes)", model.Sanitize(p))
		}
		if _, _, err := where.ParseFilter(p); err != nil {
			return flagErrorf("--filter: %w", err)
		}
	}
	if f.PaneDepth < 1 || f.PaneDepth > maxPaneDepth {
		return flagErrorf("--pane-depth %d: want 1 to %d", f.PaneDepth, maxPaneDepth)
	}
	return nil
}

// maxPaneDepth bounds --pane-depth: a pane's ring is sized from it, and a
// million kept messages a pane is already far past what one can scroll
// through (the budget still bounds the bytes).
const maxPaneDepth = 1_000_000

// connect opens the connection the flags name (external() only), as a
// client called name.
func (f ConnFlags) connect(name string) (*nats.Conn, error) {
	co, err := f.connOptions(name)
	if err != nil {
		return nil, err
	}
	return engine.Connect(co)
}

// WhereFlag is --where for the headless commands: only the messages the
// expression holds for are recorded, replayed, exported or counted.
type WhereFlag struct {
	Where string `help:"keep only messages for which this expression is true, e.g. '.total > 1000 && header(\"X-Tenant\") == \"acme\"' (see the README's filter language)" placeholder:"EXPR"`

	filter *where.Filter // compiled by validateWhere
	misses uint64        // messages the expression could not decide
	last   string        // the last miss's reason
}

// validateWhere compiles --where at parse time: a bad expression stops
// the command before it connects or creates anything.
func (f *WhereFlag) validateWhere() error {
	f.filter = nil
	if f.Where == "" {
		return nil
	}
	w, err := where.Compile(f.Where)
	if err != nil {
		return flagErrorf("--where: %w", err)
	}
	f.filter = w
	return nil
}

// keep reports whether m passes --where (always without one), counting
// the messages it could not decide.
func (f *WhereFlag) keep(m *model.Message) bool {
	if f.filter == nil {
		return true
	}
	ok, err := f.filter.Match(m)
	if err != nil {
		f.misses++
		f.last = err.Error()
	}
	return ok
}

// keepFunc is keep for a recorder option: nil without --where, so the
// recorder's loop stays as it was.
func (f *WhereFlag) keepFunc() func(*model.Message) bool {
	if f.filter == nil {
		return nil
	}
	return f.keep
}

// reportMisses says on w how many messages --where could not decide (a
// field some lack, a payload that is not JSON): left out, but a user
// whose filter reads a misspelt field must learn why nothing matched.
func (f *WhereFlag) reportMisses(w io.Writer) {
	if f.misses > 0 {
		fmt.Fprintf(w, "natsx: --where could not decide %s (left out; last: %s)\n",
			model.Plural(f.misses, "message", "messages"), model.Sanitize(f.last))
	}
}

// keepWhere compacts msgs to those keep holds for, in order, clearing the
// rest's references for the GC.
func keepWhere(msgs []model.Message, keep func(*model.Message) bool) []model.Message {
	n := 0
	for i := range msgs {
		if keep(&msgs[i]) {
			msgs[n] = msgs[i]
			n++
		}
	}
	clear(msgs[n:])
	return msgs[:n]
}
