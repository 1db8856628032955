package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// orderMsgs are orders with a total and a tenant header.
func orderMsgs() []model.Message {
	mk := func(subj, data, tenant string) model.Message {
		m := paneMsg(sceneNow, subj, data, "")
		if tenant != "" {
			m.Header = model.Header{"X-Tenant": {tenant}}
		}
		return m
	}
	return []model.Message{
		mk("orders.eu", `{"total": 1500, "id": "big-acme"}`, "acme"),
		mk("orders.eu", `{"total": 20, "id": "small-acme"}`, "acme"),
		mk("orders.us", `{"total": 9000, "id": "big-other"}`, "other"),
		mk("orders.us", `{"sum": 9000, "id": "no-total"}`, "acme"),
		mk("payments.eu", `{"total": 9000, "id": "not-an-order"}`, "acme"),
	}
}

const acmeFilter = `orders.> where .total > 1000 && header("X-Tenant") == "acme"`

func TestFilterPromptWhere(t *testing.T) {
	m := paneModel(nil, 160, 32)
	openPane(t, m, acmeFilter)
	p := m.ex.Panes()[0]
	if p.Where == nil || p.Pattern.String() != "orders.>" {
		t.Fatalf("pane pattern %q where %v", p.Pattern.String(), p.Where)
	}
	m.Apply(orderMsgs(), sceneNow, model.SourceStatus{})
	if p.Msgs != 1 || p.Len() != 1 || !strings.Contains(string(p.At(0).Data), "big-acme") {
		t.Fatalf("pane kept %d (counted %d), want only big-acme", p.Len(), p.Msgs)
	}
	if p.Misses != 1 {
		t.Errorf("misses %d, want 1 (the order without a total)", p.Misses)
	}
	out := screenText(m)
	for _, want := range []string{`where .total > 1000 && header("X-Tenant") == "acme"`, "missed 1 (no field .total)", "big-acme"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"small-acme", "big-other"} {
		if strings.Contains(out, not) {
			t.Errorf("screen shows %q, which the condition refuses", not)
		}
	}
	if m.ex.Tree().Msgs != 5 {
		t.Errorf("tree counted %d, want all 5", m.ex.Tree().Msgs)
	}
}

func TestColonFilterWhere(t *testing.T) {
	m := paneModel(nil, 160, 32)
	send(m, pk(":"))
	typeIn(m, `filter sensors.* where .temp > 80`)
	send(m, pk("enter"))
	if m.prompt.kind != promptNone || len(m.ex.Panes()) != 1 || m.ex.Panes()[0].Spec() != "sensors.* where .temp > 80" {
		t.Fatalf("prompt %v err %q panes %d", m.prompt.kind, m.prompt.err, len(m.ex.Panes()))
	}
	m.Apply([]model.Message{paneMsg(sceneNow, "sensors.a", `{"temp": 81}`, ""), paneMsg(sceneNow, "sensors.b", `{"temp": 20}`, "")}, sceneNow, model.SourceStatus{})
	if p := m.ex.Panes()[0]; p.Msgs != 1 || p.At(0).Subject != "sensors.a" {
		t.Errorf("kept %d", p.Msgs)
	}
}

// TestFilterWhereRefused: a malformed condition is shown inline with its
// place; no pane opens and the prompt keeps what was typed.
func TestFilterWhereRefused(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"orders.> where .total >", "line 1, column 9: unexpected end"},
		{`orders.> where heder("X") == "a"`, "line 1, column 1: unknown name heder"},
		{"orders.> where", "where: empty expression"},
		{"orders.> wher .total > 1", `not "wher"`},
		{"orders..x where .total > 1", "empty token"},
		{"orders.> where subject == 1", "mismatched types"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m := paneModel(nil, 200, 32)
			send(m, pk("f"), pk("backspace"))
			typeIn(m, tc.in)
			if cmd := send(m, pk("enter")); cmd != nil {
				t.Error("a refused filter returned a command")
			}
			if m.prompt.kind != promptFilter || len(m.ex.Panes()) != 0 {
				t.Fatalf("prompt %v, %d panes: want the prompt open and no pane", m.prompt.kind, len(m.ex.Panes()))
			}
			if f := footerText(m); !strings.Contains(f, "✗") || !strings.Contains(f, tc.reason) {
				t.Errorf("footer %q lacks %q", f, tc.reason)
			}
			if m.prompt.input.Value() != tc.in {
				t.Errorf("the prompt lost what was typed: %q", m.prompt.input.Value())
			}
		})
	}
}

func TestFilterFlagWhere(t *testing.T) {
	m := paneModel(nil, 160, 32, acmeFilter, "orders.>")
	if len(m.ex.Panes()) != 2 || m.ex.Panes()[0].Where == nil || m.ex.Panes()[1].Where != nil {
		t.Fatalf("panes %v", paneNames(m))
	}
	m.Apply(orderMsgs(), sceneNow, model.SourceStatus{})
	if a, b := m.ex.Panes()[0].Msgs, m.ex.Panes()[1].Msgs; a != 1 || b != 4 {
		t.Errorf("counted %d and %d, want 1 and 4", a, b)
	}
}

// TestSaveLoadWhere: a saved pane set keeps the condition.
func TestSaveLoadWhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "natsx", "panes.json")
	m := New(Options{Start: sceneStart, StatePath: path, Filters: []string{acmeFilter, "sensors.>"}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	send(m, runIO(t, colon(m, "save")))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var set PaneSet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Panes) != 2 || set.Panes[0].Where != `.total > 1000 && header("X-Tenant") == "acme"` || set.Panes[1].Where != "" {
		t.Fatalf("saved %+v", set.Panes)
	}
	if strings.Contains(string(b), `"where": ""`) {
		t.Errorf("a pane without a condition saved an empty where:\n%s", b)
	}
	m2 := New(Options{Start: sceneStart, StatePath: path})
	send(m2, tea.WindowSizeMsg{Width: 120, Height: 32})
	send(m2, runIO(t, colon(m2, "load")))
	if len(m2.ex.Panes()) != 2 || m2.ex.Panes()[0].Spec() != acmeFilter || m2.ex.Panes()[1].Where != nil {
		t.Fatalf("loaded %v", paneNames(m2))
	}
	m2.Apply(orderMsgs(), sceneNow, model.SourceStatus{})
	if m2.ex.Panes()[0].Msgs != 1 {
		t.Errorf("the loaded condition kept %d, want 1", m2.ex.Panes()[0].Msgs)
	}
	// A saved condition that no longer compiles is skipped and reported.
	if err := os.WriteFile(path, []byte(`{"panes":[{"name":"x","pattern":"a.>","where":".x >"},{"name":"y","pattern":"b.>"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	send(m2, runIO(t, colon(m2, "load")))
	if len(m2.ex.Panes()) != 1 || !strings.Contains(footerText(m2), "skipped 1 invalid") {
		t.Errorf("panes %v footer %q", paneNames(m2), footerText(m2))
	}
}
