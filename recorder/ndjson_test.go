package recorder

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"natsx/model"
)

// TestExportImportHostileBytes covers issue 12 item 19: export writes no
// raw control, bidi, zero-width or C1 rune, and export → import gives back
// every byte, including subjects, replies, headers and labels that are
// not UTF-8 (which JSON strings alone would turn into U+FFFD).
func TestExportImportHostileBytes(t *testing.T) {
	evil := []string{"\xff\xfe", "\u202e\u200b", "\u0085\u009b", "\x1b]52;c;eA==\x07", "\xc3", "plain", "\U000e0041"}
	var want []Entry
	for i, s := range evil {
		m := model.Message{Received: int64(1e18) + int64(i), Subject: "s." + s, Reply: "r" + s,
			Header: model.Header{"K" + s: {s, "v"}, "Plain": {"p"}}, Data: []byte(s)}
		m.Size = len(m.Data)
		want = append(want, Entry{Kind: KindMessage, Time: m.Received, Msg: m})
		want = append(want, Entry{Kind: KindMarker, Time: m.Received, Label: "l" + s})
	}
	var capture bytes.Buffer
	w, _ := NewWriter(&capture, WriterOptions{FlushInterval: -1})
	for i := range want {
		if err := w.WriteEntry(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	r, err := NewReader(bytes.NewReader(capture.Bytes()), int64(capture.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var nd bytes.Buffer
	if _, err := ExportNDJSON(&nd, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(nd.String()), "\n") {
		if !utf8.ValidString(line) || model.Sanitize(line) != line || !json.Valid([]byte(line)) {
			t.Fatalf("export line is not safe, valid JSON: %q", line)
		}
	}
	var again bytes.Buffer
	w2, _ := NewWriter(&again, WriterOptions{FlushInterval: -1})
	if _, err := ImportNDJSON(bytes.NewReader(nd.Bytes()), w2); err != nil {
		t.Fatal(err)
	}
	_ = w2.Close()
	r2, _ := NewReader(bytes.NewReader(again.Bytes()), int64(again.Len()))
	var got []Entry
	for it := r2.Iter(); it.Next(); {
		got = append(got, *it.Entry())
	}
	if len(got) != len(want) {
		t.Fatalf("%d records back, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Time != w.Time || g.Label != w.Label || g.Msg.Subject != w.Msg.Subject ||
			g.Msg.Reply != w.Msg.Reply || !bytes.Equal(g.Msg.Data, w.Msg.Data) || !reflect.DeepEqual(g.Msg.Header, w.Msg.Header) {
			t.Fatalf("record %d changed:\n got %#v\nwant %#v", i, g, w)
		}
	}
}
