package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDemoTraffic: the offline demo has the live demo's shape (its roots,
// hundreds of subjects, requests answered on their reply subject), in
// receive order, the same for the same seed.
func TestDemoTrafficOffline(t *testing.T) {
	start := time.Date(2025, 3, 14, 9, 26, 23, 0, time.UTC)
	end := start.Add(30 * time.Second)
	msgs := DemoTraffic(7, start, end, DefaultDemoRate)
	if len(msgs) < 30*DefaultDemoRate || len(msgs) > 30*DefaultDemoRate*3/2 {
		t.Fatalf("%d messages in 30 s at %d/s", len(msgs), DefaultDemoRate)
	}
	subjects := map[string]bool{}
	roots := map[string]bool{}
	requests := map[string]bool{}
	answered := 0
	for i, m := range msgs {
		if m.Received < start.UnixNano() || m.Received >= end.UnixNano() || i > 0 && m.Received < msgs[i-1].Received {
			t.Fatalf("message %d at %d: out of the span or of order", i, m.Received)
		}
		subjects[m.Subject] = true
		root, _, _ := strings.Cut(m.Subject, ".")
		roots[root] = true
		if m.Reply != "" {
			requests[m.Reply] = true
		}
		if requests[m.Subject] {
			answered++
			if !json.Valid(m.Data) {
				t.Errorf("reply %q is not JSON: %q", m.Subject, m.Data)
			}
		}
		if m.Seq != uint64(i+1) {
			t.Fatalf("message %d has seq %d: the store numbers from 1", i, m.Seq)
		}
		if m.Size != len(m.Data) {
			t.Fatalf("message %d: size %d, data %d", i, m.Size, len(m.Data))
		}
	}
	for _, r := range []string{"sensors", "drivers", "orders", "telemetry", "logs", "_INBOX"} {
		if !roots[r] {
			t.Errorf("no %s subjects; roots %v", r, mapsKeys(roots))
		}
	}
	if len(subjects) < 200 || answered == 0 || answered < len(requests)*9/10 {
		t.Errorf("%d subjects, %d of %d requests answered", len(subjects), answered, len(requests))
	}
	again := DemoTraffic(7, start, end, DefaultDemoRate)
	if len(again) != len(msgs) || again[100].Subject != msgs[100].Subject || string(again[100].Data) != string(msgs[100].Data) {
		t.Error("not deterministic for one seed")
	}
	// Data is the message's own: the generator reuses its buffer.
	if string(msgs[0].Data) == string(msgs[1].Data) && msgs[0].Subject != msgs[1].Subject {
		t.Error("messages share the generator's buffer")
	}
}

func mapsKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
