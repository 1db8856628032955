package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// The live tree's stored marks: which stream keeps a node's subject and how
// many messages it holds for it. The streams are listed on a bounded
// refresh (StreamsRefresh, storedRelist ticks apart, or taken from the
// streams view's own listing), never per message; per-subject counts are
// asked for the rows on screen only, one stream per tick, one request in
// flight. Nothing here grows with traffic: the marks are computed when a
// row is drawn, and the counts kept are one answer per stream, for the
// rows that were visible when it was asked.

// storedRelist is how many ticks pass between two listings of the streams
// (the ticks between ask for counts).
const storedRelist = 5

// storedNameW bounds the stream name a tree row shows.
const storedNameW = 10

// storedTickMsg asks for the next listing or count of the tag's loop.
type storedTickMsg struct{ tag int }

// storedListedMsg is a listing of the streams for the marks.
type storedListedMsg struct {
	tag  int
	rows []model.StreamSummary
	err  error
}

// storedCountedMsg is one stream's per-subject counts for the rows asked.
type storedCountedMsg struct {
	tag    int
	rows   []string
	counts model.StoredCounts
	err    error
}

// storedAnswer is the last count of one stream: the rows it was asked for
// (a row asked and absent from the counts holds nothing) and the answer.
type storedAnswer struct {
	asked  map[string]struct{}
	counts model.StoredCounts
}

// storedState is the tree's view of JetStream: the streams and their last
// counts, and the loop that refreshes them.
type storedState struct {
	streams model.StoredStreams
	answers map[string]storedAnswer // by stream name
	// narrowed names the streams counted on the cursor's branch only (they
	// hold more than model.MaxStoredSubjects subjects).
	narrowed []string
	tag      int
	busy     bool
	ticks    int
	next     int // round robin over the streams on screen
}

// storedStart starts the loop: a listing at once, then a tick.
func (m *Model) storedStart() tea.Cmd {
	if m.opts.Streams == nil {
		return nil
	}
	s := &m.stored
	s.tag++
	s.busy = true
	return storedList(m.opts.Streams, s.tag)
}

func storedList(lister StreamLister, tag int) tea.Cmd {
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		rows, err := lister.Summaries(ctx)
		return storedListedMsg{tag: tag, rows: rows, err: err}
	})
}

// storedAgain re-arms the tick.
func (s *storedState) again() tea.Cmd {
	tag := s.tag
	return tea.Tick(StreamsRefresh, func(time.Time) tea.Msg { return storedTickMsg{tag: tag} })
}

// setStreams takes a listing (the loop's or the streams view's): the marks
// follow it, and the counts of streams gone are dropped.
func (s *storedState) setStreams(rows []model.StreamSummary) {
	s.streams = model.NewStoredStreams(rows)
	for name := range s.answers {
		if s.streams.Find(name) == nil {
			delete(s.answers, name)
		}
	}
}

// storedListed takes the loop's listing; an error (no JetStream, no
// access) leaves no marks, and the loop goes on at its bounded pace.
func (m *Model) storedListed(msg storedListedMsg) tea.Cmd {
	s := &m.stored
	if msg.tag != s.tag {
		return nil
	}
	s.busy = false
	if msg.err != nil {
		s.setStreams(nil)
	} else {
		s.setStreams(msg.rows)
	}
	return s.again()
}

// storedCounted keeps one stream's counts.
func (m *Model) storedCounted(msg storedCountedMsg) tea.Cmd {
	s := &m.stored
	if msg.tag != s.tag {
		return nil
	}
	s.busy = false
	if msg.err == nil && s.streams.Find(msg.counts.Stream) != nil {
		asked := make(map[string]struct{}, len(msg.rows))
		for _, r := range msg.rows {
			asked[r] = struct{}{}
		}
		if s.answers == nil {
			s.answers = map[string]storedAnswer{}
		}
		s.answers[msg.counts.Stream] = storedAnswer{asked: asked, counts: msg.counts}
	}
	return s.again()
}

// storedTick lists the streams every storedRelist ticks and otherwise asks
// one stream on screen for its counts. The streams view lists on its own
// (and feeds the marks), so the loop only waits while it is open.
func (m *Model) storedTick(msg storedTickMsg) tea.Cmd {
	s := &m.stored
	if msg.tag != s.tag || s.busy || m.opts.Streams == nil {
		return nil
	}
	if m.mode == modeStreams {
		return s.again()
	}
	s.ticks++
	if s.ticks%storedRelist == 0 {
		s.busy = true
		return storedList(m.opts.Streams, s.tag)
	}
	stream, filter, rows := m.storedAsk()
	if stream == "" {
		return s.again()
	}
	s.busy = true
	lister, tag := m.opts.Streams, s.tag
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		c, err := lister.SubjectCounts(ctx, stream, filter, rows)
		return storedCountedMsg{tag: tag, rows: rows, counts: c, err: err}
	})
}

// storedAsk picks the next stream with rows on screen and the filter and
// rows to count. A stream holding more than model.MaxStoredSubjects
// subjects, or whose last answer was cut, is counted on the cursor's
// branch only.
func (m *Model) storedAsk() (stream, filter string, rows []string) {
	s := &m.stored
	was := s.narrowed
	s.narrowed = nil
	defer func() {
		for _, name := range s.narrowed {
			if !slices.Contains(was, name) {
				ss := s.streams.Find(name)
				m.setFlash(fmt.Sprintf("%s holds %s subjects: its stored counts are asked for the cursor's branch only",
					model.Sanitize(name), model.HumanCount(ss.NumSubjects)), false)
			}
		}
	}()
	if len(s.streams) == 0 {
		return "", "", nil
	}
	v := m.ex.TreeView()
	win, first := v.Window()
	cursor := ""
	if c := v.Cursor() - first; c >= 0 && c < len(win) {
		cursor = win[c].Subject()
	}
	type group struct {
		name string
		rows []string
		leaf bool
	}
	var groups []group
	for _, n := range win {
		subj := n.Subject()
		name, mark := s.streams.Mark(subj, n.HasChildren())
		if mark == model.NotStored {
			continue
		}
		i := 0
		for i < len(groups) && groups[i].name != name {
			i++
		}
		if i == len(groups) {
			groups = append(groups, group{name: name})
		}
		groups[i].rows = append(groups[i].rows, subj)
		groups[i].leaf = !n.HasChildren()
	}
	for i := range groups {
		g := &groups[i]
		ss := s.streams.Find(g.name)
		if ss.NumSubjects <= model.MaxStoredSubjects {
			continue
		}
		s.narrowed = append(s.narrowed, g.name)
		var under []string
		for _, r := range g.rows {
			if cursor != "" && (r == cursor || strings.HasPrefix(r, cursor+".")) {
				under = append(under, r)
			}
		}
		g.rows = under
	}
	for range groups {
		g := groups[s.next%len(groups)]
		s.next++
		if len(g.rows) > 0 {
			return g.name, model.CountFilter(g.rows, len(g.rows) == 1 && g.leaf), g.rows
		}
	}
	return "", "", nil
}

// storedSuffix is a tree row's stored mark, drawn after its name: the
// stream that keeps the node's subject ("~" before it when only some
// subjects under the node are kept) and, once counted, how many messages
// it holds for the node. w is its width; "" when the node is not stored or
// the name column (nameW) is too narrow for it.
func (tp treePane) storedSuffix(n model.Node, nameW int, selected bool) (suffix string, w int) {
	s := tp.stored
	if s == nil || len(s.streams) == 0 {
		return "", 0
	}
	subj := n.Subject()
	name, mark := s.streams.Mark(subj, n.HasChildren())
	if mark == model.NotStored {
		return "", 0
	}
	label := storedName(name)
	if mark == model.StoredBelow {
		label = "~" + label
	}
	if a, ok := s.answers[name]; ok {
		if _, asked := a.asked[subj]; asked {
			count := model.HumanCount(a.counts.Counts[subj])
			if a.counts.Cut {
				count = "≥" + count
			}
			label += " " + count
		}
	}
	w = ansi.StringWidth(label) + 1
	if nameW < w+12 {
		return "", 0 // the subject's name matters more
	}
	if selected {
		return " " + label, w
	}
	return " " + tp.st.Accent.Render(label), w
}

// storedName is a stream's name as a tree row shows it: sanitized, at
// most storedNameW cells.
func storedName(name string) string {
	name = model.Sanitize(name)
	return fit(name, min(ansi.StringWidth(name), storedNameW))
}

// storedNote leads the tree's title when a stream's counts are limited to
// the cursor's branch: it says more than the sort, so it comes first.
func (tp treePane) storedNote() string {
	s := tp.stored
	if s == nil || len(s.narrowed) == 0 {
		return ""
	}
	name := s.narrowed[0]
	n := uint64(0)
	if ss := s.streams.Find(name); ss != nil {
		n = ss.NumSubjects
	}
	return fmt.Sprintf("%s: cursor counts, %s subj · ", storedName(name), model.HumanCount(n))
}
