package engine

import (
	"fmt"
	"maps"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
)

// scope is scoped mode: when natsx may not (or should not) subscribe to
// ">", it subscribes once per filter pattern and tags each message with the
// pattern that delivered it, so the UI can feed panes and count the tree
// exactly once per message.
type scope struct {
	on   atomic.Bool
	mu   sync.Mutex
	subs map[string]*nats.Subscription
	errs map[string]string
	gone uint64 // drops of subscriptions already removed
}

func (sc *scope) enable()       { sc.on.Store(true) }
func (sc *scope) enabled() bool { return sc.on.Load() }
func (sc *scope) lock() func()  { sc.mu.Lock(); return sc.mu.Unlock }
func (sc *scope) setErr(subject string, err error) {
	defer sc.lock()()
	if sc.errs == nil {
		sc.errs = map[string]string{}
	}
	sc.errs[subject] = err.Error()
}

func (sc *scope) errors() map[string]string {
	defer sc.lock()()
	if len(sc.errs) == 0 {
		return nil
	}
	return maps.Clone(sc.errs)
}

// pendingMemory is what nats.go queues for the scoped subscriptions, as
// Session.pendingMemory counts it for the tap.
func (sc *scope) pendingMemory(subject int64) int64 {
	defer sc.lock()()
	var n int64
	for _, sub := range sc.subs {
		if msgs, bytes, err := sub.Pending(); err == nil {
			n += int64(msgs)*pendingCost(subject) + int64(bytes)
		}
	}
	return n
}

// setLimits sets the filters' pending limits, a share each of the tap's
// pending bound (see tunePending).
func (sc *scope) setLimits(pending int64, sh MsgShape) {
	defer sc.lock()()
	sc.share(pending, sh)
}

// share gives each filter an equal share of the pending bound; sc.mu held.
// A share of a ninth each (model.MaxPanes) whatever the number of filters
// left two filters under a flood 2/9 of it: 426k of 2M deliveries dropped
// at the client where the bound would have held them.
func (sc *scope) share(pending int64, sh MsgShape) {
	if len(sc.subs) == 0 {
		return
	}
	msgs, bytes := PendingLimits(pending/int64(len(sc.subs)), sh)
	for _, sub := range sc.subs {
		_ = sub.SetPendingLimits(msgs, bytes)
	}
}

func (sc *scope) dropped() uint64 {
	defer sc.lock()()
	n := sc.gone
	for _, sub := range sc.subs {
		if d, err := sub.Dropped(); err == nil && d > 0 {
			n += uint64(d)
		}
	}
	return n
}

var permissionRe = regexp.MustCompile(`Subscription to "(\S+)"`)

// permissionSubject extracts the refused subject from a permissions error.
func permissionSubject(err error) string {
	if m := permissionRe.FindStringSubmatch(err.Error()); len(m) == 2 {
		return m[1]
	}
	return ""
}

// Scoped reports whether the session subscribes per filter instead of ">".
func (s *Session) Scoped() bool { return s.scope.enabled() }

// SetScope makes the scoped subscriptions exactly these patterns: new ones
// are subscribed, gone ones unsubscribed. It does nothing in tap mode. A
// pattern the server refuses is reported per pattern in Status, not here:
// one refused filter must not take the others down.
func (s *Session) SetScope(patterns []string) error {
	if !s.scope.enabled() || s.nc == nil {
		return nil
	}
	sc := &s.scope
	sc.mu.Lock()
	want := map[string]bool{}
	for _, p := range patterns {
		want[p] = true
	}
	if sc.subs == nil {
		sc.subs = map[string]*nats.Subscription{}
	}
	var firstErr error
	for p, sub := range sc.subs {
		if !want[p] {
			if d, err := sub.Dropped(); err == nil && d > 0 {
				sc.gone += uint64(d)
			}
			_ = sub.Unsubscribe()
			delete(sc.subs, p)
			delete(sc.errs, p)
		}
	}
	for p := range want {
		if sc.subs[p] != nil {
			continue
		}
		via := p
		sub, err := s.nc.Subscribe(p, func(m *nats.Msg) { s.append(m, via) })
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("engine: subscribe %q: %w", p, err)
			}
			continue
		}
		sc.subs[p] = sub
	}
	// The filters share the tap's pending bound, as many as there are.
	sc.share(s.pending, s.shape())
	sc.mu.Unlock()
	// Flush so a refusal is reported (through the error handler) promptly.
	if err := s.nc.Flush(); err != nil && firstErr == nil {
		firstErr = fmt.Errorf("engine: flush: %w", err)
	}
	return firstErr
}
