package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// StreamActor removes what a stream keeps (engine.JetStream). The streams
// view offers its actions (P, D) when its StreamLister is one too, never
// with --read-only, and always asks first, naming what goes.
type StreamActor interface {
	Purge(ctx context.Context, stream, subject string, keep uint64) (purged uint64, err error)
	DeleteMsg(ctx context.Context, stream string, seq uint64) error
	// SubjectMessages counts a subject's messages for the question.
	SubjectMessages(ctx context.Context, stream, subject string) (uint64, error)
}

// actionDoneMsg is an action's result: what to say, and for the browser
// its page read again after the action (read is false on the list).
type actionDoneMsg struct {
	stream string
	said   string
	err    error
	read   bool
	page   model.StreamPage
	filter string
}

// subjectCountedMsg brings the count the question before a subject's purge
// names.
type subjectCountedMsg struct {
	stream, subject string
	tag             int
	n               uint64
	err             error
}

// actor is the lister as a StreamActor; nil when it is none or natsx is
// read-only.
func (m *Model) actor() StreamActor {
	if m.opts.ReadOnly {
		return nil
	}
	a, _ := m.opts.Streams.(StreamActor)
	return a
}

// streamAction starts P or D on the streams view's page: it asks, and
// the action runs only on y.
func (m *Model) streamAction(msg tea.KeyPressMsg) tea.Cmd {
	a := m.actor()
	if a == nil {
		if m.opts.ReadOnly {
			m.setFlash("read-only: purge and delete are off", true)
		}
		return nil
	}
	v, purge := &m.streams, boundTo(msg, m.keys.StreamPurge)
	switch {
	case v.page == pageList && purge:
		if v.sel < 0 || v.sel >= len(v.rows) {
			return nil
		}
		r := v.rows[v.sel]
		m.confirm.ask(fmt.Sprintf("purge stream %s (%s)", r.Name, model.Plural(r.Messages, "message", "messages")),
			m.actionCmd(r.Name, false, func(ctx context.Context) (string, error) {
				n, err := a.Purge(ctx, r.Name, "", 0)
				return fmt.Sprintf("purged %s from %s", model.Plural(n, "message", "messages"), r.Name), err
			}))
	case v.page == pageMessages:
		b := &v.browse
		if len(b.page.Msgs) == 0 || b.sel >= len(b.page.Msgs) {
			return nil
		}
		// A question about the selected message: following would move the
		// selection away from the message it names.
		m.stopFollow()
		sm, stream := b.page.Msgs[b.sel], b.stream
		if purge { // the count first, then the question
			tag := b.tag
			return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
				n, err := a.SubjectMessages(ctx, stream, sm.Msg.Subject)
				return subjectCountedMsg{stream: stream, subject: sm.Msg.Subject, tag: tag, n: n, err: err}
			})
		}
		m.confirm.ask(fmt.Sprintf("delete %s #%d (%s, %s)", stream, sm.Seq, sm.Msg.Subject, model.HumanBytes(uint64(sm.Msg.Size))),
			m.actionCmd(stream, true, func(ctx context.Context) (string, error) {
				return fmt.Sprintf("deleted %s #%d", stream, sm.Seq), a.DeleteMsg(ctx, stream, sm.Seq)
			}))
	}
	return nil
}

// subjectCounted asks before purging a subject, if the browser is still
// where the count was asked.
func (m *Model) subjectCounted(msg subjectCountedMsg) {
	b, a := &m.streams.browse, m.actor()
	if a == nil || m.mode != modeStreams || m.streams.page != pageMessages || b.stream != msg.stream || b.tag != msg.tag ||
		m.prompt.kind != promptNone || m.confirm.asking() {
		return
	}
	q := fmt.Sprintf("purge %s from %s (%s)", msg.subject, msg.stream, model.Plural(msg.n, "message", "messages"))
	if msg.err != nil {
		q = fmt.Sprintf("purge %s from %s (count unknown: %s)", msg.subject, msg.stream, firstLine(msg.err.Error()))
	}
	stream, subject := msg.stream, msg.subject
	m.confirm.ask(q, m.actionCmd(stream, true, func(ctx context.Context) (string, error) {
		n, err := a.Purge(ctx, stream, subject, 0)
		return fmt.Sprintf("purged %s of %s from %s", model.Plural(n, "message", "messages"), subject, stream), err
	}))
}

// actionCmd runs act off the UI's goroutine; for the browser (reread) it
// then reads the page shown again, from its first message (or the
// stream's last page when nothing is left from there).
func (m *Model) actionCmd(stream string, reread bool, act func(context.Context) (string, error)) tea.Cmd {
	lister, b := m.opts.Streams, &m.streams.browse
	q := model.PageQuery{Last: true, Filter: b.filter, Size: browsePage}
	if len(b.page.Msgs) > 0 {
		q = model.PageQuery{From: b.page.Msgs[0].Seq, Filter: b.filter, Size: browsePage}
	}
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		said, err := act(ctx)
		done := actionDoneMsg{stream: stream, said: said, err: err, filter: q.Filter}
		if err != nil || !reread {
			return done
		}
		page, err := lister.Page(ctx, stream, q)
		if err == nil && len(page.Msgs) == 0 && page.Total > 0 {
			page, err = lister.Page(ctx, stream, model.PageQuery{Last: true, Filter: q.Filter, Size: browsePage})
		}
		done.read, done.page = err == nil, page
		return done
	})
}

// actionDone says how the action went and shows what is left: the list
// of streams listed again, or the browser's page read again.
func (m *Model) actionDone(msg actionDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setFlash(firstLine(msg.err.Error()), true)
		return nil
	}
	m.setFlash(msg.said, false)
	v := &m.streams
	if m.mode != modeStreams {
		return nil
	}
	switch {
	case v.page == pageList:
		v.tag++ // a listing still running is dropped: this one is newer
		v.listing = true
		return listStreams(m.opts.Streams, v.tag)
	case v.page == pageMessages && msg.read && v.browse.stream == msg.stream && v.browse.filter == msg.filter:
		b := &v.browse
		b.tag++ // a read still running is older than the action
		b.reading, b.err, b.loaded, b.page = false, "", true, msg.page
		b.sel = min(b.sel, max(len(b.page.Msgs)-1, 0))
		if len(b.page.Msgs) == 0 {
			m.closeBrowseInspector()
		}
		m.pinBrowsed()
	case v.page == pageKeys && msg.stream == kvStreamPrefix+v.kv.bucket:
		return m.listKV() // a put or delete: the keys listed again
	}
	return nil
}

// hint is b for the footer with a shorter description; off (and so left
// out) when b is.
func hint(b key.Binding, desc string) key.Binding {
	h := key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	h.SetEnabled(b.Enabled())
	return h
}

// actionKeys is the key map with the actions off where there is nothing
// to act on (a capture, a lister that is no StreamActor): the footer then
// does not offer them.
func (m *Model) actionKeys() KeyMap {
	k := m.keys
	if m.actor() == nil {
		k.StreamPurge.SetEnabled(false)
		k.StreamDelete.SetEnabled(false)
	}
	if m.kvActor() == nil {
		k.KVPut.SetEnabled(false)
		k.KVCreate.SetEnabled(false)
	}
	if m.streams.page == pageKeys { // D deletes a key there: a KVActor's
		k.StreamDelete.SetEnabled(k.KVPut.Enabled())
	}
	return k
}
