package model

import (
	"errors"
	"fmt"
	"strings"
)

// Pattern is a NATS subscription subject: dotted tokens where "*" matches
// exactly one token and a final ">" matches one or more.
type Pattern struct {
	raw  string
	toks []string
	fwc  bool // ends in ">"
}

// ParsePattern validates s by nats-server's rules (non-empty tokens, no
// whitespace, ">" only last) and, beyond them, refuses tokens that mix a
// wildcard with other characters ("fo*"): the server takes those as
// literals, which is never what a person typing a filter means.
func ParsePattern(s string) (Pattern, error) {
	if s == "" {
		return Pattern{}, errors.New("empty pattern")
	}
	if i := strings.IndexAny(s, " \t\r\n\f"); i >= 0 {
		return Pattern{}, fmt.Errorf("pattern %q contains whitespace at %d", Sanitize(s), i)
	}
	toks := strings.Split(s, ".")
	p := Pattern{raw: s}
	for i, t := range toks {
		switch {
		case t == "":
			return Pattern{}, fmt.Errorf("pattern %q has an empty token at position %d", Sanitize(s), i+1)
		case t == ">":
			if i != len(toks)-1 {
				return Pattern{}, fmt.Errorf("pattern %q: '>' must be the last token", Sanitize(s))
			}
			p.fwc = true
		case t != "*" && strings.ContainsAny(t, "*>"):
			return Pattern{}, fmt.Errorf("pattern %q: token %q mixes a wildcard with text (wildcards are whole tokens: %q)", Sanitize(s), Sanitize(t), "*")
		}
	}
	if p.fwc {
		toks = toks[:len(toks)-1]
	}
	p.toks = toks
	return p, nil
}

// MustPattern is ParsePattern for patterns known to be valid (tests, ">").
func MustPattern(s string) Pattern {
	p, err := ParsePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String is the pattern as typed.
func (p Pattern) String() string { return p.raw }

// IsZero reports whether p is the zero Pattern (matches nothing).
func (p Pattern) IsZero() bool { return p.raw == "" }

// Literal reports whether p has no wildcards.
func (p Pattern) Literal() bool {
	if p.fwc {
		return false
	}
	for _, t := range p.toks {
		if t == "*" {
			return false
		}
	}
	return true
}

// Match reports whether the literal subject matches p exactly as
// nats-server's sublist would deliver it. It does not allocate.
func (p Pattern) Match(subject string) bool {
	if p.raw == "" || subject == "" {
		return false
	}
	start := 0
	for _, t := range p.toks {
		if start > len(subject) {
			return false // subject has fewer tokens than the pattern
		}
		end := strings.IndexByte(subject[start:], '.')
		if end < 0 {
			end = len(subject)
		} else {
			end += start
		}
		tok := subject[start:end]
		if tok == "" {
			return false
		}
		if t != "*" && t != tok {
			return false
		}
		start = end + 1
	}
	if p.fwc {
		// ">" needs at least one more non-empty token.
		return start < len(subject)
	}
	return start == len(subject)+1
}

// Covers tells the tree how a node relates to p: exact when the node's own
// subject matches, below when some subject under the node could.
func (p Pattern) Covers(subject string) (exact, below bool) {
	if p.raw == "" || subject == "" {
		return false, false
	}
	k, start := 0, 0
	for start <= len(subject) {
		end := strings.IndexByte(subject[start:], '.')
		if end < 0 {
			end = len(subject)
		} else {
			end += start
		}
		tok := subject[start:end]
		if k >= len(p.toks) {
			// Past the pattern's literal part: only ">" goes on matching.
			return p.fwc, p.fwc
		}
		if t := p.toks[k]; t != "*" && t != tok {
			return false, false
		}
		k++
		start = end + 1
	}
	exact = k == len(p.toks) && !p.fwc
	below = p.fwc || k < len(p.toks)
	return exact, below
}
