package engine

import (
	"context"
	"fmt"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats-server/v2/server/gsl"

	"natsx/model"
)

// The no-listener checker's question: for a few subjects at a time, does
// anybody but natsx listen right now? The UI asks it on a tick for the
// subjects it shows and those recently active (model.Listening), never per
// message.

// ErrNoListenerSource means the asker's source cannot tell who listens
// (model.ErrNoListenerSource): the checker stops asking.
var ErrNoListenerSource = model.ErrNoListenerSource

const (
	// maxEmbeddedChecks bounds a round on the embedded broker: each check
	// is a sublist match in process, microseconds.
	maxEmbeddedChecks = 256
	// maxNetworkChecks bounds a round over the network: each check is a
	// scatter-gather to every server (CONNZ or SUBSZ) and waits the gap
	// after the last reply, so a round of three takes about a second.
	maxNetworkChecks = 3
)

// Listeners says, for each subject it gets to, how many subscriptions other
// than natsx's own would receive a message published on it now. On the
// embedded broker the answer is exact and costs, in process, one listing
// of the account's subscriptions a round and a subject match per subject
// (a JetStream stream's subscription counts as a listener: its messages
// are stored, not lost). Over the network each
// subject is a "who gets this" question (Who, streams included), at most
// maxNetworkChecks a round: the subjects beyond the round's budget are
// not in the answer, and the caller asks them next round. A subject that
// cannot be published on, or whose answer was partial, comes back with
// Known false.
func (a *WhoAsker) Listeners(ctx context.Context, subjects []string) ([]model.ListenCheck, error) {
	source, err := a.sourceFor(ctx)
	if err != nil {
		return nil, err
	}
	if source == WhoEmbedded {
		return a.embeddedListeners(subjects[:min(len(subjects), maxEmbeddedChecks)])
	}
	out := make([]model.ListenCheck, 0, min(len(subjects), maxNetworkChecks))
	for _, subj := range subjects[:min(len(subjects), maxNetworkChecks)] {
		c := model.ListenCheck{Subject: subj}
		if CheckPublishSubject(subj) != nil {
			out = append(out, c)
			continue
		}
		r, err := a.Who(ctx, subj)
		if err != nil {
			if ctx.Err() != nil {
				return out, nil // the round's time is up: the rest next round
			}
			out = append(out, c)
			continue
		}
		if r.Source == WhoNone {
			return nil, fmt.Errorf("engine: listeners: %w", ErrNoListenerSource)
		}
		c.Listeners = len(r.Subscribers) + len(r.Streams)
		c.Known = !r.Partial()
		out = append(out, c)
	}
	return out, nil
}

// embeddedListeners asks the embedded broker in process: the account
// natsx's connection is in lists its subscriptions once a round (natsx's
// own left out) into a subject matcher, and each subject is matched
// against it; the count is exact. An account with more than
// maxEmbeddedSubs subscriptions is listed in part: a subject with no match
// among those listed is then not known.
func (a *WhoAsker) embeddedListeners(subjects []string) ([]model.ListenCheck, error) {
	srv := a.emb.srv
	own := a.own()
	account, err := a.embeddedAccount(srv)
	if err != nil {
		return nil, err
	}
	sz, err := srv.Subsz(&server.SubszOptions{Subscriptions: true, Account: account, Limit: maxEmbeddedSubs})
	if err != nil {
		return nil, fmt.Errorf("engine: listeners: subsz: %w", err)
	}
	others := gsl.NewSublist[int]()
	for i, sd := range sz.Subs {
		if !own[connKey{srv.ID(), sd.Cid}] {
			// A subscription the server holds has a valid subject.
			_ = others.Insert(sd.Subject, i)
		}
	}
	complete := sz.Total <= len(sz.Subs)
	out := make([]model.ListenCheck, 0, len(subjects))
	for _, subj := range subjects {
		c := model.ListenCheck{Subject: subj}
		if CheckPublishSubject(subj) == nil {
			others.Match(subj, func(int) { c.Listeners++ })
			c.Known = c.Listeners > 0 || complete
		}
		out = append(out, c)
	}
	return out, nil
}

// maxEmbeddedSubs bounds the subscriptions a round lists from the
// embedded broker.
const maxEmbeddedSubs = 100_000

// embeddedAccount is the account natsx's asking connection uses on the
// embedded broker, read each time since a reconnect changes it.
func (a *WhoAsker) embeddedAccount(srv *server.Server) (string, error) {
	cid, err := a.nc.GetClientID()
	if err != nil {
		return "", fmt.Errorf("engine: listeners: %w", err)
	}
	cz, err := srv.Connz(&server.ConnzOptions{CID: cid, Username: true})
	if err != nil {
		return "", fmt.Errorf("engine: listeners: connz: %w", err)
	}
	if len(cz.Conns) > 0 && cz.Conns[0].Account != "" {
		return cz.Conns[0].Account, nil
	}
	return server.DEFAULT_GLOBAL_ACCOUNT, nil
}
