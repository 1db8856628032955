package recorder

import (
	"unicode/utf8"

	"natsx/model"
)

// EscapeJSON rewrites the encoded JSON in b so that it is safe to print
// on a terminal and still means the same: every rune model.Sanitize would
// escape (C1 controls, bidi overrides, zero-width and other format
// characters, line and paragraph separators) becomes a \uXXXX escape
// (a surrogate pair beyond the BMP). encoding/json already escapes the C0
// controls but writes these raw. Outside strings JSON is ASCII, so only
// string contents change, and a decoder reads back the same runes.
func EscapeJSON(b []byte) []byte {
	i := firstUnsafeJSON(b)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || model.UnsafeRune(r) {
			out = appendJSONEscape(out, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// firstUnsafeJSON is the index of the first rune EscapeJSON rewrites, -1
// when there is none (the common case costs one scan, no allocation).
func firstUnsafeJSON(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || model.UnsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

const hexDigits = "0123456789abcdef"

// appendJSONEscape appends r as \uXXXX, or as a UTF-16 surrogate pair.
func appendJSONEscape(dst []byte, r rune) []byte {
	if r > 0xffff {
		r -= 0x10000
		dst = appendJSONEscape(dst, 0xd800+(r>>10))
		return appendJSONEscape(dst, 0xdc00+(r&0x3ff))
	}
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
