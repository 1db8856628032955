package cli

import (
	"fmt"
	"strings"
	"time"

	"natsx/engine"
	"natsx/recorder"
)

// ReplayCmd republishes a capture with its timing.
type ReplayCmd struct {
	ConnFlags
	ListenFlag
	File    string   `arg:"" help:"capture file" placeholder:"FILE"`
	NoWait  bool     `help:"without --server: start at once instead of waiting for a subscriber"`
	Speed   Speed    `default:"1" help:"scale the recorded gaps: 0.5, 1, 2, … or max" placeholder:"X|max"`
	Loop    bool     `help:"start over at the end until interrupted"`
	Subject []string `help:"replay only subjects matching PATTERN (repeatable)" placeholder:"PATTERN"`
	Remap   []string `help:"rewrite subjects, e.g. orders.>=sandbox.orders.> (repeatable)" placeholder:"FROM=TO"`
	DryRun  bool     `help:"print what would be sent, send nothing"`
	WhereFlag

	remaps []recorder.Remap // Remap, parsed by Validate
}

// Validate checks the flags at parse time.
func (c *ReplayCmd) Validate() error {
	if err := validPatterns(c.Subject); err != nil {
		return err
	}
	if err := c.validateWhere(); err != nil {
		return err
	}
	c.remaps = c.remaps[:0]
	for _, s := range c.Remap {
		rm, err := recorder.ParseRemap(s)
		if err != nil {
			return flagErrorf("--remap: %w", err)
		}
		c.remaps = append(c.remaps, rm)
	}
	if c.DryRun {
		return nil // connects nowhere
	}
	return c.ConnFlags.validate(c.Listen)
}

// Run replays the capture into --server, or into a fresh embedded broker.
func (c *ReplayCmd) Run(env *Env) error {
	o := recorder.ReplayOptions{Speed: float64(c.Speed), Loop: c.Loop, Subjects: c.Subject, Remap: c.remaps,
		DryRun: c.DryRun, Output: env.Out, Where: c.keepFunc()}
	defer c.reportMisses(env.Err)
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	ctx, stop := interruptible()
	defer stop()
	if c.DryRun {
		st, err := recorder.ReplayReader(ctx, nil, r, o)
		reportProblems(env.Err, st.Problems)
		return err
	}

	var co engine.ConnOptions
	if c.external() {
		if co, err = c.connOptions("natsx-replay"); err != nil {
			return err
		}
	} else {
		emb, err := engine.StartEmbedded(engine.EmbeddedOptions{Listen: c.Listen})
		if err != nil {
			return err
		}
		defer emb.Shutdown()
		co = engine.ConnOptions{Servers: emb.URL(), Name: "natsx-replay"}
		fmt.Fprintln(env.Out, emb.URL())
		if !c.NoWait {
			fmt.Fprintf(env.Err, "replaying into %s once a client subscribes (ctrl+c to stop)\n", emb.URL())
			// The server's own subscriptions, if any, are not a client.
			if err := emb.WaitForSubscriber(ctx.Done(), emb.Subscriptions()); err != nil {
				return nil // interrupted before anyone came: nothing to report
			}
		}
	}
	nc, err := engine.Connect(co)
	if err != nil {
		return err
	}
	defer nc.Close()
	target := engine.RedactURL(nc.ConnectedUrl())
	if isTerminal(env.Err) {
		o.Progress = func(p recorder.ReplayProgress) {
			control(env.Err, "\r\x1b[K")
			fmt.Fprintf(env.Err, "%s %3.0f%% %d sent, pass %d", progressBar(p.Fraction(), 30), 100*p.Fraction(), p.Published, p.Pass)
			if p.Done {
				control(env.Err, "\r\x1b[K")
			}
		}
	}
	st, err := recorder.ReplayReader(ctx, nc, r, o)
	reportProblems(env.Err, st.Problems)
	if err != nil {
		// A server that went away: what arrived is what the user needs.
		return fmt.Errorf("%w; %d messages sent to %s before it stopped, %d of them confirmed by the server",
			err, st.Published, target, st.Confirmed)
	}
	line := fmt.Sprintf("replayed %d messages to %s in %s", st.Published, target, st.Elapsed.Round(time.Millisecond))
	if st.Passes > 1 {
		line += fmt.Sprintf(" (%d passes)", st.Passes)
	}
	if st.Skipped > 0 {
		line += fmt.Sprintf(", %d filtered out", st.Skipped)
	}
	if st.Truncated > 0 {
		line += fmt.Sprintf(", %d with payloads truncated at recording", st.Truncated)
	}
	fmt.Fprintln(env.Out, line)
	return nil
}

// progressBar draws a bar of width cells. Hand-written: bubbles' progress
// bar would pull in harmonica, an extra module, for one line of text.
func progressBar(frac float64, width int) string {
	full := int(frac*float64(width) + 0.5)
	full = min(max(full, 0), width)
	return strings.Repeat("█", full) + strings.Repeat("░", width-full)
}
