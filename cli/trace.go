package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/engine"
	"natsx/model"
)

// TraceCmd traces one message through the servers without delivering it.
type TraceCmd struct {
	ConnFlags
	Subject string        `arg:"" help:"the subject to trace a message on (no wildcards)"`
	Payload string        `help:"the traced message's payload"`
	Header  []string      `short:"H" sep:"none" help:"a header of the traced message (repeatable)" placeholder:"KEY:VALUE"`
	Timeout time.Duration `default:"2s" help:"how long to wait for the servers' trace events"`
	JSON    bool          `help:"print JSON"`
}

// Validate checks the flags at parse time.
func (c *TraceCmd) Validate() error {
	if err := engine.CheckPublishSubject(c.Subject); err != nil {
		return flagErrorf("%w", err)
	}
	if _, err := c.headers(); err != nil {
		return err
	}
	if c.Timeout <= 0 {
		return flagErrorf("--timeout %s: must be positive", c.Timeout)
	}
	if !c.external() {
		return flagErrorf("trace asks a running server: give --server, --context or NATS_URL")
	}
	return c.ConnFlags.validate("")
}

// headers parses --header KEY:VALUE; the Nats-Trace-* headers are natsx's.
func (c *TraceCmd) headers() (nats.Header, error) {
	h := nats.Header{}
	for _, kv := range c.Header {
		k, v, ok := strings.Cut(kv, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t\r\n") || strings.ContainsAny(v, "\r\n") {
			return nil, flagErrorf("--header %q: want KEY:VALUE", kv)
		}
		if engine.IsTraceHeader(k) {
			return nil, flagErrorf("--header %q: natsx sets the Nats-Trace-* headers itself", kv)
		}
		h.Add(k, strings.TrimSpace(v))
	}
	return h, nil
}

// Run connects, traces and prints the path.
func (c *TraceCmd) Run(env *Env) error {
	h, err := c.headers()
	if err != nil {
		return err
	}
	nc, err := c.connect("natsx-trace")
	if err != nil {
		return err
	}
	defer nc.Close()
	r, err := engine.Trace(context.Background(), nc, c.Subject,
		engine.TraceOptions{Payload: []byte(c.Payload), Header: h, Timeout: c.Timeout})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Out, r)
	}
	return writeTrace(env.Out, r)
}

// writeTrace prints the path as an indented tree, one server a level;
// every line goes through model.Sanitize (names a server sent are quoted
// by the engine).
func writeTrace(w io.Writer, r *engine.TraceResult) error {
	rep := r.Report()
	mode := "trace only: nothing was delivered or stored"
	if !rep.TraceOnly {
		mode = "delivered and traced"
	}
	fmt.Fprintf(w, "trace of %s (%s)\n", model.Sanitize(rep.Subject), mode)
	for _, l := range rep.Lines {
		fmt.Fprintln(w, model.Sanitize(l.String()))
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "partial: %s\n", model.Sanitize(p))
	}
	return nil
}
