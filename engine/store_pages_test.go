package engine

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"natsx/model"
	"natsx/where"
)

// TestReadersKeepNoPage: a message read from the store points into one of
// its pages, so whatever keeps part of one past its batch must keep a copy,
// or a 64 KiB page stays alive for a few bytes, uncounted. A flood of
// requests, replies and plain messages, read from a small store that
// drops its pages as it goes round, through everything in the model that
// keeps messages or their subjects (the tree, two panes, the request and
// reply tracker, the no-listener sampler, a watched field's series, a
// pane's condition): once
// the store has dropped them and the readers' buffer is cleared, no page
// may survive a collection.
func TestReadersKeepNoPage(t *testing.T) {
	var made, freed atomic.Int64
	pageMade = func(p []byte) {
		made.Add(1)
		runtime.AddCleanup(&p[0], func(struct{}) { freed.Add(1) }, struct{}{})
	}
	t.Cleanup(func() { pageMade = nil })

	s := NewStore(StoreOptions{Capacity: 1 << 20, MaxBytes: 1 << 30, MaxMemory: 8*chunkBytes + 8*pageSize})
	start := time.Unix(1_700_000_000, 0)
	ex := model.NewExplorer(model.ExplorerOptions{}, start)
	for _, p := range []string{">", "req.*", "plain.>"} {
		pane, err := ex.AddPane(model.MustPattern(p), start.UnixNano())
		if err != nil {
			t.Fatal(err)
		}
		if p == "plain.>" {
			// A condition on the subject's tokens: expr's machine keeps
			// what it last saw.
			pane.Where = where.MustCompile(`tokens[1] != "x" && subject != ""`)
		}
	}
	listen := model.NewListening(1000)
	watch := model.NewWatchSeries(8, 1000)
	buf := make([]model.Message, 512)
	var cursor uint64
	const rounds = 200
	for r := range rounds {
		for i := range 500 {
			at := start.Add(time.Duration(r*500+i) * time.Millisecond).UnixNano()
			// A request, its reply on the inbox, and a plain message; a
			// payload of a few hundred bytes, so the pages fill fast.
			inbox := fmt.Sprintf("_INBOX.%d.%d", r, i)
			data := make([]byte, 200+i%100)
			s.Append(model.Message{Received: at, Subject: fmt.Sprintf("req.%d", i%50), Reply: inbox, Data: data})
			s.Append(model.Message{Received: at + 1e6, Subject: inbox, Data: data})
			s.Append(model.Message{Received: at, Subject: fmt.Sprintf("plain.%d.%d", r, i), Data: data})
		}
		for {
			n, next, _ := s.Read(cursor, buf)
			if n == 0 {
				break
			}
			cursor = next
			msgs := buf[:n]
			ex.Apply(msgs, model.SourceStatus{}, time.Unix(0, msgs[n-1].Received))
			listen.Sample(msgs)
			for i := range msgs {
				watch.Add(msgs[i].Subject, model.WatchValue{Text: "1"})
			}
			clear(msgs)
		}
	}
	// Go round the store once more with messages nobody reads, so every
	// page of the flood above is dropped.
	for i := range 20_000 {
		s.Append(model.Message{Subject: "filler", Data: make([]byte, 300), Received: int64(i)})
	}
	s.mu.Lock()
	held := int64(len(s.pages))
	s.mu.Unlock()
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	alive := made.Load() - freed.Load() - held
	t.Logf("%d pages made, %d freed, %d held by the store", made.Load(), freed.Load(), held)
	if made.Load() < 100 {
		t.Fatalf("only %d pages made: the test does not go round the store", made.Load())
	}
	if alive > 0 {
		t.Errorf("%d pages the store dropped are still alive: a reader kept part of a message without copying it", alive)
	}
	runtime.KeepAlive(ex)
	runtime.KeepAlive(listen)
	runtime.KeepAlive(watch)
	runtime.KeepAlive(buf)
	runtime.KeepAlive(s)
}
