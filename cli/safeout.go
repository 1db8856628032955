package cli

import (
	"io"
	"strings"
	"unicode/utf8"

	"natsx/model"
)

// safeWriter is how every command writes: each line goes through
// model.Sanitize, so nothing a capture, the wire, a file name or a URL
// holds reaches the terminal as a control sequence, whichever output
// path prints it (a field a command forgot to sanitize, an error from a
// library that echoes its input). Lines stay lines. Commands that redraw a
// progress line on a terminal send their controls through control, which
// alone bypasses the sanitizer. A rune split across two writes (a
// buffered exporter's chunks) is held until its remaining bytes arrive.
type safeWriter struct {
	w     io.Writer
	carry []byte // an incomplete UTF-8 sequence at the end of the last write
}

// newSafeWriter wraps w, unless it already is one.
func newSafeWriter(w io.Writer) *safeWriter {
	if s, ok := w.(*safeWriter); ok {
		return s
	}
	return &safeWriter{w: w}
}

// Fd lets isTerminal see through the wrapper.
func (s *safeWriter) Fd() uintptr {
	if f, ok := s.w.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// Write sanitizes p line by line; it reports len(p) written on success.
func (s *safeWriter) Write(p []byte) (int, error) {
	b := p
	if len(s.carry) > 0 {
		b = append(s.carry, p...)
		s.carry = nil
	}
	if cut := incompleteTail(b); cut < len(b) {
		s.carry = append([]byte(nil), b[cut:]...)
		b = b[:cut]
	}
	var out strings.Builder
	for len(b) > 0 {
		line, rest, nl := cutLine(b)
		out.WriteString(model.Sanitize(string(line)))
		if nl {
			out.WriteByte('\n')
		}
		b = rest
	}
	if _, err := io.WriteString(s.w, out.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes a held incomplete rune, escaped: the output has ended.
func (s *safeWriter) flush() {
	if len(s.carry) > 0 {
		_, _ = io.WriteString(s.w, model.Sanitize(string(s.carry)))
		s.carry = nil
	}
}

// control writes terminal control text (a progress line's carriage
// return and erase) unsanitized, to a terminal only; it is never given
// data.
func control(w io.Writer, seq string) {
	if s, ok := w.(*safeWriter); ok {
		w = s.w
	}
	_, _ = io.WriteString(w, seq)
}

// cutLine splits b after its first newline.
func cutLine(b []byte) (line, rest []byte, nl bool) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// incompleteTail is where a UTF-8 sequence cut short by the end of b
// starts, or len(b) when b ends on a whole rune (or on bytes that are
// invalid anyway and are escaped now).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		c := b[i]
		if c < utf8.RuneSelf {
			return len(b)
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			return len(b)
		}
	}
	return len(b)
}
