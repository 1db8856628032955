package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// Tracer sends a trace-only copy of a message (nothing is delivered or
// stored) and returns its path through the servers (engine.Tracer).
type Tracer interface {
	Trace(ctx context.Context, msg model.Message) (model.TraceReport, error)
}

// DeliverTracer publishes a message for real (it is delivered and stored
// as any publish) and returns its path (engine.Tracer): the trace panel's
// D, asked first.
type DeliverTracer interface {
	TraceDeliver(ctx context.Context, msg model.Message) (model.TraceReport, error)
}

// traceDeliverMsg is the user's yes to publishing the trace panel's
// message of opening tag for real.
type traceDeliverMsg struct{ tag int }

// askDeliver asks before D publishes the traced message for real; y sends
// traceDeliverMsg, which starts it (traceDeliver).
func (m *Model) askDeliver() tea.Cmd {
	p := &m.panel
	if _, ok := m.opts.Trace.(DeliverTracer); !ok {
		m.setFlash("not available here: there is no server to publish to", true)
		return nil
	}
	if p.asking {
		m.setFlash("still asking…", false)
		return nil
	}
	tag := p.tag
	m.confirm.ask(fmt.Sprintf("publish %s for real (%s) and trace it", p.msg.Subject, model.HumanBytes(uint64(len(p.msg.Data)))),
		func() tea.Msg { return traceDeliverMsg{tag: tag} })
	return nil
}

// traceDeliver starts the confirmed publish if its panel is still open.
func (m *Model) traceDeliver(msg traceDeliverMsg) tea.Cmd {
	p := &m.panel
	if msg.tag != p.tag || m.mode != modePanel || p.kind != panelTrace {
		return nil
	}
	p.deliver, p.want = true, true
	return m.askPanel()
}

// traceLines is a trace's path as the CLI prints it (model.TraceLine's
// String: an indented tree, one server a level), a server's heading in the
// accent colour, a refusal in the error colour and natsx's own
// subscription dimmed; a long line wraps under its text, after the label.
func (p *answerPanel) traceLines(w int) []string {
	st, r := p.st, p.trace
	var out []string
	if !r.TraceOnly {
		out = append(out, wrapStyled(st.Warn, "delivered: "+model.Sanitize(r.Subject)+" was published for real: "+
			"the path below is where it went", w, "  ")...)
	}
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
	return append(out, limitLines(st, "", r.Problems, w)...)
}
