package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Subjects, headers and payloads come straight off the wire, so anyone who can
// publish can otherwise write escape sequences into the user's terminal (retitle
// it, clear it, smuggle OSC 52 clipboard writes) or reorder what the user reads
// with bidi controls. Everything shown goes through Sanitize or SanitizeBlock.
//
// Escapes follow Go's string syntax so they read naturally to the people who
// use natsx: \n \r \t for the common controls, \xHH for other control bytes
// and bytes that are not valid UTF-8, \uHHHH (or \UHHHHHHHH) for runes that are
// valid but unsafe. A backslash is left alone: the output is for eyes, not for
// parsing back, and doubling every backslash would make Windows paths and
// regexps in payloads harder to read.

const hexLower = "0123456789abcdef"

// blockTabWidth is the tab stop used by SanitizeBlock.
const blockTabWidth = 4

// Sanitize returns s made safe to print on one terminal line, replacing control
// characters, invalid UTF-8 and invisible format runes by visible escapes.
//
// It returns s itself, without allocating, when nothing needs escaping: it runs
// for every visible cell of every frame.
func Sanitize(s string) string {
	i := firstUnsafe(s, false)
	if i < 0 {
		return s
	}
	return sanitizeFrom(s, i, false)
}

// SanitizeBlock is Sanitize for multi-line text: it keeps '\n' and expands
// '\t' to spaces up to the next multiple of 4 columns.
func SanitizeBlock(s string) string {
	i := firstUnsafe(s, true)
	if i < 0 {
		return s
	}
	return sanitizeFrom(s, i, true)
}

// firstUnsafe returns the byte index of the first byte of s that must be
// rewritten, or -1 when s can be shown as is.
func firstUnsafe(s string, block bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c-0x20 < 0x7f-0x20 { // printable ASCII, in one unsigned compare
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if block && c == '\n' {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether a valid non-ASCII rune must be escaped: the C1
// controls (0x9b is CSI on terminals that honour 8-bit controls), the Unicode
// format characters (category Cf: bidi overrides and isolates, LRM/RLM/ALM,
// zero-width space/joiners, word joiner, BOM, invisible tag characters, soft
// hyphen) and the line and paragraph separators, which some renderers break on.
// Cf is used rather than a hand-picked list so that new invisible characters
// are covered as the unicode package is updated.
// UnsafeRune reports whether Sanitize rewrites r, a rune at or above
// utf8.RuneSelf (ASCII controls are the callers' to handle byte by byte):
// the one definition other escapers (export's JSON) share.
func UnsafeRune(r rune) bool { return r >= utf8.RuneSelf && unsafeRune(r) }

func unsafeRune(r rune) bool {
	if r < 0x0600 {
		// Below U+0600 the only non-control Cf rune is the soft hyphen.
		return r < 0xa0 || r == 0xad
	}
	if r == 0x2028 || r == 0x2029 {
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// sanitizeFrom rewrites s, whose first start bytes are known to be safe.
func sanitizeFrom(s string, start int, block bool) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:start])
	col := 0
	if block {
		col = utf8.RuneCountInString(s[strings.LastIndexByte(s[:start], '\n')+1 : start])
	}
	var esc [10]byte
	for i := start; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 0x20 && c != 0x7f:
				b.WriteByte(c)
				col++
			case block && c == '\n':
				b.WriteByte(c)
				col = 0
			case block && c == '\t':
				n := blockTabWidth - col%blockTabWidth
				b.WriteString("    "[:n])
				col += n
			default:
				e := escapeByte(esc[:0], c)
				b.Write(e)
				col += len(e)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			e := escapeByte(esc[:0], c)
			b.Write(e)
			col += len(e)
		case unsafeRune(r):
			e := escapeRune(esc[:0], r)
			b.Write(e)
			col += len(e)
		default:
			b.WriteString(s[i : i+size])
			col++
		}
		i += size
	}
	return b.String()
}

// escapeByte appends the visible form of a control or invalid byte.
func escapeByte(dst []byte, c byte) []byte {
	switch c {
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'x', hexLower[c>>4], hexLower[c&0xf])
}

// escapeRune appends \uHHHH, or \UHHHHHHHH beyond the BMP, as Go spells them.
func escapeRune(dst []byte, r rune) []byte {
	digits := 4
	dst = append(dst, '\\', 'u')
	if r > 0xffff {
		digits = 8
		dst[len(dst)-1] = 'U'
	}
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexLower[(r>>shift)&0xf])
	}
	return dst
}
