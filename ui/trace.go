package ui

import (
	"context"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// Tracer sends a trace-only copy of a message (nothing is delivered or
// stored) and returns its path through the servers (engine.Tracer).
type Tracer interface {
	Trace(ctx context.Context, msg model.Message) (model.TraceReport, error)
}

// traceLines is a trace's path as the CLI prints it (model.TraceLine's
// String: an indented tree, one server a level), a server's heading in the
// accent colour, a refusal in the error colour and natsx's own
// subscription dimmed; a long line wraps under its text, after the label.
func (p *answerPanel) traceLines(w int) []string {
	st, r := p.st, p.trace
	var out []string
	for _, l := range r.Lines {
		style := st.Value
		switch {
		case l.Bad:
			style = st.Bad
		case l.Head:
			style = st.Accent
		case l.Own:
			style = st.Muted
		}
		text := model.Sanitize(l.String())
		// The label's column: a wrapped line goes on under the text.
		indent := strings.Repeat(" ", min(ansi.StringWidth(strings.TrimSuffix(l.String(), l.Text)), w/2))
		out = append(out, wrapStyled(style, text, w, indent)...)
	}
	if len(r.Lines) == 0 && len(r.Problems) == 0 {
		out = append(out, st.Muted.Render("no server reported anything"))
	}
	for _, pr := range r.Problems {
		out = append(out, wrapStyled(st.Warn, "partial: "+model.Sanitize(pr), w, "  ")...)
	}
	return out
}
