package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// kvView is one bucket's keys.
type kvView struct {
	st     *Styles
	bucket string
	keys   []string
	cut    bool
	err    string
	loaded bool
	sel    int
	top    int
	rows   int // rows that fit, set in Update
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
	v.page = pageKeys
	v.kv = kvView{st: v.st, bucket: bucket}
	v.tag++ // the list's pending refresh is dropped
	v.listing = true
	lister, tag := m.opts.Streams, v.tag
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), streamsTimeout)
		defer cancel()
		keys, cut, err := lister.Keys(ctx, bucket, "", maxKVKeys)
		return kvListedMsg{tag: tag, bucket: bucket, keys: keys, cut: cut, err: err}
	}
}

// kvListed takes a keys listing for the opening that asked.
func (m *Model) kvListed(msg kvListedMsg) {
	v := &m.streams
	if msg.tag != v.tag || v.page != pageKeys || msg.bucket != v.kv.bucket {
		return
	}
	v.listing = false
	c := &v.kv
	c.loaded = true
	if msg.err != nil {
		c.err = firstLine(msg.err.Error())
		return
	}
	c.err, c.keys, c.cut = "", msg.keys, msg.cut
	slices.Sort(c.keys)
}

// kvKey handles a key while a bucket's keys are listed.
func (m *Model) kvKey(msg tea.KeyPressMsg) tea.Cmd {
	k, c := m.keys, &m.streams.kv
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Back):
		m.streams.kv = kvView{}
		return m.closeConsumers() // back to the list, listed again
	case key.Matches(msg, k.Streams):
		m.closeStreams()
	case key.Matches(msg, k.StreamInspect):
		if c.sel >= 0 && c.sel < len(c.keys) {
			return m.openBrowse(kvStreamPrefix+c.bucket, "$KV."+c.bucket+"."+c.keys[c.sel])
		}
	case key.Matches(msg, k.Up):
		c.sel--
	case key.Matches(msg, k.Down):
		c.sel++
	case key.Matches(msg, k.PageUp):
		c.sel -= max(c.rows-1, 1)
	case key.Matches(msg, k.PageDown):
		c.sel += max(c.rows-1, 1)
	case key.Matches(msg, k.Top):
		c.sel = 0
	case key.Matches(msg, k.Bottom):
		c.sel = len(c.keys) - 1
	}
	return nil
}

// kvHelp is the footer's hint while a bucket's keys are listed.
func (k KeyMap) kvHelp() []key.Binding {
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/jk", "move"))
	hist := key.NewBinding(key.WithKeys(k.StreamInspect.Keys()...), key.WithHelp(k.StreamInspect.Help().Key, "history"))
	back := key.NewBinding(key.WithKeys(k.Back.Keys()...), key.WithHelp(k.Back.Help().Key, "streams"))
	closeAll := key.NewBinding(key.WithKeys(k.Streams.Keys()...), key.WithHelp(k.Streams.Help().Key, "close"))
	return []key.Binding{move, hist, back, closeAll, k.Quit}
}

// kvChrome is the title and column lines above the keys.
const kvChrome = 2

// SetHeight keeps the selected key in view (Update's side of View).
func (c *kvView) SetHeight(h int) {
	c.rows = max(h-kvChrome, 1)
	c.sel = min(max(c.sel, 0), max(len(c.keys)-1, 0))
	if c.sel < c.top {
		c.top = c.sel
	}
	if c.sel >= c.top+c.rows {
		c.top = c.sel - c.rows + 1
	}
	c.top = max(min(c.top, len(c.keys)-c.rows), 0)
}

// View draws the keys w x h.
func (c *kvView) View(w, h int) []string {
	st := c.st
	title := st.Title.Render(model.Sanitize(c.bucket) + " · keys")
	switch {
	case !c.loaded:
		title += st.Muted.Render("  listing…")
	case c.err == "":
		n := model.Plural(len(c.keys), "key", "keys")
		if c.cut {
			n = fmt.Sprintf("first %d keys (more not listed)", len(c.keys))
		}
		title += st.Muted.Render("  " + n)
	}
	lines := []string{title}
	if c.err != "" {
		return block(append(lines, st.Bad.Render(model.Sanitize(c.err))), w, h)
	}
	if c.loaded && len(c.keys) == 0 {
		return block(append(lines, st.Muted.Render("no keys in this bucket")), w, h)
	}
	lines = append(lines, st.Muted.Render(fit("KEY", w)))
	for i := c.top; i < len(c.keys) && len(lines) < h; i++ {
		l := fit(model.Sanitize(c.keys[i]), w)
		if i == c.sel {
			l = st.Selected.Render(l)
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
