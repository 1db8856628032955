package main

// go run ./bench --recorder: issue 6's target 4. The recorder's path (the
// session's tap and store with exact times, recorder.Record into a capture
// file, as natsx record runs them) against a bare nats.go subscriber on the
// same flood, and replay --speed max against a bare nats.go publisher of
// the same messages, alternated over several rounds.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"natsx/cli"
	"natsx/engine"
	"natsx/recorder"
)

// runRecorder is Run for --recorder: per payload size, rounds of (bare
// subscriber, recorder) and (bare publisher, replay), each pair in
// alternating order so drift in the machine's load falls on both sides.
// Beside each rate ratio it prints the ratio of the process's CPU time
// (broker, publisher and subscriber: only the subscribing or publishing
// side differs), which other processes disturb much less than rates.
func (c *BenchCmd) runRecorder(stdout io.Writer, url string, emb *engine.Embedded, subjects []string) error {
	dir, err := os.MkdirTemp("", "natsx-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tround\tbare sub msg/s\trecord msg/s\tratio\tcpu x\trecord lost (gap/srv)\tbare pub msg/s\treplay msg/s\tratio\tcpu x\t")
	for _, size := range c.Size {
		payload := bytes.Repeat([]byte{'x'}, size)
		var sub, subCPU, pub, pubCPU []float64
		for round := range c.Rounds {
			path := filepath.Join(dir, fmt.Sprintf("round%d.natsx", round))
			var bareSub, record, barePub, replay float64
			var bareSubT, recordT, barePubT, replayT time.Duration
			var lost string
			recFirst := round%2 == 1
			err := inOrder(recFirst,
				func() (err error) {
					bareSubT, err = cpuOf(func() error {
						res, err := benchBare(url, subjects, c.Messages, payload)
						bareSub = res.rate
						return err
					})
					return err
				},
				func() (err error) {
					recordT, err = cpuOf(func() (err error) {
						record, lost, err = benchRecord(url, emb, subjects, c.Messages, payload, path)
						return err
					})
					return err
				})
			if err != nil {
				return err
			}
			err = inOrder(recFirst,
				func() (err error) {
					barePubT, err = cpuOf(func() (err error) {
						barePub, err = benchPublish(url, subjects, c.Messages, payload)
						return err
					})
					return err
				},
				func() (err error) {
					replayT, err = cpuOf(func() (err error) {
						replay, err = benchReplay(url, path, c.Messages)
						return err
					})
					return err
				})
			if err != nil {
				return err
			}
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			sub, subCPU = append(sub, record/bareSub), append(subCPU, recordT.Seconds()/bareSubT.Seconds())
			pub, pubCPU = append(pub, replay/barePub), append(pubCPU, replayT.Seconds()/barePubT.Seconds())
			fmt.Fprintf(tw, "%dB\t%d\t%.0f\t%.0f\t%.3f\t%.3f\t%s\t%.0f\t%.0f\t%.3f\t%.3f\t\n", size, round+1,
				bareSub, record, sub[round], subCPU[round], lost, barePub, replay, pub[round], pubCPU[round])
		}
		fmt.Fprintf(tw, "%dB\tmedian\t\t\t%.3f\t%.3f\t\t\t\t%.3f\t%.3f\t\n", size,
			median(sub), median(subCPU), median(pub), median(pubCPU))
	}
	return tw.Flush()
}

// cpuOf runs f and returns the CPU time (user and system) the whole
// process spent meanwhile. It collects the previous phase's garbage first,
// so its GC is not charged to this one.
func cpuOf(f func() error) (time.Duration, error) {
	runtime.GC()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0 := cpu()
	err := f()
	return cpu() - c0, err
}

// median is the middle value (the mean of the middle two for an even
// count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchRecord records the flood as natsx record does (cli.RecordStore, exact
// receive times, recorder.Record with the default flush interval) into
// path. The rate runs from the first message's receive time (read back from
// the capture) to when the writer holds the last message (polled every
// 2 ms, as the bare subscriber's count is); closing and syncing the file
// afterwards is not counted. Anything lost shows as gap records or as
// slow consumers on the embedded broker, and fails the run.
func benchRecord(url string, emb *engine.Embedded, subjects []string, n int, payload []byte, path string) (rate float64, lost string, err error) {
	var srvBefore int64
	if emb != nil {
		srvBefore = emb.SlowConsumers()
	}
	sess, err := engine.Open(engine.SessionOptions{
		Conn:  engine.ConnOptions{Servers: url, Name: "natsx-record"},
		Store: cli.RecordStore, PreciseTime: true,
	})
	if err != nil {
		return 0, "", err
	}
	defer sess.Close()
	w, err := recorder.Create(path, recorder.WriterOptions{Server: engine.RedactURL(url), NatsxVersion: "bench"})
	if err != nil {
		return 0, "", err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type recorded struct {
		st  recorder.RecordStats
		err error
	}
	done := make(chan recorded, 1)
	go func() {
		st, err := recorder.Record(ctx, sess, w, recorder.RecordOptions{Count: uint64(n)})
		done <- recorded{st, err}
	}()
	if err := publish(url, subjects, n, payload); err != nil {
		cancel()
		<-done
		return 0, "", err
	}
	waitCount(func() int64 { return int64(w.Messages()) }, int64(n))
	end := time.Now()
	cancel() // a stalled recording; one that reached the count has returned
	res := <-done
	if res.err != nil {
		return 0, "", res.err
	}
	srv := int64(-1)
	if emb != nil {
		srv = emb.SlowConsumers() - srvBefore
	}
	lost = fmt.Sprintf("%d/%s", res.st.Missed, srvString(srv))
	if res.st.Messages < uint64(n) || res.st.Missed > 0 || srv > 0 {
		return 0, lost, fmt.Errorf("bench: recorded %d of %d messages (missed %d, server slow consumers %s)", res.st.Messages, n, res.st.Missed, srvString(srv))
	}
	rd, err := recorder.Open(path)
	if err != nil {
		return 0, lost, err
	}
	first := rd.Info().First
	_ = rd.Close()
	span := float64(end.UnixNano()-first) / 1e9
	if span <= 0 {
		return 0, lost, errors.New("bench: recording took no time")
	}
	return float64(n-1) / span, lost, nil
}

// benchPublish is the bare publisher: n messages round-robin over subjects
// with nats.go's Publish, timed from the first call to the end of the
// final Flush (the server has them all). Nobody subscribes, here or in
// benchReplay: this measures the publishing side alone.
func benchPublish(url string, subjects []string, n int, payload []byte) (float64, error) {
	nc, err := engine.Connect(engine.ConnOptions{Servers: url, Name: "natsx-bench-pub"})
	if err != nil {
		return 0, fmt.Errorf("bench: publisher: %w", err)
	}
	defer nc.Close()
	start := time.Now()
	if err := publishOn(nc, subjects, n, payload); err != nil {
		return 0, err
	}
	if err := nc.FlushTimeout(benchTimeout); err != nil {
		return 0, fmt.Errorf("bench: publish: %w", err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchReplay is replay --speed max of the capture benchRecord wrote, on
// its own connection, timed from opening the file to the end of Replay
// (which flushes).
func benchReplay(url, path string, n int) (float64, error) {
	nc, err := engine.Connect(engine.ConnOptions{Servers: url, Name: "natsx-replay"})
	if err != nil {
		return 0, fmt.Errorf("bench: replay connection: %w", err)
	}
	defer nc.Close()
	start := time.Now()
	st, err := recorder.Replay(context.Background(), nc, path, recorder.ReplayOptions{Speed: 0})
	if err != nil {
		return 0, err
	}
	if st.Published != uint64(n) {
		return 0, fmt.Errorf("bench: replay published %d of %d messages", st.Published, n)
	}
	return float64(st.Published) / time.Since(start).Seconds(), nil
}
