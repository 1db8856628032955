package ui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
	"natsx/where"
)

// breakStop is the display stopped at a breakpoint's message: the tree
// selects its subject and the inspector holds the message, the panes are
// paused (their arrivals kept below, within their bounds), and the
// explorer goes on counting traffic.
type breakStop struct {
	bp      *where.Breakpoint
	subject string
	seq     uint64
	paused  []int // IDs of the panes the stop paused (b resumes those only)
}

// breakSuggestion is what b offers: the focused pane's selection (its
// condition included), else the tree's selection as for a filter.
func (m *Model) breakSuggestion() string {
	if p := m.focusedPane(); p != nil {
		return p.Spec()
	}
	return m.filterSuggestion()
}

// addBreak sets a breakpoint from spec ("PATTERN [where EXPR]"); a
// malformed one is refused and nothing changes.
func (m *Model) addBreak(spec string) (tea.Cmd, error) {
	b, err := m.bps.Add(spec)
	if err != nil {
		return nil, err
	}
	m.setFlash(fmt.Sprintf("breakpoint %d: %s", b.ID, b.Spec()), false)
	return m.syncPlayerBreaks(), nil
}

// breakCommand runs ":break": alone it lists the breakpoints with their
// hits; "off N", "on N" and "del N" disable, enable and delete one;
// anything else sets one.
func (m *Model) breakCommand(arg string) (tea.Cmd, error) {
	verb, rest, _ := strings.Cut(arg, " ")
	switch verb {
	case "":
		m.setFlash(m.breakList(), false)
		return nil, nil
	case "off", "on", "del":
	default:
		return m.addBreak(arg)
	}
	id, err := strconv.Atoi(strings.TrimSpace(rest))
	if err != nil {
		return nil, fmt.Errorf("break %s: %q is not a breakpoint number", verb, rest)
	}
	b := m.bps.Get(id)
	if b == nil {
		return nil, fmt.Errorf("break %s: there is no breakpoint %d (:break lists them)", verb, id)
	}
	switch verb {
	case "del":
		m.bps.Delete(id)
	default:
		b.Enabled = verb == "on"
	}
	// The player learns first, then goes on: the timeline runs its
	// controls in the order they were queued.
	cmd := m.syncPlayerBreaks()
	if m.stop != nil && m.stop.bp == b && verb != "on" {
		cmd = tea.Batch(cmd, m.continueBreak())
	}
	m.setFlash(m.breakList(), false)
	return cmd, nil
}

// breakList is the breakpoints on one line with their hits.
func (m *Model) breakList() string {
	list := m.bps.List()
	if len(list) == 0 {
		return "no breakpoints (b or :break PATTERN [where EXPR] sets one)"
	}
	parts := make([]string, 0, len(list))
	for _, b := range list {
		state := ""
		if !b.Enabled {
			state = " off"
		}
		parts = append(parts, fmt.Sprintf("%d%s %s (%s)", b.ID, state, b.Spec(), model.Plural(b.Hits, "hit", "hits")))
	}
	return "breakpoints: " + strings.Join(parts, " · ")
}

// nextBreak finds the first message of msgs (about to be applied) that a
// breakpoint holds for, and the breakpoint: the display stops there, once
// it is applied and before anything after it. While stopped on live
// traffic nothing is checked (b goes on). In natsx open the player moves
// on only when told (space plays on from a stop), and it stops again at
// the next match: the display follows it there.
func (m *Model) nextBreak(msgs []model.Message) (*where.Breakpoint, int) {
	if m.stop != nil && m.opts.Timeline == nil {
		return nil, 0
	}
	i, b := m.bps.First(msgs)
	return b, i
}

// stopAt freezes the display on msg: the panes pause, the tree selects
// its subject and the inspector pins it.
func (m *Model) stopAt(b *where.Breakpoint, msg *model.Message) {
	// A copy of the subject: msg's points into the engine's store's pages.
	s := &breakStop{bp: b, subject: strings.Clone(msg.Subject), seq: msg.Seq}
	if m.stop != nil {
		s.paused = m.stop.paused // stopped again: b resumes what the first stop paused
	}
	for _, p := range m.ex.Panes() {
		if !p.Paused {
			p.SetPaused(true)
			s.paused = append(s.paused, p.ID)
		}
	}
	if n := m.ex.Tree().Find(msg.Subject); !n.IsZero() {
		m.ex.TreeView().Reveal(n, m.ex.Now().UnixNano())
	}
	m.setFocus(focusTree)
	m.insp.pin, m.insp.pinned, m.insp.scroll = msg.Seq, true, 0
	m.stop = s
	m.flash = statusMsg{} // the stop's line, not an older flash, is what the footer must say
}

// continueBreak resumes the display: the panes the stop paused resume and
// the breakpoints are checked again from the next message on (b again
// stops at the next match); in natsx open the player plays on.
func (m *Model) continueBreak() tea.Cmd {
	s := m.stop
	if s == nil {
		return nil
	}
	m.stop = nil
	for _, p := range m.ex.Panes() {
		for _, id := range s.paused {
			if p.ID == id {
				p.SetPaused(false)
			}
		}
	}
	m.insp.pinned = false
	if m.opts.Timeline != nil && !m.timeline.status.Playing {
		return m.timelineCmd("play", func(t Timeline) (bool, error) { return t.Toggle() })
	}
	return nil
}

// syncPlayerBreaks gives natsx open's player its own copy of the
// breakpoints (it checks them on its goroutine), so it stops exactly at
// the matching message whatever the speed.
func (m *Model) syncPlayerBreaks() tea.Cmd {
	if m.opts.Timeline == nil {
		return nil
	}
	var stop func(*model.Message) bool
	if m.bps.Armed() {
		c := m.bps.Clone()
		stop = func(msg *model.Message) bool { return c.Hit(msg) != nil }
	}
	return m.timelineCmd("break", func(t Timeline) (bool, error) {
		t.Break(stop)
		return false, nil
	})
}

// stopLine is the footer while stopped: which breakpoint, its hits, what
// it matched, and the key that goes on.
func (m *Model) stopLine(w int) string {
	s := m.stop
	head := fmt.Sprintf("⏸ breakpoint %d · %s", s.bp.ID, model.Plural(s.bp.Hits, "hit", "hits"))
	hint := m.help.ShortHelpView(m.keys.breakHelp())
	what := model.Sanitize(s.subject) + " · " + model.Sanitize(s.bp.Spec())
	return fit(m.styles.Warn.Render(head)+"  "+hint+"  "+m.styles.Muted.Render(what), w)
}
