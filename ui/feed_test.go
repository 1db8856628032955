package ui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// countingFeed is a feed that counts its reads: a read while a batch is
// still being applied would overwrite the batch's buffer.
type countingFeed struct {
	feed
	reads atomic.Int32
}

func (f *countingFeed) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	f.reads.Add(1)
	return f.feed.Read(cursor, buf)
}

// fakeIngestClock makes every read of the ingest's clock 100 µs later, so
// the budget runs out after a known amount of work however fast the
// machine: ApplyBudget/100 µs blocks per Update.
func fakeIngestClock(t *testing.T) {
	t.Helper()
	now := time.Unix(1_700_000_000, 0)
	ingestClock = func() time.Time { now = now.Add(100 * time.Microsecond); return now }
	t.Cleanup(func() { ingestClock = time.Now })
}

// nextMsgs runs cmd and returns the batch messages it produced: the rest of
// a batch (begun) or a new pull.
func nextMsgs(t *testing.T, cmd tea.Cmd) (rest, pulled []batchMsg) {
	t.Helper()
	for _, msg := range runCmds(cmd) {
		if b, ok := msg.(batchMsg); ok {
			if b.begun {
				rest = append(rest, b)
			} else {
				pulled = append(pulled, b)
			}
		}
	}
	return rest, pulled
}

// TestBigBatchInPartsKeysBetween: a pull of 20,000 messages is applied over
// several Updates, none doing more than the budget; a key pressed in
// between is handled at once, on the rows as they are; the feed is not
// read again (its buffer still holds the rest) until the last part, and
// every message is counted exactly once.
func TestBigBatchInPartsKeysBetween(t *testing.T) {
	fakeIngestClock(t)
	const n = 20_000
	m, f, b := bigBatch(t, n)
	if b.n != n || f.reads.Load() != 1 {
		t.Fatalf("pulled %d messages in %d reads, want %d in 1", b.n, f.reads.Load(), n)
	}
	perUpdate := int(ApplyBudget/(100*time.Microsecond)) * model.ApplyCheck
	cmd := send(m, b)
	parts, keyAt := 1, 0
	for {
		rest, pulled := nextMsgs(t, cmd)
		if len(pulled) > 0 {
			if len(rest) != 0 || len(pulled) != 1 {
				t.Fatalf("after part %d: %d parts and %d pulls at once", parts, len(rest), len(pulled))
			}
			break
		}
		if len(rest) != 1 {
			t.Fatalf("after part %d (%d of %d counted): %d rests and no pull, want one", parts, m.ex.Tree().Msgs, n, len(rest))
		}
		if got := int(m.ex.Tree().Msgs); got > parts*perUpdate || got < parts*perUpdate-model.ApplyCheck {
			t.Fatalf("after %d parts %d messages counted, want about %d an Update", parts, got, perUpdate)
		}
		if reads := f.reads.Load(); reads != 1 {
			t.Fatalf("the feed was read %d times while the batch's rest was pending", reads)
		}
		if parts == 2 {
			// A key between two parts moves the selection now.
			keyAt = int(m.ex.Tree().Msgs)
			before := m.ex.TreeView().Selected()
			send(m, press("down"))
			if after := m.ex.TreeView().Selected(); after == before || after.IsZero() {
				t.Fatalf("down between parts: selection %v → %v", before, after)
			}
			if int(m.ex.Tree().Msgs) != keyAt {
				t.Fatal("the key applied messages")
			}
		}
		cmd = send(m, rest[0])
		parts++
	}
	if parts < n/perUpdate || keyAt == 0 {
		t.Fatalf("%d parts (key after %d messages), want at least %d", parts, keyAt, n/perUpdate)
	}
	tr := m.ex.Tree()
	if tr.Msgs != n || tr.Subjects() != 5000 || m.cursor != n {
		t.Fatalf("counted %d messages on %d subjects, cursor %d: want %d on 5000, cursor %d", tr.Msgs, tr.Subjects(), m.cursor, n, n)
	}
	for i := range m.buf {
		if m.buf[i].Data != nil {
			t.Fatalf("buf[%d] still references a payload after the batch", i)
		}
	}
	if len(m.ex.TreeView().Rows()) != 5000 {
		t.Errorf("%d rows after the last part, want every root", len(m.ex.TreeView().Rows()))
	}
}

// TestBigBatchInPartsRewind: in natsx open, a rewind marker in the middle
// of a batch applied in parts still starts the counts over exactly after
// it.
func TestBigBatchInPartsRewind(t *testing.T) {
	fakeIngestClock(t)
	const n, marker = 20_000, 12_345
	tl := &orderTimeline{}
	f := &countingFeed{}
	f.status = model.SourceStatus{State: model.StateConnected, Tap: ">"}
	var ms []model.Message
	for i := range n {
		subj := fmt.Sprintf("r%d.x", i%300)
		if i == marker {
			subj = tl.RewindSubject()
		}
		ms = append(ms, msgsOn(tlStart.Add(time.Duration(i)*time.Millisecond), subj)...)
	}
	f.publish(ms...)
	m := New(Options{Source: f, Timeline: tl, Start: tlStart, BatchSize: n})
	b, _ := runPull(t, m.pullCmd(0))
	cmd, parts := send(m, b), 1
	for {
		rest, _ := nextMsgs(t, cmd)
		if len(rest) == 0 {
			break
		}
		cmd = send(m, rest[0])
		parts++
	}
	if tr := m.ex.Tree(); parts < 2 || tr.Msgs != n-marker-1 || !tr.Find(tl.RewindSubject()).IsZero() {
		t.Fatalf("%d parts: counted %d, want the %d after the marker", parts, tr.Msgs, n-marker-1)
	}
	if since, want := m.ex.Tree().Since(), tlStart.Add((marker+1)*time.Millisecond).UnixNano(); since > want {
		t.Errorf("counts start at %d, want by %d (the first message after the marker)", since, want)
	}
}

// TestFrameBetweenParts: between two parts of a batch View gives the last
// frame again while it is younger than a frame (bubbletea draws at most
// FPS of them); a key, a frame's age or the batch's last part draw afresh.
func TestFrameBetweenParts(t *testing.T) {
	fakeIngestClock(t)
	at := time.Unix(1_700_000_000, 0)
	frameClock = func() time.Time { return at }
	t.Cleanup(func() { frameClock = time.Now })
	const n = 20_000
	m, _, b := bigBatch(t, n)
	part := func(cmd tea.Cmd) (tea.Cmd, bool) {
		t.Helper()
		rest, pulled := nextMsgs(t, cmd)
		if len(pulled) > 0 {
			return nil, false
		}
		return send(m, rest[0]), true
	}
	cmd := send(m, b)
	first := m.View().Content
	cmd, more := part(cmd)
	if !more || m.View().Content != first {
		t.Fatal("between two parts within a frame: a new frame drawn")
	}
	send(m, press("down"))
	moved := m.View().Content
	if moved == first {
		t.Fatal("a key between two parts: the frame was not drawn again")
	}
	cmd, _ = part(cmd)
	if m.View().Content != moved {
		t.Fatal("the part after a key, within a frame: a new frame drawn")
	}
	at = at.Add(time.Second / FPS)
	cmd, _ = part(cmd)
	aged := m.View().Content
	if aged == moved {
		t.Fatal("a frame old: not drawn again")
	}
	for more := true; more && m.midBatch; {
		if cmd, more = part(cmd); m.midBatch && m.View().Content != aged {
			t.Fatal("a new frame within a frame's time")
		}
	}
	if m.ex.Tree().Msgs != n || !strings.Contains(m.View().Content, "msgs 20k") {
		t.Fatalf("after the last part (%d counted) the frame does not show them:\n%s", m.ex.Tree().Msgs, m.View().Content)
	}
}

// bigBatch is a model on a feed of n messages over 5,000 subjects and its
// first pull, of all of them.
func bigBatch(t *testing.T, n int) (*Model, *countingFeed, batchMsg) {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	f := &countingFeed{}
	f.status = model.SourceStatus{State: model.StateConnected, Tap: ">"}
	var ms []model.Message
	for i := range n {
		ms = append(ms, msgsOn(start, fmt.Sprintf("r%d.x", i%5000))...)
	}
	f.publish(ms...)
	m := New(Options{Source: f, Start: start, BatchSize: n})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	b, _ := runPull(t, m.pullCmd(0))
	return m, f, b
}
