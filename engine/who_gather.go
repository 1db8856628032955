package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// errNoResponders means no server subscribes to the request subject: the
// account may not send it (a system-account request from an ordinary
// account) or the servers have no system account at all.
var errNoResponders = errors.New("no server answers this request")

// serverReply is one server's answer to a monitoring request.
type serverReply struct {
	server server.ServerInfo
	data   json.RawMessage
	err    string // the server's error, "" when it answered
	// after is how long the reply took from the question.
	after time.Duration
}

// gatherOptions bound a scatter-gather request.
type gatherOptions struct {
	// timeout bounds the whole request.
	timeout time.Duration
	// gap is how long to wait for one more reply after the latest one (0:
	// until the timeout):
	// every server of a cluster answers a PING request and nobody says how
	// many will, so natscli (and orbit's RequestMany) wait ~300 ms after
	// each reply and stop when none came.
	gap time.Duration
	// want stops at this many replies (1 for a request to one server); 0
	// gathers until the gap passes.
	want int
	// max bounds the replies kept (a supercluster of many servers).
	max int
	// server, when set, stops at the reply of the server with this ID
	// (a question about one of natsx's connections to every server).
	server string
	// label names the question in natsx's question header.
	label string
}

// gather publishes req to subject and collects the servers' replies. It
// uses natsx's question inbox and header, which the tap leaves out, so a
// question never shows as traffic. It returns errNoResponders when the
// server said nobody subscribes to subject, and no error (and no replies)
// when nobody answered in time: the caller says what that means.
func gather(ctx context.Context, nc *nats.Conn, subject string, req any, o gatherOptions) ([]serverReply, bool, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, false, err
	}
	inbox := newAskInbox()
	ch := make(chan *nats.Msg, max(o.max, 1)+1)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, false, fmt.Errorf("engine: %s reply: %w", subject, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	label := o.label
	if label == "" {
		label = "who"
	}
	q := &nats.Msg{Subject: subject, Reply: inbox, Data: body, Header: nats.Header{askHeader: {label}}}
	if err := nc.PublishMsg(q); err != nil {
		return nil, false, fmt.Errorf("engine: %s: %w", subject, err)
	}
	asked := time.Now()
	overall := time.NewTimer(o.timeout)
	defer overall.Stop()
	var gap <-chan time.Time
	var out []serverReply
	truncated := false
	for {
		select {
		case <-ctx.Done():
			return out, truncated, ctx.Err()
		case <-overall.C:
			return out, truncated, nil
		case <-gap:
			return out, truncated, nil
		case m := <-ch:
			if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
				if len(out) == 0 {
					return nil, false, errNoResponders
				}
				continue
			}
			var r struct {
				Server server.ServerInfo `json:"server"`
				Data   json.RawMessage   `json:"data"`
				Error  *server.ApiError  `json:"error"`
			}
			// A reply we cannot read is not an answer; keep waiting for the others.
			if json.Unmarshal(m.Data, &r) != nil {
				continue
			}
			sr := serverReply{server: r.Server, data: r.Data, after: time.Since(asked)}
			if r.Error != nil {
				sr.err = r.Error.Description
			}
			awaited := o.server != "" && sr.server.ID == o.server
			if len(out) >= o.max && o.max > 0 && !awaited {
				truncated = true
			} else {
				out = append(out, sr)
			}
			if o.want > 0 && len(out) >= o.want || awaited {
				return out, truncated, nil
			}
			if o.gap > 0 {
				gap = time.After(o.gap)
			}
		}
	}
}

// decodeReply reads a server's answer into a T; a server's error or an
// unreadable answer (what names it) goes to problems instead.
func decodeReply[T any](rep serverReply, what string, problems *[]string) (*T, bool) {
	if rep.err != "" {
		*problems = append(*problems, fmt.Sprintf("%s: %s", rep.server.Name, rep.err))
		return nil, false
	}
	v := new(T)
	if err := json.Unmarshal(rep.data, v); err != nil {
		*problems = append(*problems, fmt.Sprintf("%s: unreadable %s: %v", rep.server.Name, what, err))
		return nil, false
	}
	return v, true
}
