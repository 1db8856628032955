package engine

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// cpuNanos is the CPU time (user + system) this process has used.
func cpuNanos(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// ingestMessages is a flood fed from memory: the messages nats.go would hand
// its callbacks, on 10,000 distinct four-token subjects.
func ingestMessages(n, subjects, size int) []*nats.Msg {
	payload := make([]byte, size)
	names := make([]string, subjects)
	for i := range names {
		names[i] = fmt.Sprintf("bench.%d.%d.%d", i/1000, i/10%100, i)
	}
	msgs := make([]*nats.Msg, n)
	for i := range msgs {
		msgs[i] = &nats.Msg{Subject: names[i%subjects], Data: payload}
	}
	return msgs
}

// BenchmarkIngestPerMessage is the subscriber-only harness of issue 6's
// per-message target: the same messages, fed from memory (no server, no
// socket), go once to a bare callback that counts them and their bytes and
// once through natsx's path: the tap's callback (coarse clock, store append
// under its lock) and, on another goroutine as the UI does, Store.Read in
// 65,536-message batches and the one ingest, model.Explorer.Apply. It reports the CPU
// time per message of both (getrusage, so work on every goroutine counts)
// and their ratio.
func BenchmarkIngestPerMessage(b *testing.B) {
	for _, size := range []int{16, 128} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			const n = 1 << 20
			msgs := ingestMessages(n, 10_000, size)
			var bareCPU, natsxCPU int64
			rounds := 0
			// Warm the tree once, as a flood finds it after its first second.
			ex := model.NewExplorer(model.ExplorerOptions{Tree: model.DefaultTreeOptions()}, time.Now())
			ingestNatsx(msgs, ex)
			b.ResetTimer()
			for b.Loop() {
				c0 := cpuNanos(b)
				var count, bytes uint64
				bare := func(m *nats.Msg) {
					count++
					bytes += uint64(len(m.Subject) + len(m.Reply) + len(m.Data))
				}
				for _, m := range msgs {
					bare(m)
				}
				if count != n || bytes == 0 {
					b.Fatalf("bare counted %d", count)
				}
				c1 := cpuNanos(b)
				ingestNatsx(msgs, ex)
				c2 := cpuNanos(b)
				bareCPU += c1 - c0
				natsxCPU += c2 - c1
				rounds++
			}
			total := float64(rounds * n)
			bare, nx := float64(bareCPU)/total, float64(natsxCPU)/total
			b.ReportMetric(bare, "bare-cpu-ns/msg")
			b.ReportMetric(nx, "natsx-cpu-ns/msg")
			if bare > 0 {
				b.ReportMetric(nx/bare, "natsx/bare")
			}
		})
	}
}

// ingestNatsx runs msgs through the tap and the UI's pull-and-apply loop and
// returns when the tree has every one of them.
func ingestNatsx(msgs []*nats.Msg, ex *model.Explorer) {
	status := model.SourceStatus{State: model.StateConnected}
	now := time.Now()
	store := NewStore(DefaultStoreOptions())
	clock := NewClock()
	defer clock.Stop()
	var done atomic.Bool
	var readTo atomic.Uint64
	go func() {
		for i, m := range msgs {
			// Memory outruns any network: hold the feed back so the store
			// never overflows (the real tap never waits; the socket paces it).
			for uint64(i)-readTo.Load() > 1<<17 {
				time.Sleep(100 * time.Microsecond)
			}
			store.Append(tapMessage(m, clock.Now(), isRequestOrReply(m), ""))
		}
		done.Store(true)
	}()
	buf := make([]model.Message, 1<<16)
	var cursor uint64
	for applied := 0; applied < len(msgs); {
		n, next, missed := store.Read(cursor, buf)
		if missed > 0 {
			panic(fmt.Sprintf("store dropped %d: the reader fell behind", missed))
		}
		ex.Apply(buf[:n], status, now)
		clear(buf[:n])
		cursor = next
		readTo.Store(cursor)
		applied += n
		if n < len(buf) && !done.Load() {
			// The UI's pull would wait a tick here; a short sleep keeps the
			// reader from spinning on the lock the writer needs.
			time.Sleep(time.Millisecond)
		}
	}
}

// BenchmarkClockVsTimeNow reads the coarse clock and time.Now() in the same
// run and reports their ratio: the per-message path must not pay for
// time.Now().
func BenchmarkClockVsTimeNow(b *testing.B) {
	c := NewClock()
	defer c.Stop()
	const inner = 1 << 16
	var clockNs, nowNs int64
	var sink int64
	for b.Loop() {
		t0 := time.Now()
		for range inner {
			sink += c.Now()
		}
		t1 := time.Now()
		for range inner {
			sink += time.Now().UnixNano()
		}
		t2 := time.Now()
		clockNs += int64(t1.Sub(t0))
		nowNs += int64(t2.Sub(t1))
	}
	if sink == 0 {
		b.Fatal("no time read")
	}
	per := float64(b.N * inner)
	b.ReportMetric(float64(clockNs)/per, "clock-ns/read")
	b.ReportMetric(float64(nowNs)/per, "timenow-ns/read")
	b.ReportMetric(float64(clockNs)/float64(max(nowNs, 1)), "clock/timenow")
}
