package ui

import (
	"slices"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// BenchmarkUpdateFlood1MSubjects feeds the root model 16 full pulls of
// 65,536 messages, each on a subject never seen (foo.<n>, as nats bench
// --multisubject publishes), up to 1M subjects, the way bubbletea does:
// Update, then View, and whatever the Update returned that carries more of
// the batch. What a key waits for is one Update and its View, so the
// metrics are the longest, the 99th percentile and the median of those, in ms, and
// how many Updates a pull took; ns/msg is the ingest's throughput.
func BenchmarkUpdateFlood1MSubjects(b *testing.B) {
	const batches, size = 16, 1 << 16
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	st := model.SourceStatus{URL: "nats://bench:4222", State: model.StateConnected, Tap: ">"}
	payload := []byte("0123456789abcdef")
	subjects := make([]string, batches*size)
	for i := range subjects {
		subjects[i] = "foo." + strconv.Itoa(i)
	}
	var steps []time.Duration
	updates := 0
	for b.Loop() {
		b.StopTimer()
		m := New(Options{Start: start})
		send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
		_ = m.View()
		steps = steps[:0]
		b.StartTimer()
		for k := range batches {
			now := start.Add(time.Duration(k+1) * 50 * time.Millisecond)
			buf := make([]model.Message, size)
			for i := range buf {
				buf[i] = model.Message{Subject: subjects[k*size+i], Received: now.UnixNano(), Data: payload, Size: len(payload)}
			}
			var msg tea.Msg = batchMsg{now: now, buf: buf, n: size, next: uint64((k + 1) * size), status: st}
			for msg != nil {
				t0 := time.Now()
				_, cmd := m.Update(msg)
				_ = m.View()
				steps = append(steps, time.Since(t0))
				updates++
				msg = nextBatchMsg(cmd)
			}
		}
		if got := m.ex.Tree().Msgs; got != batches*size {
			b.Fatalf("tree counted %d messages, want %d", got, batches*size)
		}
	}
	slices.Sort(steps)
	b.ReportMetric(float64(steps[len(steps)-1])/1e6, "ms/update-max")
	b.ReportMetric(float64(steps[len(steps)*99/100])/1e6, "ms/update-p99")
	b.ReportMetric(float64(steps[len(steps)/2])/1e6, "ms/update-p50")
	b.ReportMetric(float64(updates)/float64(b.N*batches), "updates/pull")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batches*size), "ns/msg")
}

// nextBatchMsg runs what an Update returned and keeps the batch message it
// produces, if any: the rest of a batch being applied. Pulls need a source,
// which the benchmark has not, so nothing else comes back.
func nextBatchMsg(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case batchMsg:
		return msg
	case tea.BatchMsg:
		for _, c := range msg {
			if next := nextBatchMsg(c); next != nil {
				return next
			}
		}
	}
	return nil
}
