package ui

import (
	"fmt"
	"strings"
	"testing"

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
	send(m, stale())
	if m.streams.kv.loaded {
		t.Fatal("a listing of an earlier opening was taken")
	}
	run(t, m, fresh)
	s := screenText(m)
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
			m := streamsScene(t, sz.w, sz.h, &fakeStreams{rows: sceneStreams()})
			selectStream(t, m, "KV_drivers")
			run(t, m, send(m, press("K")))
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}
