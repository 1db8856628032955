package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"natsx/ui"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's key table from the key map")

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
	if want := ui.KeyTable(); got != want && *updateREADME {
		s = s[:start+len("<!-- keys:begin -->\n")] + want + s[end:]
		if err := os.WriteFile("README.md", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if got != want {
		t.Fatalf("README key table is stale; run go test -run README . -update-readme, or replace it with:\n%s", want)
	}
}
