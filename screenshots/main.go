// Command screenshots drives natsx's real UI model through scripted scenes
// with fixed data and a fixed clock, writes each screen as ANSI text
// (screenshots/<scene>.ansi) and renders it to PNG with charmbracelet/freeze.
//
// Run it from the repository root:
//
//	go run ./screenshots              # every scene, .ansi and .png
//	go run ./screenshots -scene help  # one scene
//	go run ./screenshots -ansi-only   # skip freeze
//
// freeze is run as `go run github.com/charmbracelet/freeze@v0.2.2`, outside
// this module: its dependencies (lipgloss v1, bubbletea v1) would clash with
// natsx's v2 stack in go.mod.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"natsx/engine"
	"natsx/model"
	"natsx/testkit/keys"
	"natsx/ui"
)

// freezeModule is the pinned freeze version; see the package comment.
const freezeModule = "github.com/charmbracelet/freeze@v0.2.2"

// outDir is where scenes are written, relative to the repository root.
const outDir = "screenshots"

// scene is one scripted screen: a terminal size, the keys pressed after the
// data arrived, and text the screen must show, so a UI change that breaks
// the script fails the generator instead of producing a wrong picture.
type scene struct {
	name string
	w, h int
	// filters open panes at start, as --filter does, so they fill with
	// the traffic.
	filters []string
	keys    []string
	wants   []string
	// publisher gives the model a source that can publish, so p opens the
	// form; nothing is sent.
	publisher bool
	// timeline shows the scene as natsx open does, with this player state.
	timeline *model.TimelineStatus
	// streams is what the server's JetStream lists: J opens the streams
	// view on them; consumers are their consumers (enter opens a board),
	// page the page b shows.
	streams   []model.StreamSummary
	consumers map[string][]model.ConsumerSummary
	page      *model.StreamPage
	// kvKeys are the keys K lists on a bucket (sorted by the view);
	// kvChanges, when set, is what the bucket's watch saw, taken on the
	// watch's first tick (the one timer a scene waits for, a second).
	kvKeys    []string
	kvChanges map[string]string
	// cluster shows natsx connected to n1 of a cluster, in the system
	// account (the header's probe word sys); who, trace and servers
	// answer w, T and :servers.
	cluster bool
}

// scenes are listed in screenshots/README.md; keep the two in step. Roots
// sort by name: drivers, logs, orders, sensors, telemetry.
var scenes = []scene{
	{
		name: "tree", w: 120, h: 32,
		// sensors → hq (after depot) → floor 3 → temperature (after co2,
		// humidity, occupancy).
		keys:  []string{"g", "j", "j", "j", "l", "l", "j", "l", "l", "j", "j", "l", "l", "j", "j", "j"},
		wants: []string{"▾ sensors", "▾ hq", "▾ 3", "sensors.hq.3.temperature", `"unit": "C"`, "json"},
	},
	{
		name: "inspector-binary", w: 120, h: 32,
		// telemetry → its first device → raw.
		keys:  []string{"G", "l", "l", "l", "l"},
		wants: []string{"▾ telemetry", "telemetry.cam-", ".raw", "binary", "00000000  ca fe 01"},
	},
	{
		name: "help", w: 120, h: 32,
		keys:  []string{"?"},
		wants: []string{"natsx keys", "search subjects"},
	},
	{
		name: "narrow", w: 80, h: 24,
		// drivers → paris (after berlin, lisbon, london, madrid) → 91
		// (after 51 and 68).
		keys:  []string{"g", "l", "l", "j", "j", "j", "j", "l", "l", "j", "j"},
		wants: []string{"▾ paris", "drivers.paris.91", `"driver": "91"`},
	},
	{
		name: "search", w: 120, h: 32,
		keys:  []string{"/", "e", "r", "r", "o", "r"},
		wants: []string{"/error", "logs.api.error", "ERROR"},
	},
	{
		name: "panes", w: 120, h: 32,
		// Two filter panes tiled under the tree; drivers expanded so its
		// pane markers show; focus on pane 2, three messages back.
		filters: []string{"sensors.*.3.>", "drivers.paris.*"},
		keys:    []string{"g", "l", "tab", "tab", "k", "k", "k"},
		wants: []string{"▾ drivers", "1 sensors.*.3.>", "2 drivers.paris.*", "sensors.hq.3.temperature",
			"pane 2 · drivers.paris.*", `"driver": `},
	},
	{
		name: "diff", w: 120, h: 32,
		// sensors.hq.3.temperature, as in tree, then [ and d: the reading
		// before the newest against the one before it, value and ts
		// changed (the newest two came 5 ms apart with the same value).
		keys:  append([]string{"g", "j", "j", "j", "l", "l", "j", "l", "l", "j", "j", "l", "l", "j", "j", "j"}, "[", "d"),
		wants: []string{"sensors.hq.3.temperature", "diff vs previous", `~   "value": `, `~   "ts": "2025-03-14T09:26:`, `"unit": "C"`},
	},
	{
		name: "publish", w: 120, h: 32,
		// The form over the tree: a subject, tab ×3 to the payload, JSON.
		publisher: true,
		keys: slices.Concat([]string{"p"}, strings.Split("orders.create", ""), []string{"tab", "tab", "tab"},
			strings.Split(`{"order":100500,"op":"create","items":2}`, "")),
		wants: []string{"Publish", "subject", "orders.create", "reply-to", "headers", "payload",
			`{"order":100500,"op":"create","items":2}`, "ctrl+s send"},
	},
	{
		name: "timeline", w: 120, h: 32,
		// natsx open: a 45 s capture playing at 2x, 30 s in, three markers,
		// an orders pane; the tree as in tree (l expands: the timeline
		// keeps ←/→).
		filters: []string{"orders.>"},
		timeline: &model.TimelineStatus{Name: "incident-0314.natsx", Playing: true, Speed: 2,
			Start: epoch.Add(-30 * time.Second), Pos: epoch, End: epoch.Add(15 * time.Second), Total: 13370,
			Markers: []time.Time{epoch.Add(-22 * time.Second), epoch.Add(-4 * time.Second), epoch.Add(9 * time.Second)}},
		keys: []string{"g", "j", "j", "j", "l", "l", "j", "l", "l", "j", "j", "l", "l", "j", "j", "j"},
		wants: []string{"▶ 2x", "0:30.0 ━", "◆", "0:45.0", "13k msgs", "incident-0314.natsx", "▾ hq",
			"sensors.hq.3.temperature", "1 orders.>", "space play"},
	},
	{
		name: "streams", w: 120, h: 32,
		// The streams view (S) on the demo's streams, a mirror with lag
		// and a replicated one, sorted by messages (s), the mirror selected.
		streams: demoStreams(),
		keys:    []string{"J", "s", "j", "j"},
		wants: []string{"JetStream streams", "by messages", "ORDERS", "orders.>", "workqueue", "KV_drivers",
			"mirror of ORDERS, lag 312", "streams by messages"},
	},
	{
		name: "consumers", w: 120, h: 32,
		// ORDERS' consumers board (enter on ORDERS, the fourth by name): the demo's notifier
		// redelivering, and what holds the others back.
		streams:   demoStreams(),
		consumers: demoConsumers(),
		keys:      []string{"J", "j", "j", "j", "enter", "j"},
		wants: []string{"ORDERS · consumers", "notifier", "redelivering 2", "nobody pulling",
			"push consumer without a subscriber", "ack pending at its limit (8)", "PENDING ~"},
	},
	{
		name: "who", w: 120, h: 32,
		// orders → its first subject, then w: who gets it, across the
		// cluster.
		cluster: true,
		keys:    []string{"g", "j", "j", "l", "j", "w"},
		wants: []string{"Who gets orders.", "3 subscribers (source: sys", "billing", "workers", "orders.>",
			"ORDERS", "shipping", "left out: 1 subscription of natsx's own", "who sys"},
	},
	{
		name: "trace", w: 120, h: 32,
		// The same subject traced (T): across a route, one copy refused.
		cluster: true,
		keys:    []string{"g", "j", "j", "l", "j", "T"},
		wants:   []string{"n1 (cluster east, 2.15.2)", "stream ORDERS", "Not delivered", "n3 (cluster east, 2.15.2, hop 1)", `client "audit"`},
	},
	{
		name: "servers", w: 120, h: 32,
		// :servers with the system account: the cluster's three servers.
		cluster: true,
		keys:    slices.Concat([]string{":"}, strings.Split("servers", ""), []string{"enter"}),
		wants:   []string{"n1", "n2", "n3", "east", "2.15.2"},
	},
	{
		name: "browse", w: 120, h: 32,
		// ORDERS' newest messages (b), the one before the newest in the
		// inspector (k, enter).
		streams: demoStreams(),
		page:    demoPage(),
		keys:    []string{"J", "j", "j", "j", "b", "k", "enter"},
		wants: []string{"ORDERS · messages", "#35808-#35812", "ORDERS · sequence 35811", "orders.cancel",
			"Content-Type: application/json", "customer asked"},
	},
	{
		name: "kv-keys", w: 120, h: 32,
		// The drivers bucket's keys (K on KV_drivers, the third by name),
		// watched: two changed, one deleted, one new; then n asking for a
		// new key's name.
		streams:   demoStreams(),
		kvKeys:    demoKVKeys(),
		kvChanges: map[string]string{"lisbon.42": "put", "paris.91": "put", "madrid.60": "delete", "porto.8": "put"},
		keys:      slices.Concat([]string{"J", "j", "j", "K", "j", "j", "n"}, strings.Split("porto.12", "")),
		wants: []string{"drivers · keys", "15 keys · watching", "● lisbon.42", "madrid.60  ‹deleted›", "● porto.8",
			"new key> porto.12"},
	},
	{
		name: "kv-history", w: 120, h: 32,
		// The drivers bucket's keys (K on KV_drivers, the third by name),
		// lisbon.42's history (enter on it, the third key), and in the
		// inspector its revision before the newest against the one before
		// (k, enter, d): the driver went from en-route to delivering.
		streams: demoStreams(),
		kvKeys:  demoKVKeys(),
		page:    demoKVHistory(),
		keys:    []string{"J", "j", "j", "K", "j", "j", "enter", "k", "enter", "d"},
		wants: []string{"KV_drivers · messages", "$KV.drivers.lisbon.42", "KV_drivers · sequence 893",
			"diff vs previous", `"status": "delivering"`, "esc list"},
	},
}

// demoKVKeys are the drivers bucket's keys, as the demo writes them
// (CITY.ID).
func demoKVKeys() []string {
	return []string{"berlin.135", "lisbon.173", "lisbon.42", "lisbon.7", "london.108", "london.785", "madrid.445",
		"madrid.60", "paris.364", "paris.91", "porto.3", "porto.77", "warsaw.838", "warsaw.9"}
}

// demoKVHistory is lisbon.42's history in the drivers bucket (history 5):
// a delivery from assignment to drop-off, then a delete when the shift
// ended.
func demoKVHistory() *model.StreamPage {
	p := &model.StreamPage{FirstSeq: 1, LastSeq: 905, Total: 900}
	revs := []struct {
		seq    uint64
		ago    time.Duration
		status string
		lat    string
		lon    string
		order  string
	}{
		{812, 95 * time.Second, "idle", "38.7223", "-9.1393", ""},
		{845, 71 * time.Second, "assigned", "38.7223", "-9.1393", "ord-1001"},
		{871, 44 * time.Second, "en-route", "38.7169", "-9.1399", "ord-1001"},
		{893, 19 * time.Second, "delivering", "38.7139", "-9.1334", "ord-1001"},
	}
	for _, r := range revs {
		order := ""
		if r.order != "" {
			order = `,"order":"` + r.order + `"`
		}
		body := fmt.Sprintf(`{"driver":"42","city":"lisbon","status":%q,"lat":%s,"lon":%s%s,"battery":%d}`,
			r.status, r.lat, r.lon, order, 90-int(r.seq-812)/10)
		m := model.Message{Subject: "$KV.drivers.lisbon.42", Received: epoch.Add(-r.ago).UnixNano(),
			Data: []byte(body), Size: len(body)}
		p.Msgs = append(p.Msgs, model.StoredMessage{Seq: r.seq, Msg: m})
	}
	del := model.Message{Subject: "$KV.drivers.lisbon.42", Received: epoch.Add(-2 * time.Second).UnixNano(),
		Header: model.Header{"KV-Operation": {"DEL"}}}
	p.Msgs = append(p.Msgs, model.StoredMessage{Seq: 905, Msg: del})
	return p
}

// demoConsumers is what the consumers scene lists on ORDERS; each
// diagnosis once, the trend left to a live board.
func demoConsumers() map[string][]model.ConsumerSummary {
	ago := func(d time.Duration) time.Time { return epoch.Add(-d) }
	return map[string][]model.ConsumerSummary{"ORDERS": {
		{Name: "notifier", Pull: true, Filter: "orders.create", Waiting: 1, AckPending: 2, MaxAckPending: 1000, Redelivered: 2,
			LastDelivered: ago(time.Second), LastAcked: ago(3 * time.Second)},
		{Name: "analytics", Pull: true, Pending: 35812, MaxAckPending: 1000},
		{Name: "mailer", Pending: 40, MaxAckPending: 1000, LastDelivered: ago(3 * time.Hour), LastAcked: ago(3 * time.Hour)},
		{Name: "billing", Pull: true, Pending: 310, Waiting: 2, AckPending: 8, MaxAckPending: 8,
			LastDelivered: ago(time.Second), LastAcked: ago(2 * time.Second)},
		{Name: "search-index", PushBound: true, AckNone: true, LastDelivered: ago(time.Second)},
	}}
}

// demoPage is the newest page of ORDERS the browse scene shows.
func demoPage() *model.StreamPage {
	p := &model.StreamPage{FirstSeq: 1, LastSeq: 35812, Total: 35812}
	bodies := []struct{ subject, body string }{
		{"orders.create", `{"order_id":"ord-1001","customer":"c-17","items":[{"sku":"SKU-1","qty":2}],"total":41.5}`},
		{"orders.status", `{"order_id":"ord-1001","status":"paid"}`},
		{"orders.create", `{"order_id":"ord-1002","customer":"c-4","items":[{"sku":"SKU-9","qty":1}],"total":9.99}`},
		{"orders.cancel", `{"order_id":"ord-1001","reason":"customer asked"}`},
		{"orders.create", `{"order_id":"ord-1003","customer":"c-17","items":[{"sku":"SKU-1","qty":3}],"total":62.25}`},
	}
	for i, b := range bodies {
		m := model.Message{Subject: b.subject, Received: epoch.Add(time.Duration(i-5) * time.Second).UnixNano(),
			Data: []byte(b.body), Size: len(b.body), Header: model.Header{"Content-Type": {"application/json"}}}
		p.Msgs = append(p.Msgs, model.StoredMessage{Seq: uint64(35808 + i), Msg: m})
	}
	return p
}

// demoStreams is what the streams scene lists: the demo's set, a mirror
// and a replicated stream.
func demoStreams() []model.StreamSummary {
	ago := func(d time.Duration) time.Time { return epoch.Add(-d) }
	return []model.StreamSummary{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Messages: 35812, Bytes: 7_600_000, FirstTime: ago(59 * time.Minute),
			LastTime: ago(0), Consumers: 1, Retention: "limits", Storage: "file", Replicas: 1},
		{Name: "ORDERS_BACKUP", Messages: 35500, Bytes: 7_530_000, FirstTime: ago(59 * time.Minute), LastTime: ago(2 * time.Second),
			Retention: "limits", Storage: "file", Replicas: 1, Note: "mirror of ORDERS, lag 312"},
		{Name: "JOBS", Subjects: []string{"jobs.>"}, Messages: 64, Bytes: 11_700, FirstTime: ago(13 * time.Second),
			LastTime: ago(0), Consumers: 1, Retention: "workqueue", Storage: "file", Replicas: 1},
		{Name: "KV_drivers", Subjects: []string{"$KV.drivers.>"}, Messages: 900, Bytes: 98_000, FirstTime: ago(2 * time.Hour),
			LastTime: ago(0), Retention: "limits", Storage: "file", Replicas: 1},
		{Name: "AUDIT", Subjects: []string{"audit.>", "logs.*.error"}, Messages: 1_204_331, Bytes: 912_000_000,
			FirstTime: ago(30 * 24 * time.Hour), LastTime: ago(4 * time.Second), Consumers: 3, Retention: "interest",
			Storage: "file", Replicas: 3, Leader: "nats-2"},
	}
}

// staticStreams lists fixed streams, consumers and one page for the
// JetStream scenes.
type staticStreams struct {
	streams   []model.StreamSummary
	consumers map[string][]model.ConsumerSummary
	page      *model.StreamPage
	kvKeys    []string
	kvChanges map[string]string
}

func (s staticStreams) Summaries(context.Context) ([]model.StreamSummary, error) {
	return s.streams, nil
}

func (s staticStreams) ConsumerSummaries(_ context.Context, stream string) ([]model.ConsumerSummary, error) {
	return slices.Clone(s.consumers[stream]), nil
}

// SubjectCounts counts nothing: the scenes show the stored marks without
// counts.
func (s staticStreams) SubjectCounts(_ context.Context, stream, filter string, _ []string) (model.StoredCounts, error) {
	return model.StoredCounts{Stream: stream, Filter: filter}, nil
}

// Keys lists the scene's keys, whatever the bucket.
func (s staticStreams) Keys(context.Context, string, string, int) ([]string, bool, error) {
	return slices.Clone(s.kvKeys), false, nil
}

// WatchKeys watches a bucket whose changes are the scene's.
func (s staticStreams) WatchKeys(context.Context, string) (model.KeyWatch, error) {
	return &sceneWatch{changes: maps.Clone(s.kvChanges)}, nil
}

// KVPut, KVDelete and KVCreate make the scenes' lister a KV actor, so
// the keys offer p, D and n; the scenes never answer y.
func (staticStreams) KVPut(context.Context, string, string, []byte) (uint64, error) {
	return 0, errNoBucket
}

func (staticStreams) KVDelete(context.Context, string, string) error { return errNoBucket }

func (staticStreams) KVCreate(context.Context, string, string, []byte) (uint64, error) {
	return 0, errNoBucket
}

var errNoBucket = errors.New("the screenshots never change a bucket")

// sceneWatch hands over the scene's changes once, then sees none.
type sceneWatch struct{ changes map[string]string }

func (w *sceneWatch) Changes() (map[string]string, uint64) {
	c := w.changes
	w.changes = nil
	return c, 0
}

func (*sceneWatch) Stop() {}

// Page is the scene's one page, whatever is asked.
func (s staticStreams) Page(context.Context, string, model.PageQuery) (model.StreamPage, error) {
	if s.page == nil {
		return model.StreamPage{}, nil
	}
	return *s.page, nil
}

// clusterAnswers are what a 3-server cluster answers w, T and :servers
// with, in the system account.
type clusterAnswers struct{}

func (clusterAnswers) Who(_ context.Context, subject string) (*model.WhoResult, error) {
	return &model.WhoResult{Subject: subject, Source: model.WhoSystem, Servers: []string{"n1", "n2", "n3"},
		Blind: "servers behind leafnode connections answer only if they share the system account",
		Subscribers: []model.Subscriber{
			{Name: "billing", Lang: "go", Version: "1.43.0", CID: 12, Kind: "Client", Account: "APP", Server: "n1", Pattern: "orders.*", Queue: "workers", Msgs: 1234},
			{Name: "billing", Lang: "go", Version: "1.43.0", CID: 7, Kind: "Client", Account: "APP", Server: "n2", Pattern: "orders.*", Queue: "workers", Msgs: 1180},
			{Name: "audit", Lang: "python3", Version: "2.9.0", CID: 3, Kind: "Client", Account: "APP", Server: "n3", Pattern: "orders.>", Msgs: 2414},
		},
		Streams: []model.WhoStream{{Name: "ORDERS", Subject: "orders.>", Retention: "limits",
			Consumers: []model.WhoConsumer{{Name: "shipping", Filter: subject, Pending: 3, Push: true, Bound: true}}}},
		OwnLeftOut: 1}, nil
}

func (clusterAnswers) Trace(_ context.Context, msg model.Message) (model.TraceReport, error) {
	return model.TraceReport{Subject: msg.Subject, TraceOnly: true, Lines: []model.TraceLine{
		{Head: true, Text: "n1 (cluster east, 2.15.2)"},
		{Label: "in", Text: `client "natsx" cid 5, account APP, subject ` + msg.Subject},
		{Label: "js", Text: "stream ORDERS, subject " + msg.Subject},
		{Label: "out", Text: `client "natsx" cid 5, subscription > (natsx itself)  +7µs`, Own: true},
		{Label: "✗ out", Text: `client "billing" cid 12, subscription orders.*  +9µs: Not delivered because fast producer not stalled and consumer is slow`, Bad: true},
		{Label: "out", Text: `route "n3" cid 2  +12µs`},
		{Depth: 1, Head: true, Text: "n3 (cluster east, 2.15.2, hop 1)"},
		{Depth: 1, Label: "in", Text: `route "n1" cid 3, account APP, subject ` + msg.Subject},
		{Depth: 1, Label: "out", Text: `client "audit" cid 3, subscription orders.>  +3µs`},
	}}, nil
}

func (clusterAnswers) Servers(context.Context) (*model.ServersReport, error) {
	start := epoch.Add(-26 * time.Hour)
	return &model.ServersReport{Source: model.WhoSystem, Servers: []model.ServerStats{
		{Name: "n1", Version: "2.15.2", Cluster: "east", JetStream: true, Connected: true, Known: true, Start: start,
			Conns: 1204, Subs: 88123, Routes: 2, SlowConsumers: 3, Mem: 512 << 20, CPU: 37.5, Cores: 8, RTT: 420 * time.Microsecond},
		{Name: "n2", Version: "2.15.2", Cluster: "east", JetStream: true, Known: true, Start: start.Add(time.Hour),
			Conns: 998, Subs: 87000, Routes: 2, Mem: 480 << 20, CPU: 12, Cores: 8, RTT: 1200 * time.Microsecond},
		{Name: "n3", Version: "2.15.2", Cluster: "east", JetStream: true, Known: true, Start: start.Add(2 * time.Hour),
			Conns: 1101, Subs: 86500, Routes: 2, Leafs: 1, Mem: 455 << 20, CPU: 14.2, Cores: 8, RTT: 1350 * time.Microsecond},
	}, Links: []model.ServerLink{
		{Server: "n1", Kind: "route", Peer: "n2", Conns: 4, RTT: 310 * time.Microsecond, InMsgs: 1_204_311, OutMsgs: 998_120},
		{Server: "n1", Kind: "route", Peer: "n3", Conns: 4, RTT: 420 * time.Microsecond, InMsgs: 1_101_877, OutMsgs: 1_003_442},
		{Server: "n2", Kind: "route", Peer: "n1", Conns: 4, RTT: 305 * time.Microsecond, InMsgs: 998_120, OutMsgs: 1_204_311},
		{Server: "n2", Kind: "route", Peer: "n3", Conns: 4, RTT: 390 * time.Microsecond, InMsgs: 455_902, OutMsgs: 512_330},
		{Server: "n3", Kind: "route", Peer: "n1", Conns: 4, RTT: 415 * time.Microsecond, InMsgs: 1_003_442, OutMsgs: 1_101_877},
		{Server: "n3", Kind: "route", Peer: "n2", Conns: 4, RTT: 388 * time.Microsecond, InMsgs: 512_330, OutMsgs: 455_902},
		{Server: "n3", Kind: "leafnode", Peer: "edge-1 (APP)", Conns: 1, RTT: 12 * time.Millisecond, InMsgs: 80_211, OutMsgs: 9_870},
	}}, nil
}

// staticTimeline is a player frozen in one state, for the timeline scene;
// the scenes press none of its keys.
type staticTimeline struct{ st model.TimelineStatus }

func (s staticTimeline) Status() model.TimelineStatus     { return s.st }
func (staticTimeline) Toggle() (bool, error)              { return false, errNoPlayer }
func (staticTimeline) Speed(bool) (bool, error)           { return false, errNoPlayer }
func (staticTimeline) Step() (bool, error)                { return false, errNoPlayer }
func (staticTimeline) SeekBy(time.Duration) (bool, error) { return false, errNoPlayer }
func (staticTimeline) SeekTo(time.Duration) (bool, error) { return false, errNoPlayer }
func (staticTimeline) Marker(bool) (bool, error)          { return false, errNoPlayer }

func (staticTimeline) Stamp([]model.Message, int64, bool) {}
func (staticTimeline) RewindSubject() string              { return model.RewindPrefix + "screenshots" }
func (staticTimeline) Break(func(*model.Message) bool)    {}

var errNoPlayer = errors.New("the screenshots have no player")

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "screenshots: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	only := flag.String("scene", "", "render only this scene")
	ansiOnly := flag.Bool("ansi-only", false, "write the .ansi files only, without running freeze")
	flag.Parse()
	if _, err := os.Stat(filepath.Join(outDir, "main.go")); err != nil {
		return errors.New("run from the repository root: go run ./screenshots")
	}
	// Received times are shown as local clock times: pin the zone so the
	// pictures are the same on every machine.
	time.Local = time.UTC

	var pngs []string
	for _, sc := range scenes {
		if *only != "" && sc.name != *only {
			continue
		}
		screen, err := sc.render()
		if err != nil {
			return fmt.Errorf("scene %s: %w", sc.name, err)
		}
		ansiPath := filepath.Join(outDir, sc.name+".ansi")
		if err := os.WriteFile(ansiPath, []byte(screen), 0o644); err != nil {
			return err
		}
		fmt.Println(ansiPath)
		pngs = append(pngs, sc.name)
	}
	if len(pngs) == 0 {
		return fmt.Errorf("no scene %q", *only)
	}
	if *ansiOnly {
		return nil
	}
	return freezeAll(pngs)
}

// freezeAll renders the scenes' .ansi files to PNG, as many at once as
// there are CPUs: each freeze takes tens of seconds rasterising at 4x.
func freezeAll(names []string) error {
	errs := make([]error, len(names))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			in, out := filepath.Join(outDir, name+".ansi"), filepath.Join(outDir, name+".png")
			if err := freeze(in, out); err != nil {
				errs[i] = fmt.Errorf("scene %s: %w", name, err)
				return
			}
			if err := shrink(out); err != nil {
				errs[i] = fmt.Errorf("scene %s: %w", name, err)
				return
			}
			fmt.Println(out)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// demoSeed picks the demo's subjects and payloads: the scenes show the
// real demo's traffic (engine.DemoTraffic, the generator natsx's embedded
// broker runs), not a staged set.
const demoSeed = 7

// epoch is the fixed clock of every scene: the data spans the 30 seconds
// before it.
var epoch = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// render builds a fresh model at the scene's size, feeds it the scripted
// traffic, presses the keys and returns the screen.
func (sc scene) render() (string, error) {
	start := epoch.Add(-30 * time.Second)
	o := ui.Options{Start: start, Filters: sc.filters}
	if sc.publisher {
		o.Source = stubPublisher{}
	}
	if sc.timeline != nil {
		o.Timeline = staticTimeline{*sc.timeline}
	}
	if sc.streams != nil {
		o.Streams = staticStreams{sc.streams, sc.consumers, sc.page, sc.kvKeys, sc.kvChanges}
	}
	status := model.SourceStatus{
		URL:           "nats://127.0.0.1:4222",
		Embedded:      true,
		State:         model.StateConnected,
		ServerDropped: 0,
		Tap:           ">",
		Server:        "natsx-embedded",
		ServerVersion: "2.15.2",
		Probe:         string(model.WhoEmbedded),
	}
	if sc.cluster {
		o.Who, o.Trace, o.Servers = clusterAnswers{}, clusterAnswers{}, clusterAnswers{}
		status.URL, status.Embedded, status.ServerDropped = "nats://n1.example.com:4222", false, -1
		status.Server, status.Probe = "n1", string(model.WhoSystem)
	}
	m := ui.New(o)
	m.Update(tea.WindowSizeMsg{Width: sc.w, Height: sc.h})
	m.Apply(engine.DemoTraffic(demoSeed, start, epoch, engine.DefaultDemoRate), epoch, status)
	for _, k := range sc.keys {
		_, cmd := m.Update(keys.Press(k))
		if cmd == nil {
			continue
		}
		if sc.streams != nil && (k == "J" || k == "enter" || k == "b" || k == "K") ||
			sc.cluster && (k == "w" || k == "T" || k == "enter") {
			// The listing, the page or the answer, at once (never a
			// timer's command: these keys only list, read or ask).
			_, next := m.Update(cmd())
			if k == "K" && next != nil {
				// K starts the watch, then lists the keys; the list arms
				// the watch's tick.
				if _, tick := m.Update(next()); tick != nil && sc.kvChanges != nil {
					m.Update(tick())
				}
			}
		}
	}
	screen := m.Render()
	plain := ansi.Strip(screen)
	for _, want := range sc.wants {
		if !strings.Contains(plain, want) {
			return "", fmt.Errorf("screen lacks %q after keys %q; the UI changed, update the script:\n%s", want, sc.keys, plain)
		}
	}
	return screen, nil
}

// stubPublisher is a source with no traffic of its own that accepts
// publishing, so the publish form opens; the scenes never send.
type stubPublisher struct{}

func (stubPublisher) Read(cursor uint64, buf []model.Message) (int, uint64, uint64) {
	return 0, cursor, 0
}
func (stubPublisher) Status() model.SourceStatus                         { return model.SourceStatus{} }
func (stubPublisher) Publish(string, string, model.Header, []byte) error { return nil }
func (stubPublisher) Request(string, model.Header, []byte, time.Duration) (model.Message, time.Duration, error) {
	return model.Message{}, 0, errors.New("the screenshots never send")
}

// freeze renders an ANSI file to PNG. The .ansi extension is unknown to
// freeze's lexers, so --language ansi selects its terminal-output renderer.
// The PNG rasteriser picks the ligature variant of JetBrains Mono whatever
// --font.ligatures says, which draws "|>" in a hex dump as a triangle and
// merges "..": naming the NL ("no ligatures") family it also embeds avoids that.
func freeze(in, out string) error {
	cmd := exec.Command("go", "run", freezeModule, in,
		"--language", "ansi",
		"--config", "full",
		"--font.family", "JetBrains Mono NL",
		"--output", out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("freeze %s: %w\n%s", in, err, strings.TrimSpace(string(b)))
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() == 0 {
		return fmt.Errorf("freeze %s: no image written\n%s", in, strings.TrimSpace(string(b)))
	}
	// freeze creates the file private (0600); these are for the README.
	return os.Chmod(out, 0o644)
}
