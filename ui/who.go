package ui

import (
	"context"

	"natsx/model"
)

// WhoAsker answers "who gets a message on this subject": the live
// subscribers and the streams that store it (engine.WhoAsker). The panel
// asks it in a tea.Cmd, one question at a time.
type WhoAsker interface {
	Who(ctx context.Context, subject string) (*model.WhoResult, error)
}

// whoLines is the answer to "who gets this": the headline, what the
// source cannot see, the subscribers' table, the streams, the notes and
// what is missing.
func (p *answerPanel) whoLines(w int) []string {
	st, r := p.st, p.who
	out := wrapStyled(st.Accent, model.Sanitize(r.Headline()), w, "  ")
	out = append(out, limitLines(st, r.Blind, nil, w)...)
	if len(r.Subscribers) > 0 {
		out = append(out, "")
		rows := make([][]string, 0, len(r.Subscribers)+1)
		rows = append(rows, model.WhoColumns)
		for i := range r.Subscribers {
			cells := r.Subscribers[i].Row()
			for j, c := range cells {
				cells[j] = model.Sanitize(c)
			}
			rows = append(rows, cells)
		}
		out = append(out, table(st, rows, whoColumnCaps, len(model.WhoColumns)-1, w)...)
	}
	if len(r.Streams) > 0 || len(r.Notes()) > 0 {
		out = append(out, "")
	}
	for i := range r.Streams {
		out = append(out, wrapStyled(st.Value, model.Sanitize(r.Streams[i].String()), w, "  ")...)
	}
	for _, n := range r.Notes() {
		out = append(out, wrapStyled(st.Muted, model.Sanitize(n), w, "  ")...)
	}
	return append(out, limitLines(st, "", r.Problems, w)...)
}

// whoColumnCaps bound each column of the subscribers' table (NAME, LANG,
// CID, ACCOUNT, SERVER, SUBSCRIPTION, QUEUE, MSGS): an nkey account is
// 56 characters.
var whoColumnCaps = []int{24, 16, 7, 16, 20, 32, 16, 9}
