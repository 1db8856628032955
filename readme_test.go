package main

import (
	"os"
	"strings"
	"testing"

	"natsx/ui"
)

// TestREADMEKeyTable keeps the README's key table equal to the key map the
// help screen is drawn from.
func TestREADMEKeyTable(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "<!-- keys:begin -->\n")
	end := strings.Index(s, "<!-- keys:end -->")
	if start < 0 || end < start {
		t.Fatal("README has no keys:begin/keys:end block")
	}
	got := s[start+len("<!-- keys:begin -->\n") : end]
	if want := ui.KeyTable(); got != want {
		t.Fatalf("README key table is stale; replace it with:\n%s", want)
	}
}
