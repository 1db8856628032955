package model_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats-server/v2/server/gsl"

	"natsx/model"
)

func TestParsePattern(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
	}{
		{">", ""},
		{"*", ""},
		{"foo", ""},
		{"foo.*.bar", ""},
		{"foo.>", ""},
		{"*.*.>", ""},
		{"_INBOX.>", ""},
		{"$SYS.>", ""},
		{"", "empty pattern"},
		{"foo..bar", "empty token at position 2"},
		{".foo", "empty token at position 1"},
		{"foo.", "empty token at position 2"},
		{"foo.>.bar", "'>' must be the last token"},
		{">.x", "'>' must be the last token"},
		{"fo*", "mixes a wildcard"},
		{"foo.b>", "mixes a wildcard"},
		{"foo bar", "whitespace"},
		{"foo\tbar", "whitespace"},
	}
	for _, c := range cases {
		_, err := model.ParsePattern(c.in)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("ParsePattern(%q) = %v, want ok", c.in, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ParsePattern(%q) = %v, want error containing %q", c.in, err, c.wantErr)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pattern, subject string
		want             bool
	}{
		{">", "a", true},
		{">", "a.b.c", true},
		{"a.>", "a", false},
		{"a.>", "a.b", true},
		{"a.>", "a.b.c", true},
		{"a.*", "a.b", true},
		{"a.*", "a.b.c", false},
		{"a.*", "a", false},
		{"*.b", "a.b", true},
		{"*.b", "a.c", false},
		{"a.b", "a.b", true},
		{"a.b", "a.bc", false},
		{"a.b", "a.b.c", false},
		{"*", "a", true},
		{"*", "a.b", false},
		{"a.*.>", "a.b", false},
		{"a.*.>", "a.b.c", true},
	}
	for _, c := range cases {
		if got := model.MustPattern(c.pattern).Match(c.subject); got != c.want {
			t.Errorf("%q.Match(%q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
	if (model.Pattern{}).Match("a") {
		t.Error("zero pattern matched")
	}
}

// serverMatches asks nats-server's own sublist whether a subscription on
// pattern receives a message published on subject.
func serverMatches(pattern, subject string) (valid, match bool) {
	if !server.IsValidSubject(pattern) {
		return false, false
	}
	sl := gsl.NewSublist[int]()
	if err := sl.Insert(pattern, 1); err != nil {
		return false, false
	}
	return true, sl.HasInterest(subject)
}

// mixesWildcard is natsx's one deliberate extra rule over the server's.
func mixesWildcard(p string) bool {
	for _, t := range strings.Split(p, ".") {
		if t != "*" && t != ">" && strings.ContainsAny(t, "*>") {
			return true
		}
	}
	return false
}

// checkAgainstServer compares natsx and nats-server on one pair.
func checkAgainstServer(t *testing.T, pattern, subject string) {
	t.Helper()
	valid, want := serverMatches(pattern, subject)
	p, err := model.ParsePattern(pattern)
	if mixesWildcard(pattern) && valid {
		if err == nil {
			t.Fatalf("ParsePattern(%q) accepted a mixed wildcard token", pattern)
		}
		return
	}
	if (err == nil) != valid {
		t.Fatalf("ParsePattern(%q) err=%v, server valid=%v", pattern, err, valid)
	}
	if err != nil || !server.IsValidPublishSubject(subject) {
		return
	}
	if got := p.Match(subject); got != want {
		t.Fatalf("%q.Match(%q) = %v, nats-server says %v", pattern, subject, got, want)
	}
}

// TestPatternDifferential generates subjects and patterns (invalid ones
// included) and checks validation and matching agree with nats-server.
func TestPatternDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "foo", "*", ">", "", "a b", "f*", "x>", "$SYS", "_INBOX"}
	gen := func(maxToks int, wild bool) string {
		n := 1 + rng.IntN(maxToks)
		toks := make([]string, n)
		for i := range toks {
			tok := alphabet[rng.IntN(len(alphabet))]
			if !wild && (tok == "*" || tok == ">") {
				tok = "a"
			}
			toks[i] = tok
		}
		return strings.Join(toks, ".")
	}
	for i := 0; i < 200000; i++ {
		checkAgainstServer(t, gen(5, true), gen(6, rng.IntN(10) == 0))
	}
}

func FuzzPatternMatch(f *testing.F) {
	for _, s := range [][2]string{{">", "a.b"}, {"a.*", "a.b"}, {"a.>", "a"}, {"fo*", "fo*"}, {"a..b", "a.b"}, {"*.>", "x"}, {"a b", "a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, subject string) {
		checkAgainstServer(t, pattern, subject)
	})
}

func BenchmarkPatternMatch(b *testing.B) {
	p := model.MustPattern("sensors.*.3.>")
	for b.Loop() {
		p.Match("sensors.hq.3.temperature")
	}
}

func TestPatternCovers(t *testing.T) {
	cases := []struct {
		pattern, subject string
		exact, below     bool
	}{
		{"a.*.c", "a", false, true},
		{"a.*.c", "a.b", false, true},
		{"a.*.c", "a.b.c", true, false},
		{"a.*.c", "a.b.d", false, false},
		{"a.*.c", "x", false, false},
		{"a.>", "a", false, true},
		{"a.>", "a.b", true, true},
		{">", "a", true, true},
		{"a.b", "a.b.c", false, false},
	}
	for _, c := range cases {
		e, b := model.MustPattern(c.pattern).Covers(c.subject)
		if e != c.exact || b != c.below {
			t.Errorf("%q.Covers(%q) = %v,%v want %v,%v", c.pattern, c.subject, e, b, c.exact, c.below)
		}
		// exact must agree with Match.
		if e != model.MustPattern(c.pattern).Match(c.subject) {
			t.Errorf("%q.Covers(%q) exact=%v disagrees with Match", c.pattern, c.subject, e)
		}
	}
}
