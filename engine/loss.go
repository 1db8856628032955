package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// askWait bounds a question to the servers ("why did you close my previous
// connection?", "how many slow consumers in my account?"): every server of
// a cluster answers a PING request, and the one we ask about answers
// within milliseconds when it answers at all.
const askWait = time.Second

// connzPing asks every server for connection details, scoped by the server
// to the asker's account; nats-server imports it into every account, so an
// ordinary user may ask.
const connzPing = "$SYS.REQ.SERVER.PING.CONNZ"

// lossTracker records what a disconnect cost: when it happened (messages
// published while natsx was away were never seen, and the server does not
// count them for a connection it closed) and whether the server closed the
// connection because natsx read too slowly. The nats.go callbacks write it;
// Status reads it.
type lossTracker struct {
	mu sync.Mutex
	// now is the connection the server knows us by, captured on connect
	// and reconnect, because nats.go forgets the old IDs once it is
	// reconnecting.
	now connRecord
	// lost is the connection the last disconnect ended, until its reason
	// is asked for.
	lost connRecord

	since     atomic.Int64 // UnixNano of the first disconnect, 0 while nothing was lost
	slowCount atomic.Int64
}

// connRecord is what to ask a server about one of natsx's connections.
type connRecord struct {
	cid      uint64 // 0 when none, or the server does not give client IDs
	serverID string
	base     int64 // the account's slow consumers on that server at connect, -1 unknown
}

// connected notes the connection the server now knows us by; the
// account's slow-consumer count is filled in by setBase once asked.
func (l *lossTracker) connected(nc *nats.Conn) connRecord {
	cid, err := nc.GetClientID()
	if err != nil {
		cid = 0 // a server too old to say: the reason cannot be asked for
	}
	c := connRecord{cid: cid, serverID: nc.ConnectedServerId(), base: -1}
	l.mu.Lock()
	l.now = c
	l.mu.Unlock()
	return c
}

// setBase records the account's slow-consumer count for connection c,
// unless that connection is already gone.
func (l *lossTracker) setBase(c connRecord, n int64) {
	l.mu.Lock()
	if l.now.cid == c.cid && l.now.serverID == c.serverID {
		l.now.base = n
	}
	l.mu.Unlock()
}

// disconnected notes that messages may be lost from now until the
// reconnect, and which connection ended, so the reason can be asked for
// once we are back.
func (l *lossTracker) disconnected(at time.Time) {
	l.since.CompareAndSwap(0, at.UnixNano())
	l.mu.Lock()
	l.lost = l.now
	l.mu.Unlock()
}

// takeLost is the connection the last disconnect ended, and forgets it so
// its reason is asked for once.
func (l *lossTracker) takeLost() connRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	lc := l.lost
	l.lost = connRecord{}
	return lc
}

// lossSince is when messages first went unseen, zero when never.
func (l *lossTracker) lossSince() time.Time {
	if ns := l.since.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// isSlowConsumerReason tells whether a closed connection's reason, as the
// server's monitoring reports it ("Slow Consumer (Pending Bytes)", "Slow
// Consumer (Write Deadline)"), is the server giving up on a slow reader.
func isSlowConsumerReason(reason string) bool {
	return strings.HasPrefix(reason, "Slow Consumer")
}

// closedReason asks the server that held connection cid why it closed it:
// in process for the embedded broker, else through the CONNZ ping that
// every account may send. It returns "" when no server says.
func closedReason(nc *nats.Conn, emb *Embedded, cid uint64, serverID string) (string, error) {
	if cid == 0 {
		return "", nil
	}
	opts := server.ConnzOptions{CID: cid, State: server.ConnClosed}
	var cz server.Connz
	if emb != nil {
		c, err := emb.srv.Connz(&opts)
		if err != nil {
			return "", fmt.Errorf("engine: connz: %w", err)
		}
		cz = *c
	} else if ok, err := pingServer(nc, connzPing, server.ConnzEventOptions{ConnzOptions: opts}, serverID, &cz); !ok || err != nil {
		return "", err
	}
	for _, ci := range cz.Conns {
		if ci.Cid == cid {
			return ci.Reason, nil
		}
	}
	return "", nil
}

// accountSlowConsumers is how many slow consumers server serverID has
// counted in natsx's account, -1 when it does not say. A closed connection
// of the global account ($G, a server without accounts) is invisible to
// the account-scoped CONNZ above, but it is counted here.
func accountSlowConsumers(nc *nats.Conn, emb *Embedded, serverID string) int64 {
	if emb != nil {
		return emb.SlowConsumers()
	}
	var az server.AccountStatz
	if ok, err := pingServer(nc, statzPing, server.AccountStatzEventOptions{}, serverID, &az); !ok || err != nil {
		return -1
	}
	if len(az.Accounts) == 0 {
		return -1
	}
	return az.Accounts[0].SlowConsumers // the server answers for natsx's own account only
}

// askHeader marks natsx's own questions to the server, so its tap does
// not show them as traffic (a ">" subscription on the same account sees
// them, and would see them on every reconnect).
const askHeader = "Natsx-Question"

// askInboxes is the inbox prefix of natsx's own questions' replies, which
// the tap skips for the same reason; one per process.
var askInboxes = nats.NewInbox() + "."

// askSeq numbers the questions' inboxes.
var askSeq atomic.Uint64

// newAskInbox is a fresh inbox for one of natsx's questions.
func newAskInbox() string { return askInboxes + strconv.FormatUint(askSeq.Add(1), 10) }

// isAskDenied tells whether a permissions error is about natsx's own
// questions (publishing one, or subscribing to its inbox): not the user's
// doing, so not the user's error to read.
func isAskDenied(err error) bool {
	e := err.Error()
	return strings.Contains(e, `"`+connzPing+`"`) || strings.Contains(e, `"`+statzPing+`"`) ||
		strings.Contains(e, `"`+askInboxes)
}

// isOwnQuestion tells the tap a message is natsx asking the server why it
// was disconnected, or the answer.
func isOwnQuestion(m *nats.Msg) bool {
	return (m.Header != nil && m.Header.Get(askHeader) != "") || strings.HasPrefix(m.Subject, askInboxes)
}

// statzPing asks every server for the asker's account statistics.
const statzPing = "$SYS.REQ.ACCOUNT.PING.STATZ"

// pingServer sends req to subject, which every server answers, and decodes
// the data of server serverID's answer into data; false when it did not
// answer within askWait, or when no server subscribes to subject (nobody
// told us, as a timeout).
func pingServer(nc *nats.Conn, subject string, req any, serverID string, data any) (bool, error) {
	replies, _, err := gather(context.Background(), nc, subject, req,
		gatherOptions{timeout: askWait, max: maxServerReplies, server: serverID, label: "loss"})
	if errors.Is(err, errNoResponders) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, r := range replies {
		// A reply without data (an error, another server version) is not
		// the one we wait for.
		if r.server.ID == serverID && len(r.data) > 0 {
			return json.Unmarshal(r.data, data) == nil, nil
		}
	}
	return false, nil
}
