// Package ui is natsx's terminal interface: one root bubbletea model whose
// Update only dispatches, plain-struct panes that render at a given size,
// one key map and one set of styles.
package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every key natsx answers to. The help screen and the README's
// key table are generated from it, so it is the one place keys are defined.
type KeyMap struct {
	Up, Down, Collapse, Expand, Toggle key.Binding
	Top, Bottom, PageUp, PageDown      key.Binding
	Search, NextMatch, PrevMatch       key.Binding
	Sort, Noise, Help, Quit            key.Binding
	// Reverse turns the tree's sort around (S: J is the streams view).
	Reverse key.Binding
	// Streams opens the JetStream streams view; Consumers opens the
	// selected stream's consumers board there.
	Streams, Consumers key.Binding
	// The stream browser: open it on the selected stream, jump to a
	// sequence or a time, filter by subject, inspect the selected message.
	StreamBrowse, StreamJump, StreamFilter, StreamInspect key.Binding
	// StreamFollow keeps the browser on the newest messages, read again
	// every few seconds, until F again or a move towards older ones.
	StreamFollow key.Binding
	// The actions that remove what a stream keeps, each asked first (off
	// with --read-only): purge the selected stream, or in the browser the
	// selected message's subject; delete the selected message.
	StreamPurge, StreamDelete key.Binding
	// KVPut puts a value in the selected key of a bucket's keys list
	// (StreamDelete deletes it, StreamFilter filters the keys); KVCreate
	// puts a new key there, refused when the key holds a value.
	KVPut, KVCreate key.Binding
	// KVKeys lists the keys of the selected stream's KV bucket.
	KVKeys key.Binding
	// Who and Trace open the answer panel on the selection: who would
	// receive a message there, the path of a traced copy; Again asks
	// again while it is open. TraceDeliver, in the trace panel, publishes
	// the message for real and traces it, asked first (off with
	// --read-only).
	Who, Trace, Again, TraceDeliver key.Binding
	// Back closes the help screen or a request's response.
	Back key.Binding
	// Filter panes and focus.
	Filter, Command, FocusNext, FocusPrev key.Binding
	// Break sets a breakpoint; while the display is stopped at one, it
	// continues to the next match.
	Break                       key.Binding
	Pause, Clear, Rename, Close key.Binding
	PaneLeft, PaneRight         key.Binding
	// Inspector and publishing.
	HistPrev, HistNext, Diff, View, Copy, CopySubject key.Binding
	// Watch watches a JSON field of the inspected message (again: off).
	Watch                  key.Binding
	Publish, Request, Edit key.Binding
	// Recording.
	Record, Mark, SaveFlight key.Binding
	// Zoom gives the focused part the whole body, and back.
	Zoom key.Binding
	// The timeline of `natsx open`; off in the live explorer.
	Play, Faster, Slower, Step, SeekBack, SeekFwd, SeekTo key.Binding
	PrevMarker, NextMarker                                key.Binding
}

// DefaultKeyMap follows k9s/lnav/vim habits.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Collapse:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "collapse / parent")),
		Expand:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "expand / child")),
		Toggle:    key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "expand/collapse")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom / pane: follow")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Search:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search subjects")),
		NextMatch: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevMatch: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort: name/rate/count/bytes")),
		Reverse:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse the sort")),
		Noise:     key.NewBinding(key.WithKeys("."), key.WithHelp(".", "show _INBOX/$SYS")),
		Streams:   key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "JetStream streams")),
		Who:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "who gets this subject/message")),
		Trace:     key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "trace a copy (nothing delivered)")),
		Again:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "ask again (who, trace, servers, conns)")),
		// D deletes a message in the stream browser only; the trace panel
		// is a mode of its own.
		TraceDeliver: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "trace: publish for real and trace it (asks)")),
		Consumers:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "a stream's consumers")),
		Help:         key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:         key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Back:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close help / the response")),
		Filter:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "new filter pane (offers the selected branch)")),
		Command:      key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "commands: filter break rename close save load streams servers conns")),
		Break:        key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "breakpoint; when stopped: continue")),
		FocusNext:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "focus next: tree, panes, inspector")),
		FocusPrev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "focus previous")),
		Pause:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pane: pause (keeps arrivals)/resume")),
		Clear:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "pane: clear")),
		Rename:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "pane: rename (offers the old name)")),
		Close:        key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "pane: close")),
		PaneLeft:     key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "pane: move left")),
		PaneRight:    key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "pane: move right")),

		StreamBrowse:  key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "a stream's messages")),
		StreamJump:    key.NewBinding(key.WithKeys("@"), key.WithHelp("@", "messages: jump to 1234, @15:04, -10m")),
		StreamFilter:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "messages: subject filter; KV keys: key filter")),
		StreamInspect: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "messages: inspect (esc: list)")),
		StreamFollow:  key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "messages: follow the newest (again: off)")),
		StreamPurge:   key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "purge the stream; messages: the subject (asks)")),
		StreamDelete:  key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "messages: delete the selected one; KV keys: the key (asks)")),
		KVKeys:        key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "a KV bucket's keys (enter: a key's history)")),
		KVPut:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "KV keys: put a value in the selected key (asks)")),
		KVCreate:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "KV keys: a new key (asks; never overwrites)")),

		HistPrev:    key.NewBinding(key.WithKeys("["), key.WithHelp("[", "older message")),
		HistNext:    key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "newer message")),
		Diff:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff vs previous")),
		View:        key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "view: auto/text/hex/headers/shape")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy payload (OSC 52)")),
		CopySubject: key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy subject")),
		Watch:       key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "watch a JSON field (chart, pane column); again: off")),
		Publish:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "publish… (to the selected subject)")),
		Request:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "request… (to the selected subject)")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit & resend message")),
		Record:      key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "record start/stop")),
		Mark:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "marker (while recording)")),
		SaveFlight:  key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "save the last minute (flight recorder)")),
		Zoom:        key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom the focused part / back")),

		Play:       off("space", "space", "play/pause"),
		Faster:     off("+", "+", "faster (up to 16x, max)"),
		Slower:     off("-", "-", "slower (down to 0.25x)"),
		Step:       off(".", ".", "step one message"),
		SeekBack:   off("left", "←", "back 10 s"),
		SeekFwd:    off("right", "→", "forward 10 s"),
		SeekTo:     off("t", "t", "seek to a time (1:23, 90s, +10s, @15:04:05)"),
		PrevMarker: off("[", "[", "previous marker"),
		NextMarker: off("]", "]", "next marker"),
	}
}

// off is a disabled binding: the timeline's keys exist only in natsx open.
func off(k, helpKey, desc string) key.Binding {
	b := key.NewBinding(key.WithKeys(k), key.WithHelp(helpKey, desc))
	b.SetEnabled(false)
	return b
}

// TimelineKeyMap turns k (DefaultKeyMap or ReadOnlyKeyMap) into the key
// map of `natsx open`: the timeline takes space, ., ←/→ and [/], so the
// explorer's keys there move: the tree folds with h/l and enter, _ shows
// _INBOX/$SYS, { and } step the history, and a pane's own pause gives way
// to the player's.
func TimelineKeyMap(k KeyMap) KeyMap {
	for _, b := range []*key.Binding{&k.Play, &k.Faster, &k.Slower, &k.Step, &k.SeekBack, &k.SeekFwd,
		&k.SeekTo, &k.PrevMarker, &k.NextMarker} {
		b.SetEnabled(true)
	}
	k.Faster.SetKeys("+", "=")
	rebind(&k.Collapse, "h")
	rebind(&k.Expand, "l")
	rebind(&k.Toggle, "enter")
	rebind(&k.Noise, "_")
	rebind(&k.HistPrev, "{")
	rebind(&k.HistNext, "}")
	k.Pause.SetEnabled(false)
	return k
}

// rebind gives b other keys, keeping what it does.
func rebind(b *key.Binding, keys ...string) {
	b.SetKeys(keys...)
	b.SetHelp(keys[0], b.Help().Desc)
}

// ReadOnlyKeyMap is DefaultKeyMap with publishing and the JetStream
// actions switched off (--read-only): the help screen then leaves those
// keys out.
func ReadOnlyKeyMap() KeyMap {
	k := DefaultKeyMap()
	k.Publish.SetEnabled(false)
	k.Request.SetEnabled(false)
	k.Edit.SetEnabled(false)
	k.StreamPurge.SetEnabled(false)
	k.StreamDelete.SetEnabled(false)
	k.KVPut.SetEnabled(false)
	k.KVCreate.SetEnabled(false)
	k.TraceDeliver.SetEnabled(false)
	return k
}

// ShortHelpFor is the footer's one line of hints for what has focus: the
// keys that act on it, pairs merged so the line fits 80 columns. In natsx
// open the timeline's keys come first whatever has focus.
func (k KeyMap) ShortHelpFor(f focusKind) []key.Binding {
	pair := func(a, b key.Binding, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(help, desc))
	}
	move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓/jk", "move"))
	if k.Play.Enabled() {
		return []key.Binding{hint(k.Play, "play"), key.NewBinding(key.WithKeys("+", "-"), key.WithHelp("+/-", "speed")),
			hint(k.Step, "step"), key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←→", "seek")),
			hint(k.SeekTo, "seek to"), key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[]", "markers")),
			move, k.Help, k.Quit}
	}
	// Each line fits 80 columns; the help screen has the rest.
	move = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "move"))
	switch f {
	case focusPane:
		return []key.Binding{move, hint(k.Pause, "pause"), hint(k.Bottom, "follow"), hint(k.Close, "close"),
			hint(k.Zoom, "zoom"), hint(k.FocusNext, "focus"), k.Help}
	case focusInspector:
		hist := pair(k.HistPrev, k.HistNext, k.HistPrev.Help().Key+k.HistNext.Help().Key, "history")
		return []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")), hist,
			hint(k.Diff, "diff"), hint(k.View, "view"), hint(k.Search, "find"),
			hint(k.Zoom, "zoom"), hint(k.FocusNext, "focus"), k.Help}
	}
	fold := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←→", "fold"))
	return []key.Binding{move, fold, hint(k.Search, "search"), hint(k.Filter, "filter"),
		hint(k.Zoom, "zoom"), hint(k.FocusNext, "focus"), k.Help, k.Quit}
}

// breakHelp is the footer's hint while the display is stopped at a
// breakpoint.
func (k KeyMap) breakHelp() []key.Binding {
	return []key.Binding{
		hint(k.Break, "continue"),
		key.NewBinding(key.WithKeys(k.Command.Keys()...), key.WithHelp(":break", "list · off N · del N")),
	}
}

// KeyGroup is one titled group of the help screen: the keys of one part
// (the tree, the panes, the inspector …) or of everywhere.
type KeyGroup struct {
	Title string
	Keys  []key.Binding
}

// Groups is the help screen: every key, grouped by where it acts. Keys
// that mean something else in another part (/ searches the tree and finds
// in the inspector's payload) are listed in each.
func (k KeyMap) Groups() []KeyGroup {
	as := func(b key.Binding, desc string) key.Binding {
		out := key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
		out.SetEnabled(b.Enabled())
		return out
	}
	return []KeyGroup{
		{"Everywhere", []key.Binding{k.FocusNext, k.FocusPrev, k.Zoom, k.Filter, k.Break, k.Command, k.Help, k.Back, k.Quit}},
		{"Moving (tree, pane, inspector)", []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}},
		{"Subject tree", []key.Binding{k.Expand, k.Collapse, k.Toggle, k.Sort, k.Reverse, k.Noise, k.Search, k.NextMatch, k.PrevMatch}},
		{"Filter pane", []key.Binding{k.Pause, k.Clear, k.Rename, k.Close, k.PaneLeft, k.PaneRight}},
		{"Inspector", []key.Binding{as(k.Up, "inspector: scroll up"), as(k.Down, "inspector: scroll down"),
			as(k.Search, "find in the payload"), as(k.NextMatch, "next find"), as(k.PrevMatch, "previous find"),
			k.HistPrev, k.HistNext, k.Diff, k.View, k.Copy, k.CopySubject, k.Watch}},
		{"JetStream", []key.Binding{k.Streams, k.Consumers, k.StreamBrowse, k.StreamJump, k.StreamFilter, k.StreamInspect,
			k.StreamFollow, k.StreamPurge, k.StreamDelete, k.KVKeys, k.KVPut, k.KVCreate}},
		{"Who gets it", []key.Binding{k.Who, k.Trace, k.TraceDeliver, k.Again}},
		{"Publish", []key.Binding{k.Publish, k.Request, k.Edit}},
		{"Record", []key.Binding{k.Record, k.Mark, k.SaveFlight}},
		{"Timeline (natsx open)", []key.Binding{k.Play, k.Faster, k.Slower, k.Step, k.SeekBack, k.SeekFwd, k.SeekTo, k.PrevMarker, k.NextMarker}},
	}
}

// SearchKeys are the keys of the search prompt (shown in its hint).
type SearchKeys struct {
	Accept, Cancel key.Binding
}

// DefaultSearchKeys accept with enter and cancel with esc.
func DefaultSearchKeys() SearchKeys {
	return SearchKeys{
		Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep match")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// FormKeys are the keys of the publish form (shown in the footer while it
// is open); everything else goes to the focused field.
type FormKeys struct {
	Next, Prev, Send, Cancel key.Binding
	// NextLine ends the subject and reply-to fields; in headers and
	// payload enter is a newline.
	NextLine key.Binding
	Quit     key.Binding
}

// DefaultFormKeys move with tab, send with ctrl+s and cancel with esc.
func DefaultFormKeys() FormKeys {
	return FormKeys{
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/shift+tab", "field")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Send:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextLine: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field (subject, reply-to)")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// ShortHelp is the footer's hint while the form is open.
func (k FormKeys) ShortHelp() []key.Binding { return []key.Binding{k.Next, k.Send, k.Cancel} }

// FullHelp lists the form's keys for the help screen and the README.
func (k FormKeys) FullHelp() []key.Binding {
	next := key.NewBinding(key.WithKeys(k.Next.Keys()...), key.WithHelp("tab", "next field"))
	return []key.Binding{next, k.Prev, k.NextLine, k.Send, k.Cancel}
}

// PromptKeys are the keys of the footer prompt (filter, rename, find,
// seek and ":" commands); every other key edits the answer.
type PromptKeys struct {
	Accept, Cancel, Quit key.Binding
}

// DefaultPromptKeys accept with enter, cancel with esc; ctrl+c still quits.
func DefaultPromptKeys() PromptKeys {
	return PromptKeys{
		Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Quit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// InputHelp is the keys of the inputs, in columns for the help screen and
// the README: the subject search, the footer prompt and the publish form.
// Each is labelled with its input, since enter and esc mean something
// different in each. ctrl+c quits from all of them, as Quit says, so it is
// not listed again (the help screen has no line to spare at 120x32).
func InputHelp() [][]key.Binding {
	s, p, f := DefaultSearchKeys(), DefaultPromptKeys(), DefaultFormKeys()
	return [][]key.Binding{
		{labeled("search", s.Accept), labeled("search", s.Cancel)},
		{labeled("prompt", p.Accept), labeled("prompt", p.Cancel)},
		labeledAll("form", f.FullHelp()),
	}
}

// labeled is b with its description prefixed by the input it belongs to.
func labeled(input string, b key.Binding) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, input+": "+b.Help().Desc))
}

func labeledAll(input string, bs []key.Binding) []key.Binding {
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = labeled(input, b)
	}
	return out
}

// moveBy is where a list's selection (or scroll) at pos goes for msg: a
// line up or down, a page of page lines, the top or last; ok is false for
// any other key. The streams list, the consumers board, the KV keys and
// the answer panel all move this way.
func (k KeyMap) moveBy(msg tea.KeyPressMsg, pos, page, last int) (int, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return pos - 1, true
	case key.Matches(msg, k.Down):
		return pos + 1, true
	case key.Matches(msg, k.PageUp):
		return pos - page, true
	case key.Matches(msg, k.PageDown):
		return pos + page, true
	case key.Matches(msg, k.Top):
		return 0, true
	case key.Matches(msg, k.Bottom):
		return last, true
	}
	return pos, false
}

// isMove reports whether msg is one of moveBy's keys.
func (k KeyMap) isMove(msg tea.KeyPressMsg) bool {
	_, ok := k.moveBy(msg, 0, 0, 0)
	return ok
}
