package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

func TestMain(m *testing.M) {
	// The inspector shows receive times in local time; goldens need one
	// zone. Setting time.Local here raced (-race) with the timer
	// nats-server's pse package starts at init, which reads it (the who
	// and trace tests link the server): the tests run again in a process
	// whose zone is UTC from its start instead.
	if os.Getenv("TZ") != "UTC" {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), "TZ=UTC")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				os.Exit(exit.ExitCode())
			}
			fmt.Fprintln(os.Stderr, "ui tests: running again with TZ=UTC:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sceneStart is when the golden scene's observation began.
var sceneStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// sceneNow is the scene's frame time, 30.5 s into observation.
var sceneNow = sceneStart.Add(30*time.Second + 500*time.Millisecond)

// sceneMessages is a fixed mix of traffic: JSON with headers and a reply,
// text, binary, an empty and a truncated payload, noise, and hostile bytes
// in subjects, replies, headers and payloads.
func sceneMessages() []model.Message {
	at := func(sec, ms int) int64 {
		return sceneStart.Add(time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond).UnixNano()
	}
	var out []model.Message
	add := func(m model.Message) {
		if m.Size == 0 {
			m.Size = len(m.Data)
		}
		m.Seq = uint64(len(out) + 1)
		out = append(out, m)
	}
	orderJSON := []byte(`{"id":1042,"customer":{"name":"Zoë","vip":true},"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"total":59.9,"note":null}`)
	for i, sec := range []int{21, 23, 25, 27, 29} {
		add(model.Message{
			Subject:  "orders.eu.created",
			Reply:    fmt.Sprintf("_INBOX.Xy1.%d", i),
			Received: at(sec, 100),
			Header:   model.Header{"Nats-Msg-Id": {fmt.Sprint(1038 + i)}, "Content-Type": {"application/json"}},
			Data:     orderJSON,
		})
	}
	for _, sec := range []int{26, 28, 30} {
		add(model.Message{Subject: "orders.us.created", Received: at(sec, 200), Data: []byte(`[1,2,3]`)})
	}
	add(model.Message{
		Subject:  "orders.eu.paid",
		Received: at(24, 0),
		Header:   model.Header{"X-Evil": {"\x1b[31mred\x1b[0m", "\x9b2J"}},
		Data:     []byte(`{"id":1042,"paid":true}`),
	})
	for sec := 20; sec <= 30; sec++ {
		for s := 1; s <= 3; s++ {
			if (sec+s)%4 == 0 {
				continue // gaps make the sparklines differ
			}
			add(model.Message{Subject: fmt.Sprintf("sensors.temp.%d", s), Received: at(sec, 10*s), Data: fmt.Appendf(nil, "%d.%d C", 20+s, sec%10)})
		}
	}
	add(model.Message{Subject: "logs.app", Received: at(29, 500), Data: []byte("2025-06-01T12:00:29Z INFO started\n\tworker=3 ok\r\nbell\a done")})
	bin := make([]byte, 80)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	add(model.Message{Subject: "blob.bin", Received: at(28, 0), Data: bin})
	add(model.Message{Subject: "evil\x1b[2J", Reply: "\x1b[H\x1b]52;c;cHduZWQ=\x07", Received: at(30, 0), Data: []byte("\x1b]0;pwned\x07 a publisher tried to retitle the terminal; natsx shows it instead")})
	add(model.Message{Subject: "bidi.\u202egnp.exe", Received: at(22, 0), Data: []byte("\u202e reversed \u200b zero width")})
	add(model.Message{Subject: "unicode.météo", Received: at(27, 0), Data: []byte("ensoleillé ☀ 25°")})
	add(model.Message{Subject: "heartbeat", Received: at(30, 300)})
	big := []byte(strings.Repeat("report line\n", 9))
	add(model.Message{Subject: "big.report", Received: at(25, 0), Data: big, Size: 1 << 20})
	add(model.Message{Subject: "_INBOX.Xy1.0", Received: at(21, 200), Data: []byte(`{"ok":true}`)})
	add(model.Message{Subject: "$SYS.SERVER.PING", Received: at(20, 0), Data: []byte("{}")})
	return out
}

// sceneStatus is an embedded broker after one reconnect, with drops.
var sceneStatus = model.SourceStatus{
	URL:           "nats://127.0.0.1:4222",
	Embedded:      true,
	State:         model.StateConnected,
	Tap:           ">",
	ClientDropped: 2,
	ServerDropped: -1,
	Reconnects:    1,
}

// scene is the golden scene at w x h with the given subject selected (none
// when empty). Nothing in it depends on the clock or the environment.
func scene(t testing.TB, w, h int, subject string) *Model {
	t.Helper()
	m := New(Options{Start: sceneStart})
	m.Apply(sceneMessages(), sceneNow, sceneStatus)
	m.storeDropped = 1500
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m.Render() // a first frame, as on a terminal (sizes come from Update)
	if subject != "" {
		n := m.ex.Tree().Find(subject)
		if n.IsZero() {
			t.Fatalf("scene has no subject %q", subject)
		}
		m.ex.TreeView().Reveal(n, sceneNow.UnixNano())
		if got := selected(m); got != subject {
			t.Fatalf("selected %q, want %q", got, subject)
		}
	}
	return m
}

// sgr matches a Select Graphic Rendition sequence, the only escape natsx's
// own styles may write.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// requireScreen checks the frame's shape and that no byte from the wire
// reaches the terminal as a control: every line exactly w cells, exactly h
// lines, and nothing but SGR sequences, printable text and newlines.
func requireScreen(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
	requireTerminalSafe(t, out)
}

// requireTerminalSafe fails when out, once SGR sequences are removed, holds
// an escape, a C0 or C1 control other than '\n', invalid UTF-8, or an
// invisible format rune (bidi overrides, zero-width characters).
func requireTerminalSafe(t *testing.T, out string) {
	t.Helper()
	plain := sgr.ReplaceAllString(out, "")
	if i := strings.IndexByte(plain, 0x1b); i >= 0 {
		t.Fatalf("raw ESC that is not SGR at byte %d: %q", i, plain[max(0, i-20):min(len(plain), i+20)])
	}
	for i := 0; i < len(plain); i++ {
		if c := plain[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("control byte %#x at %d: %q", c, i, plain[max(0, i-20):min(len(plain), i+20)])
		}
	}
	if !utf8.ValidString(plain) {
		t.Fatal("invalid UTF-8 on screen")
	}
	for i, r := range plain {
		if (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r) {
			t.Fatalf("unsafe rune %U at %d: %q", r, i, plain[max(0, i-20):min(len(plain), i+20)])
		}
	}
}

// render renders m and checks the frame before returning it.
func render(t *testing.T, m *Model, w, h int) string {
	t.Helper()
	out := m.Render()
	requireScreen(t, out, w, h)
	if v := m.View(); v.Content != out || !v.AltScreen {
		t.Error("View does not wrap Render on the alt screen")
	}
	return out
}

var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 32}, {200, 50}}

func TestViewGolden(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := scene(t, sz.w, sz.h, "orders.eu.created")
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestViewGoldenInspector shows each kind of payload, and the hostile ones,
// in the inspector.
func TestViewGoldenInspector(t *testing.T) {
	for _, tc := range []struct{ name, subject string }{
		{"text", "logs.app"},
		{"binary", "blob.bin"},
		{"empty", "heartbeat"},
		{"truncated", "big.report"},
		{"branch", "orders.eu"},
		{"escapes", "evil\x1b[2J"},
		{"header_escapes", "orders.eu.paid"},
		{"bidi", "bidi.\u202egnp.exe"},
		{"noise", "_INBOX.Xy1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := scene(t, 120, 32, tc.subject)
			golden.RequireEqual(t, []byte(render(t, m, 120, 32)))
		})
	}
}

func TestViewGoldenEmpty(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := New(Options{Start: sceneStart})
			send(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

func TestViewGoldenHelp(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := scene(t, sz.w, sz.h, "")
			send(m, press("?"))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

func TestViewGoldenSearch(t *testing.T) {
	for _, sz := range goldenSizes[:2] {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := scene(t, sz.w, sz.h, "")
			send(m, press("/"))
			t.Run("prompt", func(t *testing.T) {
				golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
			})
			typeText(m, "temp.2")
			t.Run("typed", func(t *testing.T) {
				if got := selected(m); got != "sensors.temp.2" {
					t.Fatalf("selected %q, want sensors.temp.2", got)
				}
				golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
			})
		})
	}
}

// TestViewGoldenStates covers the header and footer's other states: noise
// shown, a disconnected broker with an error, a sort flash.
func TestViewGoldenStates(t *testing.T) {
	t.Run("noise", func(t *testing.T) {
		m := scene(t, 120, 32, "")
		send(m, press("."))
		golden.RequireEqual(t, []byte(render(t, m, 120, 32)))
	})
	t.Run("reconnecting", func(t *testing.T) {
		m := scene(t, 120, 32, "")
		st := sceneStatus
		st.State = model.StateReconnecting
		st.LastError = "nats: connection refused \x1b[2J\x1b]0;x\x07"
		st.ServerDropped = 12
		m.Apply(nil, sceneNow, st)
		golden.RequireEqual(t, []byte(render(t, m, 120, 32)))
	})
	t.Run("sort_count", func(t *testing.T) {
		m := scene(t, 120, 32, "")
		send(m, press("s"), press("s"))
		golden.RequireEqual(t, []byte(render(t, m, 120, 32)))
	})
}

// TestViewShape renders the scene at sizes from the smallest the layout
// supports to wide and tall ones, around every layout threshold, in each
// mode, and checks the frame's shape and terminal safety.
func TestViewShape(t *testing.T) {
	widths := []int{20, 21, 30, 40, 59, 60, 71, 72, 79, 80, 100, 109, 110, 111, 119, 120, 131, 160, 200, 255}
	heights := []int{7, 8, 9, 10, 12, 16, 24, 32, 50}
	for _, mode := range []string{"tree", "help", "search", "escapes"} {
		m := scene(t, 80, 24, "orders.eu.created")
		switch mode {
		case "help":
			send(m, press("?"))
		case "search":
			send(m, press("/"))
			typeText(m, "evil")
		case "escapes":
			send(m, press("."))
			m.ex.TreeView().Reveal(m.ex.Tree().Find("evil\x1b[2J"), sceneNow.UnixNano())
		}
		for _, w := range widths {
			for _, h := range heights {
				send(m, tea.WindowSizeMsg{Width: w, Height: h})
				out := m.Render()
				t.Run(fmt.Sprintf("%s/%dx%d", mode, w, h), func(t *testing.T) {
					requireScreen(t, out, w, h)
				})
			}
		}
	}
}

// TestViewSmallestHeight is the smallest height Render pads to.
func TestViewSmallestHeight(t *testing.T) {
	m := scene(t, 80, 6, "orders.eu.created")
	requireScreen(t, m.Render(), 80, 6)
}

// TestFitWideRunes: a wide rune cut at the edge must not leave the cell a
// column short, or the columns to its right shift left (a tree row whose
// CJK name is cut has its MSGS, RATE, BYTES and AGE one cell off).
func TestFitWideRunes(t *testing.T) {
	for _, s := range []string{"天气北京天气北京", "ab天气北京天气"} {
		for w := 1; w < 12; w++ {
			if got := ansi.StringWidth(fit(s, w)); got != w {
				t.Errorf("fit(%q, %d) is %d cells", s, w, got)
			}
			if got := ansi.StringWidth(fitLeft(s, w)); got != w {
				t.Errorf("fitLeft(%q, %d) is %d cells", s, w, got)
			}
		}
	}
}

// TestViewWideSubjects renders CJK subjects, cut at odd and even widths, in
// both layouts: the frame stays exactly w x h.
func TestViewWideSubjects(t *testing.T) {
	for _, w := range []int{80, 81, 120, 121} {
		m := New(Options{Start: sceneStart})
		m.Apply(msgsOn(sceneNow, "天气.北京市朝阳区三里屯街道工体北路东侧天气预报数据", "天气.上海"), sceneNow, sceneStatus)
		send(m, tea.WindowSizeMsg{Width: w, Height: 24}, press("l"), press("j"))
		requireScreen(t, m.Render(), w, 24)
	}
}

// TestInspectorShowsCut: a payload longer than the pane ends with the
// "… N more lines" line FormatPayload adds, so the user knows it was cut.
func TestInspectorShowsCut(t *testing.T) {
	m := New(Options{Start: sceneStart})
	data := "[" + strings.Repeat("1,", 99) + "1]"
	m.Apply([]model.Message{{Seq: 1, Subject: "long", Received: sceneNow.UnixNano(), Data: []byte(data), Size: len(data)}}, sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	if out := ansi.Strip(m.Render()); !strings.Contains(out, "more lines") {
		t.Errorf("cut payload without a \"more lines\" marker:\n%s", out)
	}
}

// TestInspectorFollowsNewMessage: a new message on the selected subject is
// shown even when its sequence number repeats (Apply callers, a restarted
// feed).
func TestInspectorFollowsNewMessage(t *testing.T) {
	m := New(Options{Start: sceneStart})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 32})
	for _, payload := range []string{"first payload", "second payload"} {
		m.Apply([]model.Message{{Subject: "a", Received: sceneNow.UnixNano(), Data: []byte(payload), Size: len(payload)}}, sceneNow, sceneStatus)
		if out := m.Render(); !strings.Contains(out, payload) {
			t.Errorf("inspector does not show %q", payload)
		}
	}
}

// TestInspectorFollowsSelection: moving the selection changes the payload
// shown, through the cache.
func TestInspectorFollowsSelection(t *testing.T) {
	m := scene(t, 120, 32, "orders.eu.created")
	if out := m.Render(); !strings.Contains(out, "customer") {
		t.Fatal("JSON payload not shown")
	}
	send(m, press("j")) // orders.eu.paid
	out := m.Render()
	if !strings.Contains(out, "paid") || strings.Contains(out, "customer") {
		t.Error("inspector still shows the previous subject's payload")
	}
}

// TestViewHidesNoise: the scene's _INBOX and $SYS roots stay off the tree
// until '.' is pressed.
func TestViewHidesNoise(t *testing.T) {
	m := scene(t, 120, 32, "")
	out := ansi.Strip(m.Render())
	if strings.Contains(out, "_INBOX") || strings.Contains(out, "$SYS") {
		t.Error("noise shown by default")
	}
	send(m, press("."))
	out = ansi.Strip(m.Render())
	if !strings.Contains(out, "_INBOX") || !strings.Contains(out, "$SYS") {
		t.Error("noise not shown after '.'")
	}
}

// TestViewEscapesVisible: hostile bytes are shown as visible escapes, not
// dropped, so the user can see what was sent.
func TestViewEscapesVisible(t *testing.T) {
	m := scene(t, 200, 50, "evil\x1b[2J")
	out := ansi.Strip(m.Render())
	for _, want := range []string{`evil\x1b[2J`, `\x1b]0;pwned\x07`, `\x1b[H\x1b]52;c;cHduZWQ=\x07`} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
}

// TestViewFlashExpires: a flash stays for five seconds of feed time.
func TestViewFlashExpires(t *testing.T) {
	m := scene(t, 120, 32, "")
	send(m, press("s"))
	if !strings.Contains(m.Render(), "sort by rate") {
		t.Fatal("no flash after s")
	}
	m.Apply(nil, sceneNow.Add(4*time.Second), sceneStatus)
	if !strings.Contains(m.Render(), "sort by rate") {
		t.Error("flash gone before five seconds")
	}
	m.Apply(nil, sceneNow.Add(5*time.Second), sceneStatus)
	if strings.Contains(m.Render(), "sort by rate") {
		t.Error("flash still shown after five seconds")
	}
}

// TestInspectorCacheHoldsAcrossFrames: a subject's kept message read again
// for the next frame is a new copy of the same bytes (the tree's slabs move
// payloads); the inspector's cache must still hold it, so a frame does not
// format (and highlight) the payload again.
func TestInspectorCacheHoldsAcrossFrames(t *testing.T) {
	m := scene(t, 120, 32, "orders.eu.created")
	send(m, press("j"), press("k")) // Update fills the cache for this frame
	l := m.bodyLayout()
	f := m.inspectorFrame(l.insp.w, l.insp.h)
	if f.msg == nil || len(f.msg.Data) == 0 {
		t.Fatal("no payload in the inspector")
	}
	if !m.insp.cache.holds(f.msg, f.prev, f.w, f.room+m.insp.scroll, m.insp.view, m.insp.diff) {
		t.Fatal("the next frame's message (a fresh copy of the same payload) misses the inspector's cache")
	}
}
