package recorder

import (
	"fmt"
	"strings"

	"natsx/model"
)

// Subject matching is model.Pattern's, which a differential test proves
// identical to nats-server's; recorder already depends on model.

// MatchSubject reports whether subject matches the NATS pattern: tokens
// split on '.', '*' matches one token, a final '>' one or more. An invalid
// pattern matches nothing.
func MatchSubject(pattern, subject string) bool {
	p, err := model.ParsePattern(pattern)
	return err == nil && p.Match(subject)
}

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
	count := func(p, wc string) int {
		n := 0
		for t := range strings.SplitSeq(p, ".") {
			if t == wc {
				n++
			}
		}
		return n
	}
	if count(to, "*") > count(from, "*") {
		return Remap{}, fmt.Errorf("remap %q: TO has more '*' than FROM", s)
	}
	if count(to, ">") > count(from, ">") {
		return Remap{}, fmt.Errorf("remap %q: TO ends in '>' but FROM does not", s)
	}
	return Remap{From: from, To: to}, nil
}

// Apply rewrites subject, reporting false when it does not match From.
func (m Remap) Apply(subject string) (string, bool) {
	if !MatchSubject(m.From, subject) {
		return subject, false
	}
	var stars []string
	rest := ""
	ftoks := strings.Split(m.From, ".")
	stoks := strings.Split(subject, ".")
	for i, t := range ftoks {
		switch t {
		case "*":
			stars = append(stars, stoks[i])
		case ">":
			rest = strings.Join(stoks[i:], ".")
		}
	}
	var b strings.Builder
	for i, t := range strings.Split(m.To, ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		switch t {
		case "*":
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
