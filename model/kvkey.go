package model

import (
	"errors"
	"fmt"
	"strings"
)

// errBadKVKey says what a KV key may hold, as nats.go's jetstream package
// checks it (keyValid: ^[-/_=.a-zA-Z0-9]+$, no leading, trailing or double
// dot); nats.go does not export the check, so it is written again here
// for the UI to refuse a key before anything is sent.
var errBadKVKey = errors.New("not a valid key (letters, digits and - / _ = . only; no empty token)")

// CheckKVKey refuses what nats.go would not put as a KV key, in one line.
func CheckKVKey(key string) error {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return fmt.Errorf("key %q: %w", key, errBadKVKey)
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '-', r == '/', r == '_', r == '=', r == '.':
		default:
			return fmt.Errorf("key %q: %w", key, errBadKVKey)
		}
	}
	return nil
}
