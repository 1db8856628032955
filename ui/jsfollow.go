package ui

import (
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// Following the stream browser's end (F): while on, the streams view's
// tick (streamsTickMsg, every followEvery) reads what was stored after the
// newest message shown, one read in flight at most and never per message,
// and the selection stays on the newest. Moving towards older messages, a
// jump or F again turns it off.

// followEvery is how often a followed stream is read again.
const followEvery = 2 * time.Second

// toggleFollow is F in the browser: on, it reads the end now and arms the
// tick; off, it drops a follow read still running.
func (m *Model) toggleFollow() tea.Cmd {
	v, b := &m.streams, &m.streams.browse
	if b.follow {
		m.stopFollow()
		return nil
	}
	if m.opts.Streams == nil {
		return nil
	}
	b.follow, b.followLast = true, true
	v.tag++ // a tick of an earlier follow is dropped: one chain at a time
	m.setFlash("following the newest messages", false)
	return tea.Batch(m.readFollow(), streamsTickIn(followEvery, v.tag))
}

// streamsTickIn arms the streams view's tick for opening tag: the
// listing's refresh, the board's, a followed stream's read.
func streamsTickIn(d time.Duration, tag int) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return streamsTickMsg{tag: tag} })
}

// stopFollow turns following off, and says so; a follow read still
// running is dropped (its tag), so a read the user asks for next is not
// refused.
func (m *Model) stopFollow() {
	b := &m.streams.browse
	if !b.follow {
		return
	}
	b.follow = false
	m.setFlash("follow off", false)
	if b.followRead {
		b.tag++
		b.reading, b.followRead = false, false
	}
}

// followTicked reads the end again if following is on, and re-arms the
// tick. While a read runs (the user's or the last tick's) this tick reads
// nothing: readPage starts none.
func (m *Model) followTicked(tag int) tea.Cmd {
	if !m.streams.browse.follow {
		return nil // the chain ends
	}
	return tea.Batch(m.readFollow(), streamsTickIn(followEvery, tag))
}

// readFollow reads what follows the newest message shown (the end itself
// when nothing is shown or the last read was full: more may be behind it).
func (m *Model) readFollow() tea.Cmd {
	b := &m.streams.browse
	q := model.PageQuery{Last: true}
	if n := len(b.page.Msgs); n > 0 && !b.followLast {
		q = model.PageQuery{From: b.page.Msgs[n-1].Seq + 1}
	}
	read := m.readPage(q, placeLast, "", true)
	if read == nil {
		return nil
	}
	b.followRead = true
	return func() tea.Msg {
		msg, _ := read().(pageReadMsg)
		msg.follow = true
		return msg
	}
}

// followed takes a follow read: new messages join the page (the oldest
// leave past browsePage), or the end read again replaces it; the
// selection goes to the newest. Nothing new changes only the counts.
func (m *Model) followed(msg pageReadMsg) {
	b := &m.streams.browse
	b.followRead = false
	if !b.follow {
		return
	}
	if msg.err != nil {
		b.err = firstLine(msg.err.Error()) // the next tick tries again
		return
	}
	b.err = ""
	p := msg.page
	got := len(p.Msgs)
	if !msg.q.Last {
		p.Msgs = slices.Concat(b.page.Msgs, p.Msgs)
		p.Msgs = p.Msgs[max(len(p.Msgs)-browsePage, 0):]
		// What the stream no longer holds below its first sequence (a
		// work queue's acked jobs, a limit's or a purge's) leaves the page.
		p.Msgs = slices.DeleteFunc(p.Msgs, func(sm model.StoredMessage) bool { return sm.Seq < p.FirstSeq })
	}
	b.page, b.loaded = p, true
	// A full read of what followed: more may be behind it, so the next
	// takes the end; after the end, what follows it.
	b.followLast = !msg.q.Last && got >= browsePage
	b.sel = max(len(b.page.Msgs)-1, 0)
	if len(b.page.Msgs) == 0 {
		m.closeBrowseInspector()
	}
	m.pinBrowsed()
}
