package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// openServers types :servers and returns the listing's command.
func openServers(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	send(m, press(":"))
	typeText(m, "servers")
	cmd := send(m, press("enter"))
	if m.mode != modePanel || m.panel.kind != panelServers {
		t.Fatalf(":servers: mode %v kind %v", m.mode, m.panel.kind)
	}
	return cmd
}

// TestServersViewCluster: with the system account :servers lists the
// three servers of testkit's cluster, the connected one first and marked;
// the listing comes again on the refresh tick, only while the view is
// open.
func TestServersViewCluster(t *testing.T) {
	t.Parallel()
	servers := testkit.Cluster(t, 3, func(_ int, o *server.Options) {
		testkit.Accounts("SYS", testkit.User{Name: "sys", Password: "sys", Account: "SYS"})(o)
	})
	nc := testkit.Conn(t, servers[1].ClientURL(), nats.UserInfo("sys", "sys"))
	asker := engine.NewWhoAsker(nc, nil, engine.WhoOptions{Timeout: time.Second, Gap: 200 * time.Millisecond})
	m := panelScene(t, Options{Servers: asker}, 100, 30, "orders.new")
	var out, links string
	var rows []string
	var tick tea.Cmd
	wantLinks := []string{"n1 route n2", "n1 route n3", "n2 route n1", "n2 route n3", "n3 route n1", "n3 route n2"}
	hasLink := func(want string) bool {
		for _, l := range strings.Split(links, "\n") {
			if f := strings.Fields(l); len(f) >= 6 && strings.Join(f[:3], " ") == want {
				return true
			}
		}
		return false
	}
	// A cluster just formed, on a loaded machine, may leave a server's
	// answer past the second: r asks again, as the view does every 3 s.
	deadline := time.Now().Add(15 * time.Second)
	for cmd := openServers(t, m); ; cmd = send(m, press("r")) {
		if c := answer(t, m, cmd); c != nil {
			tick = c
		}
		out = ansi.Strip(render(t, m, 100, 30))
		var table string
		table, links, _ = strings.Cut(out, "Routes, gateways and leafnodes")
		rows = rows[:0]
		for _, l := range strings.Split(table, "\n") {
			if f := strings.Fields(l); len(f) > 4 && (f[0] == "●" && f[1] == "n2" || f[0] == "n1" || f[0] == "n3") {
				rows = append(rows, f[0])
			}
		}
		complete := len(rows) == 3
		for _, w := range wantLinks {
			complete = complete && hasLink(w)
		}
		if complete || time.Now().After(deadline) {
			break
		}
	}
	if strings.Join(rows, " ") != "● n1 n3" || !strings.Contains(out, "Servers  at 12:00:30, every 3s") || !strings.Contains(out, "source sys") {
		t.Fatalf("rows %q:\n%s", rows, out)
	}
	// Under the table, each server's routes to the two others.
	for _, want := range wantLinks {
		if !hasLink(want) {
			t.Fatalf("no link %q:\n%s", want, out)
		}
	}
	if tick == nil {
		t.Fatal("no refresh armed")
	}
	next := send(m, panelTickMsg{tag: m.panel.tag})
	if next == nil || send(m, panelTickMsg{tag: m.panel.tag}) != nil {
		t.Fatal("the tick must start one listing at a time")
	}
	answer(t, m, next)
	send(m, press("esc"))
	if send(m, panelTickMsg{tag: m.panel.tag - 1}) != nil || m.mode != modeBrowse {
		t.Fatal("a tick after closing listed again")
	}
}

// countingServers lists fixed servers (or fails) and counts the listings.
type countingServers struct {
	r     *model.ServersReport
	err   error
	calls atomic.Int32
}

func (c *countingServers) Servers(context.Context) (*model.ServersReport, error) {
	c.calls.Add(1)
	return c.r, c.err
}

func sceneServers() *model.ServersReport {
	start := sceneNow.Add(-26 * time.Hour)
	return &model.ServersReport{Source: model.WhoSystem, Servers: []model.ServerStats{
		{Name: "n1", Version: "2.15.2", Cluster: "east", JetStream: true, Connected: true, Known: true, Start: start,
			Conns: 1204, Subs: 88123, SlowConsumers: 3, Mem: 512 << 20, CPU: 37.5, Cores: 8, RTT: 420 * time.Microsecond},
		{Name: "n2\x1b[2J", Version: "2.15.2", Cluster: "east", Known: true, Start: start.Add(time.Hour),
			Conns: 998, Subs: 87000, Mem: 480 << 20, CPU: 12, Cores: 8, RTT: 1200 * time.Microsecond},
	}, Links: []model.ServerLink{
		{Server: "n1", Kind: "route", Peer: "n2\x1b[2J", Conns: 4, RTT: 310 * time.Microsecond, InMsgs: 120455, OutMsgs: 98001},
		{Server: "n1", Kind: "leafnode", Peer: "edge (account APP)", Conns: 1, RTT: 2 * time.Millisecond, InMsgs: 12, OutMsgs: 40},
		{Server: "n2\x1b[2J", Kind: "route", Peer: "n1", Conns: 4, InMsgs: 98001, OutMsgs: 120455},
	}, Problems: []string{"n3 did not answer within 2s"}}
}

// TestServersViewLinksBounded: at most maxLinkRows links are listed and
// the rest counted.
func TestServersViewLinksBounded(t *testing.T) {
	t.Parallel()
	r := sceneServers()
	r.Links = nil
	for i := range maxLinkRows + 7 {
		r.Links = append(r.Links, model.ServerLink{Server: "n1", Kind: "leafnode", Peer: fmt.Sprintf("leaf-%03d", i), Conns: 1})
	}
	m := panelScene(t, Options{Servers: &countingServers{r: r}}, 100, 30, "orders.new")
	answer(t, m, openServers(t, m))
	all := ansi.Strip(strings.Join(m.panel.lines, "\n"))
	if strings.Count(all, "leaf-") != maxLinkRows || !strings.Contains(all, "… 7 more not shown") ||
		strings.Contains(all, fmt.Sprintf("leaf-%03d", maxLinkRows)) {
		t.Fatalf("links:\n%s", all)
	}
}

func TestViewGoldenServers(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := panelScene(t, Options{Servers: &countingServers{r: sceneServers()}}, sz.w, sz.h, "orders.new")
			answer(t, m, openServers(t, m))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestServersViewError: a failed listing is one line, and the view keeps
// refreshing (the next listing may succeed).
func TestServersViewError(t *testing.T) {
	t.Parallel()
	c := &countingServers{err: errors.New("engine: servers: nats: connection closed\nmore")}
	m := panelScene(t, Options{Servers: c}, 80, 24, "orders.new")
	tick := answer(t, m, openServers(t, m))
	out := ansi.Strip(render(t, m, 80, 24))
	if !strings.Contains(out, "connection closed") || strings.Contains(out, "more") || tick == nil {
		t.Fatalf("error:\n%s", out)
	}
}

// TestServersViewOneRefreshLoop: r asks again without arming another
// refresh tick, so the view keeps one loop however often r is pressed.
func TestServersViewOneRefreshLoop(t *testing.T) {
	t.Parallel()
	m := panelScene(t, Options{Servers: &countingServers{r: sceneServers()}}, 80, 24, "orders.new")
	if tick := answer(t, m, openServers(t, m)); tick == nil {
		t.Fatal("the first answer armed no refresh")
	}
	for i := range 3 {
		if tick := answer(t, m, send(m, press("r"))); tick != nil {
			t.Fatalf("r %d: its answer armed another refresh tick", i+1)
		}
	}
	// The one tick asks again, and its answer arms the next.
	cmd := send(m, panelTickMsg{tag: m.panel.tag})
	if tick := answer(t, m, cmd); tick == nil {
		t.Fatal("after the tick's listing: no next tick")
	}
}
