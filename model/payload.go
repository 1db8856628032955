package model

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PayloadKind is how natsx decides to show a payload.
type PayloadKind int

// Payload kinds, in the order DetectPayload tries them.
const (
	// KindEmpty is a payload of zero bytes, common for pings and requests.
	KindEmpty PayloadKind = iota
	// KindJSON is a JSON object or array, shown indented.
	KindJSON
	// KindText is UTF-8 with few control characters, shown as lines.
	KindText
	// KindBinary is anything else, shown as a hex dump.
	KindBinary
)

// String returns the lower-case name shown in the inspector.
func (k PayloadKind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindJSON:
		return "json"
	case KindText:
		return "text"
	case KindBinary:
		return "binary"
	}
	return "PayloadKind(" + strconv.Itoa(int(k)) + ")"
}

const (
	// sniffLimit bounds the text/binary decision: the start of a payload is
	// representative, and the decision must not cost more on a large one.
	sniffLimit = 64 << 10
	// jsonValidateLimit bounds json.Valid and json.Indent (tens of ms at the
	// limit); larger payloads are shown as text.
	jsonValidateLimit = 8 << 20
	// maxControlPercent is how many control runes text may hold before it is
	// shown as hex: a coloured log line is text, a protobuf is not.
	maxControlPercent = 5
	// previewSniffLimit bounds all work Preview does, as it runs per table row.
	previewSniffLimit = 4 << 10
)

// DetectPayload classifies a payload for display, looking at no more than the
// first 64 KiB to tell text from binary and validating JSON up to 8 MiB.
func DetectPayload(b []byte) PayloadKind {
	if len(b) == 0 {
		return KindEmpty
	}
	if startsLikeJSON(b) && len(b) <= jsonValidateLimit && json.Valid(b) {
		return KindJSON
	}
	if isText(b[:min(len(b), sniffLimit)], len(b) > sniffLimit) {
		return KindText
	}
	return KindBinary
}

// startsLikeJSON reports whether the first non-space byte opens an object or
// array; a bare number or string is more useful shown as text.
func startsLikeJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// isText reports whether p is valid UTF-8 with few control characters. When p
// is a prefix of the payload a rune cut in half at its end is forgiven.
func isText(p []byte, prefix bool) bool {
	if prefix {
		p = trimPartialRune(p)
	}
	if !utf8.Valid(p) {
		return false
	}
	controls := 0
	for i, c := range p {
		switch {
		case c < 0x20 && c != '\n' && c != '\r' && c != '\t', c == 0x7f:
			controls++
		case c == 0xc2 && i+1 < len(p) && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			controls++ // a C1 control encoded as UTF-8
		}
	}
	return controls*100 <= utf8.RuneCount(p)*maxControlPercent
}

// trimPartialRune drops an incomplete rune at the end of p, so that cutting a
// payload at an arbitrary byte does not make valid UTF-8 look invalid.
func trimPartialRune(p []byte) []byte {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return p[:i]
			}
			break
		}
	}
	return p
}

// cutAtRuneStart returns p cut to at most n bytes, moved back (by at most 3
// bytes) to a rune boundary so that no valid rune is split.
func cutAtRuneStart(p []byte, n int) []byte {
	if n >= len(p) {
		return p
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			return p[:i]
		}
	}
	return p[:n]
}

// FormatPayload returns at most maxLines display lines for b (no limit when
// maxLines <= 0), each safe for the terminal. JSON is indented, text is
// wrapped at width runes (no wrapping when width <= 0) and binary is a
// hexdump -C style dump with 8 bytes per row when width < 78. A cut listing
// ends with "… N more lines", N counting source lines (or hex rows) not fully
// shown. Only the shown lines are formatted, so a large payload costs little
// beyond indenting JSON (unless width <= 0 and a shown line is huge).
// KindEmpty or an unknown kind is detected from b.
func FormatPayload(b []byte, kind PayloadKind, width, maxLines int) []string {
	if len(b) == 0 {
		return nil
	}
	if kind <= KindEmpty || kind > KindBinary {
		kind = DetectPayload(b)
	}
	switch kind {
	case KindBinary:
		return hexDump(b, width, maxLines)
	case KindJSON:
		if len(b) <= jsonValidateLimit {
			var buf bytes.Buffer
			buf.Grow(len(b) + len(b)/2)
			if json.Indent(&buf, b, "", "  ") == nil {
				return formatLines(buf.Bytes(), width, maxLines)
			}
		}
	}
	// Text, and JSON that is too large or not valid after all.
	return formatLines(b, width, maxLines)
}

// moreLines is the last line of a cut listing.
func moreLines(n int) string {
	if n == 1 {
		return "… 1 more line"
	}
	return "… " + strconv.Itoa(n) + " more lines"
}

// formatLines sanitizes and wraps src line by line, stopping as soon as it
// knows the listing will be cut, so it never formats what is not shown.
func formatLines(src []byte, width, maxLines int) []string {
	// "a\n" is one line, as an editor shows it.
	src = bytes.TrimSuffix(src, []byte{'\n'})
	var (
		rows     []string
		complete []bool // complete[i]: rows[i] is the last row of its source line
	)
	for rest, more := src, true; more; {
		var line []byte
		line, rest, more = bytes.Cut(rest, []byte{'\n'})
		whole := true
		if maxLines > 0 && maxLines < 1<<20 && width > 0 && width < 1<<20 {
			// Enough input for every row still wanted, plus one to know the
			// listing is cut: each input byte shows as at least one rune.
			budget := utf8.UTFMax * (maxLines + 1 - len(rows)) * width
			if len(line) > budget {
				line = cutAtRuneStart(line, budget+utf8.UTFMax)
				whole = false
			}
		}
		wrapped := wrapRunes(SanitizeBlock(string(line)), width)
		for i, r := range wrapped {
			rows = append(rows, r)
			complete = append(complete, whole && i == len(wrapped)-1)
		}
		if maxLines > 0 && len(rows) > maxLines {
			break
		}
	}
	if maxLines <= 0 || len(rows) <= maxLines {
		return rows
	}
	keep := maxLines - 1
	shown := 0
	for _, c := range complete[:keep] {
		if c {
			shown++
		}
	}
	total := bytes.Count(src, []byte{'\n'}) + 1
	rows[keep] = moreLines(total - shown)
	return rows[:keep+1]
}

// wrapRunes splits a sanitized line into rows of at most width runes. It
// counts runes rather than terminal cells: sanitized text has no controls,
// and wide East Asian runes only make a row look longer, never wrong.
func wrapRunes(s string, width int) []string {
	if width <= 0 || len(s) <= width {
		return []string{s}
	}
	var rows []string
	n, start := 0, 0
	for i := range s {
		if n == width {
			rows = append(rows, s[start:i])
			n, start = 0, i
		}
		n++
	}
	return append(rows, s[start:])
}

// hexDump formats the rows of a hexdump -C style listing that will be shown.
// Hand-written because encoding/hex.Dump only knows 16-byte rows and always
// dumps everything.
func hexDump(b []byte, width, maxLines int) []string {
	perRow := 16
	if width > 0 && width < 78 {
		perRow = 8
	}
	total := (len(b) + perRow - 1) / perRow
	show := total
	if maxLines > 0 && total > maxLines {
		show = maxLines - 1
	}
	rows := make([]string, 0, min(total, show+1))
	line := make([]byte, 0, 96)
	for r := range show {
		off := r * perRow
		line = appendHexRow(line[:0], off, b[off:min(off+perRow, len(b))], perRow)
		rows = append(rows, string(line))
	}
	if show < total {
		rows = append(rows, moreLines(total-show))
	}
	return rows
}

// appendHexRow appends one row: offset, hex bytes padded to perRow (with an
// extra space in the middle of 16-byte rows) and the printable ASCII.
func appendHexRow(dst []byte, off int, chunk []byte, perRow int) []byte {
	var tmp [16]byte
	hexOff := strconv.AppendUint(tmp[:0], uint64(off), 16)
	for range 8 - len(hexOff) {
		dst = append(dst, '0')
	}
	dst = append(dst, hexOff...)
	dst = append(dst, ' ')
	for i := range perRow {
		if i%8 == 0 {
			dst = append(dst, ' ')
		}
		if i < len(chunk) {
			dst = append(dst, hexLower[chunk[i]>>4], hexLower[chunk[i]&0xf], ' ')
		} else {
			dst = append(dst, "   "...)
		}
	}
	dst = append(dst, ' ', '|')
	for _, c := range chunk {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		dst = append(dst, c)
	}
	return append(dst, '|')
}

// Preview returns a one-line, sanitized summary of b of at most maxRunes
// runes, ending in "…" when cut: compacted JSON, text with line breaks shown
// as ⏎, or "<binary N bytes>" and the first bytes in hex. It reads at most
// the first 4 KiB, so it is cheap enough for every visible table row; an
// empty payload gives "".
func Preview(b []byte, maxRunes int) string {
	if maxRunes <= 0 || len(b) == 0 {
		return ""
	}
	head := b[:min(len(b), previewSniffLimit)]
	if len(head) < len(b) {
		head = trimPartialRune(head)
	}
	var kind PayloadKind
	switch {
	case len(head) == len(b):
		kind = DetectPayload(b)
	case !isText(head, true):
		kind = KindBinary
	case startsLikeJSON(head):
		kind = KindJSON // too long to validate here; a guess is fine for a preview
	default:
		kind = KindText
	}
	// Each input byte shows as at least one rune, so this much input is
	// enough to fill the preview and see that it is cut.
	need := utf8.UTFMax * (min(maxRunes, previewSniffLimit) + 1)
	switch kind {
	case KindBinary:
		return binaryPreview(b, maxRunes)
	case KindJSON:
		s, used := compactJSON(head, need)
		return clipRunes(Sanitize(s), maxRunes, used < len(b))
	default:
		head = cutAtRuneStart(head, need)
		return clipRunes(textPreview(head, len(head) == len(b)), maxRunes, len(head) < len(b))
	}
}

// compactJSON drops the whitespace outside strings from src until the output
// holds limit bytes, returning it and how much of src it used. For valid JSON
// this is exactly json.Compact, but it works on a prefix, stops early and
// never fails, which is what a preview needs.
func compactJSON(src []byte, limit int) (string, int) {
	var out strings.Builder
	out.Grow(min(len(src), limit+utf8.UTFMax))
	inString, escaped := false, false
	for i, c := range src {
		if out.Len() >= limit && utf8.RuneStart(c) {
			return out.String(), i
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ', c == '\t', c == '\n', c == '\r':
			continue
		}
		out.WriteByte(c)
	}
	return out.String(), len(src)
}

// textPreview joins the lines of p with a visible ⏎, treating CRLF as one
// break and dropping the final break of a complete payload.
func textPreview(p []byte, complete bool) string {
	if complete {
		p = bytes.TrimRight(p, "\r\n")
	}
	var out strings.Builder
	for more := true; more; {
		var line []byte
		line, p, more = bytes.Cut(p, []byte{'\n'})
		if more {
			line = bytes.TrimSuffix(line, []byte{'\r'})
		}
		out.WriteString(Sanitize(string(line)))
		if more {
			out.WriteString("⏎")
		}
	}
	return out.String()
}

// binaryPreview shows the size and as many whole hex bytes as fit.
func binaryPreview(b []byte, maxRunes int) string {
	label := "<binary " + strconv.Itoa(len(b)) + " bytes>"
	avail := maxRunes - len(label) // the label is ASCII: bytes are runes
	n := min(len(b), max(avail, 0)/3, previewSniffLimit)
	if n < len(b) {
		n = min(n, max(avail-2, 0)/3) // leave room for " …"
	}
	buf := make([]byte, 0, len(label)+3*n+len(" …"))
	buf = append(buf, label...)
	for _, c := range b[:n] {
		buf = append(buf, ' ', hexLower[c>>4], hexLower[c&0xf])
	}
	if n < len(b) {
		buf = append(buf, " …"...)
	}
	// Only a maxRunes too small for the label itself is cut here.
	return clipRunes(string(buf), maxRunes, false)
}

// clipRunes cuts s to at most maxRunes runes, the last being "…" when s had
// to be cut or more input was not shown.
func clipRunes(s string, maxRunes int, more bool) string {
	n := 0
	for i := range s {
		if n == maxRunes-1 {
			if more || utf8.RuneCountInString(s[i:]) > 1 {
				return s[:i] + "…"
			}
			return s
		}
		n++
	}
	if more {
		return s + "…" // n < maxRunes here
	}
	return s
}

// The Human* helpers fill narrow table columns, so each has a fixed maximum
// width and switches to a larger unit rather than grow: one decimal below 10
// of a unit, none above, and a value that would round to 1000 (1024 for
// bytes) is shown in the next unit.

// HumanBytes formats a byte count with binary units in at most 8 characters:
// "0 B", "512 B", "1.5 KiB", "12 MiB", "3.2 GiB".
func HumanBytes(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v, unit := scaleUnits(float64(n)/1024, 1024, "KMGTPE")
	return v + " " + unit + "iB"
}

// HumanCount formats a count with SI suffixes in at most 4 characters:
// "999", "1.2k", "35k", "1.2M", "4.5G".
func HumanCount(n uint64) string {
	if n < 1000 {
		return strconv.FormatUint(n, 10)
	}
	v, unit := scaleUnits(float64(n)/1000, 1000, "kMGTPE")
	return v + unit
}

// HumanRate formats a per-second rate in at most 5 characters: "0.0",
// "<0.1", "0.4", "12", "1.2k", "1.2M"; a negative or NaN rate shows as
// "0.0" (one decimal below 10, so a column of rates reads in one format)
// and one beyond the units as ">999E".
func HumanRate(perSec float64) string {
	switch {
	case math.IsNaN(perSec) || perSec <= 0:
		return "0.0" // one decimal below 10, as 0.6 and 5.0 beside it
	case perSec < 0.05:
		return "<0.1" // not "0": something did arrive
	case perSec < 999.5:
		v, _ := scaleUnits(perSec, 1000, "")
		return v
	case perSec >= 999.5e18:
		return ">999E"
	}
	v, unit := scaleUnits(perSec/1000, 1000, "kMGTPE")
	return v + unit
}

// scaleUnits divides v by base until it rounds below base (or the units run
// out) and returns it with one decimal below 10, none above, and its unit.
func scaleUnits(v, base float64, units string) (string, string) {
	u := 0
	for v >= base-0.5 && u+1 < len(units) {
		v /= base
		u++
	}
	unit := ""
	if len(units) > 0 {
		unit = units[u : u+1]
	}
	if v < 9.95 {
		return strconv.FormatFloat(v, 'f', 1, 64), unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64), unit
}
