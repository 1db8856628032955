package model

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
)

func BenchmarkDiffJSON(b *testing.B) {
	prev, cur := benchJSONPair(200)
	b.SetBytes(int64(len(cur)))
	for b.Loop() {
		Diff(prev, cur, 100, 0)
	}
}

// BenchmarkDiffJSONBaseline formats the same current document as
// BenchmarkDiffJSON, for the ratio: what showing it costs without a diff.
func BenchmarkDiffJSONBaseline(b *testing.B) {
	_, cur := benchJSONPair(200)
	b.SetBytes(int64(len(cur)))
	for b.Loop() {
		FormatPayload(cur, KindEmpty, 100, 0)
	}
}

// BenchmarkDiffJSONLarge diffs two documents near jsonDiffLimit, showing
// a screenful, as the inspector would.
func BenchmarkDiffJSONLarge(b *testing.B) {
	prev, cur := benchJSONPair(12_000)
	if len(cur) > jsonDiffLimit {
		b.Fatalf("%d bytes, beyond the JSON diff limit", len(cur))
	}
	b.SetBytes(int64(len(cur)))
	for b.Loop() {
		Diff(prev, cur, 100, 60)
	}
}

func BenchmarkDiffText(b *testing.B) {
	var prev, cur bytes.Buffer
	for i := range 2000 {
		prev.WriteString("line " + strconv.Itoa(i) + "\n")
		if i%100 == 0 {
			cur.WriteString("changed " + strconv.Itoa(i) + "\n")
			continue
		}
		cur.WriteString("line " + strconv.Itoa(i) + "\n")
	}
	b.SetBytes(int64(cur.Len()))
	for b.Loop() {
		Diff(prev.Bytes(), cur.Bytes(), 100, 0)
	}
}

func BenchmarkDiffBinary(b *testing.B) {
	prev := make([]byte, 1<<20)
	cur := slices.Clone(prev)
	prev[0], cur[1<<19] = 0xff, 0xff
	b.SetBytes(int64(len(cur)))
	for b.Loop() {
		Diff(prev, cur, 100, 50)
	}
}

// benchJSONPair returns two arrays of n order-like objects, every tenth
// object's status changed.
func benchJSONPair(n int) ([]byte, []byte) {
	type item struct {
		ID     int      `json:"id"`
		Status string   `json:"status"`
		Total  float64  `json:"total"`
		Tags   []string `json:"tags"`
	}
	var a, c []item
	for i := range n {
		it := item{ID: i, Status: "open", Total: float64(i) * 1.5, Tags: []string{"x", "y"}}
		a = append(a, it)
		if i%10 == 0 {
			it.Status = "paid"
		}
		c = append(c, it)
	}
	pa, _ := json.Marshal(a)
	pc, _ := json.Marshal(c)
	return pa, pc
}
