package recorder

import (
	"fmt"
	"strings"

	"natsx/model"
)

// Subject matching is model.Pattern's, which a differential test proves
// identical to nats-server's; recorder already depends on model.

// ValidPattern checks a subject or pattern: no empty tokens, no spaces,
// '>' only as the last token, wildcards only as whole tokens.
func ValidPattern(p string) error {
	_, err := model.ParsePattern(p)
	return err
}

// subjectFilter is a set of patterns parsed once per run, not per message.
type subjectFilter []model.Pattern

// compileFilter parses the patterns; none means everything matches.
func compileFilter(patterns []string) (subjectFilter, error) {
	f := make(subjectFilter, 0, len(patterns))
	for _, s := range patterns {
		p, err := model.ParsePattern(s)
		if err != nil {
			return nil, fmt.Errorf("recorder: %w", err)
		}
		f = append(f, p)
	}
	return f, nil
}

// match reports whether subject matches one of the patterns; no patterns
// match everything.
func (f subjectFilter) match(subject string) bool {
	if len(f) == 0 {
		return true
	}
	for _, p := range f {
		if p.Match(subject) {
			return true
		}
	}
	return false
}

// Remap rewrites subjects matching From into To, token by token: the n-th
// '*' in To takes the token the n-th '*' in From matched, and a final '>'
// takes the tokens From's '>' matched. "orders.>=sandbox.orders.>" moves a
// whole tree.
type Remap struct {
	// From is the pattern subjects must match.
	From string
	// To is the subject they are rewritten to.
	To string

	rule *remapRule // From and To parsed once by ParseRemap, not per message
}

// remapRule is a Remap parsed: From's pattern and both sides' tokens.
type remapRule struct {
	from         model.Pattern
	ftoks, ttoks []string
	valid        bool
}

func newRemapRule(from, to string) *remapRule {
	p, err := model.ParsePattern(from)
	return &remapRule{from: p, valid: err == nil, ftoks: strings.Split(from, "."), ttoks: strings.Split(to, ".")}
}

// count is how many of toks are wc.
func count(toks []string, wc string) int {
	n := 0
	for _, t := range toks {
		if t == wc {
			n++
		}
	}
	return n
}

// ParseRemap reads "FROM=TO" and checks TO only uses wildcards FROM has.
func ParseRemap(s string) (Remap, error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok {
		return Remap{}, fmt.Errorf("remap %q: want FROM=TO, e.g. orders.>=sandbox.orders.>", s)
	}
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	for _, p := range []string{from, to} {
		if err := ValidPattern(p); err != nil {
			return Remap{}, fmt.Errorf("remap %q: %w", s, err)
		}
	}
	r := newRemapRule(from, to)
	if count(r.ttoks, "*") > count(r.ftoks, "*") {
		return Remap{}, fmt.Errorf("remap %q: TO has more '*' than FROM", s)
	}
	if count(r.ttoks, ">") > count(r.ftoks, ">") {
		return Remap{}, fmt.Errorf("remap %q: TO ends in '>' but FROM does not", s)
	}
	return Remap{From: from, To: to, rule: r}, nil
}

// Apply rewrites subject, reporting false when it does not match From (or
// when the rule is invalid: a Remap not made by ParseRemap is parsed here,
// on every call).
func (m Remap) Apply(subject string) (string, bool) {
	r := m.rule
	if r == nil {
		r = newRemapRule(m.From, m.To)
	}
	if !r.valid || !r.from.Match(subject) {
		return subject, false
	}
	// subject matches From: it has a token for each of From's, and '>'
	// is last.
	var buf [8]string
	stars := buf[:0]
	rest := ""
	pos := 0
	for _, t := range r.ftoks {
		if t == ">" {
			rest = subject[pos:]
			break
		}
		end := strings.IndexByte(subject[pos:], '.')
		if end < 0 {
			end = len(subject) - pos
		}
		if t == "*" {
			stars = append(stars, subject[pos:pos+end])
		}
		pos += end + 1
	}
	var b strings.Builder
	b.Grow(len(m.To) + len(subject))
	for i, t := range r.ttoks {
		if i > 0 {
			b.WriteByte('.')
		}
		switch t {
		case "*":
			if len(stars) == 0 {
				return subject, false // more '*' in To than From: not from ParseRemap
			}
			b.WriteString(stars[0])
			stars = stars[1:]
		case ">":
			b.WriteString(rest)
		default:
			b.WriteString(t)
		}
	}
	return b.String(), true
}
