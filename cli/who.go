package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"natsx/engine"
	"natsx/model"
)

// WhoCmd lists who would receive a message published on a subject now.
type WhoCmd struct {
	ConnFlags
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
	return c.ConnFlags.validate("")
}

// Run connects, asks and prints the answer.
func (c *WhoCmd) Run(env *Env) error {
	nc, err := c.connect("natsx-who")
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx := context.Background()
	r, err := engine.NewWhoAsker(ctx, nc, nil, engine.WhoOptions{Timeout: c.Timeout}).Who(ctx, c.Subject)
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
	subs := model.Plural(len(r.Subscribers), "subscriber", "subscribers")
	answered := "no server answered"
	if len(r.Servers) > 0 {
		answered = model.Plural(len(r.Servers), "server", "servers") + " answered: " + strings.Join(r.Servers, ", ")
	}
	fmt.Fprintf(w, "%s: %s (source: %s; %s)\n", s(r.Subject), subs, r.Source, s(answered))
	if r.Blind != "" {
		fmt.Fprintf(w, "cannot see: %s\n", s(r.Blind))
	}
	if len(r.Subscribers) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tLANG\tCID\tACCOUNT\tSERVER\tSUBSCRIPTION\tQUEUE\tMSGS")
		for _, sub := range r.Subscribers {
			name := sub.Name
			if kind := strings.ToLower(sub.Kind); kind != "client" {
				// A leafnode connection carries a remote server's interest.
				name = strings.TrimSpace(name + " (" + kind + ")")
			}
			lang := strings.TrimSpace(sub.Lang + " " + sub.Version)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", s(name), s(lang), sub.CID, s(sub.Account),
				s(sub.Server), s(sub.Pattern), s(sub.Queue), strconv.FormatInt(sub.Msgs, 10))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	} else if !r.Partial() {
		fmt.Fprintf(w, "nobody else is subscribed: a message published on %s now goes nowhere\n", s(r.Subject))
	}
	for _, q := range r.QueueGroups() {
		fmt.Fprintf(w, "queue group %s (account %s): each message goes to one of its %d members\n", s(q.Name), s(q.Account), q.Members)
	}
	if r.OwnLeftOut > 0 {
		fmt.Fprintf(w, "left out: %s of natsx's own\n", model.Plural(r.OwnLeftOut, "subscription", "subscriptions"))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "partial: %s\n", s(p))
	}
	return nil
}
