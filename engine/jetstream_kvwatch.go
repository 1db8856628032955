package engine

import (
	"context"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
)

// maxKVChanges bounds the keys a watch holds between two drains; changes
// to other keys past it are counted, not kept.
const maxKVChanges = 1000

// KVWatch follows a bucket's changes as they happen (a nats.go watcher:
// an ordered consumer, updates only, values left out) and keeps, until the
// next Changes, the last operation of each key that changed. The UI drains
// it on its tick; nothing reaches the UI per change.
type KVWatch struct {
	mu      sync.Mutex
	changed map[string]string
	dropped uint64
	w       jetstream.KeyWatcher
	cancel  context.CancelFunc
	once    sync.Once
}

// WatchKeys starts watching bucket's keys. Stop ends the watch and its
// consumer.
func (j *JetStream) WatchKeys(ctx context.Context, bucket string) (model.KeyWatch, error) {
	rctx, rcancel := j.withTimeout(ctx)
	defer rcancel()
	kv, err := j.bucket(rctx, bucket)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	w, err := kv.WatchAll(wctx, jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		cancel()
		return nil, jsError(err)
	}
	kw := &KVWatch{changed: map[string]string{}, w: w, cancel: cancel}
	go kw.follow()
	return kw, nil
}

// follow records each update until the watch stops.
func (kw *KVWatch) follow() {
	for e := range kw.w.Updates() {
		if e == nil {
			continue // the end of the initial values (none: updates only)
		}
		op := "put"
		switch e.Operation() {
		case jetstream.KeyValueDelete:
			op = "delete"
		case jetstream.KeyValuePurge:
			op = "purge"
		}
		kw.mu.Lock()
		if _, ok := kw.changed[e.Key()]; ok || len(kw.changed) < maxKVChanges {
			kw.changed[e.Key()] = op
		} else {
			kw.dropped++
		}
		kw.mu.Unlock()
	}
}

// Changes hands over the keys that changed since the last call, each
// with its last operation ("put", "delete" or "purge"), and how many
// changes the bound dropped meanwhile.
func (kw *KVWatch) Changes() (changed map[string]string, dropped uint64) {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	changed, dropped = kw.changed, kw.dropped
	kw.changed, kw.dropped = map[string]string{}, 0
	return changed, dropped
}

// Stop ends the watch; safe to call more than once.
func (kw *KVWatch) Stop() {
	kw.once.Do(func() {
		_ = kw.w.Stop()
		kw.cancel()
	})
}
