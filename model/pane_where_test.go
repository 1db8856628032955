package model_test

import (
	"fmt"
	"testing"
	"time"

	"natsx/model"
	"natsx/where"
)

// TestPaneWhere: a pane with a condition keeps and counts only the
// messages its pattern matched and its condition holds for; the misses
// are counted with a reason; the tree counts everything; a rewind keeps
// the condition.
func TestPaneWhere(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	e := model.NewExplorer(model.ExplorerOptions{Tree: model.TreeOptions{HistoryDepth: 1}}, start)
	p, err := e.AddPane(model.MustPattern("orders.>"), start.UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	p.Where = where.MustCompile(`.total > 1000 && header("X-Tenant") == "acme"`)
	plain, _ := e.AddPane(model.MustPattern("orders.>"), start.UnixNano())
	acme := model.Header{"X-Tenant": {"acme"}}
	msg := func(subj, data string, h model.Header) model.Message {
		return model.Message{Subject: subj, Received: start.UnixNano(), Data: []byte(data), Size: len(data), Header: h}
	}
	batch := []model.Message{
		msg("orders.eu", `{"total": 1500}`, acme),         // kept
		msg("orders.eu", `{"total": 10}`, acme),           // too small
		msg("orders.us", `{"total": 5000}`, nil),          // other tenant
		msg("orders.us", `{"sum": 5000}`, acme),           // miss: no .total
		msg("orders.us", `not json`, acme),                // miss: not JSON
		msg("payments.eu", `{"total": 9999}`, acme),       // pattern refuses
		msg("orders.eu.vip", `{"total": 1001.5}`, acme),   // kept
		msg("orders.eu", `{"total": "a lot"}`, acme),      // miss: a string > int
		msg("orders.eu", `{"total": 2000, "x": 1}`, nil),  // other tenant
		msg("orders.eu", `{"total": 2000, "x": 1}`, acme), // kept
	}
	e.Apply(batch, model.SourceStatus{State: model.StateConnected}, start.Add(time.Second))
	var got []string
	for i := range p.Len() {
		got = append(got, fmt.Sprintf("%s %s", p.At(i).Subject, p.At(i).Data))
	}
	want := []string{`orders.eu {"total": 1500}`, `orders.eu.vip {"total": 1001.5}`, `orders.eu {"total": 2000, "x": 1}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	if p.Msgs != 3 || p.Misses != 3 || p.LastMiss == "" {
		t.Errorf("msgs %d misses %d (%q), want 3 and 3", p.Msgs, p.Misses, p.LastMiss)
	}
	if plain.Msgs != 9 || plain.Misses != 0 {
		t.Errorf("the pane without a condition counted %d (misses %d), want 9", plain.Msgs, plain.Misses)
	}
	if e.Tree().Msgs != 10 {
		t.Errorf("the tree counted %d, want every message (10)", e.Tree().Msgs)
	}
	if p.Spec() != `orders.> where .total > 1000 && header("X-Tenant") == "acme"` || plain.Spec() != "orders.>" {
		t.Errorf("Spec %q / %q", p.Spec(), plain.Spec())
	}
	e.Rewind(start.UnixNano())
	p = e.Panes()[0]
	if p.Where == nil || p.Misses != 0 || p.Len() != 0 {
		t.Fatalf("after a rewind: where %v, misses %d, kept %d", p.Where, p.Misses, p.Len())
	}
	e.Apply(batch[:4], model.SourceStatus{State: model.StateConnected}, start.Add(2*time.Second))
	if p.Msgs != 1 || p.Misses != 1 {
		t.Errorf("after a rewind: msgs %d misses %d, want 1 and 1", p.Msgs, p.Misses)
	}
	p.Clear()
	if p.Misses != 0 || p.LastMiss != "" {
		t.Errorf("Clear left misses %d %q", p.Misses, p.LastMiss)
	}
}

// BenchmarkPaneWhere is the explorer's ingest (tree and one orders.>
// pane) of orders with JSON payloads: the pane without a condition, with
// a header condition and with a JSON-field condition, per message. The
// tree's share is the same in all three: a condition runs only in the
// pane, on messages its pattern matched.
func BenchmarkPaneWhere(b *testing.B) {
	start := time.Unix(1_700_000_000, 0)
	batch := make([]model.Message, 1024)
	for i := range batch {
		data := fmt.Sprintf(`{"id": %d, "total": %d, "customer": {"name": "c%d"}}`, i, i*7%3000, i%50)
		batch[i] = model.Message{Subject: fmt.Sprintf("orders.%d", i%64), Received: start.UnixNano() + int64(i),
			Data: []byte(data), Size: len(data), Header: model.Header{"X-Tenant": {[]string{"acme", "other"}[i%2]}}}
	}
	for _, c := range []struct{ name, where string }{
		{"none", ""},
		{"header", `header("X-Tenant") == "acme"`},
		{"json", `.total > 1000`},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := model.NewExplorer(model.ExplorerOptions{Tree: model.TreeOptions{HistoryDepth: 1}}, start)
			p, _ := e.AddPane(model.MustPattern("orders.>"), start.UnixNano())
			if c.where != "" {
				p.Where = where.MustCompile(c.where)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.Apply(batch, model.SourceStatus{State: model.StateConnected}, start.Add(time.Second))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/msg")
		})
	}
}
