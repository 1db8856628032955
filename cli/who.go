package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"natsx/engine"
	"natsx/model"
)

// WhoCmd lists who would receive a message published on a subject now.
type WhoCmd struct {
	ConnFlags
	MonitorFlag
	JetStreamFlag
	Subject string        `arg:"" help:"the subject a message would be published on (no wildcards)"`
	Timeout time.Duration `default:"2s" help:"how long to wait for the servers' answers"`
	JSON    bool          `help:"print JSON"`
}

// Validate checks the flags at parse time.
func (c *WhoCmd) Validate() error {
	if err := engine.CheckPublishSubject(c.Subject); err != nil {
		return flagErrorf("%w", err)
	}
	if c.Timeout <= 0 {
		return flagErrorf("--timeout %s: must be positive", c.Timeout)
	}
	if !c.external() {
		// natsx's own broker would start empty: nobody could be subscribed.
		return flagErrorf("who asks a running server: give --server, --context or NATS_URL")
	}
	if _, err := c.monitorURL(); err != nil {
		return err
	}
	if err := c.applyDomain(&c.ConnFlags, true); err != nil {
		return err
	}
	return c.ConnFlags.validate("")
}

// Run connects, asks and prints the answer.
func (c *WhoCmd) Run(env *Env) error {
	co, err := c.connOptions("natsx-who")
	if err != nil {
		return err
	}
	nc, err := engine.Connect(co)
	if err != nil {
		return err
	}
	defer nc.Close()
	jo := co.JetStream()
	jo.Timeout = c.Timeout
	js, err := engine.NewJetStream(nc, jo)
	if err != nil {
		return err
	}
	defer js.Close()
	ctx := context.Background()
	mon, _ := c.monitorURL() // checked by Validate
	r, err := engine.NewWhoAsker(nc, nil, engine.WhoOptions{Timeout: c.Timeout, Streams: js, Monitor: mon}).Who(ctx, c.Subject)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Out, r)
	}
	return writeWho(env.Out, r)
}

// writeWho prints the answer as a table; every string a server sent goes
// through model.Sanitize (the writer sanitizes lines too, but a tab or an
// escape inside a field would also break the columns).
func writeWho(w io.Writer, r *engine.WhoResult) error {
	s := model.Sanitize
	fmt.Fprintln(w, s(r.Headline()))
	if r.Blind != "" {
		fmt.Fprintf(w, "cannot see: %s\n", s(r.Blind))
	}
	if len(r.Subscribers) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(model.WhoColumns, "\t"))
		for _, sub := range r.Subscribers {
			cells := sub.Row()
			for i, c := range cells {
				cells[i] = s(c)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, ws := range r.Streams {
		fmt.Fprintln(w, s(ws.String()))
	}
	for _, n := range r.Notes() {
		fmt.Fprintln(w, s(n))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "partial: %s\n", s(p))
	}
	return nil
}
