package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// BenchmarkRender1MSubjects measures one frame at 120x40 over a tree of a
// million subjects (s.<a>.<b>.<c>, 100 x 100 x 100) with a few branches
// expanded: a frame must cost what is on screen, not what is in the tree.
// Compare with BenchmarkRender1kSubjects, the same shape at 10 x 10 x 10.
func BenchmarkRender1MSubjects(b *testing.B) { benchmarkRender(b, 100) }

// BenchmarkRender1kSubjects is the baseline: the same screen over a
// thousand subjects.
func BenchmarkRender1kSubjects(b *testing.B) { benchmarkRender(b, 10) }

func benchmarkRender(b *testing.B, fanout int) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	now := start.Add(30 * time.Second)
	// Room for every node and one kept message per subject: nothing pruned.
	m := New(Options{Start: start, Tree: model.TreeOptions{MaxMemory: 2 << 30, HistoryDepth: 1}})
	payload := []byte(`{"temp":21.5,"unit":"C"}`)
	chunk := make([]model.Message, 0, fanout*fanout)
	var seq uint64
	for a := range fanout {
		chunk = chunk[:0]
		for bb := range fanout {
			for c := range fanout {
				seq++
				chunk = append(chunk, model.Message{
					Seq:      seq,
					Subject:  fmt.Sprintf("s.%d.%d.%d", a, bb, c),
					Received: start.Add(time.Duration(seq%20_000) * time.Millisecond).UnixNano(),
					Data:     payload,
					Size:     len(payload),
				})
			}
		}
		m.Apply(chunk, now, model.SourceStatus{URL: "nats://bench:4222", State: model.StateConnected})
	}
	if got, want := m.ex.Tree().Len(), 1+fanout+fanout*fanout+fanout*fanout*fanout; got != want || m.ex.Tree().Pruned != 0 {
		b.Fatalf("tree holds %d nodes (%d pruned), want %d", got, m.ex.Tree().Pruned, want)
	}
	mid := fanout / 2
	for _, subj := range []string{"s.0", "s.0.0", fmt.Sprintf("s.%d", mid)} {
		m.ex.Tree().Find(subj).SetExpanded(true)
	}
	// Select a leaf in the middle: expands s, s.<mid> and s.<mid>.<mid>.
	m.ex.TreeView().Reveal(m.ex.Tree().Find(fmt.Sprintf("s.%d.%d.%d", mid, mid, mid)), now.UnixNano())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if rows, want := len(m.ex.TreeView().Rows()), 1+5*fanout; rows != want {
		b.Fatalf("%d visible rows, want %d", rows, want)
	}
	m.Render() // a first frame, as on a terminal (sizes come from Update)
	if win, _ := m.ex.TreeView().Window(); len(win) < 35 {
		b.Fatalf("only %d rows on screen", len(win))
	}

	b.ReportAllocs()
	for b.Loop() {
		_ = m.Render()
	}
}

// BenchmarkApplyBatch applies a full 65,536-message batch over 10,000
// subjects already in the tree, the steady state of a flood.
func BenchmarkApplyBatch(b *testing.B) {
	const (
		batch    = 1 << 16
		subjects = 10_000
	)
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m := New(Options{Start: start, BatchSize: batch})
	payload := []byte(`{"id":1042,"status":"ok","items":[1,2,3],"total":59.9}`)
	names := make([]string, subjects)
	for i := range names {
		names[i] = fmt.Sprintf("orders.%d.%d", i/100, i%100)
	}
	template := make([]model.Message, batch)
	for i := range template {
		template[i] = model.Message{Subject: names[i%subjects], Data: payload, Size: len(payload)}
	}
	// Warm up: every subject known, every history ring at full depth.
	for range 16 {
		m.Apply(template[:subjects], start, model.SourceStatus{})
	}

	var (
		seq   uint64
		iters int
	)
	now := start
	b.ReportAllocs()
	for b.Loop() {
		// Refill the model's buffer as a pull would (applyBatch clears it),
		// 50 ms of feed time later; not part of what is measured.
		b.StopTimer()
		now = now.Add(TickInterval)
		copy(m.buf, template)
		for i := range m.buf {
			seq++
			m.buf[i].Seq = seq
			m.buf[i].Received = now.UnixNano()
		}
		msg := batchMsg{now: now, buf: m.buf, n: batch, next: seq}
		b.StartTimer()

		m.applyBatch(msg)
		iters++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters*batch), "ns/msg")
}
