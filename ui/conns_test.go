package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
)

// openConns types :conns and returns the listing's command.
func openConns(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	send(m, press(":"))
	typeText(m, "conns")
	cmd := send(m, press("enter"))
	if m.mode != modePanel || m.panel.kind != panelConns {
		t.Fatalf(":conns: mode %v kind %v", m.mode, m.panel.kind)
	}
	return cmd
}

// connRows are the first words of the open connections' rows, in order.
func connRows(out string, names ...string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		if f[0] == "*" {
			f = f[1:]
		}
		for _, n := range names {
			if f[0] == n && strings.HasPrefix(f[1], "go") {
				rows = append(rows, n)
			}
		}
	}
	return rows
}

// TestConnsViewEmbedded: :conns on the embedded broker lists payer (5
// messages sent), billing (none) and natsx's own connection marked *, a closed connection
// with its reason; s and S reorder; the view refreshes one listing at a
// time while open.
func TestConnsViewEmbedded(t *testing.T) {
	t.Parallel()
	emb, tap := embeddedWho(t)
	payer := testkit.Conn(t, emb.URL(), nats.Name("payer"))
	for range 5 {
		if err := payer.Publish("nowhere.x", []byte("12345")); err != nil {
			t.Fatal(err)
		}
	}
	if err := payer.Flush(); err != nil {
		t.Fatal(err)
	}
	testkit.Conn(t, emb.URL(), nats.Name("gone")).Close()
	asker := engine.NewWhoAsker(tap, emb, engine.WhoOptions{Timeout: time.Second})
	m := panelScene(t, Options{Conns: asker}, 140, 30, "orders.new")

	var out string
	var tick tea.Cmd
	deadline := time.Now().Add(5 * time.Second)
	for cmd := openConns(t, m); ; cmd = send(m, press("r")) {
		// The first answer arms the refresh; r's answers arm no second one.
		if c := answer(t, m, cmd); c != nil {
			tick = c
		}
		out = ansi.Strip(render(t, m, 140, 30))
		if strings.Contains(out, "Recently closed") && strings.Contains(out, "gone") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no closed connection listed:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"Connections · sort msgs ↓", "* natsx-own-tap", "source embedded", "Client Closed", "SENT", "IDLE"} {
		if !strings.Contains(out, want) {
			t.Fatalf("view lacks %q:\n%s", want, out)
		}
	}
	// payer sent 5, billing nothing: most messages first, then reversed.
	if got := strings.Join(connRows(out, "payer", "billing"), " "); got != "payer billing" {
		t.Fatalf("by msgs: %q\n%s", got, out)
	}
	send(m, press("S"))
	out = ansi.Strip(render(t, m, 140, 30))
	if got := strings.Join(connRows(out, "payer", "billing"), " "); got != "billing payer" || !strings.Contains(out, "sort msgs ↑") {
		t.Fatalf("reversed: %q\n%s", got, out)
	}
	send(m, press("s"))
	if out = ansi.Strip(render(t, m, 140, 30)); !strings.Contains(out, "sort bytes ↑") {
		t.Fatalf("s: next key:\n%s", out)
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
	if m.mode != modeBrowse {
		t.Fatal("esc did not close")
	}
}

// fixedConns lists a fixed report.
type fixedConns struct{ r *model.ConnsReport }

func (f fixedConns) Connections(context.Context) (*model.ConnsReport, error) { return f.r, nil }

func sceneConns() *model.ConnsReport {
	start := sceneNow.Add(-3 * time.Hour)
	return &model.ConnsReport{Source: model.WhoSystem, Servers: []string{"n1", "n2"},
		Open: []model.ConnStats{
			{Server: "n1", CID: 7, Name: "billing", Lang: "go", Version: "1.55.0", Account: "A", Subs: 3, InMsgs: 120, OutMsgs: 88000,
				InBytes: 9000, OutBytes: 12 << 20, Pending: 64 << 10, RTT: 800 * time.Microsecond, Idle: 2 * time.Second, Start: start},
			{Server: "n2", CID: 12, Name: "natsx", Lang: "go", Version: "1.55.0", Account: "SYS", Subs: 1, InMsgs: 40, OutMsgs: 300,
				RTT: 300 * time.Microsecond, Start: start, Own: true},
			{Server: "n2", CID: 13, Name: "evil\x1b[2J", Lang: "python3", Version: "2.9.0", Account: "B", InMsgs: 5, Idle: 5 * time.Minute, Start: start},
		},
		Closed: []model.ConnStats{
			{Server: "n1", CID: 4, Name: "sleepy", Account: "A", OutMsgs: 4000, Stop: sceneNow.Add(-40 * time.Second), Reason: "Slow Consumer (Pending Bytes)"},
			{Server: "n2", CID: 9, Account: "B", Stop: sceneNow.Add(-2 * time.Minute), Reason: "Client Closed"},
		},
		Blind:    "internal connections (JetStream, services) are not listed",
		Problems: []string{"n3: no answer"},
	}
}

// TestViewGoldenConns: the view with two servers and accounts, a slow
// consumer named, a hostile name, at each golden size.
func TestViewGoldenConns(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := panelScene(t, Options{Conns: fixedConns{sceneConns()}}, sz.w, sz.h, "orders.new")
			answer(t, m, openConns(t, m))
			out := render(t, m, sz.w, sz.h)
			if strings.Contains(out, "\x1b[2J") {
				t.Fatal("a connection's name reached the terminal unsanitized")
			}
			if plain := ansi.Strip(out); sz.h >= 24 && !strings.Contains(plain, "slow consumers cut off: sleepy (cid 4 on n1, 40s ago)") {
				t.Fatalf("slow consumer not named:\n%s", plain)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}
