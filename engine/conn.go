package engine

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"natsx/model"
)

const (
	defaultConnName       = "natsx"
	defaultConnectTimeout = 2 * time.Second
	reconnectWait         = 250 * time.Millisecond
)

// ConnOptions are natscli-compatible connection settings.
type ConnOptions struct {
	Servers  string // comma-separated URLs ("nats://a:4222,nats://b:4222"), or host:port
	User     string
	Password string
	Token    string
	Creds    string // path to a .creds file
	NKey     string // path to an nkey seed file
	TLSCert  string
	TLSKey   string
	TLSCA    string
	Context  string // natscli context name, or a path to a context .json
	Name     string // connection name shown by the server (default "natsx")
	// ConnectTimeout bounds each dial and handshake (default 2s).
	ConnectTimeout time.Duration
	// JetStreamDomain and JetStreamAPIPrefix are the natscli context's
	// jetstream_domain and jetstream_api_prefix (Resolve fills them; a
	// domain set here wins over the context's, and the prefix is kept
	// only without a domain). JetStream makes them the options of the
	// JetStream natsx asks.
	JetStreamDomain    string
	JetStreamAPIPrefix string
}

// JetStream is the JetStream these options name: the domain, or the API
// prefix that NewJetStream refuses to use.
func (o ConnOptions) JetStream() JetStreamOptions {
	return JetStreamOptions{Domain: o.JetStreamDomain, APIPrefix: o.JetStreamAPIPrefix}
}

// friendlyError is a one-line message for people that still unwraps to its
// cause, so callers can test errors.Is(err, nats.ErrAuthorization) or
// errors.Is(err, fs.ErrNotExist) without parsing text.
type friendlyError struct {
	msg string
	err error
}

func (e *friendlyError) Error() string { return e.msg }
func (e *friendlyError) Unwrap() error { return e.err }

// Options returns the nats.go options for these settings (name, timeout,
// auth, TLS); file contents are checked here so a broken creds, nkey or
// certificate file fails before any network traffic.
func (o ConnOptions) Options() ([]nats.Option, error) {
	name := o.Name
	if name == "" {
		name = defaultConnName
	}
	opts := []nats.Option{nats.Name(name), nats.Timeout(o.timeout())}
	if o.User != "" || o.Password != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.Creds != "" {
		if err := checkCreds(o.Creds); err != nil {
			return nil, err
		}
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	if o.NKey != "" {
		nk, err := nats.NkeyOptionFromSeed(o.NKey)
		if err != nil {
			return nil, fileError("--nkey", o.NKey, "not a user nkey seed file", err)
		}
		opts = append(opts, nk)
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		if o.TLSCert == "" || o.TLSKey == "" {
			return nil, errors.New("engine: --tlscert and --tlskey go together")
		}
		// nats.ClientCert loads lazily on every handshake; loading once here
		// turns a mismatched pair into an error before connecting.
		if _, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey); err != nil {
			return nil, &friendlyError{
				msg: fmt.Sprintf("engine: --tlscert %s / --tlskey %s: %s", o.TLSCert, o.TLSKey, oneLine(err.Error())),
				err: err,
			}
		}
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	if o.TLSCA != "" {
		pem, err := os.ReadFile(o.TLSCA)
		if err != nil {
			return nil, fileError("--tlsca", o.TLSCA, fileProblem(err), err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, fileError("--tlsca", o.TLSCA, "no PEM certificate found", nil)
		}
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	return opts, nil
}

// checkCreds parses the creds file up front: nats.UserCredentials reads it
// only during the handshake and its errors do not name the file.
func checkCreds(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fileError("--creds", path, fileProblem(err), err)
	}
	defer clear(b)
	kp, err := nkeys.ParseDecoratedUserNKey(b)
	if err != nil {
		return fileError("--creds", path, "no user nkey seed in the file (is it a .creds file?)", err)
	}
	kp.Wipe()
	tok, err := nkeys.ParseDecoratedJWT(b)
	if err != nil {
		return fileError("--creds", path, "no user JWT in the file", err)
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		return fileError("--creds", path, "no valid user JWT in the file", err)
	}
	if uc.Expires > 0 && time.Unix(uc.Expires, 0).Before(time.Now()) {
		return fileError("--creds", path, "user JWT expired "+time.Unix(uc.Expires, 0).UTC().Format(time.RFC3339), nil)
	}
	return nil
}

// fileError formats "engine: --flag path: problem".
func fileError(flag, path, problem string, err error) error {
	return &friendlyError{msg: fmt.Sprintf("engine: %s %s: %s", flag, path, problem), err: err}
}

// timeout is ConnectTimeout with its default, for callers that skip Resolve.
func (o ConnOptions) timeout() time.Duration {
	if o.ConnectTimeout > 0 {
		return o.ConnectTimeout
	}
	return defaultConnectTimeout
}

// Connect connects with resolved options (it resolves nothing itself, call
// Resolve first) and turns failures into one line a user can act on.
//
// The first attempt fails fast (no RetryOnFailedConnect) so a wrong URL is
// reported at once; after that the connection reconnects forever, because a
// traffic explorer should survive broker restarts. A silent ErrorHandler
// replaces nats.go's default, which prints to stderr and would corrupt the
// terminal UI; pass nats.ErrorHandler in extra to see async errors.
func Connect(o ConnOptions, extra ...nats.Option) (*nats.Conn, error) {
	if o.Servers == "" {
		return nil, errors.New("engine: connect: no server URL (use --server, --context or NATS_URL)")
	}
	opts, err := o.Options()
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.RetryOnFailedConnect(false),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	)
	opts = append(opts, extra...)
	nc, err := nats.Connect(o.Servers, opts...)
	if err != nil {
		return nil, connectError(o, err)
	}
	return nc, nil
}

// connectError maps nats.go and crypto/tls failures to the one line a user
// needs; it keeps the cause for errors.Is and redacts secrets in the URL.
func connectError(o ConnOptions, err error) error {
	msg := describeConnectError(o, err)
	return &friendlyError{msg: fmt.Sprintf("engine: connect %s: %s", RedactURL(o.Servers), msg), err: err}
}

func describeConnectError(o ConnOptions, err error) string {
	var (
		netErr    net.Error
		dnsErr    *net.DNSError
		opErr     *net.OpError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		header    tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, nats.ErrAuthorization):
		return "authorization failed (check --user/--password, --token, --creds or --nkey)"
	case errors.Is(err, nats.ErrAuthExpired), errors.Is(err, nats.ErrAccountAuthExpired):
		return "credentials expired (renew the --creds file)"
	case errors.Is(err, nats.ErrAuthRevoked):
		return "credentials revoked"
	case errors.Is(err, nats.ErrNoServers):
		// nats.go swallows "connection refused" and reports ErrNoServers.
		return "connection refused (no server listening there?)"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q", dnsErr.Name)
	case errors.As(err, &authority):
		return "TLS: server certificate is signed by an unknown authority (pass its CA with --tlsca)"
	case errors.As(err, &hostname):
		return "TLS: server certificate is not valid for this host: " + oneLine(hostname.Error())
	case errors.As(err, &invalid):
		return "TLS: server certificate rejected: " + oneLine(invalid.Error())
	case errors.As(err, &header):
		return "TLS handshake failed: the server does not speak TLS on this port"
	case errors.Is(err, nats.ErrSecureConnWanted):
		return "TLS requested (tls:// or --tlsca) but the server does not offer TLS"
	case errors.Is(err, nats.ErrSecureConnRequired):
		return "the server requires TLS (use tls:// or --tlsca)"
	case o.usesTLS() && droppedAfterHandshake(err):
		// With TLS 1.3 the client finishes its handshake before the server
		// checks the client certificate, so a rejection arrives as an alert
		// or as a closed connection on the first write, whichever wins.
		if o.TLSCert == "" {
			return "TLS: the server closed the connection (does it require a client certificate? use --tlscert/--tlskey)"
		}
		return "TLS: the server rejected the client certificate (check --tlscert/--tlskey and the server's CA)"
	case errors.Is(err, nats.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no server answered within %s", o.timeout())
	case errors.As(err, &opErr):
		return "unreachable: " + oneLine(opErr.Err.Error())
	}
	return oneLine(strings.TrimPrefix(err.Error(), "nats: "))
}

// usesTLS reports whether the client asked for TLS; a server may still
// upgrade a nats:// connection, but then the CA error comes first.
func (o ConnOptions) usesTLS() bool {
	if o.TLSCA != "" || o.TLSCert != "" {
		return true
	}
	for _, u := range strings.Split(strings.ToLower(o.Servers), ",") {
		u = strings.TrimSpace(u)
		if strings.HasPrefix(u, "tls://") || strings.HasPrefix(u, "wss://") {
			return true
		}
	}
	return false
}

// droppedAfterHandshake matches the ways a server's late TLS rejection
// surfaces: a TLS alert, a reset or broken pipe, or a plain EOF.
func droppedAfterHandshake(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error" ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// oneLine keeps multi-line library errors from breaking the status line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// RedactURL replaces user:password@ or token@ in every URL of a
// comma-separated list by user:***@ / ***@ so secrets never land in the
// header, logs or capture files.
func RedactURL(servers string) string { return model.RedactURL(servers) }

// normalizeServers validates each URL and adds the nats:// scheme where it
// is missing; the error text starts with the redacted URL at fault.
func normalizeServers(servers string) (string, error) {
	var out []string
	for _, p := range strings.Split(servers, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "://") {
			p = "nats://" + p
		}
		if err := checkServerURL(p); err != nil {
			return "", fmt.Errorf("%s: %w", RedactURL(p), err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%q: no server URL", servers)
	}
	return strings.Join(out, ","), nil
}

// checkServerURL accepts what nats.go can dial: nats, tls, ws and wss URLs
// with a host and a valid port.
func checkServerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg := err.Error()
		if looksLikeBareIPv6(s) {
			msg += " (IPv6 addresses need brackets: nats://[::1]:4222)"
		}
		return errors.New(msg)
	}
	switch strings.ToLower(u.Scheme) {
	case "nats", "tls", "ws", "wss":
	default:
		return fmt.Errorf("unsupported scheme %q (use nats://, tls://, ws:// or wss://)", u.Scheme)
	}
	if u.Hostname() == "" {
		return errors.New("missing host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid port %q", p)
		}
	}
	return nil
}

// looksLikeBareIPv6 spots an IPv6 host written without brackets, the usual
// cause of a confusing "invalid port" from net/url.
func looksLikeBareIPv6(s string) bool {
	_, rest, _ := strings.Cut(s, "://")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Count(rest, ":") > 1 && !strings.Contains(rest, "[")
}
