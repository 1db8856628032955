package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/recorder"
)

// OpenCmd opens a capture in the explorer on an embedded broker, with a
// timeline; --headless plays it once, printing progress, for other clients.
type OpenCmd struct {
	File     string `arg:"" help:"capture file" placeholder:"FILE"`
	Speed    Speed  `default:"1" help:"playback speed: 0.25 to 16, or max" placeholder:"X|max"`
	Paused   bool   `help:"open paused (space plays)"`
	Headless bool   `help:"no explorer: print the broker's URL and play the capture once into it"`
	ListenFlag
	ExplorerFlags
}

// openBroker configures the broker natsx open starts: 4222 if free, like
// the explorer's (tests switch to a random port).
var openBroker = engine.EmbeddedOptions{}

// openProgressEvery is how often the headless player prints a progress line.
const openProgressEvery = time.Second

// drainTimeout bounds how long headless waits for the broker to hand the
// capture's tail to its subscribers before shutting down.
const drainTimeout = 2 * time.Second

// Validate checks the flags at parse time.
func (c *OpenCmd) Validate() error {
	if v := float64(c.Speed); !math.IsInf(v, 1) && (v < recorder.MinSpeed || v > recorder.MaxSpeed) {
		return flagErrorf("--speed %s: want %g to %g, or max", c.Speed, float64(recorder.MinSpeed), float64(recorder.MaxSpeed))
	}
	if c.Headless {
		if c.Paused {
			return flagErrorf("--paused needs the explorer (space plays); --headless plays at once")
		}
		return nil // the explorer's flags do not apply
	}
	return c.ExplorerFlags.validate()
}

// playback is a capture's player publishing into its own embedded broker.
type playback struct {
	emb *engine.Embedded
	nc  *nats.Conn
	p   *recorder.Player
	tl  *recorder.Timeline // the explorer's controls; nil when headless
}

// openPlayback starts an embedded broker, connects to it and opens the
// capture at path in a player at speed, with the explorer's timeline when
// timeline is set. Playback starts as soon as a client subscribes on the
// broker (the explorer's tap, or any `nats sub`), so nothing is published
// into the void, unless paused.
func openPlayback(path, listen string, speed float64, paused, timeline bool) (*playback, error) {
	bo := openBroker
	if listen != "" {
		bo.Listen = listen
	}
	emb, err := engine.StartEmbedded(bo)
	if err != nil {
		return nil, err
	}
	subs := emb.Subscriptions() // the server's own, before any client
	nc, err := engine.Connect(engine.ConnOptions{Servers: emb.URL(), Name: "natsx-open"})
	if err != nil {
		emb.Shutdown()
		return nil, err
	}
	p, err := recorder.OpenPlayer(path, nc)
	if err != nil {
		nc.Close()
		emb.Shutdown()
		return nil, err
	}
	p.SetSpeed(speed)
	pb := &playback{emb: emb, nc: nc, p: p}
	if timeline {
		pb.tl = recorder.NewTimeline(p, nc, path) // before anything is published
	}
	if !paused {
		go func() {
			if emb.WaitForSubscriber(p.Closed(), subs) == nil {
				p.Play()
			}
		}()
	}
	return pb, nil
}

// Close closes the player, the connection and the broker, in that order.
func (pb *playback) Close() {
	pb.p.Close()
	cid, _ := pb.nc.GetClientID() // 0 if closed: nothing to wait for
	pb.nc.Close()
	pb.emb.ShutdownAfter(cid)
}

// Run opens the capture in the explorer (or headless with --headless).
func (c *OpenCmd) Run(env *Env) error {
	if c.Headless {
		return c.headless(env)
	}
	start := time.Now()
	pb, err := openPlayback(c.File, c.Listen, float64(c.Speed), c.Paused, true)
	if err != nil {
		return err
	}
	defer pb.Close()
	if !isTerminal(env.Out) {
		return errors.New("natsx open needs a terminal; --headless plays the capture without one")
	}
	so := engine.SessionOptions{Conn: engine.ConnOptions{Servers: pb.emb.URL(), Name: "natsx"}}
	b := SplitBudget(int64(c.MaxMemory))
	so = BudgetSession(so, b)
	sess, err := engine.Open(so)
	if err != nil {
		return err
	}
	defer sess.Close()
	return c.explore(env, sess, start, pb.tl, b)
}

// headless plays the capture once into a fresh embedded broker and exits
// when it is done or on ctrl+c.
func (c *OpenCmd) headless(env *Env) error {
	pb, err := openPlayback(c.File, c.Listen, float64(c.Speed), false, false)
	if err != nil {
		return err
	}
	defer pb.Close()
	p, url := pb.p, pb.emb.URL()
	fmt.Fprintln(env.Out, url)
	fmt.Fprintf(env.Err, "playing %s into %s once a client subscribes (ctrl+c to stop)\n", c.File, url)

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
			fmt.Fprintf(env.Out, "stopped after %d of %d messages\n", st.Sent, st.Total)
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
			pb.emb.Drain(drainTimeout)
			reportProblems(env.Err, p.Problems())
			fmt.Fprintf(env.Out, "played %d messages from %s into %s in %s\n", st.Sent, c.File, url,
				time.Since(started).Round(time.Millisecond))
			return nil
		}
		if st.Playing && time.Since(lastLine) >= openProgressEvery {
			lastLine = time.Now()
			printProgress(env.Out, st)
		}
	}
}

// printProgress prints one line of the headless player's progress.
func printProgress(w io.Writer, st recorder.PlayerStatus) {
	var at, span time.Duration
	if !st.Start.IsZero() {
		at, span = st.Pos.Sub(st.Start), st.End.Sub(st.Start)
	}
	fmt.Fprintf(w, "%s / %s  %d/%d messages  speed %s\n", at.Round(100*time.Millisecond),
		span.Round(100*time.Millisecond), st.Sent, st.Total, speedLabel(st.Speed))
}

// speedLabel is a player speed as the progress line shows it: 2x, or max.
func speedLabel(x float64) string {
	if math.IsInf(x, 1) {
		return "max"
	}
	return fmt.Sprintf("%gx", x)
}
