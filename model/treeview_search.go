package model

import "strings"

// Search finds the next node (forward or backward from the selection, with
// wrap-around) whose subject contains query, case-insensitively when the
// query is all lower case (smart case, as in vim and lnav). It searches every
// node in the tree, not only the visible rows, and reveals the match.
// Without skipCurrent the selection itself is a match.
//
// "Next" is in the name order the tree shows (compareSubjects: depth first,
// siblings by naturalCompare), which does not change while traffic adds
// nodes. Rather than scanning a million nodes and comparing every match
// with the best so far, Search walks the tree from the selection outwards,
// one level at a time, using what subjects are made of: a node's subject
// extends its parent's, so below a match everything matches and the answer
// is found without looking further; below a node that does not match, a
// match must end in the child's own token, and tokens hold no dots, so most
// children are decided without reading their names (see siblings). Siblings
// are compared only with each other (short names), and a subtree is explored
// only when its root sorts before the best candidate so far.
func (v *TreeView) Search(query string, forward bool, skipCurrent bool, now int64) Node {
	n := v.find(query, forward, skipCurrent)
	if !n.IsZero() {
		v.Reveal(n, now)
	}
	return n
}

// find is Search without revealing the match.
func (v *TreeView) find(query string, forward bool, skipCurrent bool) Node {
	if query == "" {
		return Node{}
	}
	s := subjectSearch{
		tree:    v.tree,
		query:   query,
		lastDot: strings.LastIndexByte(query, '.'),
		fold:    strings.ToLower(query) == query,
		noise:   v.ShowNoise || strings.HasPrefix(query, "_") || strings.HasPrefix(query, "$"),
	}
	roots := s.siblings(rootID, false)
	var id uint32
	switch sel := v.Selected(); {
	case sel.IsZero() && forward:
		id = s.first(roots, "", 0)
	case sel.IsZero():
		id = s.last(roots, "", 0)
	default:
		id = s.from(v.selectedSubject(sel), forward, skipCurrent)
	}
	return v.tree.handle(id)
}

// selectedSubject is sel's subject: the one remembered when it was
// selected, which a pruned selection (its slot perhaps reused) no longer
// has.
func (v *TreeView) selectedSubject(sel Node) string {
	if sel == v.sel {
		return v.selSubj
	}
	return sel.Subject()
}

// subjectSearch is one Search's query and what may match it.
type subjectSearch struct {
	tree    *Tree
	query   string
	lastDot int  // index of the query's last '.', -1 if none
	fold    bool // query is lower case: match either case
	noise   bool // _INBOX and $-prefixed subjects may match
}

// siblingSet is the children of one node (or the roots) and what their
// parent's subject says about them.
type siblingSet struct {
	kids []uint32
	all  bool // the parent matches, so every one of them does
	// some: the parent does not match, but a child may. A match then ends
	// in the child's own token. A query without dots must lie inside the
	// child's Name. A query with dots has its last dot on the dot before
	// the Name: the parent's subject must end with the part before it (one
	// comparison for all the children: most have their names not read at
	// all) and the Name must begin with the part after it.
	some bool
}

// siblings returns the children of parent (rootID: the roots).
func (s *subjectSearch) siblings(parent uint32, parentMatched bool) siblingSet {
	set := siblingSet{all: parentMatched, kids: s.tree.children(parent)}
	switch {
	case parentMatched:
	case s.lastDot < 0:
		set.some = true
	case parent != rootID:
		set.some = s.tree.subjectHasSuffix(parent, s.query[:s.lastDot], s.fold)
	}
	return set
}

// matches reports whether k, one of set, matches.
func (s *subjectSearch) matches(set siblingSet, k uint32) bool {
	switch {
	case set.all:
		return true
	case !set.some:
		return false
	}
	name := s.tree.name(s.tree.nodes.at(k))
	switch {
	case s.lastDot < 0 && s.fold:
		return containsFold(name, s.query) // a shorter name is not read
	case s.lastDot < 0:
		return strings.Contains(name, s.query)
	}
	after := s.query[s.lastDot+1:]
	return len(name) >= len(after) && hasPrefix(name, after, s.fold)
}

// searchLevel is one level of the selection's path: the siblings there and
// the live node on the path, if any.
type searchLevel struct {
	set     siblingSet
	tok     string // the selection's token at this level
	node    uint32 // the node named tok, 0 if there is none (pruned)
	matched bool   // node matches
}

// from finds the next match after (or before) the position of subject in
// name order, wrapping around. The position is found by name, so it holds
// even if the selected node was pruned since the rows were built.
func (s *subjectSearch) from(subject string, forward, skipCurrent bool) uint32 {
	var levels []searchLevel
	var parent uint32 = rootID
	matched := false
	for tok := range strings.SplitSeq(subject, ".") {
		n := s.tree.findChild(parent, tok)
		l := searchLevel{set: s.siblings(parent, matched), tok: tok, node: n}
		if n != 0 {
			l.matched = !s.skip(n, "", 0) && s.matches(l.set, n)
		}
		levels = append(levels, l)
		if n == 0 {
			break
		}
		parent, matched = n, l.matched
	}
	last := levels[len(levels)-1]
	pos := last.node // the selected subject's live node, 0 if gone
	if pos != 0 && last.matched && !skipCurrent {
		return pos
	}
	// The order around the path, for levels 0..d with a_i the path's node at
	// level i: E_0, a_0, E_1, a_1, ..., E_d, a_d, below(a_d), L_d, ..., L_0,
	// where E_i and L_i are a_i's siblings before and after it with their
	// subtrees.
	if forward {
		if pos != 0 {
			if n := s.first(s.siblings(pos, last.matched), "", 0); n != 0 {
				return n
			}
		}
		for i := len(levels) - 1; i >= 0; i-- {
			if n := s.first(levels[i].set, levels[i].tok, +1); n != 0 {
				return n
			}
		}
		for _, l := range levels { // wrap around
			if n := s.first(l.set, l.tok, -1); n != 0 {
				return n
			}
			if l.matched {
				return l.node // for the last level: the only match wraps to itself
			}
		}
		return 0
	}
	for i := len(levels) - 1; i >= 0; i-- {
		if n := s.last(levels[i].set, levels[i].tok, -1); n != 0 {
			return n
		}
		if i > 0 && levels[i-1].matched {
			return levels[i-1].node
		}
	}
	for _, l := range levels { // wrap around
		if n := s.last(l.set, l.tok, +1); n != 0 {
			return n
		}
	}
	if pos != 0 {
		if n := s.last(s.siblings(pos, last.matched), "", 0); n != 0 {
			return n
		}
		if last.matched {
			return pos
		}
	}
	return 0
}

// first returns the first match in name order in the subtrees of set's
// nodes whose names sort after tok (side +1), before it (side -1) or all
// (side 0); last the last one.
func (s *subjectSearch) first(set siblingSet, tok string, side int) uint32 {
	return s.edge(set, tok, side, +1)
}

func (s *subjectSearch) last(set siblingSet, tok string, side int) uint32 {
	return s.edge(set, tok, side, -1)
}

// edge is first (dir +1) and last (dir -1).
func (s *subjectSearch) edge(set siblingSet, tok string, side, dir int) uint32 {
	// ahead reports whether a comes before b in the direction searched.
	t := s.tree
	ahead := func(a, b uint32) bool { return dir*naturalCompare(t.name(t.nodes.at(a)), t.name(t.nodes.at(b))) < 0 }
	var best uint32
	if set.all || set.some {
		for _, k := range set.kids {
			if !s.skip(k, tok, side) && (best == 0 || ahead(k, best)) && s.matches(set, k) {
				best = k
			}
		}
	}
	direct := best != 0
	if !set.all {
		// A child ahead of the best match that does not match itself may
		// still hold a match further ahead below it.
		for _, k := range set.kids {
			if !s.tree.branchy(k) || s.skip(k, tok, side) || best != 0 && !ahead(k, best) {
				continue
			}
			if s.anyBelow(k) {
				best, direct = k, false
			}
		}
	}
	switch {
	case best == 0:
		return 0
	case !direct:
		return s.edge(s.siblings(best, false), "", 0, dir)
	case dir > 0:
		return best
	}
	// Everything below a match matches: the last is its last descendant.
	for len(t.children(best)) > 0 {
		kids := t.children(best)
		best = kids[0]
		for _, k := range kids[1:] {
			if ahead(k, best) {
				best = k
			}
		}
	}
	return best
}

// skip reports whether k is outside the searched side of tok, or noise the
// search does not look at (noise is inherited, so its subtree is too).
func (s *subjectSearch) skip(k uint32, tok string, side int) bool {
	n := s.tree.nodes.at(k)
	if n.has(flagNoise) && !s.noise {
		return true
	}
	switch side {
	case +1:
		return naturalCompare(s.tree.name(n), tok) <= 0
	case -1:
		return naturalCompare(s.tree.name(n), tok) >= 0
	}
	return false
}

// anyBelow reports whether anything below n matches, n itself not matching.
func (s *subjectSearch) anyBelow(n uint32) bool {
	set := s.siblings(n, false)
	for _, k := range set.kids {
		if set.some && s.matches(set, k) || s.tree.branchy(k) && s.anyBelow(k) {
			return true
		}
	}
	return false
}

// branchy is hasChildren without reading the branch slab for a leaf: a
// search with few matches reads every node, and most nodes are leaves.
// msgs counts a node's messages and its descendants', own only its own,
// and nodes are created only by Apply, which counts a message on every
// node of its path: a node with a child has msgs > own. (Pruned
// children's counts stay in msgs, so msgs > own alone is not enough.)
func (t *Tree) branchy(id uint32) bool {
	n := t.nodes.at(id)
	return n.msgs != t.own(n) && t.hasChildren(n)
}

// hasPrefix is strings.HasPrefix, ignoring ASCII case when fold (prefix is
// then lower case).
func hasPrefix(s, prefix string, fold bool) bool {
	if !fold {
		return strings.HasPrefix(s, prefix)
	}
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// subjectHasSuffix is hasSuffix(n.Subject(), suffix, fold) without
// building the subject: it compares the names from n up.
func (t *Tree) subjectHasSuffix(id uint32, suffix string, fold bool) bool {
	for p := id; p != rootID && suffix != ""; {
		n := t.nodes.at(p)
		p = n.parent
		name := t.name(n)
		if len(suffix) <= len(name) {
			return hasSuffix(name, suffix, fold)
		}
		tail := suffix[len(suffix)-len(name):]
		if fold && !equalFold(name, tail) || !fold && name != tail || suffix[len(suffix)-len(name)-1] != '.' {
			return false
		}
		suffix = suffix[:len(suffix)-len(name)-1]
	}
	return suffix == ""
}

// hasSuffix is strings.HasSuffix, ignoring ASCII case when fold.
func hasSuffix(s, suffix string, fold bool) bool {
	if !fold {
		return strings.HasSuffix(s, suffix)
	}
	return len(s) >= len(suffix) && equalFold(s[len(s)-len(suffix):], suffix)
}

// containsFold is strings.Contains ignoring ASCII case, without allocating.
func containsFold(s, lowerSub string) bool {
	for i := 0; i+len(lowerSub) <= len(s); i++ {
		if equalFold(s[i:i+len(lowerSub)], lowerSub) {
			return true
		}
	}
	return false
}

// equalFold reports whether s, ASCII upper case folded to lower, is lower.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
