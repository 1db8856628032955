package recorder

import (
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"natsx/model"
)

// floodMessages builds n small messages on n distinct subjects, 1µs apart,
// like a cardinality flood: every subject string and payload is its own
// allocation, as nats.go hands them over.
func floodMessages(n int) []model.Message {
	msgs := make([]model.Message, n)
	for i := range msgs {
		msgs[i] = model.Message{Seq: uint64(i + 1), Received: base + int64(i)*int64(time.Microsecond),
			Subject: "flood.dev." + strconv.Itoa(i), Data: []byte(`{"v":` + strconv.Itoa(i) + `}`)}
		msgs[i].Size = len(msgs[i].Data)
	}
	return msgs
}

// feedFlight adds msgs in batches of 1024, the size of a UI apply.
func feedFlight(f *FlightRecorder, msgs []model.Message) {
	for i := 0; i < len(msgs); i += 1024 {
		f.Add(msgs[i:min(i+1024, len(msgs))])
	}
}

// BenchmarkFlightAddFlood: one op is a fresh default recorder fed 1M small
// messages on 1M subjects (so it fills, grows and evicts for the byte
// bound); ns/msg and allocs/msg are per message.
func BenchmarkFlightAddFlood(b *testing.B) { benchFlightAdd(b, 0) }

// BenchmarkFlightAddFloodEvicting is BenchmarkFlightAddFlood within 8 MiB:
// most of the flood is evicted for the budget.
func BenchmarkFlightAddFloodEvicting(b *testing.B) { benchFlightAdd(b, 8<<20) }

func benchFlightAdd(b *testing.B, budget int64) {
	const n = 1 << 20
	msgs := floodMessages(n)
	b.ReportAllocs()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs := ms.Mallocs
	for b.Loop() {
		feedFlight(NewFlightRecorder(0, budget), msgs)
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	b.ReportMetric(float64(ms.Mallocs-mallocs)/float64(b.N*n), "allocs/msg")
}

// BenchmarkFlightGC: the duration of a forced runtime.GC() while a
// default recorder is full of a flood (the flood's own slice dropped, so
// only what the recorder keeps alive is scanned). Reported as the median
// of the op's GCs in gc-ns (ns/op is the GC too).
func BenchmarkFlightGC(b *testing.B) {
	f := NewFlightRecorder(0, 0)
	msgs := floodMessages(1 << 20)
	feedFlight(f, msgs)
	msgs = nil
	runtime.GC() // the flood's slice and what the recorder evicted go
	var gcs []time.Duration
	for b.Loop() {
		t := time.Now()
		runtime.GC()
		gcs = append(gcs, time.Since(t))
	}
	slices.Sort(gcs)
	held, bytes, _, _ := f.Stats()
	b.ReportMetric(float64(gcs[len(gcs)/2].Nanoseconds()), "gc-ns")
	b.ReportMetric(float64(held), "held-msgs")
	b.ReportMetric(float64(bytes), "held-bytes")
	runtime.KeepAlive(f)
	_ = msgs
}

// BenchmarkFlightSnapshot: what F costs (in its Cmd) with a default
// recorder full of a flood; ns/msg is per message returned.
func BenchmarkFlightSnapshot(b *testing.B) {
	f := NewFlightRecorder(0, 0)
	feedFlight(f, floodMessages(1<<20))
	held, _, _, _ := f.Stats()
	b.ReportAllocs()
	for b.Loop() {
		if len(f.Snapshot()) != held {
			b.Fatal("short snapshot")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*held), "ns/msg")
}
