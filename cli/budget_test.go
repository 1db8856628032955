package cli

import (
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit"
	"natsx/ui"
)

func TestSplitBudget(t *testing.T) {
	const mib = 1 << 20
	for _, total := range []int64{16 * mib, 64 * mib, 256 * mib, 1 << 30, 1 << 40} {
		b := SplitBudget(total)
		parts := b.Garbage + b.Store + b.Pending + b.Batch + b.Flight + b.Tree
		if parts != total {
			t.Errorf("%d MiB: the parts add up to %d, not the budget %d", total/mib, parts, total)
		}
		if b.Tree < total/2 {
			t.Errorf("%d MiB: the tree gets %d MiB, less than half", total/mib, b.Tree/mib)
		}
		so := engine.StoreOptionsFor(b.Store)
		if so.MaxMemory > b.Store {
			t.Errorf("%d MiB: the store's bound %d exceeds its share %d", total/mib, so.MaxMemory, b.Store)
		}
		if held := b.Store / (engine.SlotBytes + 32); int64(b.BatchSize) > held/2 {
			t.Errorf("%d MiB: a pull of %d messages from a store of %d", total/mib, b.BatchSize, held)
		}
	}
	// The default budget keeps RSS within itself plus the headroom: the
	// live part grown by the tuner's least GOGC and the scavenger's 10%.
	b := SplitBudget(256 * mib)
	if live := b.Total - b.Garbage; (live+live*MinGCPercent/100)*11/10+gcOverhead > b.Total+gcHeadroom {
		t.Errorf("live part %d MiB: with its garbage, over the budget plus the headroom", live/mib)
	}
}

// TestChargeBaseRefusesATooSmallBudget: a budget the process does not fit
// in is one clear error, not a tree of nothing.
func TestChargeBaseRefusesATooSmallBudget(t *testing.T) {
	b := SplitBudget(16 << 20)
	b.Tree = 2 << 20 // as if the buffers' floors took the rest
	sess, err := engine.Open(BudgetSession(engine.SessionOptions{Embedded: &engine.EmbeddedOptions{RandomPort: true}}, b))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	big := make([]byte, 4<<20) // the process holds more than the tree's part
	err = ChargeBase(&b, sess)
	runtime.KeepAlive(big)
	if err == nil || !regexp.MustCompile(`--max-memory 16 MiB is too small: .* at least`).MatchString(err.Error()) {
		t.Fatalf("err = %v, want --max-memory ... is too small", err)
	}
}

// TestBudgetIsTheProcess floods the explorer, wired as natsx wires it, with
// more distinct subjects and bytes than a 96 MiB budget holds, through a
// real nats-server, and checks that the header's mem is what the process
// holds (the Go heap in use after a collection, within 10%), that it stays
// within the budget's live part, and that each buffer on the way stays
// within its share. Before the budget covered the process, the header
// counted only the tree and the panes: 0.55 of the heap here (96 MiB
// shown, 176 MiB held).
func TestBudgetIsTheProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("floods 400,000 subjects")
	}
	const total, subjects = 96 << 20, 400_000
	srv := testkit.Server(t)
	pub := testkit.Conn(t, srv.ClientURL())

	b, sess := budgetedSession(t, srv.ClientURL(), total)
	o := ExplorerOptions(sess, "test", b)
	src := &countedSource{Session: sess}
	o.Source, o.Start = src, time.Now()
	m := ui.New(o)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})

	payload := make([]byte, 48)
	go func() {
		for i := range subjects {
			_ = pub.Publish(fmt.Sprintf("drivers.city%d.%d", i%50, i), payload)
		}
		_ = pub.Flush()
	}()
	// Every message is read, dropped by the store or by nats.go's pending
	// bound (the publisher is in process, faster than any reader).
	driveUI(t, m, func() bool { return src.seen.Load()+int64(sess.Status().ClientDropped) >= subjects }, 60*time.Second)

	runtime.GC()
	heap := heapObjects()
	held, budget := headerMem(t, m)
	t.Logf("header mem %.1f/%.1f MiB, heap in use %.1f MiB (%.3f); base %.1f MiB, session %.1f MiB, store drops %d, client drops %d",
		mib(held), mib(budget), mib(heap), float64(held)/float64(heap), mib(b.Base), mib(sess.Memory()), src.missed.Load(),
		sess.Status().ClientDropped)
	if r := float64(held) / float64(heap); r < 0.9 || r > 1.1 {
		t.Errorf("the header's mem %.1f MiB is %.2f of the heap in use (%.1f MiB)", mib(held), r, mib(heap))
	}
	if budget != total {
		t.Errorf("the header's budget %d, want --max-memory %d", budget, total)
	}
	if live := b.Total - b.Garbage; held > live*21/20 {
		t.Errorf("the header's mem %.1f MiB is over the budget's live part %.1f MiB", mib(held), mib(live))
	}
	if got := sess.Memory(); got > b.Store+b.Pending {
		t.Errorf("the session holds %.1f MiB, over its shares %.1f + %.1f MiB", mib(got), mib(b.Store), mib(b.Pending))
	}
	if got := sess.Memory(); got < b.Store/2 {
		t.Errorf("the session holds %.1f MiB of a %.1f MiB share: the flood did not fill it", mib(got), mib(b.Store))
	}
	fl := o.Recorder.Flight.(interface{ Memory() int64 })
	if got := fl.Memory(); got > b.Flight || got < b.Flight/2 {
		t.Errorf("the flight recorder holds %.1f MiB of a %.1f MiB share (want it full, not over)", mib(got), mib(b.Flight))
	}
	runtime.KeepAlive(m)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// countedSource counts what the UI read from the store and what the store
// dropped before it could.
type countedSource struct {
	*engine.Session
	seen, missed atomic.Int64
}

func (c *countedSource) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	n, next, missed := c.Session.Read(cursor, buf)
	c.seen.Add(int64(n) + int64(missed))
	c.missed.Add(int64(missed))
	return n, next, missed
}

// driveUI runs m's commands and updates on this goroutine, as bubbletea's
// loop does without a terminal, until done has held for a few idle pulls
// (the last batch applied), or fails after timeout.
func driveUI(t *testing.T, m *ui.Model, done func() bool, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var doneAt time.Time
	queue := []tea.Cmd{m.Init()}
	for len(queue) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the flood did not reach the UI in time:\n%s", m.Render())
		}
		if doneAt.IsZero() && done() {
			doneAt = time.Now()
		}
		if !doneAt.IsZero() && time.Since(doneAt) > 500*time.Millisecond {
			return
		}
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, c := m.Update(msg)
			queue = append(queue, c)
		}
	}
}

var memRe = regexp.MustCompile(`mem ([0-9.]+) (B|KiB|MiB|GiB)/([0-9.]+) (B|KiB|MiB|GiB)`)

// headerMem reads the header's mem as drawn.
func headerMem(t *testing.T, m *ui.Model) (held, budget int64) {
	t.Helper()
	g := memRe.FindStringSubmatch(m.Render())
	if g == nil {
		t.Fatalf("no mem in the header:\n%s", m.Render())
	}
	unit := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	v := func(num, u string) int64 {
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			t.Fatal(err)
		}
		return int64(f * unit[u])
	}
	return v(g[1], g[2]), v(g[3], g[4])
}

// TestDefaultBudgetHolds1MSubjects: issue 11's target 3 — the subjects of
// a 1M-subject flood of 16-byte messages (nats bench's "sub.N") fit in the
// default budget's share for the tree, as natsx charges it against a real
// session, each with its last message: nothing evicted, nothing pruned.
func TestDefaultBudgetHolds1MSubjects(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 1M subjects")
	}
	// natsx charges its base at start, in a process of its own; after the
	// other tests of this binary, what they leave behind for a moment is
	// charged too (a CI run charged 15.6 MiB instead of 1-2, and the
	// tree's share fell 14 MiB short).
	if !testkit.Alone(t) {
		return
	}
	srv := testkit.Server(t)
	b, _ := budgetedSession(t, srv.ClientURL(), 256<<20)
	tr := model.NewTree(model.TreeOptions{MaxMemory: b.Tree}, time.Now().UnixNano())
	payload := make([]byte, 16)
	at := time.Now().UnixNano()
	for i := range 1_000_000 {
		tr.Apply(&model.Message{Subject: "sub." + strconv.Itoa(i), Received: at + int64(i)*200, Data: payload, Size: len(payload)})
	}
	t.Logf("tree share %.1f MiB (base %.1f), holds %.1f MiB: %d subjects, evicted %d, pruned %d",
		mib(b.Tree), mib(b.Base), mib(tr.MemoryUsed()), tr.Subjects(), tr.Evicted, tr.Pruned)
	if tr.Evicted != 0 || tr.Pruned != 0 || tr.Subjects() != 1_000_000 {
		t.Fatalf("1M subjects in %.1f MiB: %d held, evicted %d, pruned %d; want all, none, none",
			mib(b.Tree), tr.Subjects(), tr.Evicted, tr.Pruned)
	}
}

// budgetedSession opens natsx's session on url with total (--max-memory)
// shared out and the base charged, as natsx wires it; closed at cleanup.
func budgetedSession(t *testing.T, url string, total int64) (model.Budget, *engine.Session) {
	t.Helper()
	b := SplitBudget(total)
	sess, err := engine.Open(BudgetSession(engine.SessionOptions{Conn: engine.ConnOptions{Servers: url, Name: "natsx"}}, b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sess.Close)
	if err := ChargeBase(&b, sess); err != nil {
		t.Fatal(err)
	}
	return b, sess
}

// TestStoreHoldsAFloodsBacklog: at the default budget the store's share
// holds as many messages as fit, whatever their size: 630,000 of nats
// bench's flood (16-byte payloads on 13-byte subjects), 570,000 of the
// bench's (19-byte subjects), 31,000 of 1 KiB. With 80-byte slots, a
// power of two of them (262,144) took 20 MiB of the 33, whatever the
// messages; 48-byte slots in three fifths of it held 284k of the bench's,
// in all of it 351k (382k counted by the allocator's size classes);
// 40-byte slots pointing at nats.go's allocations held 422k (469k of nats
// bench's); 24-byte slots and the bytes copied into pages, 575k (640k).
func TestStoreHoldsAFloodsBacklog(t *testing.T) {
	b := SplitBudget(256 << 20)
	for _, tc := range []struct {
		name    string
		subject string
		size    int
		want    uint64
	}{
		{"nats bench", "bench.%07d", 16, 630_000},
		{"go run ./bench", "bench.999.99.%06d", 16, 570_000},
		{"1 KiB", "bench.%07d", 1024, 31_000},
	} {
		s := engine.NewStore(engine.StoreOptionsFor(b.Store))
		data := make([]byte, tc.size)
		for i := range 2 * tc.want {
			s.Append(model.Message{Subject: fmt.Sprintf(tc.subject, i), Data: data, Size: len(data)})
		}
		held := s.Head() - firstHeld(s)
		t.Logf("%s: store share %.1f MiB: %d messages held, %.1f MiB counted", tc.name, float64(b.Store)/(1<<20), held, float64(s.Memory())/(1<<20))
		if held < tc.want {
			t.Errorf("%s: the store holds %d of the flood's messages, want at least %d", tc.name, held, tc.want)
		}
		if s.Memory() > b.Store {
			t.Errorf("%s: the store counts %d bytes, over its share %d", tc.name, s.Memory(), b.Store)
		}
	}
}

// firstHeld is the sequence of the oldest message s holds.
func firstHeld(s *engine.Store) uint64 {
	buf := make([]model.Message, 1)
	n, next, _ := s.Read(0, buf)
	if n == 0 {
		return next
	}
	return buf[0].Seq
}
