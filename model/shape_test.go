package model

import (
	"fmt"
	"strings"
	"testing"
)

func jsonMsgs(payloads ...string) []Message {
	out := make([]Message, len(payloads))
	for i, p := range payloads {
		out[i] = Message{Subject: "s", Data: []byte(p), Seq: uint64(i + 1)}
	}
	return out
}

func TestShapeOf(t *testing.T) {
	s := ShapeOf(jsonMsgs(
		`{"id": 1, "temp": 20.5, "meta": {"site": "a", "tags": [1]}}`,
		`{"id": 2, "temp": 21, "meta": {"site": "b", "tags": []}}`,
		`{"id": 3, "temp": "hot", "meta": {"site": "c", "tags": null}}`,
		`{"id": 4, "temp": 22, "extra": true}`,
		`not json`,
		`[1, 2]`,
	))
	if s.Messages != 4 || s.NotJSON != 2 {
		t.Fatalf("messages %d not JSON %d, want 4 and 2", s.Messages, s.NotJSON)
	}
	got := map[string]string{}
	for _, f := range s.Fields {
		got[f.Path] = fmt.Sprintf("%d %s", f.Count, f.Types())
	}
	want := map[string]string{
		".id":        "4 number",
		".temp":      "4 number 3 · string 1",
		".meta":      "3 object",
		".meta.site": "3 string",
		".meta.tags": "3 array 2 · null 1",
		".extra":     "1 bool",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: got %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	if s.Fields[0].Path != ".extra" {
		t.Errorf("fields not sorted: %v", s.Fields[0].Path)
	}
}

func TestShapeDiff(t *testing.T) {
	usual := `{"id": 1, "temp": 20.5, "meta": {"site": "a"}}`
	base := jsonMsgs(usual, usual, usual, usual, usual)
	for _, c := range []struct {
		name, data, want string
	}{
		{"usual", `{"id": 9, "temp": 1, "meta": {"site": "z"}}`, ""},
		{"new field", `{"id": 9, "temp": 1, "meta": {"site": "z"}, "debug": true}`, "new .debug"},
		{"new object once", `{"id": 9, "temp": 1, "meta": {"site": "z"}, "x": {"y": 1}}`, "new .x"},
		{"missing field", `{"id": 9, "meta": {"site": "z"}}`, "missing .temp"},
		{"missing object once", `{"id": 9, "temp": 1}`, "missing .meta"},
		{"type change", `{"id": 9, "temp": "hot", "meta": {"site": "z"}}`, ".temp string, usually number"},
		{"all three", `{"id": "9", "meta": {"site": "z"}, "new": 1}`, "new .new · missing .temp · .id string, usually number"},
		{"not JSON", `oops`, ""},
	} {
		// The message is part of the history it is compared with, as in the
		// inspector.
		s := ShapeOf(append(base[:len(base):len(base)], jsonMsgs(c.data)...))
		if got := s.Diff([]byte(c.data)).String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// Too few messages to say what is usual: no difference.
	if d := ShapeOf(jsonMsgs(usual, usual)).Diff([]byte(`{"other": 1}`)); !d.Empty() {
		t.Errorf("two messages should not make a usual shape: %v", d)
	}
}

func TestShapeIsBounded(t *testing.T) {
	var msgs []Message
	for i := range 200 {
		var b strings.Builder
		b.WriteString("{")
		for j := range 50 {
			fmt.Fprintf(&b, `"f%d_%d": %d,`, i, j, j)
		}
		b.WriteString(`"deep": ` + strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100) + "}")
		msgs = append(msgs, Message{Data: []byte(b.String())})
	}
	msgs = append(msgs, Message{Data: []byte(`{"big": "` + strings.Repeat("x", ShapePayload) + `"}`)})
	s := ShapeOf(msgs)
	if len(s.Fields) != ShapeFields || s.Cut == 0 {
		t.Errorf("fields %d cut %d, want %d and some cut", len(s.Fields), s.Cut, ShapeFields)
	}
	if s.Messages != ShapeMessages-1 || s.Skipped != 1 {
		t.Errorf("read %d skipped %d, want the newest %d (one too large)", s.Messages, s.Skipped, ShapeMessages)
	}
	for _, f := range s.Fields {
		if strings.Count(f.Path, ".") > ShapeDepth {
			t.Errorf("path %s deeper than %d", f.Path, ShapeDepth)
		}
	}
}

func TestShapeSanitizesNames(t *testing.T) {
	s := ShapeOf(jsonMsgs(`{"a\u001b[2Jb": 1}`))
	if len(s.Fields) != 1 || strings.ContainsRune(s.Fields[0].Path, 0x1b) {
		t.Errorf("field name not sanitized: %v", s.Fields)
	}
}
