package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
	"natsx/recorder"
)

// OpenCmd opens a capture in the explorer on an embedded broker, with a
// timeline; --headless plays it once, printing progress, for other clients.
type OpenCmd struct {
	File     string `arg:"" help:"capture file" placeholder:"FILE"`
	Speed    string `default:"1" help:"playback speed: 0.25 to 16, or max" placeholder:"X|max"`
	Paused   bool   `help:"open paused (space plays)"`
	Headless bool   `help:"no explorer: print the broker's URL and play the capture once into it"`
	Listen   string `help:"address the embedded broker listens on (default 127.0.0.1, port 4222 if free)" placeholder:"HOST[:PORT]"`
	ExplorerFlags
}

// openBroker configures the broker natsx open starts: 4222 if free, like
// the explorer's (tests switch to a random port).
var openBroker = engine.EmbeddedOptions{}

// openProgressEvery is how often the headless player prints a progress line.
const openProgressEvery = time.Second

// parseOpenSpeed reads --speed for the player: 0.25 to 16, or max
// (math.Inf(1)).
func parseOpenSpeed(s string) (float64, error) {
	v, err := parseSpeed(s)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return math.Inf(1), nil
	}
	if v < recorder.MinSpeed || v > recorder.MaxSpeed {
		return 0, fmt.Errorf("--speed %q: want %g to %g, or max", s, float64(recorder.MinSpeed), float64(recorder.MaxSpeed))
	}
	return v, nil
}

// openPlayer starts an embedded broker, connects to it and opens the
// capture at path in a player at speed. Playback starts as soon as a
// client subscribes on the broker (the explorer's tap, or any `nats sub`),
// so nothing is published into the void, unless paused. The caller closes
// the player, the connection and the broker, in that order.
func openPlayer(path, listen string, speed float64, paused bool, observe func(*model.Message)) (*engine.Embedded, *nats.Conn, *recorder.Player, error) {
	bo := openBroker
	if listen != "" {
		bo.Listen = listen
	}
	emb, err := engine.StartEmbedded(bo)
	if err != nil {
		return nil, nil, nil, err
	}
	subs := emb.Server().NumSubscriptions() // the server's own, before any client
	nc, err := engine.Connect(engine.ConnOptions{Servers: emb.URL(), Name: "natsx-open"})
	if err != nil {
		emb.Shutdown()
		return nil, nil, nil, err
	}
	p, err := recorder.OpenPlayer(path, nc)
	if err != nil {
		nc.Close()
		emb.Shutdown()
		return nil, nil, nil, err
	}
	p.SetSpeed(speed)
	if observe != nil {
		p.Observe(observe) // before anything is published
	}
	if !paused {
		go func() {
			if waitForSubscriber(p.Closed(), emb, subs) == nil {
				p.Play()
			}
		}()
	}
	return emb, nc, p, nil
}

// Run opens the capture in the explorer (or headless with --headless).
func (c *OpenCmd) Run(stdout io.Writer) error {
	speed, err := parseOpenSpeed(c.Speed)
	if err != nil {
		return err
	}
	if c.Headless {
		if c.Paused {
			return errors.New("--paused needs the explorer (space plays); --headless plays at once")
		}
		return c.headless(stdout, speed)
	}
	budget, err := c.check()
	if err != nil {
		return err
	}
	start := time.Now()
	sent := newSentLog(sentLogSize)
	emb, nc, p, err := openPlayer(c.File, c.Listen, speed, c.Paused, sent.add)
	if err != nil {
		return err
	}
	defer emb.Shutdown()
	defer nc.Close()
	defer p.Close()
	if !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("natsx open needs a terminal; --headless plays the capture without one")
	}
	sess, err := engine.Open(engine.SessionOptions{Conn: engine.ConnOptions{Servers: emb.URL(), Name: "natsx"}})
	if err != nil {
		return err
	}
	defer sess.Close()
	return c.explore(sess, start, budget, newPlayerTimeline(p, nc, c.File, sent))
}

// headless plays the capture once into a fresh embedded broker and exits
// when it is done or on ctrl+c.
func (c *OpenCmd) headless(stdout io.Writer, speed float64) error {
	emb, nc, p, err := openPlayer(c.File, c.Listen, speed, false, nil)
	if err != nil {
		return err
	}
	defer emb.Shutdown()
	defer nc.Close()
	defer p.Close()
	fmt.Fprintln(stdout, emb.URL())
	fmt.Fprintf(os.Stderr, "playing %s into %s once a client subscribes (ctrl+c to stop)\n", c.File, emb.URL())

	ctx, stop := interruptible()
	defer stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	var started time.Time
	var lastLine time.Time
	for {
		select {
		case <-ctx.Done():
			st := p.Status()
			fmt.Fprintf(stdout, "stopped after %d of %d messages\n", st.Sent, st.Total)
			return nil
		case <-poll.C:
		}
		st := p.Status()
		if st.Err != "" {
			return errors.New(st.Err)
		}
		if started.IsZero() && (st.Playing || st.Done) {
			started = time.Now()
		}
		if st.Done {
			drainBroker(emb, 2*time.Second)
			reportProblems(p.Problems())
			fmt.Fprintf(stdout, "played %d messages from %s into %s in %s\n", st.Sent, c.File, emb.URL(),
				time.Since(started).Round(time.Millisecond))
			return nil
		}
		if st.Playing && time.Since(lastLine) >= openProgressEvery {
			lastLine = time.Now()
			fmt.Fprintln(stdout, progressLine(st))
		}
	}
}

// progressLine is one line of the headless player's progress.
func progressLine(st recorder.PlayerStatus) string {
	var at, span time.Duration
	if !st.Start.IsZero() {
		at, span = st.Pos.Sub(st.Start), st.End.Sub(st.Start)
	}
	speed := "max"
	if !math.IsInf(st.Speed, 1) {
		speed = fmt.Sprintf("%gx", st.Speed)
	}
	return fmt.Sprintf("%s / %s  %d/%d messages  speed %s", at.Round(100*time.Millisecond),
		span.Round(100*time.Millisecond), st.Sent, st.Total, speed)
}

// drainBroker waits (up to timeout) until the broker has written out what
// it holds for its clients, so a subscriber gets the capture's tail before
// the broker shuts down.
func drainBroker(emb *engine.Embedded, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		cz, err := emb.Server().Connz(&server.ConnzOptions{})
		if err != nil {
			return
		}
		pending := 0
		for _, c := range cz.Conns {
			pending += c.Pending
		}
		if pending == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
