package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// fakeStreams is a StreamLister with fixed rows (or an error) that counts
// the listings; the engine's own tests ask a real server.
type fakeStreams struct {
	rows      []model.StreamSummary
	err       error
	calls     atomic.Int32
	consumers map[string][]model.ConsumerSummary
	consErr   error
	consCalls atomic.Int32
	page      *model.StreamPage
	watch     *fakeWatch // the KV view's watch (stored_test.go)
}

func (f *fakeStreams) Summaries(context.Context) ([]model.StreamSummary, error) {
	f.calls.Add(1)
	return f.rows, f.err
}

// Page is the fixed page of the golden scene, whatever is asked; the
// stream browser's behaviour is tested on a real server (jsbrowse_test.go).
func (f *fakeStreams) Page(context.Context, string, model.PageQuery) (model.StreamPage, error) {
	if f.page == nil {
		return model.StreamPage{}, errors.New("fakeStreams holds no messages")
	}
	return *f.page, nil
}

func (f *fakeStreams) ConsumerSummaries(_ context.Context, stream string) ([]model.ConsumerSummary, error) {
	f.consCalls.Add(1)
	if f.consErr != nil {
		return nil, f.consErr
	}
	return slices.Clone(f.consumers[stream]), nil
}

// sceneStreams is the streams the golden scene lists: the demo's, an
// empty one, a mirror with lag, and one whose name and subjects carry
// escapes a hostile server could send.
func sceneStreams() []model.StreamSummary {
	return []model.StreamSummary{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Messages: 12840, Bytes: 3 << 20, FirstSeq: 1, LastSeq: 12840,
			FirstTime: sceneNow.Add(-59 * time.Minute), LastTime: sceneNow.Add(-2 * time.Second), Consumers: 1,
			Retention: "limits", Storage: "file", Replicas: 1},
		{Name: "JOBS", Subjects: []string{"jobs.>"}, Messages: 57, Bytes: 9400, FirstSeq: 9001, LastSeq: 9057,
			FirstTime: sceneNow.Add(-40 * time.Second), LastTime: sceneNow.Add(-time.Second), Consumers: 1,
			Retention: "workqueue", Storage: "file", Replicas: 3, Leader: "n2"},
		{Name: "KV_drivers", Subjects: []string{"$KV.drivers.>"}, Messages: 180, Bytes: 21000, FirstSeq: 3, LastSeq: 900,
			FirstTime: sceneNow.Add(-3 * time.Hour), LastTime: sceneNow, Retention: "limits", Storage: "file", Replicas: 1},
		{Name: "EMPTY", Subjects: []string{"empty.a", "empty.b"}, Retention: "interest", Storage: "memory", Replicas: 1},
		{Name: "BACKUP", Messages: 12000, Bytes: 3 << 20, FirstTime: sceneNow.Add(-50 * time.Hour), LastTime: sceneNow.Add(-time.Minute),
			Retention: "limits", Storage: "file", Replicas: 1, Note: "mirror of ORDERS, lag 840"},
		{Name: "evil\x1b[2J", Subjects: []string{"\x1b]0;pwned\x07.>"}, Retention: "limits", Storage: "file", Replicas: 1,
			Note: "source \u202eX: \x9b31m"},
	}
}

// streamsScene is the golden scene with the streams view open and listed.
func streamsScene(t *testing.T, w, h int, lister *fakeStreams) *Model {
	t.Helper()
	m := New(Options{Start: sceneStart, Streams: lister})
	m.Apply(sceneMessages(), sceneNow, sceneStatus)
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	cmd := send(m, press("J"))
	if m.mode != modeStreams || cmd == nil {
		t.Fatalf("S: mode %v, command %v; want the streams view listing", m.mode, cmd)
	}
	send(m, cmd())
	return m
}

func TestViewGoldenStreams(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := streamsScene(t, sz.w, sz.h, &fakeStreams{rows: sceneStreams()})
			send(m, press("j")) // JOBS, in name order the second… row
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// TestViewGoldenStreamsUnavailable: without JetStream the view is one line
// saying so, whatever the error's bytes.
func TestViewGoldenStreamsUnavailable(t *testing.T) {
	m := streamsScene(t, 80, 24, &fakeStreams{err: errors.New("JetStream not available on this server")})
	out := render(t, m, 80, 24)
	golden.RequireEqual(t, []byte(out))
	m = streamsScene(t, 80, 24, &fakeStreams{err: errors.New("permission denied \x1b[2J\nsecond line")})
	out = render(t, m, 80, 24)
	if strings.Contains(ansi.Strip(out), "second line") || !strings.Contains(ansi.Strip(out), "permission denied") {
		t.Fatalf("error not shown as one line:\n%s", ansi.Strip(out))
	}
}

// TestStreamsRefresh: one listing on opening, the next only after the
// refresh tick and only while the view is open; a result or tick from an
// earlier opening is dropped.
func TestStreamsRefresh(t *testing.T) {
	lister := &fakeStreams{rows: sceneStreams()[:2]}
	m := streamsScene(t, 80, 24, lister)
	if n := lister.calls.Load(); n != 1 {
		t.Fatalf("%d listings on opening", n)
	}
	tag := m.streams.tag
	// The listing's result armed a tick; the tick lists again.
	cmd := send(m, streamsTickMsg{tag: tag})
	if cmd == nil {
		t.Fatal("no listing on the refresh tick")
	}
	// A second tick while that listing runs starts nothing.
	if send(m, streamsTickMsg{tag: tag}) != nil {
		t.Fatal("a second listing while one runs")
	}
	lister.rows = sceneStreams()[:3]
	if send(m, cmd()) == nil {
		t.Fatal("no tick armed after a listing while the view is open")
	}
	if len(m.streams.rows) != 3 {
		t.Fatalf("%d rows after the refresh, want 3", len(m.streams.rows))
	}
	// Closing stops the chain: the pending tick is for the old opening.
	send(m, press("esc"))
	if m.mode != modeBrowse {
		t.Fatalf("esc: mode %v", m.mode)
	}
	if send(m, streamsTickMsg{tag: tag}) != nil {
		t.Fatal("a listing after the view closed")
	}
	// A late result of the old opening changes nothing.
	send(m, streamsListedMsg{tag: tag, err: errors.New("late")})
	if m.streams.err != "" {
		t.Fatalf("a stale result was taken: %q", m.streams.err)
	}
	if n := lister.calls.Load(); n != 2 {
		t.Fatalf("%d listings, want 2", n)
	}
	// Traffic batches never list.
	m.Apply(msgsOn(sceneNow, "a", "b"), sceneNow, sceneStatus)
	if n := lister.calls.Load(); n != 2 {
		t.Fatalf("%d listings after traffic", n)
	}
}

// TestStreamsKeys: moving, sorting, the command and the read of a capture.
func TestStreamsKeys(t *testing.T) {
	m := streamsScene(t, 80, 24, &fakeStreams{rows: sceneStreams()})
	names := func() string {
		var s []string
		for _, r := range m.streams.rows {
			s = append(s, model.Sanitize(r.Name))
		}
		return strings.Join(s, " ")
	}
	send(m, press("s"))
	if !strings.HasPrefix(names(), "ORDERS BACKUP KV_drivers JOBS") {
		t.Fatalf("by messages: %s", names())
	}
	send(m, press("G"))
	if m.streams.sel != len(m.streams.rows)-1 {
		t.Fatalf("G: selected %d", m.streams.sel)
	}
	send(m, press("down"))
	if m.streams.sel != len(m.streams.rows)-1 {
		t.Fatalf("down past the end: selected %d", m.streams.sel)
	}
	send(m, press("J"))
	if m.mode != modeBrowse {
		t.Fatal("S does not close the view")
	}
	// ":streams" opens it too.
	send(m, press(":"))
	typeText(m, "streams")
	if cmd := send(m, press("enter")); m.mode != modeStreams || cmd == nil {
		t.Fatalf(":streams: mode %v, command %v", m.mode, cmd)
	}
	// A capture has no server to ask.
	c := New(Options{Start: sceneStart})
	send(c, tea.WindowSizeMsg{Width: 80, Height: 24})
	if cmd := send(c, press("J")); cmd != nil || c.mode != modeStreams || !strings.Contains(c.streams.err, "not available") {
		t.Fatalf("S without a lister: mode %v err %q", c.mode, c.streams.err)
	}
	render(t, c, 80, 24)
}
