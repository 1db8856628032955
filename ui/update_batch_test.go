package ui

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/model"
)

// feed is a test double of Source: a bounded, slice-backed store with the
// engine's Read semantics. A reader whose cursor fell behind the oldest held
// message learns how many it missed; a cursor past the head is clamped.
type feed struct {
	mu     sync.Mutex
	msgs   []model.Message // held messages, oldest first
	start  uint64          // sequence number of msgs[0]
	limit  int             // most messages held, 0 for no bound
	status model.SourceStatus
}

// publish appends messages, numbering them and dropping the oldest beyond
// the limit as the engine's store does.
func (f *feed) publish(ms ...model.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range ms {
		m.Seq = f.start + uint64(len(f.msgs))
		f.msgs = append(f.msgs, m)
		if f.limit > 0 && len(f.msgs) > f.limit {
			drop := len(f.msgs) - f.limit
			f.msgs = slices.Delete(f.msgs, 0, drop)
			f.start += uint64(drop)
		}
	}
}

func (f *feed) setStatus(s model.SourceStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = s
}

func (f *feed) Read(cursor uint64, buf []model.Message) (n int, next, missed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	head := f.start + uint64(len(f.msgs))
	if cursor < f.start {
		missed = f.start - cursor
		cursor = f.start
	}
	cursor = min(cursor, head)
	n = copy(buf, f.msgs[cursor-f.start:])
	return n, cursor + uint64(n), missed
}

func (f *feed) Status() model.SourceStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

var _ Source = (*feed)(nil)

// runPull executes a pull command inside a synctest bubble and returns its
// message and how long (in the bubble's fake time) it waited before reading.
func runPull(t *testing.T, cmd tea.Cmd) (batchMsg, time.Duration) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no pull command")
	}
	begin := time.Now()
	msg := cmd()
	b, ok := msg.(batchMsg)
	if !ok {
		t.Fatalf("pull produced %T, want batchMsg", msg)
	}
	return b, time.Since(begin)
}

func TestInitPullsFromSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &feed{status: model.SourceStatus{URL: "nats://x", State: model.StateConnected}}
		f.publish(msgsOn(time.Now(), "a.b", "a.c")...)
		m := New(Options{Source: f, Start: time.Now()})
		cmd := m.Init()
		if cmd == nil {
			t.Fatal("Init returned no command")
		}
		// Init batches the background-colour query with the first pull.
		msg := cmd()
		batch, ok := msg.(tea.BatchMsg)
		if !ok {
			t.Fatalf("Init's command produced %T, want tea.BatchMsg", msg)
		}
		var pulls []batchMsg
		for _, c := range batch {
			if c == nil {
				continue
			}
			if b, ok := c().(batchMsg); ok {
				pulls = append(pulls, b)
			}
		}
		if len(pulls) != 1 {
			t.Fatalf("Init started %d pulls, want 1", len(pulls))
		}
		if b := pulls[0]; b.n != 2 || b.next != 2 {
			t.Errorf("first pull: n=%d next=%d, want n=2 next=2", b.n, b.next)
		}
	})
}

func TestInitWithoutSource(t *testing.T) {
	m := New(Options{Start: time.Unix(1e9, 0)})
	if m.Init() == nil {
		t.Fatal("Init returned no command; want at least the background query")
	}
}

func TestBatchApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		st := model.SourceStatus{URL: "nats://demo:4222", State: model.StateConnected, ClientDropped: 3, ServerDropped: -1}
		f := &feed{limit: 4, status: st}
		m := New(Options{Source: f, Start: start})

		// Ten published, four held: the reader at 0 missed six.
		var ms []model.Message
		for i := range 10 {
			ms = append(ms, msgsOn(start, []string{"a.x", "a.y", "b"}[i%3])...)
		}
		f.publish(ms...)
		b, waited := runPull(t, m.pullCmd(TickInterval))
		if waited != TickInterval {
			t.Errorf("first pull waited %v, want %v", waited, TickInterval)
		}
		cmd := send(m, b)

		if got := m.ex.Tree().Msgs; got != 4 {
			t.Errorf("tree msgs = %d, want 4", got)
		}
		// Messages 6..9 are on a.x, a.y, b, a.x: nodes a, a.x, a.y, b.
		if got := m.ex.Tree().Len(); got != 4 {
			t.Errorf("tree nodes = %d, want 4", got)
		}
		if n := m.ex.Tree().Find("a.x"); n.IsZero() || n.Msgs() != 2 {
			t.Errorf("a.x = %+v, want 2 messages", n)
		}
		if m.cursor != 10 {
			t.Errorf("cursor = %d, want 10", m.cursor)
		}
		if m.storeDropped != 6 {
			t.Errorf("storeDropped = %d, want 6", m.storeDropped)
		}
		if !reflect.DeepEqual(m.ex.Status(), st) {
			t.Errorf("status = %+v, want %+v", m.ex.Status(), st)
		}
		if !m.ex.Now().Equal(time.Now()) {
			t.Errorf("now = %v, want the batch's read time %v", m.ex.Now(), time.Now())
		}
		if len(m.ex.TreeView().Rows()) == 0 {
			t.Error("view not refreshed after the batch")
		}
		for i := range m.buf {
			if m.buf[i].Data != nil {
				t.Fatalf("buf[%d] still references a payload after the batch", i)
			}
		}

		// Not a full buffer: the next pull waits a tick and reads from the
		// new cursor, with the status as it is then.
		st.State = model.StateReconnecting
		st.Reconnects = 1
		f.setStatus(st)
		f.publish(msgsOn(time.Now(), "c")...)
		b, waited = runPull(t, cmd)
		if waited != TickInterval {
			t.Errorf("re-armed pull waited %v, want %v", waited, TickInterval)
		}
		if b.n != 1 || b.missed != 0 || b.next != 11 || b.buf[0].Subject != "c" {
			t.Fatalf("re-armed pull: n=%d missed=%d next=%d, want the one new message on c", b.n, b.missed, b.next)
		}
		send(m, b)
		if m.ex.Tree().Msgs != 5 || m.cursor != 11 || m.storeDropped != 6 || !reflect.DeepEqual(m.ex.Status(), st) {
			t.Errorf("after second batch: msgs=%d cursor=%d dropped=%d status=%+v", m.ex.Tree().Msgs, m.cursor, m.storeDropped, m.ex.Status())
		}

		// Falling behind again adds to the drop count.
		f.publish(msgsOn(time.Now(), "d", "d", "d", "d", "d", "d")...) // 11..16, 13..16 held
		b, _ = runPull(t, m.pullCmd(0))
		send(m, b)
		if m.storeDropped != 8 {
			t.Errorf("storeDropped = %d after missing two more, want 8", m.storeDropped)
		}
	})
}

func TestFullBatchPullsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &feed{}
		m := New(Options{Source: f, Start: time.Now(), BatchSize: 4})
		var ms []model.Message
		for range 10 {
			ms = append(ms, msgsOn(time.Now(), "s")...)
		}
		f.publish(ms...)

		// 10 waiting, 4 per batch: full, full, then 2 and back to the tick.
		want := []struct {
			n      int
			next   uint64
			waited time.Duration
		}{{4, 4, TickInterval}, {4, 8, 0}, {2, 10, 0}, {0, 10, TickInterval}}
		cmd := m.pullCmd(TickInterval)
		for i, w := range want {
			b, waited := runPull(t, cmd)
			if b.n != w.n || b.next != w.next || waited != w.waited {
				t.Fatalf("pull %d: n=%d next=%d waited %v, want n=%d next=%d waited %v", i, b.n, b.next, waited, w.n, w.next, w.waited)
			}
			cmd = send(m, b)
			if cmd == nil {
				t.Fatalf("batch %d did not re-arm the pull", i)
			}
		}
		if m.ex.Tree().Msgs != 10 {
			t.Errorf("tree msgs = %d, want 10", m.ex.Tree().Msgs)
		}
	})
}
