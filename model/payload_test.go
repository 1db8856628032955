package model

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectPayload(t *testing.T) {
	bigJSON := "[" + strings.Repeat("1,", 1<<20) + "1]" // 2 MiB, validated
	tooBigJSON := "[" + strings.Repeat("1,", 4<<20+1) + "1]"
	tests := []struct {
		name string
		in   string
		want PayloadKind
	}{
		{"nil", "", KindEmpty},
		{"object", `{"a":1}`, KindJSON},
		{"array with space", " \n[1, 2]\n", KindJSON},
		{"bare number", "42", KindText},
		{"bare string", `"hello"`, KindText},
		{"null", "null", KindText},
		{"broken object", `{"a":`, KindText},
		{"text", "hello world\n", KindText},
		{"utf8 text", "grüße, 東京\r\n\tdone", KindText},
		{"coloured log line", "\x1b[31mERROR\x1b[0m disk full on /var: 12 GiB of 12 GiB used", KindText},
		{"5% controls is text", strings.Repeat("a", 19) + "\x00", KindText},
		{"over 5% controls", strings.Repeat("a", 18) + "\x00\x01", KindBinary},
		{"c1 controls", strings.Repeat("\u0085", 10), KindBinary},
		{"nul bytes", "\x00\x01\x02\x03", KindBinary},
		{"latin1", "caf\xe9", KindBinary},
		{"only the first 64 KiB decide", strings.Repeat("a", sniffLimit) + strings.Repeat("\x00", 4096), KindText},
		{"rune across the 64 KiB edge", strings.Repeat("a", sniffLimit-1) + "é" + "\x00", KindText},
		{"mostly controls", strings.Repeat("\x00\x01ab", 1000), KindBinary},
		{"2 MiB json", bigJSON, KindJSON},
		{"over 8 MiB json is text", tooBigJSON, KindText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectPayload([]byte(tt.in)); got != tt.want {
				t.Errorf("DetectPayload = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPayloadKindString(t *testing.T) {
	for k, want := range map[PayloadKind]string{
		KindEmpty: "empty", KindJSON: "json", KindText: "text", KindBinary: "binary", 9: "PayloadKind(9)",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestFormatPayload(t *testing.T) {
	const hello = "Hello world\n\x00\x01\x02\x03"
	tests := []struct {
		name            string
		in              string
		kind            PayloadKind
		width, maxLines int
		want            []string
	}{
		{"empty", "", KindText, 80, 10, nil},
		{"json indented", `{"a":1,"b":[true,null]}`, KindJSON, 80, 0,
			[]string{`{`, `  "a": 1,`, `  "b": [`, `    true,`, `    null`, `  ]`, `}`}},
		{"json cut", `{"a":1,"b":[true,null]}`, KindJSON, 80, 3,
			[]string{`{`, `  "a": 1,`, `… 5 more lines`}},
		{"json strings sanitized", "{\"n\":\"\u202Ex\x7f\"}", KindJSON, 80, 0,
			[]string{`{`, `  "n": "\u202ex\x7f"`, `}`}},
		{"json lines wrapped", `{"key":"abcdefghij"}`, KindJSON, 8, 0,
			[]string{`{`, `  "key":`, ` "abcdef`, `ghij"`, `}`}},
		{"invalid json shown as text", `{"a":`, KindJSON, 80, 0, []string{`{"a":`}},
		{"detected when kind is empty", `[1]`, KindEmpty, 80, 0, []string{`[`, `  1`, `]`}},
		{"text lines", "hello\nworld\n", KindText, 80, 0, []string{"hello", "world"}},
		{"text blank lines", "a\n\nb", KindText, 80, 0, []string{"a", "", "b"}},
		{"just a newline", "\n", KindText, 80, 0, []string{""}},
		{"text wrapped", "abcdefghij", KindText, 4, 0, []string{"abcd", "efgh", "ij"}},
		{"text wrapped by runes", "äöüßéèêë", KindText, 3, 0, []string{"äöü", "ßéè", "êë"}},
		{"no wrap at width 0", "abcdefghij", KindText, 0, 0, []string{"abcdefghij"}},
		{"tabs expanded", "a\tb", KindText, 80, 0, []string{"a   b"}},
		{"controls escaped", "a\x1b[2Jb\r\n\x9b", KindText, 80, 0, []string{`a\x1b[2Jb\r`, `\x9b`}},
		{"escapes wrapped whole width", "\x1b\x1b", KindText, 3, 0, []string{`\x1`, `b\x`, `1b`}},
		{"text exactly fits", "1\n2\n3", KindText, 80, 3, []string{"1", "2", "3"}},
		{"text cut", "1\n2\n3\n4\n5", KindText, 80, 3, []string{"1", "2", "… 3 more lines"}},
		{"only the marker", "1\n2\n3\n4\n5", KindText, 80, 1, []string{"… 5 more lines"}},
		{"cut inside a wrapped line", "abcdefgh\nxy", KindText, 4, 2, []string{"abcd", "… 2 more lines"}},
		{"one more line", "abcdefgh", KindText, 4, 1, []string{"… 1 more line"}},
		{"hex row", hello, KindBinary, 80, 0,
			[]string{"00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|"}},
		{"hex partial row", "hello\n", KindBinary, 80, 0,
			[]string{"00000000  68 65 6c 6c 6f 0a                                 |hello.|"}},
		{"hex 8 per row when narrow", hello, KindBinary, 77, 0, []string{
			"00000000  48 65 6c 6c 6f 20 77 6f  |Hello wo|",
			"00000008  72 6c 64 0a 00 01 02 03  |rld.....|",
		}},
		{"hex narrow partial row", "hello\n", KindBinary, 40, 0,
			[]string{"00000000  68 65 6c 6c 6f 0a        |hello.|"}},
		{"hex cut", hello + hello + hello, KindBinary, 40, 3, []string{
			"00000000  48 65 6c 6c 6f 20 77 6f  |Hello wo|",
			"00000008  72 6c 64 0a 00 01 02 03  |rld.....|",
			"… 4 more lines",
		}},
		{"high bytes are dots", "\x7f\x80\xff", KindBinary, 80, 0,
			[]string{"00000000  7f 80 ff                                          |...|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatPayload([]byte(tt.in), tt.kind, tt.width, tt.maxLines)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FormatPayload(%q, %v, %d, %d) =\n%q\nwant\n%q", tt.in, tt.kind, tt.width, tt.maxLines, got, tt.want)
			}
		})
	}
}

// TestFormatPayloadHexMatchesStdlib checks the 16-byte rows against
// encoding/hex.Dump, which produces hexdump -C's layout.
func TestFormatPayloadHexMatchesStdlib(t *testing.T) {
	b := make([]byte, 16*5+7)
	for i := range b {
		b[i] = byte(i * 37)
	}
	got := strings.Join(FormatPayload(b, KindBinary, 120, 0), "\n") + "\n"
	if want := hex.Dump(b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFormatPayloadLarge(t *testing.T) {
	const size = 8 << 20
	bin := make([]byte, size)
	for i := range bin {
		bin[i] = byte(i)
	}
	lines := FormatPayload(bin, KindBinary, 120, 50)
	if len(lines) != 50 {
		t.Fatalf("binary: %d lines, want 50", len(lines))
	}
	if want := "00000300  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|"; lines[48] != want {
		t.Errorf("row 48 = %q, want %q", lines[48], want)
	}
	if want := "… 524239 more lines"; lines[49] != want { // 8 MiB / 16 rows, 49 shown
		t.Errorf("last line = %q, want %q", lines[49], want)
	}

	oneLine := bytes.Repeat([]byte("x"), size)
	lines = FormatPayload(oneLine, KindText, 80, 5)
	if len(lines) != 5 || lines[0] != strings.Repeat("x", 80) || lines[4] != "… 1 more line" {
		t.Errorf("single 8 MiB line: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}

	manyLines := bytes.Repeat([]byte("0123456789\n"), size/11)
	lines = FormatPayload(manyLines, KindText, 80, 5)
	if want := []string{"0123456789", "0123456789", "0123456789", "0123456789", "… 762596 more lines"}; !slices.Equal(lines, want) {
		t.Errorf("many lines = %q, want %q", lines, want)
	}
}

// BenchmarkFormatPayload8MiB shows that a short listing of a large payload
// costs about one bytes.Count pass (the baseline), which counts the lines
// not shown, and nothing per byte beyond that.
// TestExtremeArguments guards the size arithmetic against overflow.
func TestExtremeArguments(t *testing.T) {
	b := []byte("hello\nworld")
	if got := FormatPayload(b, KindText, math.MaxInt, math.MaxInt); !slices.Equal(got, []string{"hello", "world"}) {
		t.Errorf("text = %q", got)
	}
	if got := FormatPayload(b, KindBinary, math.MinInt, math.MaxInt); len(got) != 1 {
		t.Errorf("binary = %q", got)
	}
	if got := Preview(b, math.MaxInt); got != "hello⏎world" {
		t.Errorf("preview = %q", got)
	}
	big := make([]byte, 1<<20)
	got := Preview(big, math.MaxInt)
	if want := 3 * previewSniffLimit; len(got) < want || len(got) > want+40 {
		t.Errorf("binary preview of 1 MiB is %d bytes, want about %d", len(got), want)
	}
	if !strings.HasSuffix(got, " 00 …") {
		t.Errorf("binary preview ends %q", got[len(got)-10:])
	}
}

func BenchmarkFormatPayload8MiB(b *testing.B) {
	text := bytes.Repeat([]byte("héllo wörld, \x1b[1mthis is a line\tof text\n"), (8<<20)/42)
	bin := make([]byte, 8<<20)
	b.Run("baseline-count", func(b *testing.B) {
		for b.Loop() {
			_ = bytes.Count(text, []byte{'\n'})
		}
	})
	for _, bc := range []struct {
		name string
		data []byte
		kind PayloadKind
	}{{"text", text, KindText}, {"binary", bin, KindBinary}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(FormatPayload(bc.data, bc.kind, 100, 50)) != 50 {
					b.Fatal("want 50 lines")
				}
			}
		})
	}
}

func TestPreview(t *testing.T) {
	seq := make([]byte, 100)
	for i := range seq {
		seq[i] = byte(i)
	}
	bigJSON := `{"items": [` + strings.Repeat(`{"id": 1}, `, 1000) + `{"id": 2}]}`
	bigText := "first line\nsecond line\n" + strings.Repeat("more text ", 1000)
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"empty", "", 10, ""},
		{"zero max", "hello", 0, ""},
		{"json compacted", "{ \"a\": 1,\n  \"b\": \"x  y\" }\n", 40, `{"a":1,"b":"x  y"}`},
		{"json cut", `{"a": 1, "b": "x y"}`, 8, `{"a":1,…`},
		{"json escapes kept", `{"a":"q\" }"}`, 40, `{"a":"q\" }"}`},
		{"json sanitized", "[\"\u202Eevil\"]", 40, `["\u202eevil"]`},
		{"large json compacted prefix", bigJSON, 30, `{"items":[{"id":1},{"id":1},{…`},
		{"text lines joined", "hello\nworld\n", 40, "hello⏎world"},
		{"crlf is one break", "a\r\nb\r\n", 40, "a⏎b"},
		{"lone cr escaped", "a\rb", 40, `a\rb`},
		{"text sanitized", "\x1b[2Jhi\tthere, how are you today?", 60, `\x1b[2Jhi\tthere, how are you today?`},
		{"text exact fit", "hello", 5, "hello"},
		{"text cut", "hello world", 5, "hell…"},
		{"one rune", "hello", 1, "…"},
		{"large text", bigText, 30, "first line⏎second line⏎more t…"},
		{"binary", "\x00\x01\x02\x03", 40, "<binary 4 bytes> 00 01 02 03"},
		{"binary cut", string(seq), 30, "<binary 100 bytes> 00 01 02 …"},
		{"binary tiny max", string(seq), 5, "<bin…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Preview([]byte(tt.in), tt.max)
			if got != tt.want {
				t.Errorf("Preview(%.40q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max {
				t.Errorf("%d runes, max %d", n, tt.max)
			}
		})
	}
}

// TestCompactJSONMatchesStdlib pins the hand-written compactor to
// json.Compact on valid documents, which it replaces for previews.
func TestCompactJSONMatchesStdlib(t *testing.T) {
	for _, doc := range []string{
		`{}`, ` [ 1 , 2 ] `, "{\n  \"a\\\"\\\\\": [true, false, null],\n\t\"b\": \"  \\u0020 \"\r\n}",
		`{"nested": {"x": [1.5e3, -2, "a b"]}, "empty": ""}`, `"just a string"`,
	} {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(doc)); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if got, used := compactJSON([]byte(doc), 1<<20); got != want.String() || used != len(doc) {
			t.Errorf("compactJSON(%q) = %q, %d; want %q, %d", doc, got, used, want.String(), len(doc))
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{
		{0, "0 B"}, {512, "512 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{10 << 10, "10 KiB"}, {1023 << 10, "1023 KiB"}, {1<<20 - 1, "1.0 MiB"}, {12 << 20, "12 MiB"},
		{3_435_973_837, "3.2 GiB"}, {1 << 40, "1.0 TiB"}, {math.MaxUint64, "16 EiB"},
	} {
		if got := HumanBytes(tt.in); got != tt.want {
			t.Errorf("HumanBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanCount(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1.0k"}, {1234, "1.2k"}, {9949, "9.9k"}, {9950, "10k"},
		{35_000, "35k"}, {999_499, "999k"}, {999_500, "1.0M"}, {1_200_000, "1.2M"},
		{4_500_000_000, "4.5G"}, {math.MaxUint64, "18E"},
	} {
		if got := HumanCount(tt.in); got != tt.want {
			t.Errorf("HumanCount(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanRate(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{0, "0.0"}, {-3, "0.0"}, {math.NaN(), "0.0"}, {0.01, "<0.1"}, {0.4, "0.4"}, {1, "1.0"}, {12, "12"},
		{12.4, "12"}, {999.4, "999"}, {999.5, "1.0k"}, {1234, "1.2k"}, {1.2e6, "1.2M"},
		{999.4e18, "999E"}, {1e30, ">999E"}, {math.Inf(1), ">999E"},
	} {
		if got := HumanRate(tt.in); got != tt.want {
			t.Errorf("HumanRate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHumanWidths sweeps values around every unit boundary to hold the column
// widths the docs promise.
func TestHumanWidths(t *testing.T) {
	for v := 1.0; v < 1.8e19; v *= 1.01 {
		for _, x := range []float64{v, v * 0.9995, v * 1.0005} {
			n := uint64(x)
			if s := HumanBytes(n); len(s) > 8 {
				t.Fatalf("HumanBytes(%d) = %q, longer than 8", n, s)
			}
			if s := HumanCount(n); len(s) > 4 {
				t.Fatalf("HumanCount(%d) = %q, longer than 4", n, s)
			}
			if s := HumanRate(x / 1e3); len(s) > 5 {
				t.Fatalf("HumanRate(%v) = %q, longer than 5", x/1e3, s)
			}
		}
	}
}

func FuzzFormatPayload(f *testing.F) {
	// Seeds live in testdata/fuzz/FuzzFormatPayload.
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, width, maxLines int) {
		width %= 200
		maxLines %= 100
		k := PayloadKind(kind % 5) // one past KindBinary: an unknown kind
		lines := FormatPayload(data, k, width, maxLines)
		if maxLines > 0 && len(lines) > maxLines {
			t.Fatalf("%d lines, max %d", len(lines), maxLines)
		}
		if len(data) > 0 && len(lines) == 0 {
			t.Fatal("no lines for a non-empty payload")
		}
		isText := k == KindText || k == KindJSON
		for i, l := range lines {
			checkTerminalSafe(t, "FormatPayload", l, false)
			last := i == len(lines)-1 && strings.HasPrefix(l, "… ")
			if isText && width > 0 && !last && utf8.RuneCountInString(l) > width {
				t.Fatalf("line %d has %d runes, width %d: %q", i, utf8.RuneCountInString(l), width, l)
			}
		}

		maxRunes := maxLines
		p := Preview(data, maxRunes)
		checkTerminalSafe(t, "Preview", p, false)
		if n := utf8.RuneCountInString(p); n > max(maxRunes, 0) {
			t.Fatalf("preview has %d runes, max %d: %q", n, maxRunes, p)
		}
		_ = DetectPayload(data).String()
	})
}
