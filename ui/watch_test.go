package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// sensorMsgs are demo-like sensor readings on subject, one a second from
// at, with the values given.
func sensorMsgs(at time.Time, subject string, values ...float64) []model.Message {
	out := make([]model.Message, len(values))
	for i, v := range values {
		out[i] = paneMsg(at.Add(time.Duration(i)*time.Second), subject,
			fmt.Sprintf(`{"sensor":"s-1","value":%g,"unit":"C","battery":0.9}`, v), "")
		out[i].Seq = uint64(at.Unix()) + uint64(i)
	}
	return out
}

// watchModel is a model with a pane on sensors.>, focused, and a few
// readings on two sensors.
func watchModel(t *testing.T, w, h int) *Model {
	t.Helper()
	m := paneModel(nil, w, h)
	openPane(t, m, "sensors.>")
	m.Apply(sensorMsgs(sceneNow, "sensors.temp.1", 20, 21.5, 19, 23), sceneNow, model.SourceStatus{})
	return m
}

func TestWatchKeyOffersTheFirstNumber(t *testing.T) {
	m := watchModel(t, 160, 40)
	if m.focus != focusPane {
		t.Fatalf("focus %v, want the pane", m.focus)
	}
	send(m, pk("W"))
	if m.prompt.kind != promptWatch {
		t.Fatalf("W did not open the watch prompt (flash %q)", m.flash.text)
	}
	if v := m.prompt.input.Value(); v != ".value on sensors.temp.1" {
		t.Errorf("W offers %q, want the payload's first number on the subject", v)
	}
	send(m, pk("enter"))
	if !m.watch.on() || m.watch.label() != ".value on sensors.temp.1" {
		t.Fatalf("enter did not watch: prompt err %q", m.prompt.err)
	}
	send(m, pk("W"))
	if m.watch.on() {
		t.Error("W again should stop watching")
	}
}

func TestWatchColumnAndChart(t *testing.T) {
	m := watchModel(t, 160, 40)
	send(m, pk(":"))
	typeIn(m, "watch .value on sensors.temp.*")
	send(m, pk("enter"))
	if m.prompt.kind != promptNone || !m.watch.on() {
		t.Fatalf(":watch refused: %q", m.prompt.err)
	}
	// Values are read from what arrives once watched.
	m.Apply(sensorMsgs(sceneNow.Add(time.Minute), "sensors.hum.1", 99), sceneNow, model.SourceStatus{})
	m.Apply(sensorMsgs(sceneNow.Add(2*time.Minute), "sensors.temp.1", 30, 10, 25.5), sceneNow, model.SourceStatus{})
	out := screenText(m)
	for _, want := range []string{"watch .value", "min 10 · max 30 · last 25.5", "3 values"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	// The column: the rows on the watched subjects show their value,
	// older ones too (read from the pane's kept messages).
	rows := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "sensors.temp.1"); i >= 0 && strings.Contains(l, `{"sensor"`) {
			f := strings.Fields(l[i:])
			rows[f[3]] = l
		}
	}
	for _, v := range []string{"20", "21.5", "19", "23", "30", "10", "25.5"} {
		if _, ok := rows[v]; !ok {
			t.Errorf("no pane row with %s in the watch column; rows:\n%s", v, out)
		}
	}
	if s := m.watch.series.Get("sensors.hum.1"); s != nil {
		t.Errorf("a subject outside the watch's scope has a series: %d values", s.Len())
	}
	if m.watch.series.MemoryUsed() <= 0 {
		t.Error("the series hold no memory?")
	}
	send(m, pk(":"))
	typeIn(m, "watch off")
	send(m, pk("enter"))
	if out := screenText(m); m.watch.on() || strings.Contains(out, "watch .value") {
		t.Errorf(":watch off left the watch on:\n%s", out)
	}
}

func TestWatchTextShowsDistinctValues(t *testing.T) {
	m := paneModel(nil, 160, 40)
	openPane(t, m, "svc.>")
	send(m, pk(":"))
	typeIn(m, "watch .state on svc.api")
	send(m, pk("enter"))
	var msgs []model.Message
	for i, s := range []string{"ok", "ok", "degraded", "\x1b[2Jdown\x07"} {
		b, _ := json.Marshal(map[string]string{"state": s})
		msg := paneMsg(sceneNow.Add(time.Duration(i)*time.Second), "svc.api", string(b), "")
		msg.Seq = uint64(i + 1)
		msgs = append(msgs, msg)
	}
	m.Apply(msgs, sceneNow, model.SourceStatus{})
	raw := m.Render()
	if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x07") {
		t.Fatal("a payload's escape reached the screen")
	}
	out := screenText(m)
	if !strings.Contains(out, `watch .state "\x1b[2Jdown\a" "degraded" "ok"`) {
		t.Errorf("want the last distinct values, newest first, escaped:\n%s", out)
	}
}

func TestWatchRefusesBadInput(t *testing.T) {
	m := watchModel(t, 120, 30)
	for _, c := range []struct{ in, want string }{
		{"watch .value on a..b", "watch on:"},
		{"watch .value +", "watch: line 1, column"},
		{"watch off", "nothing watched"},
		{"watch", "nothing watched"},
	} {
		send(m, pk(":"))
		typeIn(m, c.in)
		send(m, pk("enter"))
		if m.prompt.kind == promptNone || !strings.Contains(m.prompt.err, c.want) || m.watch.on() {
			t.Errorf(":%s: prompt %v err %q, want %q", c.in, m.prompt.kind, m.prompt.err, c.want)
		}
		send(m, pk("esc"))
	}
}

// TestViewGoldenWatch: a watched .value on demo-like sensor readings: the
// pane's column and the inspector's chart, at every size.
func TestViewGoldenWatch(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := paneModel(nil, sz.w, sz.h)
			m.Apply(nil, sceneNow, model.SourceStatus{State: model.StateConnected})
			openPane(t, m, "sensors.>")
			send(m, pk(":"))
			typeIn(m, "watch .value on sensors.temp.*")
			send(m, pk("enter"))
			var vals []float64
			for i := range 40 {
				vals = append(vals, 20+float64(i%10)-float64(i/10))
			}
			m.Apply(sensorMsgs(sceneNow, "sensors.hum.1", 55, 56), sceneNow, model.SourceStatus{State: model.StateConnected})
			m.Apply(sensorMsgs(sceneNow.Add(10*time.Second), "sensors.temp.1", vals...), sceneNow.Add(time.Minute), model.SourceStatus{State: model.StateConnected})
			m.flash = statusMsg{}
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestWatchHostilePayloads: huge numbers, escapes, deep nesting and
// long strings stay bounded and sanitized in the column and the chart.
func TestWatchHostilePayloads(t *testing.T) {
	m := paneModel(nil, 120, 40)
	openPane(t, m, "evil.>")
	send(m, pk(":"))
	typeIn(m, "watch .value on evil.*")
	send(m, pk("enter"))
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	long, _ := json.Marshal(strings.Repeat("\x1b]52;c;aGk=\x07\u202e", 1000))
	var msgs []model.Message
	for i, v := range []string{"1e308", "-1e308", "1e999", deep, string(long), `[` + strings.Repeat("1,", 5000) + `1]`, "12"} {
		data := `{"value":` + v + `}`
		msg := paneMsg(sceneNow.Add(time.Duration(i)*time.Second), fmt.Sprintf("evil.%d", i), data, "")
		msg.Seq = uint64(i + 1)
		msgs = append(msgs, msg)
	}
	m.Apply(msgs, sceneNow, model.SourceStatus{})
	for _, sub := range []string{"evil.0", "evil.1", "evil.3", "evil.4", "evil.5", "evil.6"} {
		if s := m.watch.series.Get(sub); s == nil || s.Len() != 1 {
			t.Errorf("%s: want one value kept", sub)
		}
	}
	if s := m.watch.series.Get("evil.2"); s == nil || s.Misses != 1 {
		t.Error("1e999 is not JSON: want a miss counted")
	}
	for i := range len(msgs) {
		send(m, pk("k"))
		raw := render(t, m, 120, 40) // every line exactly 120 cells
		if strings.Contains(raw, "\x1b]52") || strings.Contains(raw, "\x07") || strings.Contains(raw, "\u202e") {
			t.Fatalf("row %d: a payload's control reached the screen", i)
		}
	}
	out := screenText(m)
	for _, want := range []string{"1e+308", "-1e+308", "{1 fields}", "[5001 items]", `"\x1b]52;c`} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if mem := m.watch.memory(); mem > 64<<10 {
		t.Errorf("7 values hold %d bytes", mem)
	}
}
