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
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
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
	// streams is what the server's JetStream lists: S opens the streams
	// view on them.
	streams []model.StreamSummary
}

// scenes are listed in screenshots/README.md; keep the two in step. Roots
// sort by name: drivers, logs, orders, sensors, telemetry.
var scenes = []scene{
	{
		name: "tree", w: 120, h: 32,
		// sensors → hq → floor 3 → temperature.
		keys:  []string{"g", "j", "j", "j", "l", "l", "l", "l", "j", "j", "l", "l", "j"},
		wants: []string{"▾ sensors", "▾ hq", "▾ 3", "sensors.hq.3.temperature", `"unit": "C"`, "json"},
	},
	{
		name: "inspector-binary", w: 120, h: 32,
		// telemetry → its first device → raw.
		keys:  []string{"G", "l", "l", "l", "l"},
		wants: []string{"▾ telemetry", "telemetry.gw-03f9.raw", "binary", "|NXT1"},
	},
	{
		name: "help", w: 120, h: 32,
		keys:  []string{"?"},
		wants: []string{"natsx keys", "search subjects"},
	},
	{
		name: "narrow", w: 80, h: 24,
		// drivers → paris → 118. (At 80x24 the inspector has 11 lines: the
		// envelope goes on one line so the payload shows.)
		keys:  []string{"g", "l", "l", "j", "l", "l", "j"},
		wants: []string{"▾ paris", "drivers.paris.118", `"driver": 118`},
	},
	{
		name: "search", w: 120, h: 32,
		keys:  []string{"/", "e", "r", "r", "o", "r"},
		wants: []string{"/error", "logs.billing.error", "ERROR"},
	},
	{
		name: "panes", w: 120, h: 32,
		// Two filter panes tiled under the tree; drivers expanded so its
		// pane markers show; focus on pane 2, three messages back.
		filters: []string{"sensors.*.3.>", "drivers.paris.*"},
		keys:    []string{"g", "l", "tab", "tab", "k", "k", "k"},
		wants: []string{"▾ drivers", "1 sensors.*.3.>", "2 drivers.paris.*", "sensors.lab.3.humidity",
			"pane 2 · drivers.paris.*", `"driver": `},
	},
	{
		name: "diff", w: 120, h: 32,
		// sensors.hq.3.temperature, as in tree, then d: the newest reading
		// against the one before it, value and ts changed.
		keys:  []string{"g", "j", "j", "j", "l", "l", "l", "l", "j", "j", "l", "l", "j", "d"},
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
		keys: []string{"g", "j", "j", "j", "l", "l", "l", "l", "j", "j", "l", "l", "j"},
		wants: []string{"▶ 2x", "0:30.0 ━", "◆", "0:45.0", "13k msgs", "incident-0314.natsx", "▾ hq",
			"sensors.hq.3.temperature", "1 orders.>", "space play"},
	},
	{
		name: "streams", w: 120, h: 32,
		// The streams view (S) on the demo's streams, a mirror with lag
		// and a replicated one, sorted by messages (s), the mirror selected.
		streams: demoStreams(),
		keys:    []string{"S", "s", "j", "j"},
		wants: []string{"JetStream streams", "by messages", "ORDERS", "orders.>", "workqueue", "KV_drivers",
			"mirror of ORDERS, lag 312", "streams by messages"},
	},
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

// staticStreams lists fixed streams for the streams scene.
type staticStreams []model.StreamSummary

func (s staticStreams) Summaries(context.Context) ([]model.StreamSummary, error) { return s, nil }

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
			fmt.Println(out)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

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
		o.Streams = staticStreams(sc.streams)
	}
	m := ui.New(o)
	m.Update(tea.WindowSizeMsg{Width: sc.w, Height: sc.h})
	m.Apply(traffic(start, epoch), epoch, model.SourceStatus{
		URL:           "nats://127.0.0.1:4222",
		Embedded:      true,
		State:         model.StateConnected,
		ServerDropped: 0,
		Tap:           ">",
	})
	for _, k := range sc.keys {
		_, cmd := m.Update(keys.Press(k))
		if k == "S" && cmd != nil {
			m.Update(cmd()) // the listing, at once
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

// traffic is 30 seconds of messages shaped like the demo's, from a fixed
// seed, sorted by receive time.
func traffic(start, end time.Time) []model.Message {
	rng := rand.New(rand.NewPCG(7, 11))
	var msgs []model.Message
	// add publishes on subject at about perSec, swelling and ebbing over
	// a 15-second period so the sparklines have a shape.
	add := func(subject string, perSec float64, build func(at time.Time, i int) model.Message) {
		phase := rng.Float64() * 2 * math.Pi
		due, i := rng.Float64(), 0
		for sec := 0; start.Add(time.Duration(sec+1)*time.Second).Compare(end) <= 0; sec++ {
			due += perSec * (1 + 0.4*math.Sin(2*math.Pi*float64(sec)/15+phase) + 0.2*rng.Float64())
			n := int(due)
			due -= float64(n)
			for k := range n {
				off := time.Duration((float64(k) + 0.1 + 0.8*rng.Float64()) / float64(n) * float64(time.Second))
				at := start.Add(time.Duration(sec)*time.Second + off).Truncate(time.Millisecond)
				msg := build(at, i)
				msg.Subject = subject
				msg.Received = at.UnixNano()
				msg.Size = len(msg.Data)
				msgs = append(msgs, msg)
				i++
			}
		}
	}

	for _, b := range []string{"hq", "lab"} {
		for floor := 1; floor <= 3; floor++ {
			for _, kind := range []struct {
				name, unit string
				base       float64
			}{{"temperature", "C", 21}, {"humidity", "%", 45}} {
				sensor := fmt.Sprintf("%s-%d-%s", b, floor, kind.name)
				battery := 0.5 + 0.4*rng.Float64()
				add(fmt.Sprintf("sensors.%s.%d.%s", b, floor, kind.name), 1+rng.Float64()*2, func(at time.Time, i int) model.Message {
					v := kind.base + 1.5*math.Sin(float64(i)/4) + rng.Float64()*0.2
					return model.Message{Data: mustJSON(struct {
						Sensor  string  `json:"sensor"`
						Value   float64 `json:"value"`
						Unit    string  `json:"unit"`
						Battery float64 `json:"battery"`
						TS      string  `json:"ts"`
					}{sensor, math.Round(v*10) / 10, kind.unit, math.Round(battery*100) / 100, at.Format("2006-01-02T15:04:05.000Z07:00")})}
				})
			}
		}
	}

	for _, city := range []struct {
		name     string
		lat, lon float64
		ids      []int
	}{{"berlin", 52.52, 13.405, []int{7, 311}}, {"paris", 48.8566, 2.3522, []int{42, 118, 907}}} {
		for _, id := range city.ids {
			headers := id == 42 || id == 311 // drivers on the newer app version
			add(fmt.Sprintf("drivers.%s.%d", city.name, id), 2+rng.Float64()*3, func(at time.Time, i int) model.Message {
				msg := model.Message{Data: mustJSON(struct {
					Driver int     `json:"driver"`
					Lat    float64 `json:"lat"`
					Lon    float64 `json:"lon"`
					Speed  int     `json:"speed_kmh"`
					Status string  `json:"status"`
				}{
					id, math.Round((city.lat+0.01*math.Sin(float64(i)/9))*1e5) / 1e5,
					math.Round((city.lon+0.01*math.Cos(float64(i)/9))*1e5) / 1e5, 20 + rng.IntN(30),
					[]string{"available", "en_route", "on_trip"}[(i/20)%3],
				})}
				if headers {
					msg.Header = model.Header{
						"Nats-Msg-Id":  {fmt.Sprintf("%s-%d-%d", city.name, id, 1000+i)},
						"X-Trace-Id":   {fmt.Sprintf("%016x", rng.Uint64())},
						"Content-Type": {"application/json"},
					}
				}
				return msg
			})
		}
	}

	for _, op := range []string{"create", "cancel"} {
		add("orders."+op, 1.5, func(at time.Time, i int) model.Message {
			return model.Message{
				Reply: fmt.Sprintf("_INBOX.Qx7Rz2mB9wLp4Kd1Vn8Ta.%d", i),
				Data: mustJSON(struct {
					Order int     `json:"order"`
					Op    string  `json:"op"`
					Items int     `json:"items"`
					Total float64 `json:"total"`
				}{100420 + i, op, 1 + i%4, 12.5 + float64(i%7)*3.25}),
			}
		})
	}

	for _, dev := range []struct {
		id   string
		kind byte
	}{{"gw-03f9", 1}, {"meter-1a2b", 0}, {"pump-7c41", 2}} {
		add("telemetry."+dev.id+".raw", 2, func(at time.Time, i int) model.Message {
			return model.Message{Data: telemetryFrame(dev.kind, uint32(i), at, rng)}
		})
	}

	for _, svc := range []struct{ name, level, text string }{
		{"api", "info", `request handled method=GET path=/v1/orders/%d status=200 dur=%dms`},
		{"api", "warn", `slow request method=POST path=/v1/orders status=201 dur=%d%dms`},
		{"billing", "info", `invoice sent invoice=INV-%05d amount_cents=%d`},
		{"billing", "error", `payment declined order=%d reason="card expired" retry_in=%ds`},
	} {
		rate := map[string]float64{"info": 3, "warn": 0.5, "error": 0.3}[svc.level]
		add("logs."+svc.name+"."+svc.level, rate, func(at time.Time, i int) model.Message {
			line := at.Format("2006-01-02T15:04:05.000Z") + " " + strings.ToUpper(svc.level) + " " + svc.name + " " +
				fmt.Sprintf(svc.text, 100420+i, 5+rng.IntN(300))
			return model.Message{Data: []byte(line)}
		})
	}

	slices.SortStableFunc(msgs, func(a, b model.Message) int { return cmp.Compare(a.Received, b.Received) })
	for i := range msgs {
		msgs[i].Seq = uint64(i + 1)
	}
	return msgs
}

// telemetryFrame is a little-endian binary record: magic, kind, sequence,
// timestamp, a few readings and padding, so the inspector shows a hex dump.
func telemetryFrame(kind byte, seq uint32, at time.Time, rng *rand.Rand) []byte {
	b := []byte("NXT1")
	b = append(b, kind, 0x02)
	b = binary.LittleEndian.AppendUint32(b, seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(at.UnixMilli()))
	for range 6 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(rng.Float64()*100)))
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(rng.Uint32()))
	return append(b, 0x00, 0x00, 0xff, 0xfe)
}

// mustJSON marshals v; the values are built here, so failure is a bug.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
