package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"natsx/model"
)

// The actions that change what a server keeps: purge a stream or one
// subject of it, delete one message, put and delete a KV key. The UI asks
// before each (naming what goes) and hides them with --read-only; here
// they only check their arguments and say what the server said.

// purgeRequest is STREAM.PURGE's request (nats-server
// JSApiStreamPurgeRequest): the messages matching Filter (all when empty),
// but the newest Keep of them.
type purgeRequest struct {
	Filter string `json:"filter,omitempty"`
	Keep   uint64 `json:"keep,omitempty"`
}

type purgeResponse struct {
	apiResponse
	Success bool   `json:"success,omitempty"`
	Purged  uint64 `json:"purged"`
}

// Purge removes stream's messages whose subject matches subject (empty:
// every message), keeping the newest keep of them (0: none), and says how
// many went.
func (j *JetStream) Purge(ctx context.Context, stream, subject string, keep uint64) (purged uint64, err error) {
	if err := checkStream(stream); err != nil {
		return 0, err
	}
	if subject != "" && !validFilter(subject) {
		return 0, fmt.Errorf("subject filter %q: not a valid subject pattern", subject)
	}
	what := fmt.Sprintf("stream %q", stream)
	if subject != "" {
		what = fmt.Sprintf("stream %q, subject %q", stream, subject)
	}
	var resp purgeResponse
	if err := j.act(ctx, "STREAM.PURGE."+stream, purgeRequest{Filter: subject, Keep: keep}, &resp); err != nil {
		return 0, err
	}
	if err := apiError(resp.Error, "purge "+what); err != nil {
		return 0, err
	}
	if !resp.Success {
		return 0, fmt.Errorf("purge %s: the server did not say it was done", what)
	}
	return resp.Purged, nil
}

// msgDeleteRequest is STREAM.MSG.DELETE's request: NoErase marks the
// message deleted without overwriting it on disk (as nats.go's DeleteMsg).
type msgDeleteRequest struct {
	Seq     uint64 `json:"seq"`
	NoErase bool   `json:"no_erase,omitempty"`
}

// The errors nats-server answers a delete of a sequence the stream does
// not hold with: JSSequenceNotFoundErrF ("sequence N not found", one
// deleted or purged) and JSStreamMsgDeleteFailedF with the store's reason
// ("stream store EOF" past the last sequence).
const (
	errCodeSeqNotFound     = 10043
	errCodeMsgDeleteFailed = 10057
)

type msgDeleteResponse struct {
	apiResponse
	Success bool `json:"success,omitempty"`
}

// DeleteMsg removes the message at sequence seq from stream.
func (j *JetStream) DeleteMsg(ctx context.Context, stream string, seq uint64) error {
	if err := checkStream(stream); err != nil {
		return err
	}
	if seq == 0 {
		return errors.New("sequence 0: sequences start at 1")
	}
	what := fmt.Sprintf("delete stream %q #%d", stream, seq)
	var resp msgDeleteResponse
	if err := j.act(ctx, "STREAM.MSG.DELETE."+stream, msgDeleteRequest{Seq: seq, NoErase: true}, &resp); err != nil {
		return err
	}
	if e := resp.Error; e != nil && (e.ErrorCode == errCodeSeqNotFound ||
		e.ErrorCode == errCodeMsgDeleteFailed && strings.Contains(e.Description, "EOF")) {
		return fmt.Errorf("%s: %w", what, ErrNoMessage)
	}
	if err := apiError(resp.Error, what); err != nil {
		return err
	}
	if !resp.Success {
		return fmt.Errorf("%s: the server did not say it was done", what)
	}
	return nil
}

// act is request for an action that reports a refusal at once: a
// publish the account may not make gets no answer, only a permissions
// error on the connection, so after deniedCheck without an answer it
// flushes (the server's error comes before its PONG) and looks.
func (j *JetStream) act(ctx context.Context, subject string, req, resp any) error {
	ctx, cancel := j.withTimeout(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- j.request(ctx, subject, req, resp) }()
	check := time.NewTimer(deniedCheck)
	defer check.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				if denied := j.denied(subject); denied != nil {
					return denied
				}
			}
			return err
		case <-check.C:
			if j.nc.FlushWithContext(ctx) == nil {
				if denied := j.denied(subject); denied != nil {
					return denied
				}
			}
		}
	}
}

// deniedCheck is how long an action waits for its answer before it looks
// for a permissions error.
const deniedCheck = 100 * time.Millisecond

// denied is the connection's last error when it refused a publish to the
// API subject.
func (j *JetStream) denied(subject string) error {
	if last := j.nc.LastError(); errors.Is(last, nats.ErrPermissionViolation) && strings.Contains(last.Error(), `"`+j.api+subject+`"`) {
		return fmt.Errorf("JetStream: %w", last)
	}
	return nil
}

// bucket opens a KV bucket, with the errors a user can read.
func (j *JetStream) bucket(ctx context.Context, bucket string) (jetstream.KeyValue, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	if err := j.available(); err != nil {
		return nil, err
	}
	kv, err := j.js.KeyValue(ctx, bucket)
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound):
		return nil, fmt.Errorf("bucket %q: not found", bucket)
	case err != nil:
		return nil, jsError(err)
	}
	return kv, nil
}

// onKey checks key, opens bucket and runs do on it within the request
// timeout; do's error is wrapped with the bucket, op and key (one line).
func (j *JetStream) onKey(ctx context.Context, bucket, key, op string, do func(context.Context, jetstream.KeyValue) error) error {
	if err := model.CheckKVKey(key); err != nil {
		return err
	}
	ctx, cancel := j.withTimeout(ctx)
	defer cancel()
	kv, err := j.bucket(ctx, bucket)
	if err != nil {
		return err
	}
	if err := do(ctx, kv); err != nil {
		return fmt.Errorf("bucket %q: %s %q: %w", bucket, op, key, err)
	}
	return nil
}

// KVPut stores value as key's new revision in bucket and returns the
// revision.
func (j *JetStream) KVPut(ctx context.Context, bucket, key string, value []byte) (revision uint64, err error) {
	err = j.onKey(ctx, bucket, key, "put", func(ctx context.Context, kv jetstream.KeyValue) (err error) {
		revision, err = kv.Put(ctx, key, value)
		return jsError(err)
	})
	return revision, err
}

// ErrKeyExists is KVCreate's refusal of a key that holds a value.
var ErrKeyExists = errors.New("the key exists")

// KVCreate stores value as key's first revision in bucket (or its first
// since a delete or purge) and returns the revision; a key that holds a
// value is refused with ErrKeyExists, never overwritten (nats.go's
// Create: a put expecting no last revision).
func (j *JetStream) KVCreate(ctx context.Context, bucket, key string, value []byte) (revision uint64, err error) {
	err = j.onKey(ctx, bucket, key, "create", func(ctx context.Context, kv jetstream.KeyValue) (err error) {
		revision, err = kv.Create(ctx, key, value)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return ErrKeyExists
		}
		return jsError(err)
	})
	return revision, err
}

// KVDelete deletes key from bucket: a delete marker becomes its newest
// revision (its history stays, as the bucket keeps it).
func (j *JetStream) KVDelete(ctx context.Context, bucket, key string) error {
	return j.onKey(ctx, bucket, key, "delete", func(ctx context.Context, kv jetstream.KeyValue) error {
		return jsError(kv.Delete(ctx, key))
	})
}

// SubjectMessages is how many messages stream holds on subject (a literal
// subject: the answer holds one count), for the question before a purge.
func (j *JetStream) SubjectMessages(ctx context.Context, stream, subject string) (uint64, error) {
	if err := checkStream(stream); err != nil {
		return 0, err
	}
	if !validFilter(subject) || strings.ContainsAny(subject, "*>") {
		return 0, fmt.Errorf("subject %q: not a literal subject", subject)
	}
	_, c, err := j.subjectCounts(ctx, stream, subject, []string{subject}) // not the tree's memo
	return c.Counts[subject], err
}
