package model

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckKVKey: the keys nats.go's KV accepts pass, the rest are one
// line naming the key.
func TestCheckKVKey(t *testing.T) {
	for _, k := range []string{"a", "lisbon.42", "A-b_c/d=e.0", "x.y.z"} {
		if err := CheckKVKey(k); err != nil {
			t.Errorf("CheckKVKey(%q) = %v; want nil", k, err)
		}
	}
	for _, k := range []string{"", ".a", "a.", "a..b", "a b", "a*", "a.>", "café", "a\x1b[2J", "a:b", "a\nb"} {
		err := CheckKVKey(k)
		if err == nil {
			t.Errorf("CheckKVKey(%q) = nil; want an error", k)
			continue
		}
		if !errors.Is(err, ErrBadKVKey) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("CheckKVKey(%q) = %q; want one quoted line", k, err)
		}
	}
}
