package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"natsx/model"
)

// sceneStored is what the scene's streams hold per subject.
var sceneStored = map[string]uint64{"orders.eu.created": 12000, "orders.eu.paid": 840, "orders.us.created": 3}

// SubjectCounts counts sceneStored the way the server's subjects_filter
// does (the engine's own test asks a real server).
func (f *fakeStreams) SubjectCounts(_ context.Context, stream, filter string, rows []string) (model.StoredCounts, error) {
	p, err := model.ParsePattern(filter)
	if err != nil {
		return model.StoredCounts{}, err
	}
	subjects := map[string]uint64{}
	for s, n := range sceneStored {
		if p.Match(s) {
			subjects[s] = n
		}
	}
	out := model.StoredCounts{Stream: stream, Filter: filter, Counts: map[string]uint64{}, Subjects: len(subjects), Total: len(subjects)}
	model.AddCounts(out.Counts, subjects, rows)
	return out, nil
}

// storedScene is the golden scene with orders.eu expanded, the streams
// listed for the marks and, with count, one count of the stream on screen.
func storedScene(t *testing.T, w, h int, rows []model.StreamSummary, count bool) *Model {
	t.Helper()
	m := scene(t, w, h, "orders.eu.created")
	m.opts.Streams = &fakeStreams{rows: rows}
	if strings.Contains(screenText(m), "ORDERS") {
		t.Fatal("a mark before any listing")
	}
	run(t, m, m.storedStart())
	if !count {
		return m
	}
	tag := m.stored.tag
	for i := 1; i < storedRelist; i++ {
		cmd := send(m, storedTickMsg{tag: tag})
		if cmd == nil {
			t.Fatalf("tick %d asked nothing", i)
		}
		if !m.stored.busy {
			t.Fatalf("tick %d: no request in flight", i)
		}
		if again := send(m, storedTickMsg{tag: tag}); again != nil {
			t.Fatal("a tick asked again while a request was in flight")
		}
		run(t, m, cmd)
	}
	return m
}

// treeRow is the rendered tree row of the node whose name is name.
func treeRow(t *testing.T, m *Model, name string) string {
	t.Helper()
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	t.Fatalf("no row %q on screen:\n%s", name, screenText(m))
	return ""
}

// TestStoredMarks: once the streams are listed, the rows a stream keeps
// carry its name, "~" where only part of a branch is kept; a count tick
// adds how many messages it holds under each row on screen; fire-and-
// forget rows carry nothing.
func TestStoredMarks(t *testing.T) {
	rows := append(sceneStreams(), model.StreamSummary{Name: "TEMP1", Subjects: []string{"sensors.*.1"}})
	m := storedScene(t, 120, 32, rows, false)
	for name, want := range map[string]string{"orders": "ORDERS", "created": "ORDERS", "sensors": "~TEMP1", "paid": "ORDERS"} {
		if row := treeRow(t, m, name); !strings.Contains(row, " "+want) {
			t.Errorf("row %q: no mark %q: %q", name, want, row)
		}
	}
	if row := treeRow(t, m, "logs"); strings.Contains(row, "ORDERS") || strings.Contains(row, "TEMP1") {
		t.Errorf("fire-and-forget row marked: %q", row)
	}
	m = storedScene(t, 120, 32, rows, true)
	for name, want := range map[string]string{"orders": "ORDERS 13k", "eu": "ORDERS 13k", "created": "ORDERS 12k", "paid": "ORDERS 840", "us": "ORDERS 3"} {
		if row := treeRow(t, m, name); !strings.Contains(row, want) {
			t.Errorf("row %q: want %q: %q", name, want, row)
		}
	}
	if !strings.Contains(treeRow(t, m, "sensors"), "~TEMP1 0") {
		t.Errorf("sensors: %q", treeRow(t, m, "sensors"))
	}
}

// TestStoredNarrowed: a stream holding more subjects than one answer lists
// is counted on the cursor's branch only, and the title says so.
func TestStoredNarrowed(t *testing.T) {
	rows := sceneStreams()
	rows[0].NumSubjects = 2_000_000
	m := storedScene(t, 120, 32, rows, true)
	if !strings.Contains(screenText(m), "ORDERS: cursor counts") {
		t.Fatalf("no note:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "ORDERS holds 2.0M subjects: its stored counts are asked for the cursor's branch only") {
		t.Errorf("no flash:\n%s", screenText(m))
	}
	if row := treeRow(t, m, "created"); !strings.Contains(row, "ORDERS 12k") {
		t.Errorf("the cursor's row is not counted: %q", row)
	}
	if row := treeRow(t, m, "orders"); strings.Contains(row, "ORDERS 1") {
		t.Errorf("a row off the cursor's branch is counted: %q", row)
	}
}

func TestViewGoldenStored(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := storedScene(t, sz.w, sz.h, sceneStreams(), true)
			golden.RequireEqual(t, []byte(render(t, m, sz.w, sz.h)))
		})
	}
}

// Keys lists the scene bucket's keys (the KV view on a real server is
// tested in cli, kv_view_test.go).
func (f *fakeStreams) Keys(_ context.Context, bucket, _ string, _ int) ([]string, bool, error) {
	return []string{"d-17", "d-04", "evil\x1b[2J"}, false, nil
}

// fakeWatch is a KeyWatch whose changes the test sets (the engine's watch
// is tested on a real bucket, and the KV view with it in cli).
type fakeWatch struct {
	changed map[string]string
	stopped atomic.Bool // Stop runs off the UI's goroutine
}

func (w *fakeWatch) Changes() (map[string]string, uint64) {
	c := w.changed
	w.changed = map[string]string{}
	return c, 0
}

func (w *fakeWatch) Stop() { w.stopped.Store(true) }

// WatchKeys hands out the lister's fakeWatch; without one, an error.
func (f *fakeStreams) WatchKeys(context.Context, string) (model.KeyWatch, error) {
	if f.watch == nil {
		return nil, errors.New("no watch here")
	}
	return f.watch, nil
}
