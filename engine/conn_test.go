package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"natsx/testkit"
)

const authHint = "authorization failed (check --user/--password, --token, --creds or --nkey)"

// connectResolved is the production path: Resolve, then Connect.
func connectResolved(t *testing.T, o ConnOptions) (*nats.Conn, error) {
	t.Helper()
	r, err := o.Resolve(mapEnv(nil))
	if err != nil {
		return nil, err
	}
	nc, err := Connect(r)
	if nc != nil {
		t.Cleanup(nc.Close)
	}
	return nc, err
}

// checkConnect asserts success, or an error containing want that names the
// redacted URL and leaks none of the secrets.
func checkConnect(t *testing.T, nc *nats.Conn, err error, want string, secrets ...string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatalf("flush: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("connect succeeded, want error containing %q", want)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "engine: connect ") || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Fatalf("error = %q, want one line containing %q", msg, want)
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Fatalf("error %q leaks secret %q", msg, s)
		}
	}
}

func TestConnectUserPassword(t *testing.T) {
	s := testkit.Server(t, func(o *server.Options) { o.Username, o.Password = "alice", "s3cret" })
	host := strings.TrimPrefix(s.ClientURL(), "nats://")
	tests := []struct {
		name string
		o    ConnOptions
		want string
	}{
		{"flags", ConnOptions{Servers: s.ClientURL(), User: "alice", Password: "s3cret"}, ""},
		{"in URL", ConnOptions{Servers: "nats://alice:s3cret@" + host}, ""},
		{"wrong password", ConnOptions{Servers: s.ClientURL(), User: "alice", Password: "nope"}, authHint},
		{"wrong password in URL", ConnOptions{Servers: "nats://alice:nope@" + host}, "nats://alice:***@" + host + ": " + authHint},
		{"no credentials", ConnOptions{Servers: s.ClientURL()}, authHint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := connectResolved(t, tc.o)
			checkConnect(t, nc, err, tc.want, "nope", "s3cret")
			if err != nil && !errors.Is(err, nats.ErrAuthorization) {
				t.Fatalf("error %v does not wrap nats.ErrAuthorization", err)
			}
		})
	}
}

func TestConnectToken(t *testing.T) {
	s := testkit.Server(t, func(o *server.Options) { o.Authorization = "t0ken" })
	host := strings.TrimPrefix(s.ClientURL(), "nats://")
	tests := []struct {
		name string
		o    ConnOptions
		want string
	}{
		{"flag", ConnOptions{Servers: s.ClientURL(), Token: "t0ken"}, ""},
		{"in URL", ConnOptions{Servers: "nats://t0ken@" + host}, ""},
		{"wrong", ConnOptions{Servers: s.ClientURL(), Token: "bad-token"}, authHint},
		{"wrong in URL", ConnOptions{Servers: "nats://bad-token@" + host}, "nats://***@" + host},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := connectResolved(t, tc.o)
			checkConnect(t, nc, err, tc.want, "bad-token")
		})
	}
}

// writeSeed stores a fresh user nkey's seed and returns its public key.
func writeSeed(t *testing.T, path string) string {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := kp.Seed()
	pub, _ := kp.PublicKey()
	if err := os.WriteFile(path, append(seed, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestConnectNKey(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.nk"), filepath.Join(dir, "bad.nk")
	pub := writeSeed(t, good)
	writeSeed(t, bad)
	s := testkit.Server(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })

	nc, err := connectResolved(t, ConnOptions{Servers: s.ClientURL(), NKey: good})
	checkConnect(t, nc, err, "")
	nc, err = connectResolved(t, ConnOptions{Servers: s.ClientURL(), NKey: bad})
	checkConnect(t, nc, err, authHint)

	junk := filepath.Join(dir, "junk.nk")
	if err := os.WriteFile(junk, []byte("not a seed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = connectResolved(t, ConnOptions{Servers: s.ClientURL(), NKey: junk})
	if want := "engine: --nkey " + junk + ": not a user nkey seed file"; err == nil || err.Error() != want {
		t.Fatalf("junk seed: err = %v, want %q", err, want)
	}
}

// operatorSetup builds an operator → account → user JWT chain, returns a
// server option hook for operator mode with a memory resolver and writes the
// user's creds file.
func operatorSetup(t *testing.T, credsPath string, expires time.Time) func(*server.Options) {
	t.Helper()
	okp, _ := nkeys.CreateOperator()
	opub, _ := okp.PublicKey()
	oc := jwt.NewOperatorClaims(opub)
	ojwt, err := oc.Encode(okp)
	if err != nil {
		t.Fatal(err)
	}
	oc, err = jwt.DecodeOperatorClaims(ojwt)
	if err != nil {
		t.Fatal(err)
	}
	akp, _ := nkeys.CreateAccount()
	apub, _ := akp.PublicKey()
	ajwt, err := jwt.NewAccountClaims(apub).Encode(okp)
	if err != nil {
		t.Fatal(err)
	}
	ukp, _ := nkeys.CreateUser()
	upub, _ := ukp.PublicKey()
	useed, _ := ukp.Seed()
	uc := jwt.NewUserClaims(upub)
	if !expires.IsZero() {
		uc.Expires = expires.Unix()
	}
	ujwt, err := uc.Encode(akp)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := jwt.FormatUserConfig(ujwt, useed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credsPath, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	return func(o *server.Options) {
		r := &server.MemAccResolver{}
		if err := r.Store(apub, ajwt); err != nil {
			t.Fatal(err)
		}
		o.TrustedOperators = []*jwt.OperatorClaims{oc}
		o.AccountResolver = r
	}
}

func TestConnectCreds(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "user.creds")
	s := testkit.Server(t, operatorSetup(t, creds, time.Time{}))

	nc, err := connectResolved(t, ConnOptions{Servers: s.ClientURL(), Creds: creds})
	checkConnect(t, nc, err, "")

	// A valid chain from another operator is unknown to this server.
	other := filepath.Join(dir, "other.creds")
	operatorSetup(t, other, time.Time{})
	nc, err = connectResolved(t, ConnOptions{Servers: s.ClientURL(), Creds: other})
	checkConnect(t, nc, err, authHint)

	expired := filepath.Join(dir, "expired.creds")
	operatorSetup(t, expired, time.Now().Add(-time.Hour))
	seedOnly := filepath.Join(dir, "seed.creds")
	writeSeed(t, seedOnly)
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.creds"), "no such file"},
		{expired, "user JWT expired"},
		{seedOnly, "no valid user JWT in the file"},
		{filepath.Join(dir, "user.creds") + "/", "not a directory"},
	} {
		_, err := connectResolved(t, ConnOptions{Servers: s.ClientURL(), Creds: tc.path})
		want := "engine: --creds " + tc.path + ": " + tc.want
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("creds %s: err = %v, want prefix %q", tc.path, err, want)
		}
	}
}

// pki holds PEM files for a throwaway CA, a server and a client certificate.
type pki struct{ ca, serverCert, serverKey, clientCert, clientKey string }

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "natsx test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
			DNSNames:     []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		return write(name+".pem", "CERTIFICATE", der), write(name+"-key.pem", "EC PRIVATE KEY", kder)
	}
	p := pki{ca: write("ca.pem", "CERTIFICATE", caDER)}
	p.serverCert, p.serverKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return p
}

// tlsServer runs a TLS-only server; verify makes it demand client certs.
func tlsServer(t *testing.T, p pki, verify bool) *server.Server {
	t.Helper()
	return testkit.Server(t, func(o *server.Options) {
		cfg, err := server.GenTLSConfig(&server.TLSConfigOpts{
			CertFile: p.serverCert, KeyFile: p.serverKey, CaFile: p.ca, Verify: verify,
		})
		if err != nil {
			t.Fatal(err)
		}
		o.TLS, o.TLSVerify, o.TLSConfig, o.TLSTimeout = true, verify, cfg, 2
	})
}

func TestConnectTLS(t *testing.T) {
	p := newPKI(t)
	plain := tlsServer(t, p, false)
	verify := tlsServer(t, p, true)
	tlsURL := func(s *server.Server) string { return fmt.Sprintf("tls://127.0.0.1:%d", s.Addr().(*net.TCPAddr).Port) }
	natsURL := strings.Replace(tlsURL(plain), "tls://", "nats://", 1)
	tests := []struct {
		name string
		o    ConnOptions
		want string
	}{
		{"ca", ConnOptions{Servers: tlsURL(plain), TLSCA: p.ca}, ""},
		{"ca with nats scheme", ConnOptions{Servers: natsURL, TLSCA: p.ca}, ""},
		{"no ca", ConnOptions{Servers: tlsURL(plain)}, "signed by an unknown authority (pass its CA with --tlsca)"},
		{"client cert", ConnOptions{Servers: tlsURL(verify), TLSCA: p.ca, TLSCert: p.clientCert, TLSKey: p.clientKey}, ""},
		{"missing client cert", ConnOptions{Servers: tlsURL(verify), TLSCA: p.ca}, "does it require a client certificate? use --tlscert/--tlskey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := connectResolved(t, tc.o)
			checkConnect(t, nc, err, tc.want)
			if err == nil && !nc.TLSRequired() {
				t.Fatal("connected without TLS")
			}
		})
	}

	// The server's key is not the client certificate's key.
	_, err := connectResolved(t, ConnOptions{Servers: tlsURL(verify), TLSCert: p.clientCert, TLSKey: p.serverKey})
	if err == nil || !strings.Contains(err.Error(), "engine: --tlscert "+p.clientCert+" / --tlskey "+p.serverKey+": ") {
		t.Fatalf("mismatched pair: err = %v", err)
	}
	// A key file holds no certificate.
	_, err = connectResolved(t, ConnOptions{Servers: tlsURL(plain), TLSCA: p.serverKey})
	if want := "engine: --tlsca " + p.serverKey + ": no PEM certificate found"; err == nil || err.Error() != want {
		t.Fatalf("bad CA: err = %v, want %q", err, want)
	}
}

func TestConnectUnreachable(t *testing.T) {
	// A port nobody listens on: refused at once.
	closed := testkit.RefusedAddr(t)
	_, err := connectResolved(t, ConnOptions{Servers: "nats://bob:hunter2@" + closed})
	checkConnect(t, nil, err, "engine: connect nats://bob:***@"+closed+": connection refused", "hunter2")
	if !errors.Is(err, nats.ErrNoServers) {
		t.Fatalf("error %v does not wrap nats.ErrNoServers", err)
	}

	// A listener that accepts but never speaks NATS: the timeout applies.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	timeout := 300 * time.Millisecond
	start := time.Now()
	_, err = connectResolved(t, ConnOptions{Servers: "t0ken@" + mute.Addr().String(), ConnectTimeout: timeout})
	checkConnect(t, nil, err, "engine: connect nats://***@"+mute.Addr().String()+": no server answered within 300ms", "t0ken")
	// Generous bound: this guards against a missing timeout, not speed.
	if d := time.Since(start); d > 10*timeout {
		t.Fatalf("took %v with a %v timeout", d, timeout)
	}
}

func TestConnectSettings(t *testing.T) {
	s := testkit.Server(t)
	nc, err := connectResolved(t, ConnOptions{Servers: s.ClientURL()})
	checkConnect(t, nc, err, "")
	if nc.Opts.Name != "natsx" || nc.Opts.Timeout != 2*time.Second {
		t.Errorf("name %q timeout %v, want natsx 2s", nc.Opts.Name, nc.Opts.Timeout)
	}
	if nc.Opts.MaxReconnect != -1 || nc.Opts.ReconnectWait != 250*time.Millisecond || nc.Opts.RetryOnFailedConnect {
		t.Errorf("reconnect: max %d wait %v retry-first %v", nc.Opts.MaxReconnect, nc.Opts.ReconnectWait, nc.Opts.RetryOnFailedConnect)
	}
	if nc.Opts.AsyncErrorCB == nil {
		t.Error("no ErrorHandler: nats.go's default would print over the UI")
	}
	cz, err := s.Connz(nil)
	if err != nil || len(cz.Conns) != 1 || cz.Conns[0].Name != "natsx" {
		t.Fatalf("server sees %+v, %v; want one connection named natsx", cz, err)
	}

	// extra options come last, so callers override the defaults.
	nc2, err := Connect(ConnOptions{Servers: s.ClientURL(), Name: "tap"}, nats.MaxReconnects(3))
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	if nc2.Opts.MaxReconnect != 3 || nc2.Opts.Name != "tap" {
		t.Errorf("extra not applied: max %d name %q", nc2.Opts.MaxReconnect, nc2.Opts.Name)
	}

	if _, err := Connect(ConnOptions{}); err == nil || !strings.Contains(err.Error(), "no server URL") {
		t.Errorf("empty Servers: err = %v", err)
	}
}
