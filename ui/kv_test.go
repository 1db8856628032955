package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// TestKVKeys: K on a bucket's stream lists its keys sorted and sanitized;
// enter opens the browser on the key's subject; esc goes back to the keys,
// esc again to the streams; a listing for an earlier opening is dropped.
func TestKVKeys(t *testing.T) {
	m := streamsScene(t, 80, 24, &fakeStreams{rows: sceneStreams(), page: scenePage()})
	selectStream(t, m, "KV_drivers")
	stale := send(m, press("K"))
	send(m, press("esc"))
	selectStream(t, m, "KV_drivers")
	fresh := send(m, press("K"))
	if cmd := send(m, stale()); cmd != nil || m.streams.kv.loaded {
		t.Fatal("a watch of an earlier opening was taken")
	}
	run(t, m, send(m, fresh()))
	s := screenText(m)
	if !strings.Contains(s, "not watched: no watch here") {
		t.Fatalf("the title does not say the keys are not watched:\n%s", s)
	}
	if !strings.Contains(s, "drivers · keys  3 keys") || strings.Index(s, "d-04") > strings.Index(s, "d-17") || strings.Contains(s, "\x1b[2J") {
		t.Fatalf("keys:\n%s", s)
	}
	send(m, press("j"))
	cmd := send(m, press("enter"))
	if m.streams.page != pageMessages || m.streams.browse.stream != "KV_drivers" || m.streams.browse.filter != "$KV.drivers.d-17" {
		t.Fatalf("enter: page %v, stream %q, filter %q", m.streams.page, m.streams.browse.stream, m.streams.browse.filter)
	}
	run(t, m, cmd)
	if !strings.Contains(screenText(m), "esc keys") {
		t.Fatalf("the history's footer does not say esc goes back to the keys:\n%s", screenText(m))
	}
	send(m, press("esc"))
	if m.streams.page != pageKeys || !strings.Contains(screenText(m), "drivers · keys") {
		t.Fatalf("esc from the history: page %v", m.streams.page)
	}
	send(m, press("esc"))
	if m.streams.page != pageList || m.streams.kv.bucket != "" {
		t.Fatalf("esc from the keys: page %v, bucket %q", m.streams.page, m.streams.kv.bucket)
	}
}

func TestKVMarker(t *testing.T) {
	for _, c := range []struct {
		h    model.Header
		want string
	}{
		{nil, ""},
		{model.Header{"KV-Operation": {"DEL"}}, "‹deleted›"},
		{model.Header{"Kv-Operation": {"PURGE"}}, "‹purged›"},
		{model.Header{"KV-Operation": {"\x1b[2J"}}, ""},
	} {
		if got := kvMarker(c.h); got != c.want {
			t.Errorf("kvMarker(%v) = %q; want %q", c.h, got, c.want)
		}
	}
}

func TestViewGoldenKVKeys(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			w := &fakeWatch{}
			m := streamsScene(t, sz.w, sz.h, &fakeStreams{rows: sceneStreams(), watch: w})
			selectStream(t, m, "KV_drivers")
			openKeys(t, m)
			w.changed = map[string]string{"d-17": "put", "gone": "put"}
			send(m, kvTickMsg{tag: m.streams.kv.tag})
			w.changed = map[string]string{"gone": "delete"}
			send(m, kvTickMsg{tag: m.streams.kv.tag})
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// openKeys presses K and runs the watch's start and the listing; the
// watch's first tick is returned (not run: the tests deliver kvTickMsg
// themselves, as a timer's wait does not end under the tests' clock).
func openKeys(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	watch := send(m, press("K"))
	if watch == nil {
		t.Fatal("K started nothing")
	}
	list := send(m, watch())
	if list == nil {
		t.Fatal("no listing after the watch")
	}
	return send(m, list())
}

// TestKVWatch: the watch's changes reach the keys list on its tick: a
// changed key is lit, a new key joins the list in order, a deleted one
// is marked; leaving the keys stops the watch.
func TestKVWatch(t *testing.T) {
	w := &fakeWatch{}
	m := streamsScene(t, 80, 24, &fakeStreams{rows: sceneStreams(), watch: w})
	selectStream(t, m, "KV_drivers")
	tick := openKeys(t, m)
	if tick == nil || !strings.Contains(screenText(m), "3 keys · watching") {
		t.Fatalf("no tick or not watching:\n%s", screenText(m))
	}
	w.changed = map[string]string{"d-17": "put", "d-10": "put", "d-04": "delete"}
	if send(m, kvTickMsg{tag: m.streams.kv.tag}) == nil {
		t.Fatal("the tick was not re-armed")
	}
	s := screenText(m)
	for _, want := range []string{"d-04  ‹deleted›", "● d-10", "● d-17"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "d-10") > strings.Index(s, "d-17") || m.streams.kv.keys[m.streams.kv.sel] != "d-04" {
		t.Errorf("d-10 out of order, or the selection left d-04:\n%s", s)
	}
	send(m, press("esc"))
	deadline := time.Now().Add(5 * time.Second)
	for !w.stopped.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !w.stopped.Load() {
		t.Fatal("esc left the watch running")
	}
}
