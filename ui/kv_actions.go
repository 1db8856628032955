package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// KVActor changes a bucket's keys (engine.JetStream). The keys list
// offers put, delete and a new key (p, D, n) when the streams lister is
// one too, never with --read-only, and always asks first.
type KVActor interface {
	KVPut(ctx context.Context, bucket, key string, value []byte) (revision uint64, err error)
	KVDelete(ctx context.Context, bucket, key string) error
	// KVCreate puts a key that holds no value; one that does is refused.
	KVCreate(ctx context.Context, bucket, key string, value []byte) (revision uint64, err error)
}

// kvActor is the lister as a KVActor; nil when it is none or natsx is
// read-only.
func (m *Model) kvActor() KVActor {
	if m.opts.ReadOnly {
		return nil
	}
	a, _ := m.opts.Streams.(KVActor)
	return a
}

// kvAction starts p (a prompt for the value, then the question) or D
// (the question) on the selected key, or n (prompts for the new key's
// name and value, then the question).
func (m *Model) kvAction(msg tea.KeyPressMsg) tea.Cmd {
	a, c := m.kvActor(), &m.streams.kv
	if a == nil {
		if m.opts.ReadOnly {
			m.setFlash("read-only: put, new key and delete are off", true)
		}
		return nil
	}
	if boundTo(msg, m.keys.KVCreate) { // no selection needed: the bucket may be empty
		return m.streamsPrompt(promptKVNewKey, "new key> ", "e.g. lisbon.42 (letters, digits, -/_=.)")
	}
	if c.sel < 0 || c.sel >= len(c.keys) {
		return nil
	}
	bucket, k := c.bucket, c.keys[c.sel]
	if boundTo(msg, m.keys.KVPut) {
		return m.streamsPrompt(promptKVPut, "put "+promptKey(k)+"> ", "the new value")
	}
	m.confirm.ask(fmt.Sprintf("delete key %s from %s", k, bucket),
		m.actionCmd(kvStreamPrefix+bucket, false, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("deleted key %s from %s", k, bucket), a.KVDelete(ctx, bucket, k)
		}))
	return nil
}

// submitKVPrompt takes the keys' filter (a NATS pattern; a bad one is
// the prompt's error and nothing changes) or the value to put, which is
// asked about first.
func (m *Model) submitKVPrompt(kind promptKind, v string) (tea.Cmd, error) {
	c := &m.streams.kv
	switch kind {
	case promptKVNewKey:
		return m.kvNewKey(strings.TrimSpace(v))
	case promptKVCreate:
		a := m.kvActor()
		if a == nil || c.newKey == "" {
			return nil, nil
		}
		bucket, k, value := c.bucket, c.newKey, []byte(v)
		m.confirm.ask(fmt.Sprintf("create %s in %s (%s)", k, bucket, model.HumanBytes(uint64(len(value)))),
			m.actionCmd(kvStreamPrefix+bucket, false, func(ctx context.Context) (string, error) {
				rev, err := a.KVCreate(ctx, bucket, k, value)
				return fmt.Sprintf("created %s in %s: revision %d", k, bucket, rev), err
			}))
		return nil, nil
	}
	if kind == promptKVPut {
		a := m.kvActor()
		if a == nil || c.sel < 0 || c.sel >= len(c.keys) {
			return nil, nil
		}
		bucket, k, value := c.bucket, c.keys[c.sel], []byte(v)
		m.confirm.ask(fmt.Sprintf("put %s in %s (%s)", k, bucket, model.HumanBytes(uint64(len(value)))),
			m.actionCmd(kvStreamPrefix+bucket, false, func(ctx context.Context) (string, error) {
				rev, err := a.KVPut(ctx, bucket, k, value)
				return fmt.Sprintf("put %s in %s: revision %d", k, bucket, rev), err
			}))
		return nil, nil
	}
	v = strings.TrimSpace(v)
	var match model.Pattern
	if v != "" {
		p, err := model.ParsePattern(v)
		if err != nil {
			return nil, err
		}
		match = p
	}
	c.filter, c.match, c.sel, c.top = v, match, 0, 0
	return m.listKV(), nil
}

// kvNewKey takes a new key's name: one nats.go would refuse, or one the
// list shows holding a value, is the prompt's error and nothing changes;
// otherwise the prompt asks for its value. (The server has the last word:
// a key put meanwhile, or outside the filter, is refused by the create.)
func (m *Model) kvNewKey(k string) (tea.Cmd, error) {
	c := &m.streams.kv
	if err := model.CheckKVKey(k); err != nil {
		return nil, err
	}
	if _, listed := slices.BinarySearch(c.keys, k); listed && c.changed[k].op != "delete" && c.changed[k].op != "purge" {
		return nil, fmt.Errorf("key %q exists: %s puts a new value in it", k, m.keys.KVPut.Help().Key)
	}
	c.newKey = k
	return m.streamsPrompt(promptKVCreate, "new "+promptKey(k)+"> ", "its value"), nil
}

// promptKey is a key as a prompt's label shows it: sanitized and cut, so
// a long key leaves the value room to be typed.
func promptKey(k string) string { return fitCut(model.Sanitize(k), 32) }
