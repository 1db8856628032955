package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// The KV view: from the streams view, K on a bucket's stream (KV_<name>)
// lists its keys; enter on a key opens the stream browser on the key's
// subject, so its history is the browser's page (revision = stream
// sequence, stored time, delete and purge markers) and the borrowed
// inspector steps and diffs between revisions ([, ], d).

// maxKVKeys bounds a bucket's keys listing; past it the list says it is cut.
const maxKVKeys = 1000

// kvStreamPrefix is the prefix of a KV bucket's stream name.
const kvStreamPrefix = "KV_"

// kvListedMsg is a keys listing's result for the opening tag.
type kvListedMsg struct {
	tag    int
	bucket string
	keys   []string
	cut    bool
	err    error
}

// kvWatchMsg is a watch's start for the opening tag.
type kvWatchMsg struct {
	tag    int
	bucket string
	watch  model.KeyWatch
	err    error
}

// kvTickMsg drains the watch of the opening tag.
type kvTickMsg struct{ tag int }

// kvTick is how often the keys list takes the watch's changes (a local
// drain, no request), and kvLit how long a changed key stays lit.
const (
	kvTick = time.Second
	kvLit  = 5 * time.Second
)

// kvView is one bucket's keys, followed live by a watch.
type kvView struct {
	st     *Styles
	bucket string
	// filter is the keys' NATS pattern ("" lists all), match its parsed
	// form for the keys the watch brings.
	filter string
	match  model.Pattern
	keys   []string
	cut    bool
	err    string
	loaded bool
	sel    int
	top    int
	rows   int // rows that fit, set in Update
	// watch follows the bucket while its keys or a key's history are
	// shown; unwatched says why there is none. changed holds, for listed
	// keys only, when each last changed and how; dropped counts the
	// changes not shown (the watch's bound, or keys past maxKVKeys).
	watch     model.KeyWatch
	unwatched string
	tag       int
	changed   map[string]kvChange
	dropped   uint64
	// newKey is the name the new key's prompt took, for its value's.
	newKey string
}

// kvChange is a listed key's last change.
type kvChange struct {
	at time.Time
	op string
}

// openKV lists the keys of the selected stream's bucket.
func (m *Model) openKV() tea.Cmd {
	v := &m.streams
	if v.sel < 0 || v.sel >= len(v.rows) || m.opts.Streams == nil {
		return nil
	}
	bucket, ok := strings.CutPrefix(v.rows[v.sel].Name, kvStreamPrefix)
	if !ok || bucket == "" {
		m.setFlash(fmt.Sprintf("%s is not a KV bucket (a bucket's stream is named %s<bucket>)", model.Sanitize(v.rows[v.sel].Name), kvStreamPrefix), true)
		return nil
	}
	m.dropKV()
	v.page = pageKeys
	v.kv = kvView{st: v.st, bucket: bucket, changed: map[string]kvChange{}}
	v.tag++ // the list's pending refresh is dropped
	v.listing = true
	lister, tag := m.opts.Streams, v.tag
	// The watch starts first and the keys are listed once it runs, so no
	// change falls between the two.
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		w, err := lister.WatchKeys(ctx, bucket)
		return kvWatchMsg{tag: tag, bucket: bucket, watch: w, err: err}
	})
}

// kvWatching takes the watch (stopping one for an earlier opening) and
// lists the keys; without a watch the keys are listed all the same.
func (m *Model) kvWatching(msg kvWatchMsg) tea.Cmd {
	v := &m.streams
	if msg.tag != v.tag || v.page != pageKeys || msg.bucket != v.kv.bucket {
		if msg.watch != nil {
			msg.watch.Stop()
		}
		return nil
	}
	c := &v.kv
	if msg.err != nil || msg.watch == nil {
		c.unwatched = "not watched"
		if msg.err != nil {
			c.unwatched += ": " + firstLine(msg.err.Error())
		}
	}
	c.watch = msg.watch
	return m.listKV()
}

// listKV lists the bucket's keys matching its filter (up to maxKVKeys);
// a listing still running for the view is dropped by its tag.
func (m *Model) listKV() tea.Cmd {
	v := &m.streams
	v.tag++
	v.listing = true
	lister, tag, bucket, filter := m.opts.Streams, v.tag, v.kv.bucket, v.kv.filter
	return timed(streamsTimeout, func(ctx context.Context) tea.Msg {
		keys, cut, err := lister.Keys(ctx, bucket, filter, maxKVKeys)
		return kvListedMsg{tag: tag, bucket: bucket, keys: keys, cut: cut, err: err}
	})
}

// dropKV stops the bucket's watch and lets its keys go.
func (m *Model) dropKV() {
	if w := m.streams.kv.watch; w != nil {
		go w.Stop() // its consumer's deletion is a request: off the UI's goroutine
	}
	m.streams.kv = kvView{}
}

// kvTicked takes the watch's changes: a changed key is lit for kvLit, a
// new one joins the list (up to maxKVKeys), a deleted or purged one is
// marked so.
func (m *Model) kvTicked(msg kvTickMsg) tea.Cmd {
	c := &m.streams.kv
	if msg.tag != c.tag || c.watch == nil || m.mode != modeStreams {
		return nil
	}
	changed, dropped := c.watch.Changes()
	c.dropped += dropped
	for k, op := range changed {
		i, found := slices.BinarySearch(c.keys, k)
		if !found && !c.match.IsZero() && !c.match.Match(k) {
			continue // outside the filter
		}
		if !found {
			if op != "put" || len(c.keys) >= maxKVKeys {
				if op == "put" {
					c.dropped++
				}
				continue
			}
			c.keys = slices.Insert(c.keys, i, k)
			if i <= c.sel && len(c.keys) > 1 {
				c.sel++ // the selection stays on its key
			}
		}
		c.changed[k] = kvChange{at: m.wall, op: op}
	}
	for k, ch := range c.changed {
		if ch.op == "put" && m.wall.Sub(ch.at) > kvLit {
			delete(c.changed, k) // a put is lit for a while; a delete stays marked
		}
	}
	return c.tickCmd()
}

func (c *kvView) tickCmd() tea.Cmd {
	tag := c.tag
	return tea.Tick(kvTick, func(time.Time) tea.Msg { return kvTickMsg{tag: tag} })
}

// kvListed takes a keys listing for the opening that asked and, with a
// watch, starts taking its changes.
func (m *Model) kvListed(msg kvListedMsg) tea.Cmd {
	v := &m.streams
	if msg.tag != v.tag || v.page != pageKeys || msg.bucket != v.kv.bucket {
		return nil
	}
	v.listing = false
	c := &v.kv
	c.loaded = true
	if msg.err != nil {
		c.err = firstLine(msg.err.Error())
		return nil
	}
	c.err, c.keys, c.cut = "", msg.keys, msg.cut
	slices.Sort(c.keys)
	if c.watch == nil {
		return nil
	}
	c.tag++
	return c.tickCmd()
}

// kvKey handles a key while a bucket's keys are listed.
func (m *Model) kvKey(msg tea.KeyPressMsg) tea.Cmd {
	k, c := m.keys, &m.streams.kv
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Back):
		m.dropKV()
		return m.closeConsumers() // back to the list, listed again
	case key.Matches(msg, k.Streams):
		m.closeStreams()
	case key.Matches(msg, k.StreamInspect):
		if c.sel >= 0 && c.sel < len(c.keys) {
			return m.openBrowse(kvStreamPrefix+c.bucket, "$KV."+c.bucket+"."+c.keys[c.sel])
		}
	case key.Matches(msg, k.StreamFilter):
		cmd := m.offerPrompt(promptKVFilter, "keys> ", c.filter)
		m.prompt.input.Placeholder = "driver.* (empty: all)"
		m.mode = modeStreams // the prompt opens over the keys
		return cmd
	case boundTo(msg, k.KVPut), boundTo(msg, k.StreamDelete), boundTo(msg, k.KVCreate):
		return m.kvAction(msg)
	case k.isMove(msg):
		c.sel, _ = k.moveBy(msg, c.sel, max(c.rows-1, 1), len(c.keys)-1)
	}
	return nil
}

// kvHelp is the footer's hint while a bucket's keys are listed (J, which
// closes the view, is left to the help screen: the line fits 80 columns).
func (k KeyMap) kvHelp() []key.Binding {
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/jk", "move"))
	hist := hint(k.StreamInspect, "history")
	back := hint(k.Back, "streams")
	filter := hint(k.StreamFilter, "filter")
	return []key.Binding{move, hist, filter, hint(k.KVPut, "put"), hint(k.KVCreate, "new"), hint(k.StreamDelete, "delete"), back, k.Quit}
}

// kvChrome is the title and column lines above the keys.
const kvChrome = 2

// SetHeight keeps the selected key in view (Update's side of View).
func (c *kvView) SetHeight(h int) {
	c.rows = max(h-kvChrome, 1)
	c.sel, c.top = keepInView(c.sel, c.top, c.rows, len(c.keys))
}

// View draws the keys w x h.
func (c *kvView) View(w, h int) []string {
	st := c.st
	title := st.Title.Render(model.Sanitize(c.bucket) + " · keys")
	if c.filter != "" {
		title += st.Title.Render(" " + model.Sanitize(c.filter))
	}
	switch {
	case !c.loaded:
		title += st.Muted.Render("  listing…")
	case c.err == "":
		n := model.Plural(len(c.keys), "key", "keys")
		if c.cut {
			n = fmt.Sprintf("first %d keys (more not listed)", len(c.keys))
		}
		title += st.Muted.Render("  " + n)
		switch {
		case c.unwatched != "":
			title += st.Warn.Render(" · " + model.Sanitize(c.unwatched))
		case c.watch != nil:
			title += st.Muted.Render(" · watching")
		}
		if c.dropped > 0 {
			title += st.Warn.Render(fmt.Sprintf(" · %s not shown", model.Plural(c.dropped, "change", "changes")))
		}
	}
	lines := []string{title}
	if c.err != "" {
		return block(append(lines, st.Bad.Render(model.Sanitize(c.err))), w, h)
	}
	if c.loaded && len(c.keys) == 0 {
		none := "no keys in this bucket"
		if c.filter != "" {
			none = "no key matches " + model.Sanitize(c.filter)
		}
		return block(append(lines, st.Muted.Render(none)), w, h)
	}
	lines = append(lines, st.Muted.Render(fit("  KEY", w)))
	for i := c.top; i < len(c.keys) && len(lines) < h; i++ {
		name := model.Sanitize(c.keys[i])
		ch, lit := c.changed[c.keys[i]]
		mark := "  "
		switch {
		case lit && ch.op != "put":
			name += "  ‹" + ch.op + "d›" // ‹deleted›, ‹purged›
		case lit:
			mark = "● "
		}
		l := fit(mark+name, w)
		switch {
		case i == c.sel:
			l = st.Selected.Render(l)
		case lit && ch.op != "put":
			l = st.Muted.Render(l)
		case lit:
			l = st.Accent.Render(l)
		}
		lines = append(lines, l)
	}
	return block(lines, w, h)
}

// kvMarker is what the stream browser shows for a KV delete or purge
// marker in place of its (empty) payload; "" for anything else.
func kvMarker(h model.Header) string {
	var op string
	for k, v := range h {
		if strings.EqualFold(k, "KV-Operation") && len(v) > 0 {
			op = v[0]
		}
	}
	switch op {
	case "DEL":
		return "‹deleted›"
	case "PURGE":
		return "‹purged›"
	}
	return ""
}
