package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// maxMonitorBody bounds one answer of a monitoring port: a page of
// defaultWhoLimit subscriptions or one connection is far below it.
const maxMonitorBody = 8 << 20

// ErrBadMonitorURL means --monitor does not name an HTTP monitoring port.
var ErrBadMonitorURL = errors.New("not an http:// or https:// monitoring URL")

// ParseMonitorURL checks a --monitor value and returns it without a
// trailing slash: http(s)://host:port, a bare host:port meaning http.
func ParseMonitorURL(s string) (string, error) {
	raw := strings.TrimSpace(s)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--monitor %q: %w", s, ErrBadMonitorURL)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// monitorGet asks the monitoring port for path?q and decodes the JSON
// answer into v: bounded in time (Timeout, and ctx) and in size.
func (a *WhoAsker) monitorGet(ctx context.Context, path string, q url.Values, v any) error {
	ctx, cancel := context.WithTimeout(ctx, a.opts.Timeout)
	defer cancel()
	u := a.opts.Monitor + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("monitor %s: %w", path, err)
	}
	resp, err := monitorClient.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "malformed HTTP") {
			// It answered, but not in HTTP: the INFO line of a client port.
			return fmt.Errorf("monitor %s: not an HTTP server (a NATS client port? the monitoring port is its http_port)", a.opts.Monitor)
		}
		return fmt.Errorf("monitor %s: %w", a.opts.Monitor, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMonitorBody+1))
	switch {
	case err != nil:
		return fmt.Errorf("monitor %s%s: %w", a.opts.Monitor, path, err)
	case len(body) > maxMonitorBody:
		return fmt.Errorf("monitor %s%s: answer larger than %d bytes", a.opts.Monitor, path, maxMonitorBody)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("monitor %s%s: HTTP %s: %.200s", a.opts.Monitor, path, resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("monitor %s%s: not a NATS monitoring port (%v)", a.opts.Monitor, path, err)
	}
	return nil
}

// monitorClient asks monitoring ports. Its connections read nothing
// before they wrote a request: a server that speaks first (a NATS client
// port given as --monitor sends INFO at once) would otherwise make
// net/http log "Unsolicited response" on stderr, over the terminal UI;
// gated, the INFO is read as the answer and fails as one.
var monitorClient = &http.Client{Transport: &http.Transport{
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatedConn{Conn: c, wrote: make(chan struct{}), closed: make(chan struct{})}, nil
	},
	MaxIdleConns:        4,
	IdleConnTimeout:     30 * time.Second,
	TLSHandshakeTimeout: 5 * time.Second,
	// https:// monitors: TLS reads after its own writes, gated the same.
}}

// gatedConn holds Read until the first Write (or Close).
type gatedConn struct {
	net.Conn
	wrote, closed     chan struct{}
	wroteOnce, closeO sync.Once
}

func (c *gatedConn) Write(p []byte) (int, error) {
	c.wroteOnce.Do(func() { close(c.wrote) })
	return c.Conn.Write(p)
}

func (c *gatedConn) Read(p []byte) (int, error) {
	select {
	case <-c.wrote:
	case <-c.closed:
	}
	return c.Conn.Read(p)
}

func (c *gatedConn) Close() error {
	c.closeO.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// unwrapURLError drops net/http's "Get \"URL\":" prefix: the URL is said
// once by the caller.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// monitorViews asks the monitoring port for the subscriptions matching
// subject in every account (/subsz?subs=1&test=subject), then each
// subscriber's connection by cid (/connz?cid=…), at most maxConnzJoins.
func (a *WhoAsker) monitorViews(ctx context.Context, subject string, r *WhoResult) ([]serverView, error) {
	var vz server.Varz
	if err := a.monitorGet(ctx, "/varz", nil, &vz); err != nil {
		return nil, fmt.Errorf("engine: who: %w", err)
	}
	if vz.ID == "" {
		return nil, fmt.Errorf("engine: who: monitor %s/varz: not a NATS monitoring port (no server_id)", a.opts.Monitor)
	}
	var sz server.Subsz
	q := url.Values{"subs": {"1"}, "test": {subject}, "limit": {strconv.Itoa(a.opts.Limit)}}
	if err := a.monitorGet(ctx, "/subsz", q, &sz); err != nil {
		return nil, fmt.Errorf("engine: who: %w", err)
	}
	if sz.Total > len(sz.Subs) {
		r.Problems = append(r.Problems, fmt.Sprintf("%s: %d matching subscriptions, %d listed", vz.Name, sz.Total, len(sz.Subs)))
	}
	v := serverView{server: server.ServerInfo{Name: vz.Name, ID: vz.ID}, subs: sz.Subs, conns: map[uint64]*server.ConnInfo{}}
	asked := 0
	for _, sd := range sz.Subs {
		if _, ok := v.conns[sd.Cid]; ok {
			continue
		}
		if asked++; asked > maxConnzJoins {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: names of more than %d connections not asked", vz.Name, maxConnzJoins))
			break
		}
		var cz server.Connz
		q := url.Values{"cid": {strconv.FormatUint(sd.Cid, 10)}, "auth": {"1"}}
		if err := a.monitorGet(ctx, "/connz", q, &cz); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: connection %d: %v", vz.Name, sd.Cid, err))
			v.conns[sd.Cid] = nil
			continue
		}
		v.conns[sd.Cid] = nil // a route or internal subscription: no connection
		for _, ci := range cz.Conns {
			if ci.Cid == sd.Cid {
				v.conns[sd.Cid] = ci
			}
		}
	}
	return []serverView{v}, nil
}
