package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"natsx/model"
)

// ConnLister lists the client connections natsx can see, open and
// recently closed (engine.WhoAsker).
type ConnLister interface {
	Connections(ctx context.Context) (*model.ConnsReport, error)
}

// connsLines is the connections view: the open connections in the chosen
// order (natsx's own marked; SENT and RECEIVED are the client's, the
// server's "in" and "out"), the slow consumers by name, the recently
// closed ones with the server's reason, then what the source cannot see
// and what is missing. The account and server columns show only when
// the connections are in more than one.
func (p *answerPanel) connsLines(w int) []string {
	st, r := p.st, p.conns
	open := slices.Clone(r.Open)
	model.SortConns(open, p.connSort)
	all := append(slices.Clone(open), r.Closed...)
	accounts := distinct(all, func(c model.ConnStats) string { return c.Account }) > 1
	servers := distinct(all, func(c model.ConnStats) string { return c.Server }) > 1
	// where are the optional columns: account and server.
	where := func(c model.ConnStats) []string {
		var out []string
		if accounts {
			out = append(out, model.Sanitize(c.Account))
		}
		if servers {
			out = append(out, model.Sanitize(c.Server))
		}
		return out
	}
	var titles []string
	if accounts {
		titles = append(titles, "ACCOUNT")
	}
	if servers {
		titles = append(titles, "SERVER")
	}

	// Narrow, the byte counts give way: numbers cut short say nothing.
	bytesCols := w >= connsBytesWidth
	head := append(append([]string{"", "NAME", "LANG", "CID"}, titles...), "SUBS", "SENT", "RECEIVED")
	if bytesCols {
		head = append(head, "SENT B", "RECEIVED B")
	}
	head = append(head, "PENDING", "RTT", "IDLE")
	rows := [][]string{head}
	for _, c := range open {
		mark := " "
		if c.Own {
			mark = "*"
		}
		cells := append([]string{mark, connName(c), model.Sanitize(strings.TrimSpace(c.Lang + " " + c.Version)),
			strconv.FormatUint(c.CID, 10)}, where(c)...)
		rtt := "?"
		if c.RTT > 0 {
			rtt = model.HumanDuration(c.RTT)
		}
		cells = append(cells, strconv.Itoa(c.Subs),
			model.HumanCount(uint64(max(c.InMsgs, 0))), model.HumanCount(uint64(max(c.OutMsgs, 0))))
		if bytesCols {
			cells = append(cells, model.HumanBytes(uint64(max(c.InBytes, 0))), model.HumanBytes(uint64(max(c.OutBytes, 0))))
		}
		rows = append(rows, append(cells, model.HumanBytes(uint64(max(c.Pending, 0))), rtt, model.HumanDuration(c.Idle)))
	}
	caps := append(append([]int{1, 24, 16, 7}, connWhereCaps[:len(titles)]...), 6, 8, 8)
	if bytesCols {
		caps = append(caps, 10, 10)
	}
	caps = append(caps, 10, 8, 8)
	out := []string{st.Accent.Render(fmt.Sprintf("%s open · %d recently closed",
		model.Plural(len(open), "connection", "connections"), len(r.Closed)))}
	if len(open) > 0 {
		out = append(out, table(st, rows, caps, 4+len(titles), w)...)
	}
	legend := "* natsx's own · source " + string(r.Source)
	if len(r.Servers) > 0 {
		legend += " · " + model.Plural(len(r.Servers), "server", "servers") + " answered"
	}
	out = append(out, st.Muted.Render(fit(legend, w)))

	if slow := r.SlowConsumers(); len(slow) > 0 {
		names := make([]string, 0, len(slow))
		for _, c := range slow {
			names = append(names, fmt.Sprintf("%s (cid %d on %s, %s)", connName(c), c.CID, model.Sanitize(c.Server), ago(c.Stop, p.answered)))
		}
		out = append(out, "")
		out = append(out, wrapStyled(st.Bad, "slow consumers cut off: "+strings.Join(names, ", "), w, "  ")...)
	}
	if len(r.Closed) > 0 {
		out = append(out, "", st.PaneTitle.Render("Recently closed"))
		rows := [][]string{append(append([]string{"NAME", "CID"}, titles...), "REASON", "SENT", "RECEIVED", "CLOSED")}
		for _, c := range r.Closed {
			rows = append(rows, append(append([]string{connName(c), strconv.FormatUint(c.CID, 10)}, where(c)...),
				model.Sanitize(c.Reason), model.HumanCount(uint64(max(c.InMsgs, 0))), model.HumanCount(uint64(max(c.OutMsgs, 0))),
				ago(c.Stop, p.answered)))
		}
		caps := append(append([]int{24, 7}, connWhereCaps[:len(titles)]...), 40, 8, 8, 9)
		out = append(out, table(st, rows, caps, 3+len(titles), w)...)
	}
	return append(out, limitLines(st, r.Blind, r.Problems, w)...)
}

// ago is model.Age as a time in the past: "40s ago", "now".
func ago(t, now time.Time) string {
	a := model.Age(t, now)
	if a == "now" || a == "-" {
		return a
	}
	return a + " ago"
}

// connsBytesWidth is the narrowest view that shows the byte counts.
const connsBytesWidth = 110

// connWhereCaps bound the ACCOUNT and SERVER columns (an nkey account is
// 56 characters).
var connWhereCaps = []int{16, 20}

// connName is the connection's name as shown: "—" when it gave none.
func connName(c model.ConnStats) string {
	if c.Name == "" {
		return "—"
	}
	return model.Sanitize(c.Name)
}

// distinct counts the different values of key among conns.
func distinct(conns []model.ConnStats, key func(model.ConnStats) string) int {
	seen := map[string]bool{}
	for _, c := range conns {
		seen[key(c)] = true
	}
	return len(seen)
}
