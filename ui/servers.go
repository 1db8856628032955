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

// maxLinkRows bounds the routes, gateways and leafnodes listed under the
// servers table; the rest are counted.
const maxLinkRows = 30

var (
	linkColumns    = []string{"SERVER", "LINK", "PEER", "CONNS", "RTT", "MSGS IN", "MSGS OUT"}
	linkColumnCaps = []int{24, 11, 40, 5, 10, 10, 10}
)

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
	out = append(out, limitLines(st, r.Blind, r.Problems, w)...)
	return append(out, p.linkLines(w)...)
}

// linkLines are the servers' routes, gateways and leafnodes under the
// table, maxLinkRows at most and the rest counted.
func (p *answerPanel) linkLines(w int) []string {
	st, links := p.st, p.servers.Links
	if len(links) == 0 {
		if p.servers.Source == model.WhoSystem || p.servers.Source == model.WhoEmbedded {
			return []string{"", st.Muted.Render("no routes, gateways or leafnodes")}
		}
		return nil
	}
	rows := [][]string{linkColumns}
	for _, l := range links[:min(len(links), maxLinkRows)] {
		rtt := "?"
		if l.RTT > 0 {
			rtt = model.HumanDuration(l.RTT)
		}
		rows = append(rows, []string{model.Sanitize(l.Server), l.Kind, model.Sanitize(l.Peer), strconv.Itoa(l.Conns), rtt,
			strconv.FormatInt(l.InMsgs, 10), strconv.FormatInt(l.OutMsgs, 10)})
	}
	out := append([]string{"", st.Title.Render("Routes, gateways and leafnodes")}, table(st, rows, linkColumnCaps, 3, w)...)
	if more := len(links) - maxLinkRows; more > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("… %d more not shown", more)))
	}
	return out
}
