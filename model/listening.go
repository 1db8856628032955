package model

import (
	"cmp"
	"errors"
	"hash/maphash"
	"slices"
	"strings"
)

// ErrNoListenerSource means nothing can tell who listens on a subject (no
// server answers monitoring requests): the no-listener checker stops.
var ErrNoListenerSource = errors.New("no source can tell who listens (no system account, monitoring denied)")

// ListenCheck is one answer of the no-listener checker: how many
// subscriptions other than natsx's own would receive a message published
// on Subject when it was asked. Known is false when the source could not
// tell (a partial answer, a subject nothing can be published on).
type ListenCheck struct {
	Subject   string
	Listeners int
	Known     bool
}

// Listening remembers, for the subjects checked recently, whether anybody
// but natsx listens and how many messages arrived while nobody did: NATS
// drops a message nobody is subscribed to, and natsx's tap seeing it does
// not mean anyone else did.
//
// The checker asks per subject on a schedule, never per message, so a
// message's fate is attributed to the check before it: a message received
// on a subject while its latest check said nobody listens counts as
// "no listener when received". Messages before a subject's first check are
// not counted either way (nobody asked then). The count of a subject is
// what its own counter (Node.Own) grew by between checks that said nobody
// listens, and since the latest such check.
//
// The state lives here rather than in the tree's nodes (pointer-free slots
// of fixed size that every subject pays for): only the checked subjects
// have an entry, at most max; the entry checked longest ago (one that
// says somebody listens first) is forgotten to make room, and counted.
type Listening struct {
	entries map[string]*listenEntry
	max     int
	// recent are subjects sampled from the latest batches, newest last,
	// a ring of listenRecent: the candidates beside the rows on screen.
	recent     [listenRecent]string
	recentNext int

	// unheard is the messages attributed to "nobody listened" at the
	// checks, forgotten subjects' included; alone is how many subjects
	// the latest checks said nobody listens on.
	unheard   uint64
	alone     int
	forgotten uint64
	// below counts, per branch subject, the subjects under it nobody
	// listens on: rebuilt after each round, so a collapsed branch can say
	// it holds some. Its keys are the branches' hashes (belowSeed): keyed
	// by the branch strings, a subject of n tokens hashed a prefix of
	// itself n times, O(n²) bytes for a deep one (a 70,000-byte subject:
	// 490 MB hashed each round, and counted as held).
	below     map[uint64]int
	belowSeed maphash.Seed
}

// listenState is what a subject's check said.
type listenState uint8

const (
	listenUnknown listenState = iota
	listenAlone               // nobody but natsx listens
	listenHeard               // somebody does
)

// listenChanges is how many state changes a subject remembers, to say of
// an older message whether anybody listened when it arrived.
const listenChanges = 4

// listenRecent bounds the subjects sampled from batches; listenSample is
// how many one batch gives at most.
const (
	listenRecent = 256
	listenSample = 16
)

// DefaultListeningMax is how many subjects Listening keeps by default.
const DefaultListeningMax = 4096

type listenEntry struct {
	checked int64
	state   listenState
	// base is the subject's own message count at the latest check.
	base    uint64
	unheard uint64
	// changes are the latest state changes, oldest first.
	changes []listenChange
}

type listenChange struct {
	at    int64
	state listenState
}

// NewListening returns an empty record of at most max subjects (0:
// DefaultListeningMax).
func NewListening(max int) *Listening {
	if max <= 0 {
		max = DefaultListeningMax
	}
	return &Listening{entries: map[string]*listenEntry{}, max: max, belowSeed: maphash.MakeSeed()}
}

// Sample keeps a few subjects of a batch (spread over it) as candidates
// for the next checks: constant work per batch, whatever its size.
func (l *Listening) Sample(batch []Message) {
	if len(batch) == 0 {
		return
	}
	step := max(len(batch)/listenSample, 1)
	for i := len(batch) - 1; i >= 0; i -= step {
		if i < len(batch)-1 && batch[i].Subject == batch[i+step].Subject {
			continue
		}
		// A copy: the batch's subjects point into the engine's store's pages.
		l.recent[l.recentNext] = strings.Clone(batch[i].Subject)
		l.recentNext = (l.recentNext + 1) % listenRecent
	}
}

// Due picks at most n subjects to check next: first, the given ones (the
// selection and the rows on screen) and then the sampled ones; among them
// those never checked, then those with messages since their check, then
// the rest by the oldest check. Subjects without messages of their own
// are skipped.
func (l *Listening) Due(t *Tree, first []string, n int) []string {
	type cand struct {
		subject string
		rank    int
		checked int64
		order   int
	}
	seen := map[string]bool{}
	var cands []cand
	add := func(s string) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		node := t.Find(s)
		if node.IsZero() || node.Own() == 0 {
			return
		}
		c := cand{subject: s, order: len(cands)}
		switch e := l.entries[s]; {
		case e == nil:
			c.rank = 0
		case node.LastSeen() > e.checked:
			c.rank, c.checked = 1, e.checked
		default:
			c.rank, c.checked = 2, e.checked
		}
		cands = append(cands, c)
	}
	for _, s := range first {
		add(s)
	}
	for i := range listenRecent {
		add(l.recent[(l.recentNext-1-i+2*listenRecent)%listenRecent])
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		return cmp.Or(cmp.Compare(x.rank, y.rank), cmp.Compare(x.checked, y.checked), cmp.Compare(x.order, y.order))
	})
	// Never checked and news since the check take turns: a stream of new
	// subjects must not keep the known ones from being asked again (their
	// counts grow only at a check), nor the other way round.
	fresh, news := 0, 0
	for fresh < len(cands) && cands[fresh].rank == 0 {
		fresh++
	}
	for news = fresh; news < len(cands) && cands[news].rank == 1; news++ {
	}
	out := make([]string, 0, min(n, len(cands)))
	for i, j := 0, fresh; len(out) < n && (i < fresh || j < news); {
		if i < fresh && (len(out)%2 == 0 || j == news) {
			out = append(out, cands[i].subject)
			i++
		} else {
			out = append(out, cands[j].subject)
			j++
		}
	}
	for _, c := range cands[news:min(len(cands), news+n-len(out))] {
		out = append(out, c.subject)
	}
	return out
}

// Live is the messages counted as unheard with those since each subject's
// latest check added (for the subjects nobody listens on now): the
// header's count between checks. It looks up each such subject in t, so
// it runs once a round, not per frame.
func (l *Listening) Live(t *Tree) uint64 {
	n := l.unheard
	for s, e := range l.entries {
		if e.state == listenAlone {
			if own := t.Find(s).Own(); own > e.base {
				n += own - e.base
			}
		}
	}
	return n
}

// Record takes a round of checks made at now: what each subject's counter
// grew by since its latest check is attributed to that check's answer.
func (l *Listening) Record(t *Tree, checks []ListenCheck, now int64) {
	for _, c := range checks {
		own := t.Find(c.Subject).Own()
		e := l.entries[c.Subject]
		if e == nil {
			if len(l.entries) >= l.max {
				l.forget()
			}
			e = &listenEntry{}
			l.entries[c.Subject] = e
		}
		if e.state == listenAlone {
			grew := own - e.base
			if own < e.base {
				grew = own // the counts were reset (a rewind, the subject pruned and seen again)
			}
			e.unheard += grew
			l.unheard += grew
			l.alone--
		}
		state := listenUnknown
		switch {
		case !c.Known:
		case c.Listeners == 0:
			state = listenAlone
			l.alone++
		default:
			state = listenHeard
		}
		if len(e.changes) == 0 || e.state != state {
			if len(e.changes) == listenChanges {
				e.changes = append(e.changes[:0], e.changes[1:]...)
			}
			e.changes = append(e.changes, listenChange{at: now, state: state})
		}
		e.state, e.base, e.checked = state, own, now
	}
	l.countBelow()
}

// countBelow rebuilds below: each prefix of each subject nobody listens
// on, ending before a dot, by its hash. One pass over each subject: the
// hash of a prefix is the running hash of the subject at that dot.
func (l *Listening) countBelow() {
	clear(l.below)
	if l.below == nil {
		l.below = map[uint64]int{}
	}
	var h maphash.Hash
	h.SetSeed(l.belowSeed)
	for s, e := range l.entries {
		if e.state != listenAlone {
			continue
		}
		h.Reset()
		from := 0
		for i := range len(s) {
			if s[i] == '.' {
				_, _ = h.WriteString(s[from:i])
				from = i
				l.below[h.Sum64()]++
			}
		}
	}
}

// AloneBelow is how many subjects under branch (not branch itself) nobody
// but natsx listened on at their latest check.
func (l *Listening) AloneBelow(branch string) int {
	return l.below[maphash.String(l.belowSeed, branch)]
}

// forget drops the entry checked longest ago, one where somebody listens
// (or nobody knows) if there is one: a subject marked "nobody listens" is
// what the user is looking for.
func (l *Listening) forget() {
	var victim string
	var victimAt int64
	victimAlone := true
	for s, e := range l.entries {
		alone := e.state == listenAlone
		if victim == "" || (victimAlone && !alone) || (alone == victimAlone && e.checked < victimAt) {
			victim, victimAt, victimAlone = s, e.checked, alone
		}
	}
	if victimAlone {
		l.alone--
	}
	delete(l.entries, victim)
	l.forgotten++
}

// listenEntryBytes is what an entry costs besides its subject: the map's
// slot, the entry and its changes.
const listenEntryBytes = 48 + 64 + listenChanges*16

// Bytes estimates what the record holds: its entries with their subjects,
// the branch counts, the sampled subjects.
func (l *Listening) Bytes() int64 {
	n := int64(listenRecent * 16)
	for s := range l.entries {
		n += listenEntryBytes + int64(len(s))
	}
	n += int64(len(l.below)) * 48 // a map slot each: the hash and the count
	for _, s := range l.recent {
		n += int64(len(s))
	}
	return n
}

// Alone reports whether the latest check of subject said nobody but natsx
// listens.
func (l *Listening) Alone(subject string) bool {
	e := l.entries[subject]
	return e != nil && e.state == listenAlone
}

// Unheard is how many messages on subject arrived while its latest check
// said nobody listens, given the subject's own count now (Node.Own): the
// ones since the latest check included.
func (l *Listening) Unheard(subject string, own uint64) uint64 {
	e := l.entries[subject]
	if e == nil {
		return 0
	}
	n := e.unheard
	if e.state == listenAlone && own > e.base {
		n += own - e.base
	}
	return n
}

// WhenReceived says whether anybody but natsx listened on subject when a
// message arrived at at (Unix ns), by the latest check before it: alone
// is true when nobody did; known is false when no remembered check came
// before it or that check could not tell.
func (l *Listening) WhenReceived(subject string, at int64) (alone, known bool) {
	e := l.entries[subject]
	if e == nil {
		return false, false
	}
	for i := len(e.changes) - 1; i >= 0; i-- {
		// A message at the check's own time was counted before it.
		if c := e.changes[i]; c.at < at {
			return c.state == listenAlone, c.state != listenUnknown
		}
	}
	return false, false
}

// Totals are the messages counted as unheard (as of the latest checks),
// how many subjects nobody listens on now, and how many subjects were
// forgotten at the bound (their counts stay in unheard).
func (l *Listening) Totals() (unheard uint64, alone int, forgotten uint64) {
	return l.unheard, l.alone, l.forgotten
}
