package model

import "bytes"

// DiffMessages is Diff of two kept messages that never claims what it did
// not check. The panes and the tree keep the first KeptPayload bytes of a
// payload: identical kept bytes say nothing about the rest. Sizes are
// compared first; beyond the kept bytes, the sums of the whole payloads
// (Message.Sum) decide, and without them the summary says the rest was
// not compared.
func DiffMessages(prev, cur *Message, width, maxLines int) (lines []DiffLine, summary string) {
	lines, summary = Diff(prev.Data, cur.Data, width, maxLines)
	if prev.Size != cur.Size {
		if summary == "identical" {
			summary = "the same" // only the kept bytes were compared
		}
		return lines, "sizes differ: " + HumanBytes(uint64(prev.Size)) + " → " + HumanBytes(uint64(cur.Size)) +
			sizeDelta(prev.Size, cur.Size) + "; kept bytes: " + summary
	}
	if !prev.Truncated() && !cur.Truncated() {
		return lines, summary // every byte compared
	}
	kept := HumanBytes(uint64(min(len(prev.Data), len(cur.Data))))
	if !bytes.Equal(prev.Data, cur.Data) {
		return lines, summary + " (in the kept " + kept + ")"
	}
	switch {
	case prev.Sum != 0 && cur.Sum != 0 && len(prev.Data) == len(cur.Data):
		if prev.Sum == cur.Sum {
			return lines, "identical (size and hash of the whole " + HumanBytes(uint64(cur.Size)) + ")"
		}
		return lines, "differs after the kept " + kept + " (whole-payload hashes differ)"
	default:
		return lines, "kept " + kept + " match; rest (" +
			HumanBytes(uint64(cur.Size-min(len(prev.Data), len(cur.Data)))) + ") not compared"
	}
}

// sizeDelta is " (+n B)" or " (-n B)".
func sizeDelta(a, b int) string {
	if b > a {
		return " (+" + HumanBytes(uint64(b-a)) + ")"
	}
	return " (-" + HumanBytes(uint64(a-b)) + ")"
}
