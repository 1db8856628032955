package model

import (
	"bytes"
	"strconv"
	"strings"
)

// Binary diffs: changed byte ranges and hex windows around the first change.

// binaryDiff lists the changed byte ranges of a and b, then dumps the 64
// bytes from the row holding the first difference on each side.
func binaryDiff(w *diffWriter, a, b []byte) string {
	n := min(len(a), len(b))
	var ranges [][2]int // inclusive, at most maxRangeLines of them
	count, first := 0, n
	for i := nextDiff(a, b, 0, n); i < n; i = nextDiff(a, b, i, n) {
		j := i
		for j < n && a[j] != b[j] {
			j++
		}
		if count == 0 {
			first = i
		}
		if len(ranges) < maxRangeLines {
			ranges = append(ranges, [2]int{i, j - 1})
		}
		count++
		i = j
	}

	var parts []string
	if count > 0 {
		s := "byte "
		if count > 1 || ranges[0][0] != ranges[0][1] {
			s = "bytes "
		}
		for i, r := range ranges[:min(len(ranges), 3)] {
			if i > 0 {
				s += ", "
			}
			s += rangeText(r)
		}
		if count > 3 {
			s += " and " + countNoun(count-3, "more range")
		}
		parts = append(parts, s+" changed")
	}
	for _, t := range []struct {
		n    int
		verb string
	}{{len(b) - len(a), " added at end"}, {len(a) - len(b), " removed at end"}} {
		switch {
		case t.n > 0 && len(parts) == 0:
			parts = append(parts, countNoun(t.n, "byte")+t.verb)
		case t.n > 0:
			parts = append(parts, strconv.Itoa(t.n)+t.verb)
		}
	}

	for _, r := range ranges {
		w.add(DiffChanged, []byte(byteRangeText(r)+" changed ("+countNoun(r[1]-r[0]+1, "byte")+")"))
	}
	if count > len(ranges) {
		w.add(DiffChanged, []byte("and "+countNoun(count-len(ranges), "more changed range")))
	}
	if len(b) > n {
		w.add(DiffAdded, []byte(byteRangeText([2]int{n, len(b) - 1})+" added at end ("+countNoun(len(b)-n, "byte")+")"))
	}
	if len(a) > n {
		w.add(DiffRemoved, []byte(byteRangeText([2]int{n, len(a) - 1})+" removed at end ("+countNoun(len(a)-n, "byte")+")"))
	}
	perRow := 16
	if w.width > 0 && w.width < 78 {
		perRow = 8 // as hexDump does
	}
	start := first - first%perRow
	hexWindowRows(w, "previous", a, b, start, perRow, DiffRemoved)
	hexWindowRows(w, "current", b, a, start, perRow, DiffAdded)
	return strings.Join(parts, ", ")
}

// nextDiff returns the first index from i below n where a and b differ, or
// n; equal stretches are skipped a block at a time with bytes.Equal.
func nextDiff(a, b []byte, i, n int) int {
	const block = 64
	for i+block <= n && bytes.Equal(a[i:i+block], b[i:i+block]) {
		i += block
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// rangeText is "16–31", or "16" for a single byte.
func rangeText(r [2]int) string {
	if r[0] == r[1] {
		return strconv.Itoa(r[0])
	}
	return strconv.Itoa(r[0]) + "–" + strconv.Itoa(r[1])
}

// byteRangeText is "bytes 16–31", or "byte 16".
func byteRangeText(r [2]int) string {
	if r[0] == r[1] {
		return "byte " + rangeText(r)
	}
	return "bytes " + rangeText(r)
}

// hexWindowRows dumps side's hexWindow bytes from start under a title, rows
// equal to the other side's marked DiffSame and the others op.
func hexWindowRows(w *diffWriter, title string, side, other []byte, start, perRow int, op DiffOp) {
	if start >= len(side) {
		w.add(DiffSame, []byte(title+": ends at byte "+strconv.Itoa(len(side))))
		return
	}
	w.add(DiffSame, []byte(title+", from byte "+strconv.Itoa(start)+" (0x"+strconv.FormatInt(int64(start), 16)+"):"))
	row := make([]byte, 0, 96)
	for off := start; off < start+hexWindow && off < len(side); off += perRow {
		chunk := side[off:min(off+perRow, len(side))]
		rowOp := op
		if off < len(other) && bytes.Equal(chunk, other[off:min(off+perRow, len(other))]) {
			rowOp = DiffSame
		}
		row = appendHexRow(row[:0], off, chunk, perRow)
		w.add(rowOp, row)
	}
}
