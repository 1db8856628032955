package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"natsx/model"
)

// IsTraceHeader reports whether k is one of the Nats-Trace-* headers,
// which natsx sets itself on a traced message.
func IsTraceHeader(k string) bool {
	return len(k) >= len(traceHeaderPrefix) && strings.EqualFold(k[:len(traceHeaderPrefix)], traceHeaderPrefix)
}

const traceHeaderPrefix = "Nats-Trace-"

// Tracer traces messages on one connection for the TUI's trace panel:
// trace-only copies (Trace), so nothing is delivered and nothing stored,
// or, once the user confirmed, the message itself (TraceDeliver).
type Tracer struct {
	nc   *nats.Conn
	opts TraceOptions
}

// NewTracer traces on nc; o's Own and Timeout apply to every trace, its
// payload, headers and Deliver are ignored.
func NewTracer(nc *nats.Conn, o TraceOptions) *Tracer {
	return &Tracer{nc: nc, opts: TraceOptions{Own: o.Own, Timeout: o.Timeout}}
}

// Trace sends a trace-only copy of msg (its subject, its headers but the
// Nats-Trace-* ones natsx sets, and the payload natsx kept of it) and
// returns the path as lines.
func (t *Tracer) Trace(ctx context.Context, msg model.Message) (model.TraceReport, error) {
	return t.trace(ctx, msg, false)
}

// TraceDeliver publishes msg for real (delivered and stored as any
// publish) with a trace destination and returns its path as lines.
func (t *Tracer) TraceDeliver(ctx context.Context, msg model.Message) (model.TraceReport, error) {
	return t.trace(ctx, msg, true)
}

func (t *Tracer) trace(ctx context.Context, msg model.Message, deliver bool) (model.TraceReport, error) {
	o := t.opts
	o.Deliver = deliver
	o.Payload = msg.Data
	for k, vs := range msg.Header {
		if IsTraceHeader(k) {
			continue
		}
		if o.Header == nil {
			o.Header = nats.Header{}
		}
		o.Header[k] = vs
	}
	r, err := Trace(ctx, t.nc, msg.Subject, o)
	if err != nil {
		return model.TraceReport{}, err
	}
	return r.Report(), nil
}

// Report is the trace as lines, one server a level: what `natsx trace`
// prints and the TUI's trace panel draws. The texts carry the servers'
// strings as they came (names are quoted): sanitize before drawing.
func (r *TraceResult) Report() model.TraceReport {
	rep := model.TraceReport{Subject: r.Subject, TraceOnly: r.TraceOnly, Problems: r.Problems}
	if r.Origin != nil {
		rep.Lines = traceLines(rep.Lines, r.Origin, 0)
	}
	for _, u := range r.Unlinked {
		rep.Lines = append(rep.Lines, model.TraceLine{Head: true, Text: "not linked to an egress:"})
		rep.Lines = traceLines(rep.Lines, u, 1)
	}
	return rep
}

// traceLines appends what server ts did, then the servers after it.
func traceLines(out []model.TraceLine, ts *TraceServer, depth int) []model.TraceLine {
	line := func(label, text string, bad bool) {
		out = append(out, model.TraceLine{Depth: depth, Label: label, Text: text, Bad: bad})
	}
	head := ts.Server.Name
	var about []string
	if ts.Server.Cluster != "" {
		about = append(about, "cluster "+ts.Server.Cluster)
	}
	if ts.Server.Version != "" {
		about = append(about, ts.Server.Version)
	}
	if ts.Hop != "" {
		about = append(about, "hop "+ts.Hop)
	}
	if len(about) > 0 {
		head += " (" + strings.Join(about, ", ") + ")"
	}
	out = append(out, model.TraceLine{Depth: depth, Head: true, Text: head})
	var start time.Time
	if in := ts.Ingress; in != nil {
		start = in.Timestamp
		line("in", fmt.Sprintf("%s, account %s, subject %s", party(KindName(in.Kind), in.Name, in.CID), in.Account, in.Subject), false)
		if in.Error != "" {
			line("", "  ✗ not accepted: "+in.Error, true)
		}
	}
	for _, m := range ts.Mappings {
		line("mapped", "to "+m.MappedTo, false)
	}
	for _, si := range ts.ServiceImports {
		line("import", fmt.Sprintf("service of account %s: %s → %s", si.Account, si.From, si.To), false)
	}
	for _, se := range ts.StreamExports {
		line("export", fmt.Sprintf("stream to account %s as %s", se.Account, se.To), false)
	}
	if js := ts.JetStream; js != nil {
		text, bad := "stream "+js.Stream, false
		if js.Subject != "" {
			text += ", subject " + js.Subject
		}
		switch {
		case js.Error != "":
			text, bad = text+": ✗ "+js.Error, true
		case js.NoInterest:
			text += ": not stored, no interest"
		}
		line("js", text, bad)
	}
	for _, eg := range ts.Egresses {
		text := party(eg.KindName, eg.Name, eg.CID)
		if eg.Subscription != "" {
			text += ", subscription " + eg.Subscription
		}
		if eg.Queue != "" {
			text += ", queue " + eg.Queue
		}
		if eg.Account != "" {
			text += ", account " + eg.Account
		}
		if eg.Own {
			text += " (natsx itself)"
		}
		if !start.IsZero() && !eg.Timestamp.IsZero() {
			text += fmt.Sprintf("  +%s", eg.Timestamp.Sub(start).Round(time.Microsecond))
		}
		if eg.Delivered() {
			out = append(out, model.TraceLine{Depth: depth, Label: "out", Text: text, Own: eg.Own})
		} else {
			out = append(out, model.TraceLine{Depth: depth, Label: "✗ out", Text: text + ": " + eg.Error, Bad: true, Own: eg.Own})
		}
		if eg.Next != nil {
			out = traceLines(out, eg.Next, depth+1)
		}
	}
	if len(ts.Egresses) == 0 && ts.JetStream == nil && (ts.Ingress == nil || ts.Ingress.Error == "") {
		line("", "no interest: nobody here would receive it", false)
	}
	return out
}

// party is `client "name" cid 7`, the name quoted.
func party(kind, name string, cid uint64) string {
	out := kind
	if name != "" {
		out += " " + fmt.Sprintf("%q", name)
	}
	if cid != 0 {
		out += fmt.Sprintf(" cid %d", cid)
	}
	return out
}
