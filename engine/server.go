// Package engine is natsx's NATS side: the embedded broker, connections, the
// tap that copies traffic into a bounded store, and demo traffic. It never
// imports the ui package.
package engine

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"natsx/internal/srvstop"
)

// DefaultPort is the port the embedded broker tries first, NATS's own default.
const DefaultPort = 4222

// EmbeddedOptions configures the embedded broker.
type EmbeddedOptions struct {
	// Listen is "host" or "host:port". Empty means 127.0.0.1, port 4222 when
	// free, otherwise a free port. A non-loopback host is used only when the
	// user names one.
	Listen string
	// RandomPort skips the 4222 attempt (tests, sandboxes).
	RandomPort bool
	// StoreDir keeps JetStream's files (--store) so streams outlive the
	// process. Empty means a fresh temporary directory removed at Shutdown.
	StoreDir string
	// MaxMemory and MaxStore bound what JetStream may hold in memory and
	// on disk; 0 means DefaultJetStreamMemory and DefaultJetStreamStore.
	MaxMemory, MaxStore int64
	// SystemUser gives the broker a system account with a user of that
	// name and a random password (Embedded.SystemCredentials), so `nats
	// server ...` commands work against it; clients without credentials
	// land in the APP account, which has JetStream, as before.
	SystemUser string
}

// The embedded broker's JetStream limits unless told otherwise: enough for
// the demo's streams and a user's experiments, small enough that a
// forgotten stream cannot fill a laptop's disk.
const (
	DefaultJetStreamMemory = 256 << 20
	DefaultJetStreamStore  = 1 << 30
)

// Embedded is a running in-process nats-server.
type Embedded struct {
	srv     *server.Server
	url     string
	exposed bool
	// tempDir is the JetStream store Shutdown removes; empty with --store.
	tempDir string
	// sysUser and sysPass log in to the system account, when there is one.
	sysUser, sysPass string
}

// StartEmbedded starts nats-server in this process with JetStream on and
// waits until it accepts clients. Start is called directly (not in a
// goroutine) because ReadyForConnections polls every 25 ms and would
// otherwise cost a frame.
func StartEmbedded(o EmbeddedOptions) (e *Embedded, err error) {
	host, port, err := listenAddr(o)
	if err != nil {
		return nil, err
	}
	// JetStream is a bonus on a temporary store: without a writable
	// temporary directory the broker runs without it. A --store the user
	// named must work.
	storeDir, tempDir, err := jetStreamDir(o.StoreDir)
	if err != nil && o.StoreDir != "" {
		return nil, err
	}
	defer func() {
		if err != nil && tempDir != "" {
			_ = os.RemoveAll(tempDir)
		}
	}()
	opts := &server.Options{
		ServerName: "natsx-embedded",
		Host:       host,
		Port:       port,
		NoLog:      true,
		NoSigs:     true,
		// A debugging tool sees big payloads: allow what a default server allows.
		MaxPayload: 8 << 20,

		JetStream:          storeDir != "",
		StoreDir:           storeDir,
		JetStreamMaxMemory: cmp.Or(o.MaxMemory, DefaultJetStreamMemory),
		JetStreamMaxStore:  cmp.Or(o.MaxStore, DefaultJetStreamStore),
	}
	var sysPass string
	if o.SystemUser != "" {
		if sysPass, err = randomPassword(); err != nil {
			return nil, err
		}
		app, sys := server.NewAccount("APP"), server.NewAccount("SYS")
		appPass, err := randomPassword()
		if err != nil {
			return nil, err
		}
		opts.Accounts = []*server.Account{app, sys}
		opts.Users = []*server.User{
			{Username: "app", Password: appPass, Account: app},
			{Username: o.SystemUser, Password: sysPass, Account: sys},
		}
		opts.NoAuthUser = "app"
		opts.SystemAccount = "SYS"
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("engine: embedded server: %w", err)
	}
	s.Start()
	addr := net.JoinHostPort(host, strconv.Itoa(max(port, 0)))
	// Start creates the client listener before it returns; without one (port
	// in use, address not on this machine) ReadyForConnections would poll
	// for 5 s in vain, and NoLog hides the cause, so ask the kernel for it.
	if s.Addr() == nil {
		srvstop.Stop(s)
		return nil, fmt.Errorf("engine: embedded server: cannot listen on %s%s", addr, listenProblem(addr))
	}
	if !s.ReadyForConnections(5 * time.Second) {
		srvstop.Stop(s)
		return nil, fmt.Errorf("engine: embedded server on %s did not start (port in use?)", addr)
	}
	if o.StoreDir != "" && !s.JetStreamEnabled() {
		// NoLog hides why (a store directory it cannot lock or write).
		srvstop.Stop(s)
		return nil, fmt.Errorf("engine: embedded server: JetStream did not start in --store %s", o.StoreDir)
	}
	if o.SystemUser != "" && opts.JetStream {
		// Accounts named in the options get JetStream only when asked.
		if app, lerr := s.LookupAccount("APP"); lerr == nil && !app.JetStreamEnabled() {
			if err = app.EnableJetStream(nil, nil); err != nil {
				srvstop.Stop(s)
				return nil, fmt.Errorf("engine: embedded server: JetStream for the APP account: %w", err)
			}
		}
	}
	return &Embedded{srv: s, url: s.ClientURL(), exposed: !isLoopback(host), tempDir: tempDir,
		sysUser: o.SystemUser, sysPass: sysPass}, nil
}

// SystemCredentials is the system account's user and password when the
// broker was started with one (EmbeddedOptions.SystemUser).
func (e *Embedded) SystemCredentials() (user, password string, ok bool) {
	return e.sysUser, e.sysPass, e != nil && e.sysUser != ""
}

// randomPassword is 24 random characters for a broker's user.
func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("engine: embedded server: password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// jetStreamDir is where JetStream keeps its files: dir when given
// (created if missing), else a new temporary directory, returned as tmp
// too so Shutdown removes it.
func jetStreamDir(dir string) (store, tmp string, err error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", "", fmt.Errorf("engine: --store: %w", err)
		}
		return dir, "", nil
	}
	tmp, err = os.MkdirTemp("", "natsx-jetstream-")
	if err != nil {
		return "", "", fmt.Errorf("engine: JetStream store: %w", err)
	}
	return tmp, tmp, nil
}

// isLoopback reports whether host (an IP or "localhost") is only reachable
// from this machine; 0.0.0.0 and :: are every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenExposed reports whether a --listen value would bind the embedded
// broker beyond this machine, read as StartEmbedded reads it (an empty
// host is 127.0.0.1); a value StartEmbedded refuses is not exposed.
func ListenExposed(listen string) bool {
	host, _, err := listenAddr(EmbeddedOptions{Listen: listen, RandomPort: true})
	return err == nil && !isLoopback(host)
}

// Exposed reports whether the broker listens beyond loopback: it has no
// authentication, so anyone on the network can publish and subscribe.
func (e *Embedded) Exposed() bool { return e != nil && e.exposed }

// listenAddr resolves the host and port to bind: loopback and 4222 if free
// unless told otherwise.
func listenAddr(o EmbeddedOptions) (string, int, error) {
	host, port := "127.0.0.1", -1
	if o.Listen != "" {
		h, p, err := net.SplitHostPort(o.Listen)
		if err != nil {
			// A bare host without a port.
			h, p = o.Listen, ""
		}
		// A bare "[::1]" fails SplitHostPort and keeps its brackets.
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if h != "" {
			if net.ParseIP(h) == nil && h != "localhost" {
				return "", 0, fmt.Errorf("engine: --listen %q: not an IP address", o.Listen)
			}
			host = h
		}
		if p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 65535 {
				return "", 0, fmt.Errorf("engine: --listen %q: bad port", o.Listen)
			}
			if n == 0 {
				n = -1 // port 0 means "any free port"; nats-server reads 0 as 4222
			}
			return host, n, nil
		}
	}
	if !o.RandomPort && portFree(host, DefaultPort) {
		port = DefaultPort
	}
	return host, port, nil
}

// listenProblem is ": <cause>" for an address nothing can listen on, or ""
// when it is free again.
func listenProblem(addr string) string {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return ": " + err.Error()
	}
	_ = l.Close()
	return ""
}

func portFree(host string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// URL is the client URL of the embedded broker, e.g. nats://127.0.0.1:4222.
func (e *Embedded) URL() string { return e.url }

// Server exposes the running server for stats (slow consumers) and tests.
func (e *Embedded) Server() *server.Server { return e.srv }

// SlowConsumers is the number of clients the server disconnected for being
// slow: the "reported by the server" drop counter.
func (e *Embedded) SlowConsumers() int64 {
	if e == nil || e.srv == nil {
		return 0
	}
	return e.srv.NumSlowConsumers()
}

// Shutdown stops the broker, once its JetStream API is idle (see
// internal/srvstop), and waits for it.
func (e *Embedded) Shutdown() { e.ShutdownAfter() }

// ShutdownAfter is Shutdown that first waits for the connections with the
// client IDs closed (natsx's own, just closed) to go: what they sent last
// is then counted in the API's queue Shutdown waits for.
func (e *Embedded) ShutdownAfter(closed ...uint64) {
	if e == nil || e.srv == nil {
		return
	}
	srvstop.Stop(e.srv, closed...)
	if e.tempDir != "" {
		_ = os.RemoveAll(e.tempDir)
		e.tempDir = ""
	}
}
