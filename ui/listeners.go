package ui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// ListenerChecker says who besides natsx listens on a few subjects
// (engine.WhoAsker): exact on the embedded broker, a few subjects a round
// over the network. It returns model.ErrNoListenerSource when nothing can
// tell.
type ListenerChecker interface {
	Listeners(ctx context.Context, subjects []string) ([]model.ListenCheck, error)
}

// ListenEvery is how long the no-listener checker waits between rounds;
// one round runs at a time, whatever the traffic.
const ListenEvery = 2 * time.Second

// Without messages since the last round nothing can go unheard, so an idle
// natsx asks nothing: it looks again every listenIdleTick and starts a
// round only once traffic comes back or listenIdleEvery has passed (a
// listener may come or go while nothing is published). Asking every 2 s
// took an idle natsx after a flood from 0.8-1.0% of a core to 1.2%.
const (
	listenIdleTick  = 10 * time.Second
	listenIdleEvery = 30 * time.Second
)

const (
	// listenBatch bounds the subjects one round asks about (the checker
	// answers fewer over the network; the others are asked next round).
	listenBatch = 64
	// listenRoundTimeout bounds a round: over the network a check is a
	// scatter-gather to every server.
	listenRoundTimeout = 10 * time.Second
)

// listenTickMsg starts the checker's next round.
type listenTickMsg struct{}

// listenCheckedMsg is a round's answers.
type listenCheckedMsg struct {
	checks []model.ListenCheck
	err    error
}

// listener is the no-listener checker's state in the root model: the
// record of what went nowhere, nil without a checker (a capture).
type listener struct {
	rec    *model.Listening
	asking bool
	// off says why the checker stopped ("" while it runs).
	off string
	// unheard is the messages that went nowhere as of the latest round,
	// those since each subject's check included (model.Listening.Live).
	unheard uint64
	// bytes is what the record held after the latest round (the header's
	// mem counts it).
	bytes int64
	// roundMsgs is the tree's message count and roundAt the wall clock
	// when the latest round started (see listenIdleEvery).
	roundMsgs uint64
	roundAt   time.Time
}

// listenTick arms the checker's next round.
func listenTick() tea.Cmd { return listenTickIn(ListenEvery) }

func listenTickIn(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return listenTickMsg{} })
}

// listenRound starts a round on the subjects due: the selection, the
// message the inspector shows, the tree's rows on screen, then those
// sampled from recent batches.
func (m *Model) listenRound() tea.Cmd {
	l := &m.listen
	if l.rec == nil || l.asking || l.off != "" {
		return nil
	}
	msgs := m.ex.Tree().Msgs
	if msgs == l.roundMsgs && m.wall.Sub(l.roundAt) < listenIdleEvery {
		return listenTickIn(listenIdleTick)
	}
	l.roundMsgs, l.roundAt = msgs, m.wall
	subjects := l.rec.Due(m.ex.Tree(), m.listenFirst(), listenBatch)
	if len(subjects) == 0 {
		return listenTick()
	}
	l.asking = true
	checker := m.opts.Listeners
	return timed(listenRoundTimeout, func(ctx context.Context) tea.Msg {
		checks, err := checker.Listeners(ctx, subjects)
		return listenCheckedMsg{checks: checks, err: err}
	})
}

// listenFirst are the subjects the user looks at: checked first.
func (m *Model) listenFirst() []string {
	var out []string
	if cur, ok := m.currentMessage(); ok {
		out = append(out, cur.Subject)
	}
	v := m.ex.TreeView()
	if n := v.Selected(); !n.IsZero() && !n.Removed() {
		out = append(out, n.Subject())
	}
	rows, _ := v.Window()
	for _, n := range rows {
		if !n.Removed() && n.Own() > 0 {
			out = append(out, n.Subject())
		}
	}
	return out
}

// listenChecked records a round and arms the next; without a source that
// can tell, the checker stops and the header says nothing about it.
func (m *Model) listenChecked(msg listenCheckedMsg) tea.Cmd {
	l := &m.listen
	l.asking = false
	if errors.Is(msg.err, model.ErrNoListenerSource) {
		l.off = msg.err.Error()
		return nil
	}
	// Another error (a reconnect, a timeout) costs this round only.
	l.rec.Record(m.ex.Tree(), msg.checks, m.ex.Now().UnixNano())
	l.unheard = l.rec.Live(m.ex.Tree())
	l.bytes = l.rec.Bytes()
	return listenTick()
}

// mark is the tree row n's no-listener mark: alone is true when nobody but
// natsx listened on its subject at the latest check, below when some
// subject under it is such.
func (l *listener) mark(n model.Node) (alone, below bool) {
	if l.rec == nil {
		return false, false
	}
	if _, a, _ := l.rec.Totals(); a == 0 {
		return false, false
	}
	subj := n.Subject()
	alone = n.Own() > 0 && l.rec.Alone(subj)
	below = n.HasChildren() && l.rec.AloneBelow(subj) > 0
	return alone, below
}
