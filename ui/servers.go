package ui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"natsx/model"
)

// ServerLister lists the servers natsx can see: the connected one, and
// with the system account every server of the cluster (engine.WhoAsker).
type ServerLister interface {
	Servers(ctx context.Context) (*model.ServersReport, error)
}

// ServersRefresh is how long the servers view waits between listings.
const ServersRefresh = 3 * time.Second

// serverColumns are the servers view's columns; serverColumnCaps bound
// them. The numbers (from UPTIME on) are right-aligned.
var (
	serverColumns    = []string{"", "NAME", "VERSION", "CLUSTER", "JS", "UPTIME", "CONNS", "SUBS", "SLOW", "MEM", "CPU", "RTT"}
	serverColumnCaps = []int{1, 24, 12, 16, 3, 7, 7, 9, 6, 9, 5, 8}
)

const serverNumbersFrom = 5

// serversLines is the servers view: one row a server, the connected one
// first and marked, then what the source cannot see and what is missing.
func (p *answerPanel) serversLines(w int) []string {
	st, r := p.st, p.servers
	rows := [][]string{serverColumns}
	for _, s := range r.Servers {
		mark, js := " ", "off"
		if s.Connected {
			mark = "●"
		}
		if s.JetStream {
			js = "on"
		}
		cells := []string{mark, model.Sanitize(s.Name), model.Sanitize(s.Version), model.Sanitize(s.Cluster), js}
		if s.Known {
			cells = append(cells, model.Age(s.Start, p.answered), strconv.Itoa(s.Conns), strconv.Itoa(s.Subs),
				strconv.FormatInt(s.SlowConsumers, 10), model.HumanBytes(uint64(max(s.Mem, 0))), fmt.Sprintf("%.0f%%", s.CPU))
		} else {
			cells = append(cells, "?", "?", "?", "?", "?", "?")
		}
		rtt := "?"
		if s.RTT > 0 {
			rtt = model.HumanDuration(s.RTT)
		}
		rows = append(rows, append(cells, rtt))
	}
	out := table(st, rows, serverColumnCaps, serverNumbersFrom, w)
	out = append(out, st.Muted.Render("● connected · source "+string(r.Source)))
	return append(out, limitLines(st, r.Blind, r.Problems, w)...)
}
