package model

import (
	"strings"
)

// MaxStoredSubjects is how many subjects one per-subject count may read: a
// STREAM.INFO with a subject filter answers one page of at most this many
// (the server's own page), so a stream holding more is counted only for a
// narrower branch, and says so.
const MaxStoredSubjects = 100_000

// StoredStream is one stream as the live tree marks it: its name and the
// subjects it captures, read from the streams listing.
type StoredStream struct {
	Name     string
	Patterns []Pattern
	// NumSubjects is how many distinct subjects the stream holds.
	NumSubjects uint64
}

// StoredStreams is the list the tree tests its visible rows against: which
// stream keeps a subject. It is rebuilt on the streams listing's bounded
// refresh, never per message, and holds nothing per subject.
type StoredStreams []StoredStream

// NewStoredStreams keeps of rows what the tree's marks need. A subject the
// server sends that is not a valid pattern is left out.
func NewStoredStreams(rows []StreamSummary) StoredStreams {
	out := make(StoredStreams, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		s := StoredStream{Name: r.Name, NumSubjects: r.NumSubjects}
		for _, subj := range r.Subjects {
			if p, err := ParsePattern(subj); err == nil {
				s.Patterns = append(s.Patterns, p)
			}
		}
		if len(s.Patterns) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// StoredMark is how a stream captures a tree node.
type StoredMark int

// The marks, from none to whole.
const (
	// NotStored: no subject at or under the node is captured.
	NotStored StoredMark = iota
	// StoredBelow: some subjects under the node are captured, maybe not
	// all (a branch over "orders.*.created").
	StoredBelow
	// Stored: the node's own subject, or every subject under it, is
	// captured.
	Stored
)

// Mark is the stream that captures subject (a tree node's; branch says the
// node has children) and how; "" and NotStored when none does. Streams in
// one account cannot overlap, so the first whole capture wins; a partial
// one is reported when no stream captures the node whole.
func (ss StoredStreams) Mark(subject string, branch bool) (stream string, mark StoredMark) {
	for i := range ss {
		s := &ss[i]
		for _, p := range s.Patterns {
			exact, below := p.Covers(subject)
			whole := exact && !branch || branch && below && p.fwc && len(p.toks) <= tokenCount(subject)
			switch {
			case whole:
				return s.Name, Stored
			case (exact || below && branch) && mark == NotStored:
				stream, mark = s.Name, StoredBelow
			}
		}
	}
	return stream, mark
}

// Find is the stream named name, nil when the list has none.
func (ss StoredStreams) Find(name string) *StoredStream {
	for i := range ss {
		if ss[i].Name == name {
			return &ss[i]
		}
	}
	return nil
}

func tokenCount(s string) int { return strings.Count(s, ".") + 1 }

// CountFilter is the one subject filter whose per-subject counts cover
// every row (tree nodes' subjects): their common leading tokens followed
// by ">", or the single row itself when it has no children (leaf). A row
// that is the common prefix itself holds messages of its own the ">"
// would miss, so the filter then starts a token higher; no common token
// gives ">" (the whole stream, cut to MaxStoredSubjects by the server).
func CountFilter(rows []string, leaf bool) string {
	if len(rows) == 0 {
		return ""
	}
	if len(rows) == 1 && leaf {
		return rows[0]
	}
	common := strings.Split(rows[0], ".")
	for _, r := range rows[1:] {
		toks := strings.Split(r, ".")
		n := 0
		for n < len(common) && n < len(toks) && common[n] == toks[n] {
			n++
		}
		common = common[:n]
	}
	prefix := strings.Join(common, ".")
	for _, r := range rows {
		if r == prefix && len(common) > 0 {
			common = common[:len(common)-1]
			break
		}
	}
	if len(common) == 0 {
		return ">"
	}
	return strings.Join(common, ".") + ".>"
}

// StoredCounts is how many messages a stream holds for some tree rows,
// from one STREAM.INFO with a subject filter.
type StoredCounts struct {
	Stream, Filter string
	// Counts holds, for each row asked, the messages stored on its subject
	// and every subject under it; a row with none is absent.
	Counts map[string]uint64
	// Subjects is how many subjects the answer listed, Total how many the
	// filter matched; Cut when the answer stopped short (Total >
	// Subjects): the counts are then partial.
	Subjects, Total int
	Cut             bool
}

// AddCounts adds to out, for each row, the count of every subject in
// subjects that is the row's or under it. Each subject walks its own
// prefixes once, so the work is the subjects' total length, whatever the
// number of rows.
func AddCounts(out map[string]uint64, subjects map[string]uint64, rows []string) {
	want := make(map[string]struct{}, len(rows))
	for _, r := range rows {
		want[r] = struct{}{}
	}
	for subj, n := range subjects {
		for i := 0; i <= len(subj); i++ {
			if i < len(subj) && subj[i] != '.' {
				continue
			}
			if _, ok := want[subj[:i]]; ok {
				out[subj[:i]] += n
			}
		}
	}
}

// KeyWatch is a live watch of a KV bucket's keys (engine.KVWatch): the UI
// drains it on its tick.
type KeyWatch interface {
	// Changes hands over the keys changed since the last call with their
	// last operation ("put", "delete", "purge"), and how many changes the
	// watch's bound dropped meanwhile.
	Changes() (changed map[string]string, dropped uint64)
	// Stop ends the watch.
	Stop()
}
