package engine

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

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
// for nothing else. Like the questions, they are not the user's traffic.
// Other messages cost a prefix check.
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
	}
	if json.Unmarshal(m.Data, &a) != nil || a.Client == nil {
		return false
	}
	return a.Client.ID == cid && (a.Client.Server == "" || a.Client.Server == nc.ConnectedServerName())
}
