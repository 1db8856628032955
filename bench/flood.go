package main

// The flood of go run ./bench's ingest rounds comes from a child process of
// its own: the broker (a fresh embedded one, unless --server names one) and
// the publisher. The parent keeps only what a user's terminal does — the
// pty natsx draws on, its emulator, the keys typed — so a key's time to the
// screen is not spent waiting for a goroutine slot behind the broker's and
// the publisher's in the parent's Go runtime, which no real terminal shares
// (BENCHMARKS.md, "Key latency: the terminal in its own process").

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"natsx/engine"
)

// childFlood is the flood child's main: start the broker unless cfg.URL
// names one, report "ready" with its URL, then per "flood SIZE" publish
// cfg.N messages of SIZE bytes round-robin over cfg.Subjects subjects and
// report "published"; "stats" reports the embedded broker's slow-consumer
// count (-1 for a server it does not run); "quit" or a closed pipe ends it.
func childFlood(cfg childConfig, enc *json.Encoder, in *os.File) error {
	url, emb, err := startBroker(cfg.URL)
	if err != nil {
		return err
	}
	if emb != nil {
		defer emb.Shutdown()
	}
	var subjects []string
	if cfg.NatsBench == "" {
		subjects = benchSubjects(cfg.Subjects)
	}
	if err := enc.Encode(childReport{Event: "ready", URL: url}); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "flood":
			r := childReport{Event: "published"}
			size, err := strconv.Atoi(arg)
			switch {
			case err != nil:
			case cfg.NatsBench != "":
				err = natsBenchPub(cfg, url, size)
			default:
				err = publish(url, subjects, int(cfg.N), (&BenchCmd{Pane: cfg.Pane}).benchPayload(size))
			}
			if err != nil {
				r.Err = err.Error()
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		case "stats":
			r := childReport{Event: "stats", SlowConsumers: -1}
			if emb != nil {
				r.SlowConsumers = emb.SlowConsumers()
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		case "quit":
			return nil
		}
	}
	return nil
}

// natsBenchPub floods url with natscli's publisher: cfg.N messages of
// size bytes over cfg.Subjects subjects (bench.0, bench.1, …, zero-padded
// to the width of the last, as natscli names them), as issue 11's targets
// measure. It returns once nats has published them all (it flushes before
// it exits). natscli runs without its selected context and without the
// NATS_* variables it reads (credentials, a proxy, a timeout): the broker
// is the bench's.
func natsBenchPub(cfg childConfig, url string, size int) error {
	cmd := exec.Command(cfg.NatsBench, "--no-context", "bench", "pub", "bench", "--server", url, "--no-progress",
		"--msgs", strconv.FormatInt(cfg.N, 10), "--size", strconv.Itoa(size)+"B",
		"--multisubject", "--multisubjectmax", strconv.Itoa(cfg.Subjects))
	cmd.Env = envWithout("NATS_")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: %s bench pub: %v: %s", cfg.NatsBench, err, lastLine(out))
	}
	return nil
}

// lastLine is the last non-blank line of out, quoted (natscli's error).
func lastLine(out []byte) string {
	s := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strconv.Quote(s)
}

// flooder is the parent's handle on the flood child.
type flooder struct {
	*child
	url string // the broker natsx and the bare subscriber connect to
}

// startFlooder starts the flood child for c's flood and waits for its
// broker.
func (c *BenchCmd) startFlooder() (*flooder, error) {
	ch, err := startChild(childConfig{Flood: true, URL: c.Server, N: int64(c.Messages), Subjects: c.Subjects, Pane: c.Pane, NatsBench: c.NatsBench}, nil)
	if err != nil {
		return nil, err
	}
	ready, err := ch.next("ready", benchTimeout)
	if err != nil {
		ch.stop()
		return nil, err
	}
	return &flooder{child: ch, url: ready.URL}, nil
}

// flood publishes the flood of size-byte payloads and waits until the
// last message is flushed to the broker.
func (f *flooder) flood(size int) error {
	if _, err := fmt.Fprintf(f.ctl, "flood %d\n", size); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r, err := f.next("published", floodTimeout)
	if err != nil {
		return err
	}
	if r.Err != "" {
		return fmt.Errorf("bench: flood child: %s", r.Err)
	}
	return nil
}

// slowConsumers is the embedded broker's count of slow-consumer
// disconnects, -1 when the broker is not the bench's own. It reads the
// same report channel as flood: never call it while a flood is in
// flight (benchSide asks before the flood and after it is published).
func (f *flooder) slowConsumers() (int64, error) {
	r, err := f.stats()
	return r.SlowConsumers, err
}

// benchSubjects are the flood's n distinct four-token subjects.
func benchSubjects(n int) []string {
	subjects := make([]string, n)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("bench.%d.%d.%d", i/1000, i/10%100, i)
	}
	return subjects
}

// startBroker is url, or when it is empty a fresh embedded broker on a
// random loopback port and its URL; the caller shuts a broker down.
func startBroker(url string) (string, *engine.Embedded, error) {
	if url != "" {
		return url, nil, nil
	}
	emb, err := engine.StartEmbedded(engine.EmbeddedOptions{RandomPort: true})
	if err != nil {
		return "", nil, err
	}
	return emb.URL(), emb, nil
}
