package ui

import (
	"fmt"
	"strings"
	"unsafe"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/model"
)

// The header fits its width by giving up detail in a fixed order rather
// than by cutting a line short: each line is built at shrink step 0, 1, …
// until it fits, each step dropping or shortening what says least; only a
// width below the last step cuts (fit). The step is
// chosen on the widest the numbers can be (headerNums with measure set), so
// a rate that gains a digit never makes a field blink in and out; the
// numbers actually shown are narrower and the slack goes to the gap.

// Shrink steps of line 1, in order; each keeps those before it.
const (
	l1NoScheme        = 1 + iota // "nats://" is the default scheme: it says nothing
	l1NoEmbedded                 // "(embedded)"
	l1NoServerVersion            // the server's name alone
	l1NoServerName               // the URL or the context says where
	l1ShortLabels                // "ctx prod", "scoped 3", the probe's word alone
	l1NoURL                      // with a context: its name says where
	l1ShortBadges                // "RO", "⚠ no auth"
	l1NoByteRate                 // msg/s alone
	l1NoDefaultTap               // "tap >" is the default: everything
	l1NoEmbeddedURL              // the probe's "embedded" says where
	l1Steps
)

// Shrink steps of line 2, in order.
const (
	l2ShortLabels   = 1 + iota // subj, buf, cli, srv
	l2NoServerNA               // "srv n/a": the server does not tell
	l2NoDeliveries             // msgs without how many were JetStream deliveries: a total, less than a warning
	l2ShortWarnings            // reconn, slow ×N, lost since
	l2NoBudget                 // mem without its budget
	l2NoMsgs                   // what went wrong matters more than totals
	l2NoSubjects
	l2Steps
)

// Header limits: the throughput sparkline is shown at least minSpark cells
// wide (fewer say nothing) and at most one cell a second of its window; a
// context's name gets at most maxContextName cells.
const (
	minSpark       = 10
	maxContextName = 24
	maxVersion     = 16
)

// hseg is a run of header text in one style (nil: as is, already styled).
type hseg struct {
	text string
	st   *lipgloss.Style
}

// hfield is one header field: runs drawn side by side. Fields are joined
// by two spaces.
type hfield []hseg

// hfields are a line's fields.
type hfields []hfield

func (fs hfields) width() int {
	n := 0
	for i, f := range fs {
		if i > 0 {
			n += 2
		}
		for _, s := range f {
			n += ansi.StringWidth(s.text)
		}
	}
	return n
}

func (fs hfields) render() string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString("  ")
		}
		for _, s := range f {
			if s.st == nil {
				b.WriteString(s.text)
			} else {
				b.WriteString(s.st.Render(s.text))
			}
		}
	}
	return b.String()
}

// headerNums formats the header's numbers, or with measure set a string
// as wide as the number can ever be, so the shrink step does not follow
// the digits.
type headerNums struct{ measure bool }

// Widest forms of model.HumanRate ("1.2k", ">999E"), HumanCount ("999k")
// and HumanBytes ("1023 KiB").
const (
	rateW  = 5
	countW = 4
	bytesW = 8
)

func (n headerNums) of(s string, w int) string {
	if n.measure && len(s) < w {
		return s + strings.Repeat("0", w-len(s))
	}
	return s
}

// headerView is the two header lines: where natsx is connected and how much
// flows, then the counters, with every kind of drop kept apart.
func (m *Model) headerView(w int) []string {
	return []string{m.headerLine1(w), m.headerLine2(w)}
}

// headerLine1 is who natsx is (state, read-only, context, URL, tap or
// scope, recording), then the throughput (rates and the 60 s sparkline).
func (m *Model) headerLine1(w int) string {
	now := m.ex.Now().UnixNano()
	d := line1Data{s: m.ex.Status(), rec: m.recHeader(), scopes: m.ex.ScopeCount(), badge: m.styles.Warn.Reverse(true)}
	d.msgs, d.bytes = m.ex.Throughput().Rates(now)
	step, sparkW := 0, 0
	for ; step < l1Steps; step++ {
		left, right := m.line1Fields(step, headerNums{measure: true}, &d)
		if sparkW = w - left.width() - 2 - right.width() - 2; sparkW >= minSpark {
			break
		}
	}
	if step == l1Steps {
		step, sparkW = l1Steps-1, 0 // no room for a sparkline that says anything
	}
	left, right := m.line1Fields(step, headerNums{}, &d)
	if sparkW >= minSpark {
		vals := make([]float64, min(sparkW, model.SparkSeconds))
		m.ex.Throughput().Spark(now, vals)
		right = append(right, hfield{{sparkline(vals), &m.styles.Spark}})
	}
	// The throughput follows who natsx is, and what is left of the width
	// stays empty at the end: right-aligned on a wide terminal the rates
	// floated in the middle of the line, far from what they describe.
	return fit(left.render()+"  "+strings.TrimLeft(right.render(), " "), w)
}

// line1Data is what line 1 shows, read once a frame whatever the steps
// tried.
type line1Data struct {
	s           model.SourceStatus
	rec         string // recHeader
	scopes      int    // patterns a scoped source subscribes
	msgs, bytes float64
	badge       lipgloss.Style // the read-only badge's
}

// line1Fields is line 1's fields at shrink step.
func (m *Model) line1Fields(step int, n headerNums, d *line1Data) (left, right hfields) {
	st := &m.styles
	s := d.s
	dot := hseg{"○", &st.Bad}
	switch s.State {
	case model.StateConnected:
		dot = hseg{"●", &st.Good}
	case model.StateReconnecting, model.StateConnecting:
		dot = hseg{"◌", &st.Warn}
	}
	left = hfields{{{"natsx", &st.Title}, {" ", nil}, dot, {" " + s.State.String(), nil}}}
	if s.Exposed {
		// Before anything else can go: anyone on the network can publish
		// and read everything, and nothing asks them who they are.
		warn := "⚠ open to the network, no auth"
		if step >= l1ShortBadges {
			warn = "⚠ no auth"
		}
		left = append(left, hfield{{warn, &st.Bad}})
	}
	if m.opts.ReadOnly {
		// A badge (reversed) rather than a word: it is a mode that stays.
		badge := " read-only "
		if step >= l1ShortBadges {
			badge = " RO "
		}
		left = append(left, hfield{{badge, &d.badge}})
	}
	if s.Context != "" {
		label := "context "
		if step >= l1ShortLabels {
			label = "ctx "
		}
		name := ansi.Truncate(model.Sanitize(s.Context), maxContextName, "…")
		left = append(left, hfield{{label, &st.Muted}, {name, &st.Accent}})
	}
	if where := m.headerURL(step, s); where != "" {
		left = append(left, hfield{{where, &st.Muted}})
	}
	if s.Server != "" && step < l1NoServerName {
		f := hfield{{"server ", &st.Muted}, {ansi.Truncate(model.Sanitize(s.Server), maxContextName, "…"), &st.Accent}}
		if step >= l1ShortLabels {
			f[0].text = "srv "
		}
		if v := model.Sanitize(s.ServerVersion); v != "" && step < l1NoServerVersion {
			f = append(f, hseg{" " + ansi.Truncate(v, maxVersion, "…"), &st.Muted})
		}
		left = append(left, f)
	}
	if s.Probe != "" {
		// What "who gets this" (w) may ask: kept at every width, it says
		// how much the who, servers and connections views can see.
		f := hfield{{"who ", &st.Muted}, {model.Sanitize(s.Probe), &st.Accent}}
		if step >= l1ShortLabels {
			f = f[1:]
		}
		left = append(left, f)
	}
	mode := "tap " + model.Sanitize(s.Tap)
	if s.Scoped {
		mode = fmt.Sprintf("scoped: %d filters", d.scopes)
		if step >= l1ShortLabels {
			mode = fmt.Sprintf("scoped %d", d.scopes)
		}
	}
	if s.Scoped || s.Tap != ">" || step < l1NoDefaultTap {
		left = append(left, hfield{{mode, &st.Warn}})
	}
	if d.rec != "" {
		left = append(left, hfield{{d.rec, nil}})
	}
	rates := n.of(model.HumanRate(d.msgs), rateW) + " msg/s"
	if step < l1NoByteRate {
		rates += "  " + n.of(model.HumanBytes(uint64(d.bytes)), bytesW) + "/s"
	}
	right = hfields{{{rates, &st.Accent}}}
	return left, right
}

// headerURL is where natsx is connected, as much of it as step leaves:
// the redacted URL (the engine never hands over a secret), then without
// the default scheme, without "(embedded)", and nothing once a context's
// name says where.
func (m *Model) headerURL(step int, s model.SourceStatus) string {
	if step >= l1NoURL && s.Context != "" || step >= l1NoEmbeddedURL && s.Embedded && s.Probe == string(model.WhoEmbedded) {
		return ""
	}
	where := model.Sanitize(s.URL)
	if step >= l1NoScheme {
		// Only nats://: tls:// and ws:// say how natsx connects.
		where = strings.ReplaceAll(strings.TrimPrefix(where, "nats://"), ",nats://", ",")
	}
	if s.Embedded && step < l1NoEmbedded {
		where += " (embedded)"
	}
	return where
}

// headerLine2 is the counters, each kind of drop apart, then what went
// wrong; it shrinks its labels before cutting anything.
func (m *Model) headerLine2(w int) string {
	d := line2Data{s: m.ex.Status(), tree: m.ex.Tree()}
	d.held, d.budget = m.Memory()
	step := 0
	for ; step < l2Steps-1; step++ {
		if m.line2Fields(step, headerNums{measure: true}, &d).width() <= w {
			break
		}
	}
	return fit(m.line2Fields(step, headerNums{}, &d).render(), w)
}

// line2Data is what line 2 shows, read once a frame.
type line2Data struct {
	s            model.SourceStatus
	tree         *model.Tree
	held, budget int64
}

// line2Fields is line 2's fields at shrink step.
func (m *Model) line2Fields(step int, n headerNums, d *line2Data) hfields {
	st := &m.styles
	s, t, held, budget := d.s, d.tree, d.held, d.budget
	short := step >= l2ShortLabels
	label := func(long, abbr string) string {
		if short {
			return abbr
		}
		return long
	}
	count := func(l string, v uint64) hseg {
		seg := hseg{l + " " + n.of(model.HumanCount(v), countW), &st.Muted}
		if v > 0 {
			seg.st = &st.Bad
		}
		return seg
	}
	sep := hseg{" · ", &st.Muted}
	drops := hfield{{"drops ", &st.Muted}, count(label("buffer", "buf"), m.storeDropped), sep, count(label("client", "cli"), s.ClientDropped)}
	switch {
	case s.ServerDropped >= 0:
		drops = append(drops, sep, count(label("server", "srv"), uint64(s.ServerDropped)))
	case step < l2NoServerNA:
		drops = append(drops, sep, hseg{label("server", "srv") + " n/a", &st.Muted})
	}
	mem := "mem " + n.of(model.HumanBytes(uint64(held)), bytesW)
	if step < l2NoBudget {
		mem += "/" + model.HumanBytes(uint64(budget))
	}
	var fs hfields
	if step < l2NoSubjects {
		fs = append(fs, hfield{{label("subjects", "subj") + " " + n.of(model.HumanCount(uint64(t.Subjects())), countW), &st.Muted}})
	}
	if step < l2NoMsgs {
		msgs := "msgs " + n.of(model.HumanCount(t.Msgs), countW)
		if t.Deliveries > 0 && step < l2NoDeliveries {
			// A consumer's delivery counts on its stream subject again, as
			// its publish did: how many of msgs were deliveries.
			msgs += " (" + n.of(model.HumanCount(t.Deliveries), countW) + " " + label("deliveries", "dlv") + ")"
		}
		fs = append(fs, hfield{{msgs, &st.Muted}})
	}
	fs = append(fs, hfield{{mem, &st.Muted}}, drops)
	warnShort := step >= l2ShortWarnings
	if t.Evicted > 0 || t.Pruned > 0 {
		f := "evicted %s pruned %s"
		if warnShort {
			f = "evict %s prune %s"
		}
		fs = append(fs, hfield{{fmt.Sprintf(f, n.of(model.HumanCount(t.Evicted), countW), n.of(model.HumanCount(t.Pruned), countW)), &st.Warn}})
	}
	if m.listen.rec != nil {
		// Messages nobody but natsx listened to (as of the latest round):
		// NATS dropped them, and no drop counter above says so.
		if _, alone, _ := m.listen.rec.Totals(); m.listen.unheard > 0 || alone > 0 {
			f := noListenerMark + " unheard %s msgs, %d subj"
			if warnShort {
				f = noListenerMark + " %s/%d"
			}
			fs = append(fs, hfield{{fmt.Sprintf(f, n.of(model.HumanCount(m.listen.unheard), countW), alone), &st.Warn}})
		}
	}
	if s.SlowConsumerEvents > 0 {
		// The server cut natsx off and threw away what it held: never
		// silence, since no counter above includes those messages.
		f := "slow consumer ×%d"
		if warnShort {
			f = "slow ×%d"
		}
		fs = append(fs, hfield{{fmt.Sprintf(f, s.SlowConsumerEvents), &st.Bad}})
	}
	if !s.LossUnknownSince.IsZero() {
		f := "loss unknown since "
		if warnShort {
			f = "lost since "
		}
		fs = append(fs, hfield{{f + s.LossUnknownSince.Format("15:04:05"), &st.Warn}})
	}
	if s.Reconnects > 0 {
		f := "reconnects %d"
		if warnShort {
			f = "reconn %d"
		}
		fs = append(fs, hfield{{fmt.Sprintf(f, s.Reconnects), &st.Muted}})
	}
	return fs
}

// Memory is the header's mem: what the process holds on the heap and the
// budget it is held to (--max-memory). With Options.Budget set it is the
// whole process: what it held before any traffic, the tree and the panes,
// the source's store and pending messages (as of the last pull), the pull
// buffer's slots and the flight recorder with what waits for it during a
// save, and the no-listener checker's record. Without, it is the tree
// and the panes against the tree's budget.
func (m *Model) Memory() (held, budget int64) {
	b := m.opts.Budget
	if b.Total <= 0 {
		return m.ex.MemoryUsed(), m.ex.MemoryBudget()
	}
	held = b.Base + m.ex.MemoryUsed() + m.ex.Status().Memory +
		int64(cap(m.buf))*int64(unsafe.Sizeof(model.Message{})) + m.flight.held + m.flight.bytes + m.listen.bytes
	return held, b.Total
}
