package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// kvStreamPrefix names a KV bucket's stream: KV_<bucket>.
const kvStreamPrefix = "KV_"

// maxKVHistory bounds a key's history (a bucket keeps 64 revisions at most;
// the bound guards against a stream that is not quite a bucket).
const maxKVHistory = 1000

// KVBucket is a bucket's status, read from its stream's.
type KVBucket struct {
	Name string
	// Values counts the revisions the bucket holds (puts, deletes and
	// purges of every key), as `nats kv ls` does.
	Values  uint64
	Bytes   uint64
	History int64
	TTL     time.Duration
	Storage string
}

// KVEntry is one revision of a key.
type KVEntry struct {
	Key      string
	Revision uint64
	// Op is "put", "delete" or "purge".
	Op      string
	Created time.Time
	Value   []byte
}

// Buckets lists the KV buckets: the streams named KV_<bucket>.
func (j *JetStream) Buckets(ctx context.Context) (buckets []KVBucket, cut bool, err error) {
	streams, cut, err := j.Streams(ctx)
	if err != nil {
		return nil, false, err
	}
	for _, s := range streams {
		name, ok := strings.CutPrefix(s.Config.Name, kvStreamPrefix)
		if !ok {
			continue
		}
		buckets = append(buckets, KVBucket{
			Name: name, Values: s.State.Msgs, Bytes: s.State.Bytes,
			History: s.Config.MaxMsgsPerSubject, TTL: s.Config.MaxAge, Storage: s.Config.Storage.String(),
		})
	}
	return buckets, cut, nil
}

func checkBucket(bucket string) error {
	if !validName(bucket) {
		return fmt.Errorf("bucket %q: not a valid bucket name", bucket)
	}
	return nil
}

// Keys lists up to max keys of bucket (deleted keys left out) matching
// filter (empty: all); cut reports there were more. nats.go reads them
// with an ordered consumer it removes when done.
func (j *JetStream) Keys(ctx context.Context, bucket, filter string, max int) (keys []string, cut bool, err error) {
	f, err := filterOrAll(filter)
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := j.withTimeout(ctx)
	defer cancel()
	kv, err := j.bucket(ctx, bucket)
	if err != nil {
		return nil, false, err
	}
	lister, err := kv.ListKeysFiltered(ctx, f)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, false, nil
		}
		return nil, false, jsError(err)
	}
	defer func() { _ = lister.Stop() }()
	for k := range lister.Keys() {
		if len(keys) == max {
			return keys, true, nil
		}
		keys = append(keys, k)
	}
	return keys, false, nil
}

// History is every revision bucket keeps of key, oldest first, read with
// STREAM.MSG.GET (no consumer).
func (j *JetStream) History(ctx context.Context, bucket, key string) ([]KVEntry, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	if !validFilter(key) || strings.ContainsAny(key, "*>") {
		return nil, fmt.Errorf("key %q: not a valid key", key)
	}
	stream, subject := kvStreamPrefix+bucket, "$KV."+bucket+"."+key
	var out []KVEntry
	for seq := uint64(0); len(out) < maxKVHistory; {
		m, err := j.NextMsg(ctx, stream, seq, subject)
		if errors.Is(err, ErrNoMessage) {
			break
		}
		if err != nil {
			if errors.Is(err, ErrStreamNotFound) {
				return nil, fmt.Errorf("bucket %q: not found", bucket)
			}
			return nil, err
		}
		e := KVEntry{Key: key, Revision: m.Seq, Op: "put", Created: m.Time, Value: m.Data}
		switch m.Header.Get("KV-Operation") {
		case "DEL":
			e.Op = "delete"
		case "PURGE":
			e.Op = "purge"
		}
		out = append(out, e)
		seq = m.Seq + 1
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bucket %q: key %q not found", bucket, key)
	}
	return out, nil
}
