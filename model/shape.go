package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Bounds of a subject's shape: it is worked out from kept messages, on
// demand, so its cost is bounded by what it reads and what it keeps.
const (
	// ShapeFields is the most field paths a shape keeps; the rest are
	// counted in Shape.Cut.
	ShapeFields = 64
	// ShapeDepth is how deep into nested objects paths go (.a.b.c);
	// arrays are a type, not entered.
	ShapeDepth = 3
	// ShapeMessages is the most messages (the newest) a shape reads.
	ShapeMessages = 64
	// ShapePayload is the largest payload a shape parses, in bytes; a
	// larger one is counted in Shape.Skipped.
	ShapePayload = 16 << 10
)

// JSONKind is a JSON value's type.
type JSONKind uint8

// The JSON kinds, in the order Shape lists a field's types.
const (
	KindNull JSONKind = iota
	KindBool
	KindNumber
	KindString
	KindObject
	KindArray
	jsonKinds
)

// String names the kind as JSON does.
func (k JSONKind) String() string {
	return [...]string{"null", "bool", "number", "string", "object", "array"}[k]
}

// kindOf is the kind of a value decoded by encoding/json.
func kindOf(v any) JSONKind {
	switch v.(type) {
	case bool:
		return KindBool
	case float64:
		return KindNumber
	case string:
		return KindString
	case map[string]any:
		return KindObject
	case []any:
		return KindArray
	}
	return KindNull
}

// ShapeField is one field path seen on a subject: in how many of the
// messages read, and with which types how often.
type ShapeField struct {
	Path  string
	Count int
	Kinds [jsonKinds]int
}

// Usual is the field's usual type: the one most of its messages had.
func (f ShapeField) Usual() JSONKind {
	best := KindNull
	for k := range jsonKinds {
		if f.Kinds[k] > f.Kinds[best] {
			best = k
		}
	}
	return best
}

// Types lists the field's types with their counts, the usual first:
// "number", or "number 9 · string 1" when they vary.
func (f ShapeField) Types() string {
	u := f.Usual()
	if f.Kinds[u] == f.Count {
		return u.String()
	}
	parts := []string{fmt.Sprintf("%s %d", u, f.Kinds[u])}
	for k := range jsonKinds {
		if k != u && f.Kinds[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, f.Kinds[k]))
		}
	}
	return strings.Join(parts, " · ")
}

// Shape is the fields of a subject's JSON messages: which appear, with
// which types, how often.
type Shape struct {
	// Messages is how many messages were read as JSON objects; NotJSON
	// how many were not objects; Skipped how many were too large to read.
	Messages, NotJSON, Skipped int
	// Fields are sorted by path.
	Fields []ShapeField
	// Cut counts field paths left out past ShapeFields.
	Cut int
}

// ShapeOf reads the newest ShapeMessages of msgs (oldest first, as a
// subject's history is) into a shape.
func ShapeOf(msgs []Message) Shape {
	var s Shape
	index := map[string]int{}
	for _, m := range msgs[max(len(msgs)-ShapeMessages, 0):] {
		fields, ok := fieldsOf(m.Data, &s.Skipped)
		if !ok {
			continue
		}
		s.Messages++
		for path, k := range fields {
			i, seen := index[path]
			if !seen {
				if len(s.Fields) >= ShapeFields {
					s.Cut++
					continue
				}
				i = len(s.Fields)
				index[path] = i
				s.Fields = append(s.Fields, ShapeField{Path: path})
			}
			s.Fields[i].Count++
			s.Fields[i].Kinds[k]++
		}
	}
	s.NotJSON = len(msgs[max(len(msgs)-ShapeMessages, 0):]) - s.Messages - s.Skipped
	slices.SortFunc(s.Fields, func(a, b ShapeField) int { return strings.Compare(a.Path, b.Path) })
	return s
}

// fieldsOf is the paths of a JSON object payload with their kinds, down
// to ShapeDepth; ok is false when it is not an object (or too large:
// skipped counts it).
func fieldsOf(data []byte, skipped *int) (map[string]JSONKind, bool) {
	if len(data) > ShapePayload {
		*skipped++
		return nil, false
	}
	var obj map[string]any
	if json.Unmarshal(data, &obj) != nil || obj == nil {
		return nil, false
	}
	out := map[string]JSONKind{}
	var walk func(prefix string, o map[string]any, depth int)
	walk = func(prefix string, o map[string]any, depth int) {
		for k, v := range o {
			if len(out) >= 4*ShapeFields {
				return // a message with thousands of fields costs a bounded map
			}
			p := prefix + "." + Sanitize(k)
			kind := kindOf(v)
			out[p] = kind
			if sub, ok := v.(map[string]any); ok && depth < ShapeDepth {
				walk(p, sub, depth+1)
			}
		}
	}
	walk("", obj, 1)
	return out, true
}

// ShapeDiff is how one message differs from its subject's usual shape.
type ShapeDiff struct {
	// New are fields most messages do not have; Missing are fields most
	// messages have and this one lacks; Changed are fields whose type is
	// not their usual one (".temp string, usually number").
	New, Missing, Changed []string
}

// Empty reports whether the message has the usual shape.
func (d ShapeDiff) Empty() bool { return len(d.New)+len(d.Missing)+len(d.Changed) == 0 }

// String is the differences on one line: "new .x · missing .y · .z
// string, usually number".
func (d ShapeDiff) String() string {
	var parts []string
	if len(d.New) > 0 {
		parts = append(parts, "new "+strings.Join(d.New, " "))
	}
	if len(d.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(d.Missing, " "))
	}
	parts = append(parts, d.Changed...)
	return strings.Join(parts, " · ")
}

// Diff is how data differs from the shape: a field is usual when more
// than half the messages read had it. It needs a few messages to say
// what is usual (ShapeQuorum); with fewer, or when data is not a JSON
// object, it finds no difference.
func (s Shape) Diff(data []byte) ShapeDiff {
	var d ShapeDiff
	var skipped int
	fields, ok := fieldsOf(data, &skipped)
	if !ok || s.Messages < ShapeQuorum {
		return d
	}
	known := make(map[string]ShapeField, len(s.Fields))
	for _, f := range s.Fields {
		known[f.Path] = f
	}
	rare := func(p string) bool { f, ok := known[p]; return !ok || 2*f.Count <= s.Messages }
	for _, f := range s.Fields {
		k, has := fields[f.Path]
		usual := 2*f.Count > s.Messages
		switch {
		case !has && usual && !parentMissing(f.Path, fields):
			d.Missing = append(d.Missing, f.Path)
		case has && !usual && parent(f.Path) != "" && rare(parent(f.Path)):
			// Under a new object: the object says it.
		case has && !usual:
			d.New = append(d.New, f.Path)
		case has && 2*f.Kinds[f.Usual()] > f.Count && k != f.Usual():
			d.Changed = append(d.Changed, fmt.Sprintf("%s %s, usually %s", f.Path, k, f.Usual()))
		}
	}
	for p := range fields {
		if _, ok := known[p]; ok || s.Cut > 0 {
			continue
		}
		if parent(p) != "" && rare(parent(p)) {
			continue // under a new object: the object says it
		}
		d.New = append(d.New, p)
	}
	slices.Sort(d.New)
	return d
}

// ShapeQuorum is the fewest messages a shape needs to call one unusual.
const ShapeQuorum = 4

// parentMissing reports whether a path's parent object is itself absent
// (or not an object) in fields: .a.b is not "missing" when .a is, or
// when .a changed type; the parent says it once.
func parentMissing(path string, fields map[string]JSONKind) bool {
	p := parent(path)
	if p == "" {
		return false
	}
	k, ok := fields[p]
	return !ok || k != KindObject
}

// parent is the path of the object holding path's field ("" at the top).
func parent(path string) string {
	if i := strings.LastIndex(path, "."); i > 0 {
		return path[:i]
	}
	return ""
}
