package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"subject", "orders.eu-west.created", "orders.eu-west.created"},
		{"unicode kept", "zürich.東京.🚀", "zürich.東京.🚀"},
		{"backslash kept", `C:\temp\x1b`, `C:\temp\x1b`},
		{"replacement char kept", "a\uFFFDb", "a\uFFFDb"},
		{"newline", "a\nb", `a\nb`},
		{"crlf", "a\r\nb", `a\r\nb`},
		{"tab", "a\tb", `a\tb`},
		{"nul", "a\x00b", `a\x00b`},
		{"del", "a\x7fb", `a\x7fb`},
		{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"clear screen", "\x1b[2J", `\x1b[2J`},
		{"dcs", "\x1bP1$r\x1b\\", `\x1bP1$r\x1b\`},
		{"raw c1 csi byte", "a\x9b31mb", `a\x9b31mb`},
		{"encoded c1 csi rune", "a\u009b31mb", `a\u009b31mb`},
		{"nel", "a\u0085b", `a\u0085b`},
		{"invalid utf8", "a\xff\xfeb", `a\xff\xfeb`},
		{"truncated rune", "a\xe2\x82", `a\xe2\x82`},
		{"surrogate half", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
		{"rlo", "file\u202Etxt.exe", `file\u202etxt.exe`},
		{"bidi isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"lrm rlm alm", "\u200E\u200F\u061C", `\u200e\u200f\u061c`},
		{"zero width", "a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF", `a\u200bb\u200cc\u200dd\u2060e\ufeff`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"soft hyphen", "a\u00ADb", `a\u00adb`},
		{"tag character", "a\U000E0041", `a\U000e0041`},
		{"escape after clean prefix", "orders.\x1b", `orders.\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeBlock(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"lines kept", "a\nb\n", "a\nb\n"},
		{"tab at start", "\tx", "    x"},
		{"tab to next stop", "ab\tc", "ab  c"},
		{"tab on stop", "abcd\te", "abcd    e"},
		{"tab columns reset per line", "abc\n\tx", "abc\n    x"},
		{"tab counts runes not bytes", "ü\tx", "ü   x"},
		{"tab after clean prefix line", "abcdef\nab\tc", "abcdef\nab  c"},
		{"tab counts escapes as shown", "\x1b\tx", `\x1b` + "    x"},
		{"cr escaped", "a\r\nb", "a\\r\nb"},
		{"escape sequence", "\x1b[2Jok\n", "\\x1b[2Jok\n"},
		{"bidi", "\u202Eabc\n", "\\u202eabc\n"},
		{"invalid", "\xff\n", "\\xff\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SanitizeBlock(tt.in); got != tt.want {
				t.Errorf("SanitizeBlock(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSanitizeCleanReturnsInput pins the fast path: a clean string must come
// back as the very same string, since Sanitize runs per visible cell.
func TestSanitizeCleanReturnsInput(t *testing.T) {
	for _, s := range []string{"orders.eu-west.created", "zürich.東京.🚀", "a b c"} {
		allocs := testing.AllocsPerRun(100, func() {
			if Sanitize(s) != s || SanitizeBlock(s+"\n") == "" {
				t.Fatal("clean input changed")
			}
		})
		// s+"\n" allocates once; Sanitize and SanitizeBlock must not add to it.
		if allocs > 1 {
			t.Errorf("%q: %v allocs per run, want at most 1", s, allocs)
		}
	}
}

// isUnsafeForTerminal is the property the fuzz tests check, written
// independently of the implementation: the runes the brief names, spelled out.
func isUnsafeForTerminal(r rune, allowNewline bool) bool {
	switch {
	case r == '\n':
		return !allowNewline
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c,
		r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff:
		return true
	}
	return false
}

// checkTerminalSafe fails t when s could move the cursor, change terminal
// state or hide/reorder text.
func checkTerminalSafe(t *testing.T, what, s string, allowNewline bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: invalid UTF-8 in %q", what, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && !(allowNewline && c == '\n')) || c == 0x7f {
			t.Fatalf("%s: control byte %#x at %d in %q", what, c, i, s)
		}
	}
	for i, r := range s {
		if isUnsafeForTerminal(r, allowNewline) {
			t.Fatalf("%s: unsafe rune %U at %d in %q", what, r, i, s)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	// Seeds live in testdata/fuzz/FuzzSanitize.
	f.Fuzz(func(t *testing.T, in string) {
		line := Sanitize(in)
		checkTerminalSafe(t, "Sanitize", line, false)
		if again := Sanitize(line); again != line {
			t.Fatalf("Sanitize not idempotent: %q -> %q -> %q", in, line, again)
		}
		if firstUnsafe(in, false) < 0 && line != in {
			t.Fatalf("clean input changed: %q -> %q", in, line)
		}

		block := SanitizeBlock(in)
		checkTerminalSafe(t, "SanitizeBlock", block, true)
		if again := SanitizeBlock(block); again != block {
			t.Fatalf("SanitizeBlock not idempotent: %q -> %q -> %q", in, block, again)
		}
		if got, want := strings.Count(block, "\n"), strings.Count(in, "\n"); got != want {
			t.Fatalf("SanitizeBlock changed the line count %d -> %d: %q", want, got, block)
		}
		// Joining the block's lines with the one-line escape must give the
		// one-line form, except that tabs were expanded rather than escaped.
		if !strings.Contains(in, "\t") && strings.ReplaceAll(block, "\n", `\n`) != line {
			t.Fatalf("Sanitize and SanitizeBlock disagree on %q: %q vs %q", in, line, block)
		}
	})
}

func BenchmarkSanitizeClean(b *testing.B) {
	const s = "orders.eu-west-1.customer.4f1c2a9e.created.v2"
	b.ReportAllocs()
	for b.Loop() {
		if Sanitize(s) != s {
			b.Fatal("changed")
		}
	}
}

func BenchmarkSanitizeDirty(b *testing.B) {
	const s = "orders.eu-west-1.\x1b]0;pwned\x07.customer.\u202Ecreated"
	b.ReportAllocs()
	for b.Loop() {
		_ = Sanitize(s)
	}
}
