package model

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// diffText renders lines as a diff listing, one "<mark> <text>" per line,
// which reads well in test failures.
func diffText(lines []DiffLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Op.String() + " " + l.Text + "\n")
	}
	return b.String()
}

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		name, prev, cur string
		want            string // diffText of the lines
		summary         string
	}{
		{
			name: "nested object value changed and key added",
			prev: `{"id":7,"user":{"name":"ann","age":30},"tags":["a"]}`,
			cur:  `{"id":7,"user":{"name":"ann","age":31,"email":"a@x"},"tags":["a"]}`,
			want: `  {
    "id": 7,
    "user": {
      "name": "ann",
~     "age": 31,  (was: 30)
+     "email": "a@x"
    },
    "tags": [
      "a"
    ]
  }
`,
			summary: "1 changed, 1 added, 0 removed",
		},
		{
			name: "removed key shown where it was",
			prev: `{"a":1,"b":{"x":true},"c":3}`,
			cur:  `{"a":1,"c":3}`,
			want: `  {
    "a": 1,
-   "b": {
-     "x": true
-   },
    "c": 3
  }
`,
			summary: "0 changed, 0 added, 1 removed",
		},
		{
			name: "removed last key",
			prev: `{"a":1,"z":null}`,
			cur:  `{"a":1}`,
			want: `  {
    "a": 1
-   "z": null
  }
`,
			summary: "0 changed, 0 added, 1 removed",
		},
		{
			name:    "key order is not a change",
			prev:    `{"a":1,"b":[1,2]}`,
			cur:     `{"b": [1, 2], "a": 1}`,
			want:    "  {\n    \"b\": [\n      1,\n      2\n    ],\n    \"a\": 1\n  }\n",
			summary: "identical values (key order or spacing differs)",
		},
		{
			name:    "numbers compare as written",
			prev:    `{"n":1,"m":2.50}`,
			cur:     `{"n":1.0,"m":2.50}`,
			want:    "  {\n~   \"n\": 1.0,  (was: 1)\n    \"m\": 2.50\n  }\n",
			summary: "1 changed, 0 added, 0 removed",
		},
		{
			name:    "string escapes compare by value",
			prev:    `{"s":"\u0041"}`,
			cur:     `{"s":"A"}`,
			want:    "  {\n    \"s\": \"A\"\n  }\n",
			summary: "identical values (key order or spacing differs)",
		},
		{
			name:    "array grows",
			prev:    `[1,2]`,
			cur:     `[1,2,{"k":3}]`,
			want:    "  [\n    1,\n    2,\n+   {\n+     \"k\": 3\n+   }\n  ]\n",
			summary: "0 changed, 1 added, 0 removed",
		},
		{
			name:    "array shrinks and changes index-wise",
			prev:    `[1,2,3]`,
			cur:     `[1,5]`,
			want:    "  [\n    1,\n~   5  (was: 2)\n-   3\n  ]\n",
			summary: "1 changed, 0 added, 1 removed",
		},
		{
			name:    "type change is a removed/added pair",
			prev:    `{"a":1}`,
			cur:     `{"a":{"x":1}}`,
			want:    "  {\n-   \"a\": 1\n+   \"a\": {\n+     \"x\": 1\n+   }\n  }\n",
			summary: "1 changed, 0 added, 0 removed",
		},
		{
			name:    "long old value is a removed/added pair",
			prev:    `{"s":"` + strings.Repeat("x", 60) + `"}`,
			cur:     `{"s":"short"}`,
			want:    "  {\n-   \"s\": \"" + strings.Repeat("x", 60) + "\"\n+   \"s\": \"short\"\n  }\n",
			summary: "1 changed, 0 added, 0 removed",
		},
		{
			name:    "object emptied",
			prev:    `{"o":{"a":1,"b":2}}`,
			cur:     `{"o":{}}`,
			want:    "  {\n-   \"o\": {\n-     \"a\": 1,\n-     \"b\": 2\n-   }\n+   \"o\": {}\n  }\n",
			summary: "0 changed, 0 added, 2 removed",
		},
		{
			name:    "object filled",
			prev:    `{"o":{}}`,
			cur:     `{"o":{"a":1}}`,
			want:    "  {\n    \"o\": {\n+     \"a\": 1\n    }\n  }\n",
			summary: "0 changed, 1 added, 0 removed",
		},
		{
			name:    "object to array at the root",
			prev:    `{}`,
			cur:     `[]`,
			want:    "- {}\n+ []\n",
			summary: "1 changed, 0 added, 0 removed",
		},
		{
			name:    "unsafe runes sanitized",
			prev:    `{"s":"ok"}`,
			cur:     "{\"s\":\"\u202eevil\u0085\"}",
			want:    "  {\n~   \"s\": \"\\u202eevil\\u0085\"  (was: \"ok\")\n  }\n",
			summary: "1 changed, 0 added, 0 removed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, summary := Diff([]byte(tt.prev), []byte(tt.cur), 0, 0)
			if got := diffText(lines); got != tt.want {
				t.Errorf("lines:\n%s\nwant:\n%s", got, tt.want)
			}
			if summary != tt.summary {
				t.Errorf("summary %q, want %q", summary, tt.summary)
			}
			checkDiffKeepsCurrent(t, []byte(tt.cur), lines)
		})
	}
}

// checkDiffKeepsCurrent checks the promise that a JSON diff is the current
// document as FormatPayload shows it: drop the removed lines and the
// "(was: …)" notes and what is left is exactly FormatPayload's listing.
func checkDiffKeepsCurrent(t *testing.T, cur []byte, lines []DiffLine) {
	t.Helper()
	var got []string
	for _, l := range lines {
		switch l.Op {
		case DiffRemoved:
			continue
		case DiffChanged:
			i := strings.LastIndex(l.Text, "  (was: ")
			if i < 0 || !strings.HasSuffix(l.Text, ")") {
				t.Fatalf("changed line without a note: %q", l.Text)
			}
			got = append(got, l.Text[:i])
		default:
			got = append(got, l.Text)
		}
	}
	if want := FormatPayload(cur, KindJSON, 0, 0); !slices.Equal(got, want) {
		t.Errorf("current lines:\n%s\nwant FormatPayload's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiffText(t *testing.T) {
	tests := []struct {
		name, prev, cur string
		want            string
		summary         string
	}{
		{
			name:    "one line changed",
			prev:    "alpha\nbeta\ngamma\n",
			cur:     "alpha\nBETA\ngamma\n",
			want:    "  alpha\n- beta\n+ BETA\n  gamma\n",
			summary: "2 lines differ (+1 -1)",
		},
		{
			name:    "insert and delete",
			prev:    "a\nb\nc\nd",
			cur:     "a\nc\nd\ne",
			want:    "  a\n- b\n  c\n  d\n+ e\n",
			summary: "2 lines differ (+1 -1)",
		},
		{
			name:    "trailing newline is not a line",
			prev:    "x",
			cur:     "x\ny\n",
			want:    "  x\n+ y\n",
			summary: "1 line differs (+1 -0)",
		},
		{
			name:    "empty previous",
			prev:    "",
			cur:     "one\ntwo",
			want:    "+ one\n+ two\n",
			summary: "2 lines differ (+2 -0)",
		},
		{
			name:    "empty current",
			prev:    "one",
			cur:     "",
			want:    "- one\n",
			summary: "1 line differs (+0 -1)",
		},
		{
			name:    "json against text falls back to text of the indented form",
			prev:    `{"a":1}`,
			cur:     "a=1",
			want:    "- {\n-   \"a\": 1\n- }\n+ a=1\n",
			summary: "4 lines differ (+1 -3)",
		},
		{
			name:    "empty previous and json current",
			prev:    "",
			cur:     `{"a":[1]}`,
			want:    "+ {\n+   \"a\": [\n+     1\n+   ]\n+ }\n",
			summary: "5 lines differ (+5 -0)",
		},
		{
			name:    "escapes and tabs as FormatPayload shows them",
			prev:    "key\tvalue of some length\n",
			cur:     "key\tvalue of some length\n\x1b[2J cleared\r\n",
			want:    "  key value of some length\n+ \\x1b[2J cleared\\r\n",
			summary: "1 line differs (+1 -0)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, summary := Diff([]byte(tt.prev), []byte(tt.cur), 0, 0)
			if got := diffText(lines); got != tt.want {
				t.Errorf("lines:\n%s\nwant:\n%s", got, tt.want)
			}
			if summary != tt.summary {
				t.Errorf("summary %q, want %q", summary, tt.summary)
			}
		})
	}
}

func TestDiffIdentical(t *testing.T) {
	for _, in := range []string{"", `{"a":1}`, "text\nlines", "\x00\x01\x02"} {
		lines, summary := Diff([]byte(in), []byte(in), 0, 0)
		if summary != "identical" {
			t.Errorf("%q: summary %q", in, summary)
		}
		var got []string
		for _, l := range lines {
			if l.Op != DiffSame {
				t.Errorf("%q: line marked %v", in, l.Op)
			}
			got = append(got, l.Text)
		}
		if want := FormatPayload([]byte(in), KindEmpty, 0, 0); !slices.Equal(got, want) {
			t.Errorf("%q: lines %q, want FormatPayload's %q", in, got, want)
		}
	}
}

func TestDiffBinary(t *testing.T) {
	prev := make([]byte, 64)
	for i := range prev {
		prev[i] = byte(i)
	}
	cur := append(slices.Clone(prev), 0xde, 0xad, 0xbe, 0xef)
	for i := 16; i < 32; i++ {
		cur[i] = 0xff
	}
	lines, summary := Diff(prev, cur, 0, 0)
	if want := "bytes 16–31 changed, 4 added at end"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	want := `~ bytes 16–31 changed (16 bytes)
+ bytes 64–67 added at end (4 bytes)
  previous, from byte 16 (0x10):
- 00000010  10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f  |................|
  00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  | !"#$%&'()*+,-./|
  00000030  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  |0123456789:;<=>?|
  current, from byte 16 (0x10):
+ 00000010  ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff  |................|
  00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  | !"#$%&'()*+,-./|
  00000030  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  |0123456789:;<=>?|
+ 00000040  de ad be ef                                       |....|
`
	if got := diffText(lines); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}

	for _, tt := range []struct {
		name      string
		prev, cur []byte
		summary   string
	}{
		{"single byte", []byte{0, 1, 2}, []byte{0, 9, 2}, "byte 1 changed"},
		{"removed at end", []byte{0, 1, 2, 3}, []byte{0, 1}, "2 bytes removed at end"},
		{"empty previous", nil, []byte{0, 1, 2}, "3 bytes added at end"},
		{"one added", []byte{0}, []byte{0, 1}, "1 byte added at end"},
		{"many ranges", bytes.Repeat([]byte{0, 0}, 10), bytes.Repeat([]byte{0, 1}, 10),
			"bytes 1, 3, 5 and 7 more ranges changed"},
		{"text against binary", []byte("hello"), []byte("hel\x00\x01"), "bytes 3–4 changed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lines, summary := Diff(tt.prev, tt.cur, 60, 0)
			if summary != tt.summary {
				t.Errorf("summary %q, want %q", summary, tt.summary)
			}
			if len(lines) == 0 {
				t.Error("no lines")
			}
		})
	}

	// Narrow: 8-byte rows, as FormatPayload's hex dump.
	lines, _ = Diff(prev, cur, 60, 0)
	if !slices.ContainsFunc(lines, func(l DiffLine) bool {
		return l.Text == "00000010  ff ff ff ff ff ff ff ff  |........|"
	}) {
		t.Errorf("no 8-byte row in narrow dump:\n%s", diffText(lines))
	}
}

func TestDiffMaxLinesAndWidth(t *testing.T) {
	prev := "a\nb\nc\nd\ne\nf\n"
	cur := "a\nB\nc\nd\ne\nF\n"
	lines, _ := Diff([]byte(prev), []byte(cur), 0, 4)
	want := "  a\n- b\n+ B\n  … 5 more lines\n"
	if got := diffText(lines); got != want {
		t.Errorf("cut:\n%s\nwant:\n%s", got, want)
	}
	lines, _ = Diff([]byte("x"), []byte("abcdefgh"), 3, 0)
	want = "- x\n+ abc\n+ def\n+ gh\n"
	if got := diffText(lines); got != want {
		t.Errorf("wrapped:\n%s\nwant:\n%s", got, want)
	}
	// A wrapped line cut part way counts as not shown.
	lines, _ = Diff([]byte("x"), []byte("abcdefgh\ny"), 3, 3)
	want = "- x\n+ abc\n  … 2 more lines\n"
	if got := diffText(lines); got != want {
		t.Errorf("wrapped and cut:\n%s\nwant:\n%s", got, want)
	}
	// JSON is cut the same way.
	lines, _ = Diff([]byte(`[1,2,3,4]`), []byte(`[1,2,3,5]`), 0, 3)
	want = "  [\n    1,\n  … 4 more lines\n"
	if got := diffText(lines); got != want {
		t.Errorf("json cut:\n%s\nwant:\n%s", got, want)
	}
}

func TestDiffLargeText(t *testing.T) {
	var prev, cur bytes.Buffer
	for i := range 100_000 {
		prev.WriteString("line " + strconv.Itoa(i) + "\n")
		if i == 50_000 {
			cur.WriteString("changed\n")
			continue
		}
		cur.WriteString("line " + strconv.Itoa(i) + "\n")
	}
	// Common lines are set aside, so one change in a long log is exact.
	lines, summary := Diff(prev.Bytes(), cur.Bytes(), 80, 0)
	if summary != "2 lines differ (+1 -1)" || len(lines) != 100_001 {
		t.Errorf("summary %q, %d lines", summary, len(lines))
	}
	if l := lines[50_000]; l.Op != DiffRemoved || l.Text != "line 50000" {
		t.Errorf("line 50000: %+v", l)
	}

	// Beyond maxDiffLines differing lines: removed then added.
	var a, b bytes.Buffer
	for i := range 3000 {
		a.WriteString("a" + strconv.Itoa(i) + "\n")
		b.WriteString("b" + strconv.Itoa(i) + "\n")
	}
	lines, summary = Diff(a.Bytes(), b.Bytes(), 0, 10)
	if summary != "6000 lines differ (+3000 -3000), whole block replaced" {
		t.Errorf("summary %q", summary)
	}
	if len(lines) != 10 || lines[9].Text != "… 5991 more lines" {
		t.Errorf("cut listing: %v", lines)
	}

	// Millions of empty lines are read in place, never split into a slice.
	many := bytes.Repeat([]byte{'\n'}, 4<<20)
	allocs := testing.AllocsPerRun(1, func() {
		lines, summary = Diff(many, append([]byte("x"), many...), 80, 5)
	})
	if summary != "2 lines differ (+1 -1)" || lines[4].Text != "… 4194301 more lines" {
		t.Errorf("empty lines: %q, %v", summary, lines)
	}
	if allocs > 100 {
		t.Errorf("empty lines: %v allocations", allocs)
	}

	// Within maxDiffLines but beyond maxDiffEdits: also removed then added.
	a.Reset()
	b.Reset()
	for i := range 1500 {
		a.WriteString("a" + strconv.Itoa(i) + "\n")
		b.WriteString("b" + strconv.Itoa(i) + "\n")
	}
	if _, summary = Diff(a.Bytes(), b.Bytes(), 0, 10); !strings.HasSuffix(summary, "whole block replaced") {
		t.Errorf("summary %q", summary)
	}
}
