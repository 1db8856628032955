package model

import (
	"errors"
	"fmt"
	"strings"
)

// CheckKVKey refuses, in one line, what nats.go would not put as a KV
// key: its jetstream package (keyValid) allows ^[-/_=.a-zA-Z0-9]+$ with no
// leading, trailing or double dot. nats.go does not export the check, so
// it is written again here for the UI to refuse a key before anything is
// sent.
func CheckKVKey(key string) error {
	if key == "" {
		return fmt.Errorf("key %q: %w (empty)", key, ErrBadKVKey)
	}
	if key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return fmt.Errorf("key %q: %w (an empty token)", key, ErrBadKVKey)
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '-', r == '/', r == '_', r == '=', r == '.':
		default:
			return fmt.Errorf("key %q: %w (letters, digits, -/_=. only)", key, ErrBadKVKey)
		}
	}
	return nil
}

// ErrBadKVKey is CheckKVKey's refusal.
var ErrBadKVKey = errors.New("not a valid key")
