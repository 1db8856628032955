package recorder

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"natsx/model"
	"natsx/testkit"
)

// BenchmarkReplayMax is target 4's replay half: replay --speed max of a
// capture of the bench flood (200,000 messages round-robin over 10,000
// four-token subjects) against a bare nats.go publisher of the same
// messages, each on its own connection to a real broker with nobody
// subscribed, alternating which goes first. natsx bench --recorder measures
// it end to end with 2M messages; this one is for profiling
// (-cpuprofile) and reports replay/bare, the target being at least 0.9,
// and the process's CPU per message on each side.
func BenchmarkReplayMax(b *testing.B) {
	const n, subjects = 200_000, 10_000
	for _, size := range []int{16, 128} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			s := runServer(b)
			path := filepath.Join(b.TempDir(), "flood.natsx")
			w, err := Create(path, WriterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			names := make([]string, subjects)
			for i := range names {
				names[i] = fmt.Sprintf("bench.%d.%d.%d", i/1000, i/10%100, i)
			}
			payload := make([]byte, size)
			t0 := time.Now().UnixNano()
			for i := range n {
				m := model.Message{Received: t0 + int64(i)*1000, Subject: names[i%subjects], Data: payload, Size: size}
				if err := w.WriteMessage(&m); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			// CPU of the whole process (publisher, broker, GC): less
			// disturbed by other processes than wall time.
			cpu := func() time.Duration {
				var ru syscall.Rusage
				_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
				return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			}
			var bareCPU, replayCPU time.Duration
			bare := func() time.Duration {
				c0 := cpu()
				defer func() { bareCPU += cpu() - c0 }()
				nc := testkit.Conn(b, s.ClientURL())
				defer nc.Close()
				start := time.Now()
				for i := range n {
					if err := nc.Publish(names[i%subjects], payload); err != nil {
						b.Fatal(err)
					}
				}
				if err := nc.Flush(); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			replay := func() time.Duration {
				c0 := cpu()
				defer func() { replayCPU += cpu() - c0 }()
				nc := testkit.Conn(b, s.ClientURL())
				defer nc.Close()
				start := time.Now()
				st, err := Replay(context.Background(), nc, path, ReplayOptions{})
				if err != nil || st.Published != n {
					b.Fatalf("replay: %+v, %v", st, err)
				}
				return time.Since(start)
			}
			var bareT, replayT time.Duration
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					bareT += bare()
					replayT += replay()
				} else {
					replayT += replay()
					bareT += bare()
				}
				i++
			}
			bareRate := float64(n*b.N) / bareT.Seconds()
			replayRate := float64(n*b.N) / replayT.Seconds()
			b.ReportMetric(bareRate, "bare-msg/s")
			b.ReportMetric(replayRate, "replay-msg/s")
			b.ReportMetric(replayRate/bareRate, "replay/bare")
			msgs := float64(n * b.N)
			b.ReportMetric(float64(bareCPU.Nanoseconds())/msgs, "bare-cpu-ns/msg")
			b.ReportMetric(float64(replayCPU.Nanoseconds())/msgs, "replay-cpu-ns/msg")
		})
	}
}
