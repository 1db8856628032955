package ui

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// headerView is the two header lines: where natsx is connected and how much
// flows, then the counters, with every kind of drop kept apart.
func (m *Model) headerView(w int) []string {
	st := m.styles
	s := m.ex.Status()
	state := s.State.String()
	var dot string
	switch s.State {
	case model.StateConnected:
		dot = st.Good.Render("●")
	case model.StateReconnecting, model.StateConnecting:
		dot = st.Warn.Render("◌")
	default:
		dot = st.Bad.Render("○")
	}
	where := model.Sanitize(s.URL)
	if s.Embedded {
		where += " (embedded)"
	}
	exposed := ""
	if s.Exposed {
		// Said before the URL's tail can be cut: anyone on the network can
		// publish and read everything, and nothing asks them who they are.
		exposed = "  " + st.Bad.Render("⚠ open to the network, no auth")
	}
	now := m.ex.Now().UnixNano()
	msgs, bytes := m.ex.Throughput().Rates(now)
	rates := fmt.Sprintf("%s msg/s  %s/s", model.HumanRate(msgs), model.HumanBytes(uint64(bytes)))
	mode := "tap " + s.Tap
	if s.Scoped {
		mode = fmt.Sprintf("scoped: %d filters", m.ex.ScopeCount())
	}
	left := fmt.Sprintf("%s %s %s%s  %s  %s", st.Title.Render("natsx"), dot, state, exposed, st.Muted.Render(where), st.Warn.Render(mode))
	sparkW := min(model.SparkSeconds, max(0, w-ansi.StringWidth(left)-ansi.StringWidth(rates)-6))
	spark := ""
	if sparkW >= 10 {
		vals := make([]float64, sparkW)
		m.ex.Throughput().Spark(now, vals)
		spark = st.Spark.Render(sparkline(vals))
	}
	if rec := m.recHeader(); rec != "" {
		left += "  " + rec
	}
	line1 := left + "  " + st.Accent.Render(rates) + "  " + spark

	drops := func(label string, n uint64) string {
		v := fmt.Sprintf("%s %s", label, model.HumanCount(n))
		if n > 0 {
			return st.Bad.Render(v)
		}
		return st.Muted.Render(v)
	}
	t := m.ex.Tree()
	held, budget := m.Memory()
	// Below 100 columns the labels shrink so the drop counters stay visible.
	subjL, bufL, cliL, srvL := "subjects", "buffer", "client", "server"
	if w < 100 {
		subjL, bufL, cliL, srvL = "subj", "buf", "cli", "srv"
	}
	server := st.Muted.Render(srvL + " n/a")
	if s.ServerDropped >= 0 {
		server = drops(srvL, uint64(s.ServerDropped))
	}
	parts := []string{
		st.Muted.Render(fmt.Sprintf("%s %s", subjL, model.HumanCount(uint64(t.Subjects())))),
		st.Muted.Render(fmt.Sprintf("msgs %s", model.HumanCount(t.Msgs))),
		st.Muted.Render(fmt.Sprintf("mem %s/%s", model.HumanBytes(uint64(held)), model.HumanBytes(uint64(budget)))),
		st.Muted.Render("drops") + " " + drops(bufL, m.storeDropped) + st.Muted.Render(" · ") + drops(cliL, s.ClientDropped) + st.Muted.Render(" · ") + server,
	}
	if t.Evicted > 0 || t.Pruned > 0 {
		parts = append(parts, st.Warn.Render(fmt.Sprintf("evicted %s pruned %s", model.HumanCount(t.Evicted), model.HumanCount(t.Pruned))))
	}
	if s.SlowConsumerEvents > 0 {
		// The server cut natsx off and threw away what it held: never
		// silence, since no counter above includes those messages.
		parts = append(parts, st.Bad.Render(fmt.Sprintf("slow consumer ×%d", s.SlowConsumerEvents)))
	}
	if !s.LossUnknownSince.IsZero() {
		parts = append(parts, st.Warn.Render("loss unknown since "+s.LossUnknownSince.Format("15:04:05")))
	}
	if s.Reconnects > 0 {
		parts = append(parts, st.Muted.Render(fmt.Sprintf("reconnects %d", s.Reconnects)))
	}
	line2 := strings.Join(parts, "  ")
	return []string{fit(line1, w), fit(line2, w)}
}

// Memory is the header's mem: what the process holds on the heap and the
// budget it is held to (--max-memory). With Options.Budget set it is the
// whole process: what it held before any traffic, the tree and the panes,
// the source's store and pending messages (as of the last pull), the pull
// buffer's slots and the flight recorder with what waits for it during a
// save. Without, it is the tree and the panes against the tree's budget.
func (m *Model) Memory() (held, budget int64) {
	b := m.opts.Budget
	if b.Total <= 0 {
		return m.ex.MemoryUsed(), m.ex.MemoryBudget()
	}
	held = b.Base + m.ex.MemoryUsed() + m.ex.Status().Memory +
		int64(cap(m.buf))*int64(unsafe.Sizeof(model.Message{})) + m.flight.held + m.flight.bytes
	return held, b.Total
}
