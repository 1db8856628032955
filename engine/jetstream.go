package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The one-line errors the JetStream API returns for what a user can meet:
// the UI shows them as they are, the CLI prints them and exits non-zero.
var (
	// ErrNoJetStream: the server does not run JetStream.
	ErrNoJetStream = errors.New("JetStream not available on this server")
	// ErrNoJetStreamAccount: the server runs JetStream, but not for the
	// account natsx is connected as.
	ErrNoJetStreamAccount = errors.New("JetStream not enabled for this account")
	// ErrNoMessage: no stored message where one was asked for (past the
	// end, before the start, nothing matching the filter).
	ErrNoMessage = errors.New("no such message in the stream")
	// ErrStreamNotFound: no stream (or bucket) of that name; wrapped with it.
	ErrStreamNotFound = errors.New("stream not found")
	// ErrListBusy: a listing is still running; one at a time.
	ErrListBusy = errors.New("JetStream: a listing is already running")
	// ErrAPIPrefix: the context names JetStream by an API prefix, which
	// natsx cannot ask; wrapped with the prefix.
	ErrAPIPrefix = errors.New("not supported by natsx (give --js-domain, or set jetstream_domain in the context)")
)

const (
	// DefaultJetStreamTimeout bounds one JetStream API request when the
	// caller's context has no deadline.
	DefaultJetStreamTimeout = 5 * time.Second
	// maxListed bounds a stream or consumer listing: past it the list is
	// cut (and says so) rather than held whole.
	maxListed = 10_000
)

// JetStreamOptions say which JetStream to ask.
type JetStreamOptions struct {
	// Domain is the JetStream domain (leaf nodes, hubs); empty for the
	// connected account's own.
	Domain string
	// APIPrefix is a natscli context's jetstream_api_prefix (JetStream
	// imported from another account). natsx does not support it: when it
	// is set without a Domain, every question answers ErrAPIPrefix rather
	// than asking the wrong JetStream. The default prefix counts as unset.
	APIPrefix string
	// Timeout bounds each request when the context has none; 0 means
	// DefaultJetStreamTimeout.
	Timeout time.Duration
}

// JetStream asks a server about its streams, consumers, stored messages
// and KV buckets. Its questions carry natsx's question header and inboxes,
// so the tap does not show them as traffic, and it never creates a
// consumer to read messages (STREAM.MSG.GET answers on every retention
// policy and leaves nothing behind). Safe for concurrent use; listings run
// one at a time.
type JetStream struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	api     string // "$JS.API." or "$JS.<domain>.API."
	domain  string
	refused error // ErrAPIPrefix, wrapped: every question answers it
	timeout time.Duration
	listing chan struct{} // a one-slot semaphore: one listing at a time
	replies replyMux
	counted countsMemo // the last stored counts, kept while the stream is unchanged
}

// NewJetStream returns the JetStream API on nc.
func NewJetStream(nc *nats.Conn, o JetStreamOptions) (*JetStream, error) {
	if nc == nil {
		return nil, errors.New("engine: JetStream: no connection")
	}
	api := jetstream.DefaultAPIPrefix
	var js jetstream.JetStream
	var err error
	var refused error
	if p := strings.TrimSuffix(o.APIPrefix, "."); o.Domain == "" && p != "" && p+"." != jetstream.DefaultAPIPrefix {
		refused = fmt.Errorf("JetStream API prefix %q: %w", p, ErrAPIPrefix)
	}
	if o.Domain != "" {
		if err := CheckJetStreamDomain(o.Domain); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		api = "$JS." + o.Domain + ".API."
		js, err = jetstream.NewWithDomain(nc, o.Domain)
	} else {
		js, err = jetstream.New(nc)
	}
	if err != nil {
		return nil, fmt.Errorf("engine: JetStream: %w", err)
	}
	t := o.Timeout
	if t <= 0 {
		t = DefaultJetStreamTimeout
	}
	return &JetStream{nc: nc, js: js, api: api, domain: o.Domain, refused: refused, timeout: t, listing: make(chan struct{}, 1)}, nil
}

// CheckJetStreamDomain refuses a domain that cannot be a token of
// $JS.<domain>.API: empty, dots, wildcards, spaces or controls.
func CheckJetStreamDomain(domain string) error {
	if !validName(domain) {
		return fmt.Errorf("%q is not a valid JetStream domain (one token: no dots, spaces or wildcards)", domain)
	}
	return nil
}

// Close ends the subscription the answers arrive on; the connection stays.
func (j *JetStream) Close() { j.replies.close() }

// validName is a stream, consumer or bucket name the API can carry as a
// subject token: not empty, no dots, wildcards, spaces or controls.
func validName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == '.' || r == '*' || r == '>' || r == 0x7f {
			return false
		}
	}
	return true
}

// validFilter is a subject filter the server can match: tokens without
// spaces or controls, not empty. The server checks the rest.
func validFilter(s string) bool {
	if s == "" {
		return false
	}
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "" {
			return false
		}
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func checkStream(name string) error {
	if !validName(name) {
		return fmt.Errorf("stream %q: not a valid stream name", name)
	}
	return nil
}

// available fails fast when the connected server says in its INFO that it
// has no JetStream: a request would otherwise reach whoever subscribes to
// ">" (natsx's own tap) and wait for the timeout. With a domain the
// answer may come from elsewhere (a hub behind a leaf node), so it asks.
func (j *JetStream) available() error {
	if j.refused != nil {
		return j.refused
	}
	if j.domain != "" {
		return nil
	}
	if ok, _ := j.nc.ConnectedServerJetStream(); !ok {
		return ErrNoJetStream
	}
	return nil
}

// withTimeout gives ctx the default deadline when it has none.
func (j *JetStream) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, j.timeout)
}

// apiResponse is the error every JetStream API reply may carry.
type apiResponse struct {
	Error *jetstream.APIError `json:"error,omitempty"`
}

// request sends req as JSON to the API subject and decodes the reply into
// resp, which must embed apiResponse's Error (see apiError).
func (j *JetStream) request(ctx context.Context, subject string, req any, resp any) error {
	if err := j.available(); err != nil {
		return err
	}
	var body []byte
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return err
		}
		body = b
	}
	ctx, cancel := j.withTimeout(ctx)
	defer cancel()
	inbox, answer, done, err := j.replies.wait(j.nc)
	if err != nil {
		return jsError(err)
	}
	defer done()
	q := &nats.Msg{Subject: j.api + subject, Reply: inbox, Data: body, Header: nats.Header{askHeader: {"jetstream"}}}
	if j.domain != "" {
		domainAsked.add(auditKey(j.nc, j.domain, jetstream.DefaultAPIPrefix+subject, string(body)))
	}
	if err := j.nc.PublishMsg(q); err != nil {
		return jsError(err)
	}
	var m *nats.Msg
	select {
	case m = <-answer:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			if j.domain != "" {
				// natsx's own tap on ">" takes a question nothing else
				// answers: no 503 then, only the silence.
				return fmt.Errorf("JetStream: no answer to %s in time (no JetStream in domain %q?)", j.api+subject, j.domain)
			}
			return fmt.Errorf("JetStream: no answer to %s in time", j.api+subject)
		}
		return fmt.Errorf("JetStream: %w", ctx.Err())
	}
	if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
		return j.noResponders()
	}
	if err := json.Unmarshal(m.Data, resp); err != nil {
		return fmt.Errorf("JetStream: unreadable answer to %s: %w", j.api+subject, err)
	}
	return nil
}

// noResponders is the error for a question nothing answered: no JetStream
// on the server, or, asked by domain, none in that domain, which a user
// who named it must hear about (who does not list "no JetStream").
func (j *JetStream) noResponders() error {
	if j.domain != "" {
		return fmt.Errorf("JetStream: nothing answers in domain %q (%s)", j.domain, j.api+">")
	}
	return ErrNoJetStream
}

// apiError turns an API error into the one-line errors above, or a
// "JetStream: …" line with the server's description.
func apiError(e *jetstream.APIError, what string) error {
	if e == nil {
		return nil
	}
	switch e.ErrorCode {
	case jetstream.JSErrCodeJetStreamNotEnabled:
		return ErrNoJetStream
	case jetstream.JSErrCodeJetStreamNotEnabledForAccount:
		return ErrNoJetStreamAccount
	case jetstream.JSErrCodeMessageNotFound:
		return ErrNoMessage
	case jetstream.JSErrCodeStreamNotFound:
		return fmt.Errorf("%s: %w", what, ErrStreamNotFound)
	}
	return fmt.Errorf("%s: %s (JetStream error %d)", what, e.Description, e.ErrorCode)
}

// jsError maps the errors nats.go's jetstream package and the connection
// return onto the one-line errors above.
func jsError(err error) error {
	var api *jetstream.APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return ErrNoJetStreamAccount
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, nats.ErrNoResponders):
		return ErrNoJetStream
	case errors.Is(err, nats.ErrPermissionViolation):
		return fmt.Errorf("JetStream: %w", err)
	case errors.As(err, &api):
		return apiError(api, "JetStream")
	}
	return fmt.Errorf("JetStream: %w", err)
}

// lock takes the listing slot, waiting at most until ctx ends.
func (j *JetStream) lock(ctx context.Context) error {
	select {
	case j.listing <- struct{}{}:
		return nil
	default:
	}
	select {
	case j.listing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ErrListBusy
	}
}

func (j *JetStream) unlock() { <-j.listing }

// listPage is one page of STREAM.LIST or CONSUMER.LIST.
type listPage[T any] struct {
	apiResponse
	Total     int   `json:"total"`
	Offset    int   `json:"offset"`
	Limit     int   `json:"limit"`
	Streams   []T   `json:"streams"`
	Consumers []T   `json:"consumers"`
	Missing   []any `json:"missing,omitempty"`
}

// list pages through a listing API, maxListed items at most; cut reports
// that there were more.
func list[T any](ctx context.Context, j *JetStream, subject, what string, items func(*listPage[T]) []T) (all []T, cut bool, err error) {
	if err := j.lock(ctx); err != nil {
		return nil, false, err
	}
	defer j.unlock()
	for {
		var page listPage[T]
		if err := j.request(ctx, subject, map[string]int{"offset": len(all)}, &page); err != nil {
			return all, false, err
		}
		if err := apiError(page.Error, what); err != nil {
			return all, false, err
		}
		got := items(&page)
		all = append(all, got...)
		if len(all) >= maxListed {
			return all[:maxListed], page.Total > maxListed, nil
		}
		if len(got) == 0 || len(all) >= page.Total {
			return all, false, nil
		}
	}
}

// Streams lists every stream with its configuration and state, sorted as
// the server sends them (by name). cut reports a listing stopped at
// maxListed streams.
func (j *JetStream) Streams(ctx context.Context) (streams []*jetstream.StreamInfo, cut bool, err error) {
	return list(ctx, j, "STREAM.LIST", "streams", func(p *listPage[*jetstream.StreamInfo]) []*jetstream.StreamInfo { return p.Streams })
}

// Consumers lists a stream's consumers with their state.
func (j *JetStream) Consumers(ctx context.Context, stream string) (consumers []*jetstream.ConsumerInfo, cut bool, err error) {
	if err := checkStream(stream); err != nil {
		return nil, false, err
	}
	return list(ctx, j, "CONSUMER.LIST."+stream, fmt.Sprintf("stream %q", stream),
		func(p *listPage[*jetstream.ConsumerInfo]) []*jetstream.ConsumerInfo { return p.Consumers })
}

// StreamInfo is one stream's configuration and state.
func (j *JetStream) StreamInfo(ctx context.Context, stream string) (*jetstream.StreamInfo, error) {
	if err := checkStream(stream); err != nil {
		return nil, err
	}
	var resp struct {
		apiResponse
		jetstream.StreamInfo
	}
	if err := j.request(ctx, "STREAM.INFO."+stream, nil, &resp); err != nil {
		return nil, err
	}
	if err := apiError(resp.Error, fmt.Sprintf("stream %q", stream)); err != nil {
		return nil, err
	}
	return &resp.StreamInfo, nil
}
