package recorder

import (
	"fmt"
	"strings"
)

// Subject matching is hand-written rather than nats-server's
// SubjectMatchesFilter so that a user importing recorder into a test does
// not need the server package for it; the tests check both agree.

// MatchSubject reports whether subject matches the NATS pattern: tokens
// split on '.', '*' matches one token, a final '>' one or more.
func MatchSubject(pattern, subject string) bool {
	for {
		pt, prest, pmore := strings.Cut(pattern, ".")
		st, srest, smore := strings.Cut(subject, ".")
		switch {
		case pt == ">" && !pmore:
			return st != ""
		case pt != "*" && pt != st:
			return false
		case pt == "*" && st == "":
			return false
		case !pmore || !smore:
			return pmore == smore
		}
		pattern, subject = prest, srest
	}
}

// ValidPattern checks a subject or pattern: no empty tokens, no spaces,
// '>' only as the last token.
func ValidPattern(p string) error {
	if p == "" {
		return fmt.Errorf("empty subject")
	}
	if strings.ContainsAny(p, " \t\r\n") {
		return fmt.Errorf("subject %q contains white space", p)
	}
	toks := strings.Split(p, ".")
	for i, t := range toks {
		switch {
		case t == "":
			return fmt.Errorf("subject %q has an empty token", p)
		case t == ">" && i != len(toks)-1:
			return fmt.Errorf("subject %q: '>' must be the last token", p)
		case t != "*" && t != ">" && strings.ContainsAny(t, "*>"):
			return fmt.Errorf("subject %q: wildcards must be whole tokens", p)
		}
	}
	return nil
}

// matchAny reports whether subject matches one of the patterns; no
// patterns match everything.
func matchAny(patterns []string, subject string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if MatchSubject(p, subject) {
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
