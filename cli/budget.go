package cli

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"unsafe"

	"natsx/engine"
	"natsx/model"
)

// Shares of the live part of --max-memory (ExplorerLive) for what holds
// traffic on its way to the tree, with their floors and caps. The store
// gets the most: it holds a flood's backlog (at 256 MiB, 33 MiB: 640k
// messages of nats bench's 16-byte flood, 575k of go run ./bench's, whose
// 1M-subject flood at 450-700k msg/s left the UI up to 409k behind; a
// store of 262,144 dropped messages in 7 rounds of 25, one of 427k
// slots in 3, one whose slots follow the messages in none of 15).
// nats.go's pending queue only fills while the tap's callback waits for a
// core (a busy machine: with 14 MiB, 50k messages, the 2M-message flood
// over 100k subjects lost 82k there at a load average of 6 on 2 cores;
// its limits follow the messages' size, 89k of a 16-byte flood, and the
// 1M-subject flood lost messages there in 4 rounds of 15 with 51k, none
// with 89k).
// The flight recorder keeps the last minute of moderate traffic (500
// msg/s of 200 bytes in 7 MiB), or the last second of a flood. The tree
// and the panes get the rest: about two thirds of the budget at 256 MiB
// (171 MiB).
const (
	storeShare, minStore, maxStore       = 7, 2 << 20, 64 << 20
	pendingShare, minPending, maxPending = 16, 1 << 20, 32 << 20
	flightShare, minFlight, maxFlight    = 32, 1 << 20, 64 << 20
	// A pull reads a sixteenth of the small messages the store holds (a
	// slot and 32 bytes in a page each: floodMsgBytes), within these: small enough
	// that its slots cost little, big enough that a backlog is read in
	// few pulls (each is applied in ApplyBudget parts anyway).
	minBatch, maxBatch = 1 << 10, 1 << 16
	floodMsgBytes      = engine.SlotBytes + 32
	// minTree is the least the tree and the panes run in.
	minTree = 1 << 20
)

// SplitBudget shares total (--max-memory) out over the process: garbage
// room for the collector (see ExplorerLive), the store, nats.go's pending
// queue, the pull buffer and the flight recorder by the shares above, and
// the rest to the tree and the panes. ChargeBase then takes what the
// process holds before any traffic out of the tree's part.
func SplitBudget(total int64) model.Budget {
	live := ExplorerLive(total)
	b := model.Budget{
		Total:   total,
		Garbage: total - live,
		Store:   min(max(live/storeShare, minStore), maxStore),
		Pending: min(max(live/pendingShare, minPending), maxPending),
		Flight:  min(max(live/flightShare, minFlight), maxFlight),
	}
	b.BatchSize = int(min(max(b.Store/floodMsgBytes/16, minBatch), maxBatch))
	b.Batch = int64(b.BatchSize) * int64(unsafe.Sizeof(model.Message{}))
	b.Tree = live - b.Store - b.Pending - b.Flight - b.Batch
	return b
}

// BudgetSession is so with its store and pending queue bounded by b.
func BudgetSession(so engine.SessionOptions, b model.Budget) engine.SessionOptions {
	so.Store = engine.StoreOptionsFor(b.Store)
	so.PendingMemory = b.Pending
	return so
}

// ChargeBase measures the heap the process holds with sess open and no
// traffic read yet (after a collection: what is live), less what sess
// holds for the traffic (charged on its own), and takes it out of the
// tree's part as b.Base. An embedded broker, a capture player and the
// libraries are all in it. It fails when the tree would be left less than
// a MiB.
func ChargeBase(b *model.Budget, sess *engine.Session) error {
	runtime.GC()
	b.Base = max(heapObjects()-sess.Memory(), 0)
	b.Tree -= b.Base
	if b.Tree < minTree {
		need := b.Total - b.Tree + minTree
		return fmt.Errorf("--max-memory %s is too small: natsx holds %s before any traffic and its buffers take %s; at least %s",
			model.HumanBytes(uint64(b.Total)), model.HumanBytes(uint64(b.Base)),
			model.HumanBytes(uint64(b.Store+b.Pending+b.Flight+b.Batch)), model.HumanBytes(uint64(need)))
	}
	return nil
}

// heapObjects is the Go heap in use: live objects, and dead ones not yet
// swept (none right after a collection).
func heapObjects() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
