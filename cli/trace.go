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
		if strings.HasPrefix(strings.ToLower(k), "nats-trace-") {
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
// every string a server sent goes through model.Sanitize.
func writeTrace(w io.Writer, r *engine.TraceResult) error {
	s := model.Sanitize
	mode := "trace only: nothing was delivered or stored"
	if !r.TraceOnly {
		mode = "delivered and traced"
	}
	fmt.Fprintf(w, "trace of %s (%s)\n", s(r.Subject), mode)
	if r.Origin != nil {
		writeTraceServer(w, r.Origin, 0)
	}
	for _, u := range r.Unlinked {
		fmt.Fprintln(w, "not linked to an egress:")
		writeTraceServer(w, u, 1)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "partial: %s\n", s(p))
	}
	return nil
}

func writeTraceServer(w io.Writer, ts *engine.TraceServer, depth int) {
	s := model.Sanitize
	ind := strings.Repeat("    ", depth)
	head := s(ts.Server.Name)
	var about []string
	if ts.Server.Cluster != "" {
		about = append(about, "cluster "+s(ts.Server.Cluster))
	}
	if ts.Server.Version != "" {
		about = append(about, s(ts.Server.Version))
	}
	if ts.Hop != "" {
		about = append(about, "hop "+s(ts.Hop))
	}
	if len(about) > 0 {
		head += " (" + strings.Join(about, ", ") + ")"
	}
	fmt.Fprintf(w, "%s%s\n", ind, head)
	ind += "  "
	var start time.Time
	if in := ts.Ingress; in != nil {
		start = in.Timestamp
		fmt.Fprintf(w, "%sin      %s, account %s, subject %s\n", ind, party(engine.KindName(in.Kind), in.Name, in.CID), s(in.Account), s(in.Subject))
		if in.Error != "" {
			fmt.Fprintf(w, "%s  ✗ not accepted: %s\n", ind, s(in.Error))
		}
	}
	for _, m := range ts.Mappings {
		fmt.Fprintf(w, "%smapped  to %s\n", ind, s(m.MappedTo))
	}
	for _, si := range ts.ServiceImports {
		fmt.Fprintf(w, "%simport  service of account %s: %s → %s\n", ind, s(si.Account), s(si.From), s(si.To))
	}
	for _, se := range ts.StreamExports {
		fmt.Fprintf(w, "%sexport  stream to account %s as %s\n", ind, s(se.Account), s(se.To))
	}
	if js := ts.JetStream; js != nil {
		line := "stream " + s(js.Stream)
		if js.Subject != "" {
			line += ", subject " + s(js.Subject)
		}
		switch {
		case js.Error != "":
			line += ": ✗ " + s(js.Error)
		case js.NoInterest:
			line += ": not stored, no interest"
		}
		fmt.Fprintf(w, "%sjs      %s\n", ind, line)
	}
	for _, eg := range ts.Egresses {
		line := party(eg.KindName, eg.Name, eg.CID)
		if eg.Subscription != "" {
			line += ", subscription " + s(eg.Subscription)
		}
		if eg.Queue != "" {
			line += ", queue " + s(eg.Queue)
		}
		if eg.Account != "" {
			line += ", account " + s(eg.Account)
		}
		if eg.Own {
			line += " (natsx itself)"
		}
		if !start.IsZero() && !eg.Timestamp.IsZero() {
			line += fmt.Sprintf("  +%s", eg.Timestamp.Sub(start).Round(time.Microsecond))
		}
		if eg.Delivered() {
			fmt.Fprintf(w, "%sout     %s\n", ind, line)
		} else {
			fmt.Fprintf(w, "%s✗ out   %s: %s\n", ind, line, s(eg.Error))
		}
		if eg.Next != nil {
			writeTraceServer(w, eg.Next, depth+1)
		}
	}
	if len(ts.Egresses) == 0 && ts.JetStream == nil && (ts.Ingress == nil || ts.Ingress.Error == "") {
		fmt.Fprintf(w, "%sno interest: nobody here would receive it\n", ind)
	}
}

// party is `client "name" cid 7`, sanitized.
func party(kind, name string, cid uint64) string {
	out := kind
	if name != "" {
		out += " " + fmt.Sprintf("%q", name)
	}
	if cid != 0 {
		out += fmt.Sprintf(" cid %d", cid)
	}
	return model.Sanitize(out)
}
