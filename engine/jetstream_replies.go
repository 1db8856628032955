package engine

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// replyMux routes the answers to a JetStream's questions from one
// wildcard subscription to the question waiting for each, as nats.go's
// request mux does, but under natsx's question inboxes so the tap skips
// them. One subscription for all questions instead of one each saves a
// SUB and an UNSUB per question: stepping through a stream asks one
// question per message.
type replyMux struct {
	mu      sync.Mutex
	sub     *nats.Subscription
	prefix  string
	waiting map[string]chan *nats.Msg
}

// wait registers a question and returns its reply subject and the channel
// its answer arrives on; done must be called when the question ends.
func (r *replyMux) wait(nc *nats.Conn) (reply string, answer chan *nats.Msg, done func(), err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sub == nil {
		r.prefix = askInboxes + "js." + strconv.FormatUint(askSeq.Add(1), 10) + "."
		sub, err := nc.Subscribe(r.prefix+"*", r.deliver)
		if err != nil {
			return "", nil, nil, err
		}
		// Answers are small and awaited; no limit should drop one.
		_ = sub.SetPendingLimits(-1, -1)
		r.sub, r.waiting = sub, map[string]chan *nats.Msg{}
	}
	token := strconv.FormatUint(askSeq.Add(1), 36)
	ch := make(chan *nats.Msg, 1)
	r.waiting[token] = ch
	return r.prefix + token, ch, func() {
		r.mu.Lock()
		delete(r.waiting, token)
		r.mu.Unlock()
	}, nil
}

// deliver hands an answer to its question, if it still waits.
func (r *replyMux) deliver(m *nats.Msg) {
	r.mu.Lock()
	ch := r.waiting[m.Subject[len(r.prefix):]]
	r.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default: // a second answer to one question: the first counts
		}
	}
}

// close ends the subscription.
func (r *replyMux) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sub != nil {
		_ = r.sub.Unsubscribe()
		r.sub = nil
	}
}

// jsAuditPrefix is the subject of the advisory the server publishes for
// every JetStream API request.
const jsAuditPrefix = "$JS.EVENT.ADVISORY.API"

// isOwnAudit tells the tap that an API advisory reports one of natsx's own
// JetStream questions (the streams view, the tree's stored marks, the
// browser): the client it names is natsx's connection, which asks the API
// for nothing else, or, for a question to another domain (whose server
// names the leaf node connection it came through, not natsx), it is a
// question natsx asked there a moment ago (domainAsked). Like the
// questions, they are not the user's traffic. Other messages cost a
// prefix check.
func isOwnAudit(nc *nats.Conn, m *nats.Msg) bool {
	if !strings.HasPrefix(m.Subject, jsAuditPrefix) || nc == nil {
		return false
	}
	cid, err := nc.GetClientID()
	if err != nil {
		return false
	}
	var a struct {
		Client *struct {
			ID     uint64 `json:"id"`
			Server string `json:"server"`
		} `json:"client"`
		Subject string `json:"subject"`
		Request string `json:"request"`
		Domain  string `json:"domain"`
	}
	if json.Unmarshal(m.Data, &a) != nil || a.Client == nil {
		return false
	}
	if a.Client.ID == cid && (a.Client.Server == "" || a.Client.Server == nc.ConnectedServerName()) {
		return true
	}
	return a.Domain != "" && domainAsked.take(auditKey(nc, a.Domain, a.Subject, a.Request))
}

// domainAsked remembers the questions natsx put to a JetStream in a
// domain, so the tap can tell their advisories apart; the server reports
// them under $JS.API.… whatever domain prefix they carried.
var domainAsked askedLog

// auditKey is what a question on nc and its advisory share: the domain,
// the API subject under $JS.API. and the request's body.
func auditKey(nc *nats.Conn, domain, subject, request string) string {
	return fmt.Sprintf("%p\x00%s\x00%s\x00%s", nc, domain, subject, request)
}

// askedWindow is how long a question waits for its advisory; askedLen
// bounds the questions waiting (the oldest give way).
const (
	askedWindow = 30 * time.Second
	askedLen    = 256
)

// askedLog is a bounded ring of recent questions, each taken at most
// once by its advisory.
type askedLog struct {
	mu    sync.Mutex
	ring  [askedLen]askedEntry
	next  int
	inUse atomic.Bool // set by the first add: the tap skips the lock until then
}

type askedEntry struct {
	key string
	at  time.Time
}

func (l *askedLog) add(key string) {
	l.mu.Lock()
	l.ring[l.next%askedLen] = askedEntry{key: key, at: time.Now()}
	l.next++
	l.mu.Unlock()
	l.inUse.Store(true)
}

// take reports whether key was asked within askedWindow, and forgets it.
func (l *askedLog) take(key string) bool {
	if !l.inUse.Load() {
		return false
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.ring {
		if e := &l.ring[i]; e.key == key && now.Sub(e.at) < askedWindow {
			*e = askedEntry{}
			return true
		}
	}
	return false
}
