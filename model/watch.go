package model

import (
	"container/list"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Bounds of a watched field's series.
const (
	// WatchPoints is how many recent values a subject's series keeps.
	WatchPoints = 60
	// WatchSubjects is how many subjects keep a series; the least recently
	// updated one is dropped for a new one.
	WatchSubjects = 256
	// WatchText is the longest text value kept, in bytes (cut on a rune).
	WatchText = 48
)

// WatchValue is one value of a watched field: a number, or its text (a
// string, true/false, null, or a summary of an object or an array),
// sanitized and cut to WatchText so it can be drawn as it is.
type WatchValue struct {
	Num     float64
	Text    string
	Numeric bool
}

// String is the value as a cell shows it: numbers in at most 6
// significant digits, text as kept.
func (v WatchValue) String() string {
	if v.Numeric {
		return strconv.FormatFloat(v.Num, 'g', 6, 64)
	}
	return v.Text
}

// WatchValueOf turns what an expression gave (a JSON value, as decoded by
// encoding/json and natsx/where) into a WatchValue: finite numbers are
// numbers; anything else is bounded text, an object or an array only
// summarized (a deep payload costs one line, not its whole tree).
func WatchValueOf(v any) WatchValue {
	switch x := v.(type) {
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return WatchValue{Num: x, Numeric: true}
		}
		return WatchValue{Text: strconv.FormatFloat(x, 'g', -1, 64)}
	case int:
		return WatchValue{Num: float64(x), Numeric: true}
	case int64:
		return WatchValue{Num: float64(x), Numeric: true}
	case string:
		return WatchValue{Text: watchText(strconv.Quote(cutRunes(x, WatchText)))}
	case bool:
		return WatchValue{Text: strconv.FormatBool(x)}
	case nil:
		return WatchValue{Text: "null"}
	case map[string]any:
		return WatchValue{Text: fmt.Sprintf("{%d fields}", len(x))}
	case []any:
		return WatchValue{Text: fmt.Sprintf("[%d items]", len(x))}
	}
	return WatchValue{Text: watchText(fmt.Sprintf("%T", v))}
}

// watchText is s sanitized for one line and cut to WatchText bytes.
func watchText(s string) string {
	return cutRunes(Sanitize(s), WatchText)
}

// cutRunes cuts s to at most n bytes without splitting a rune.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Series is one subject's recent values of the watched field.
type Series struct {
	Subject string
	// Misses counts the subject's messages the field could not be read
	// from (not JSON, no such field).
	Misses uint64
	vals   *Ring[WatchValue]
	texts  int64 // bytes of the kept values' texts
}

// Len is the number of values kept.
func (s *Series) Len() int { return s.vals.Len() }

// At is the i-th value kept, oldest first.
func (s *Series) At(i int) WatchValue { return *s.vals.At(i) }

// Numbers appends the kept numeric values to out, oldest first.
func (s *Series) Numbers(out []float64) []float64 {
	for i := range s.vals.Len() {
		if v := s.vals.At(i); v.Numeric {
			out = append(out, v.Num)
		}
	}
	return out
}

// Distinct is up to n of the last distinct values, newest first.
func (s *Series) Distinct(n int) []string {
	var out []string
	for i := s.vals.Len() - 1; i >= 0 && len(out) < n; i-- {
		t := s.vals.At(i).String()
		seen := false
		for _, o := range out {
			seen = seen || o == t
		}
		if !seen {
			out = append(out, t)
		}
	}
	return out
}

// WatchSeries keeps a watched field's recent values per subject: at most
// WatchPoints values for each of at most WatchSubjects subjects, the least
// recently updated subject dropped first (and counted). The caller feeds
// it only the messages on the watched subjects.
type WatchSeries struct {
	points, subjects int
	bySubject        map[string]*list.Element
	lru              *list.List // of *Series, most recently updated first
	bytes            int64      // what the texts and subjects hold
	// Evicted counts the subjects dropped for newer ones.
	Evicted uint64
}

// NewWatchSeries keeps points values for each of up to subjects subjects
// (0: the defaults).
func NewWatchSeries(points, subjects int) *WatchSeries {
	if points <= 0 {
		points = WatchPoints
	}
	if subjects <= 0 {
		subjects = WatchSubjects
	}
	return &WatchSeries{points: points, subjects: subjects, bySubject: map[string]*list.Element{}, lru: list.New()}
}

// series is subject's series, made (and the oldest dropped) when new.
func (w *WatchSeries) series(subject string) *Series {
	if e, ok := w.bySubject[subject]; ok {
		w.lru.MoveToFront(e)
		return e.Value.(*Series)
	}
	if w.lru.Len() >= w.subjects {
		old := w.lru.Remove(w.lru.Back()).(*Series)
		delete(w.bySubject, old.Subject)
		w.bytes -= old.texts + int64(len(old.Subject))
		w.Evicted++
	}
	subject = strings.Clone(subject) // the caller's may point into the engine's store's pages
	s := &Series{Subject: subject, vals: NewRing[WatchValue](w.points)}
	w.bySubject[subject] = w.lru.PushFront(s)
	w.bytes += int64(len(subject))
	return s
}

// Add keeps v as subject's newest value.
func (w *WatchSeries) Add(subject string, v WatchValue) {
	s := w.series(subject)
	if old, dropped := s.vals.Push(v); dropped {
		s.texts -= int64(len(old.Text))
		w.bytes -= int64(len(old.Text))
	}
	s.texts += int64(len(v.Text))
	w.bytes += int64(len(v.Text))
}

// Miss counts a message on subject whose field could not be read.
func (w *WatchSeries) Miss(subject string) { w.series(subject).Misses++ }

// Get is subject's series, nil when it has none.
func (w *WatchSeries) Get(subject string) *Series {
	if e, ok := w.bySubject[subject]; ok {
		return e.Value.(*Series)
	}
	return nil
}

// Len is the number of subjects with a series.
func (w *WatchSeries) Len() int { return w.lru.Len() }

// seriesCost is what one subject's series holds besides its values and
// texts: the Series, its ring, the list element and the map entry.
const seriesCost = int64(unsafe.Sizeof(Series{})+unsafe.Sizeof(Ring[WatchValue]{})+unsafe.Sizeof(list.Element{})) + 48

// MemoryUsed is what the series hold, as the heap holds them.
func (w *WatchSeries) MemoryUsed() int64 {
	n := w.bytes + int64(w.lru.Len())*seriesCost
	for e := w.lru.Front(); e != nil; e = e.Next() {
		n += int64(e.Value.(*Series).vals.Slots()) * int64(unsafe.Sizeof(WatchValue{}))
	}
	return n
}
