package model

import (
	"testing"
	"unicode/utf8"
)

// TestUnsafeRuneIsSanitize: UnsafeRune is exactly "Sanitize rewrites this
// rune" for every non-ASCII rune, so escapers that share it agree with
// the sanitizer.
func TestUnsafeRuneIsSanitize(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		if got, want := UnsafeRune(r), Sanitize(s) != s; got != want {
			t.Fatalf("U+%04X: UnsafeRune %v, Sanitize rewrites it %v", r, got, want)
		}
	}
}
