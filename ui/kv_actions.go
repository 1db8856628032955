package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// KVActor changes a bucket's keys (engine.JetStream). The keys list
// offers put and delete (p, D) when the streams lister is one too, never
// with --read-only, and always asks first.
type KVActor interface {
	KVPut(ctx context.Context, bucket, key string, value []byte) (revision uint64, err error)
	KVDelete(ctx context.Context, bucket, key string) error
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
// (the question) on the selected key.
func (m *Model) kvAction(msg tea.KeyPressMsg) tea.Cmd {
	a, c := m.kvActor(), &m.streams.kv
	if a == nil {
		if m.opts.ReadOnly {
			m.setFlash("read-only: put and delete are off", true)
		}
		return nil
	}
	if c.sel < 0 || c.sel >= len(c.keys) {
		return nil
	}
	bucket, k := c.bucket, c.keys[c.sel]
	if boundTo(msg, m.keys.KVPut) {
		cmd := m.openPrompt(promptKVPut, "put "+model.Sanitize(k)+"> ", "")
		m.prompt.input.Placeholder = "the new value"
		m.mode = modeStreams // the prompt opens over the keys
		return cmd
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
