package model

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// deepSubject is a subject of n tokens t0.t1...
func deepSubject(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("t")
		b.WriteString(itoa(i))
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// TestTreeReportShape keeps the report's nesting for ordinary subjects.
func TestTreeReportShape(t *testing.T) {
	tr := NewTree(DefaultTreeOptions(), treeT0)
	applySubjects(tr, treeT0, "a.b.c", "a.b.d", "a.e", "z")
	rep := NewTreeReport(tr, treeT0+2*second, "nats://x", 0)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Messages uint64
		Tree     []struct {
			Name, Subject string
			Messages      uint64
			Children      []struct {
				Name, Subject string
				Children      []struct{ Name, Subject string }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Tree) != 2 || got.Tree[0].Name != "a" || got.Tree[0].Messages != 3 || got.Tree[1].Subject != "z" {
		t.Fatalf("roots %+v", got.Tree)
	}
	if c := got.Tree[0].Children; len(c) != 2 || c[0].Subject != "a.b" || len(c[0].Children) != 2 || c[0].Children[1].Subject != "a.b.d" {
		t.Fatalf("children of a: %+v", c)
	}
	if strings.Contains(buf.String(), "descendants") || strings.Contains(buf.String(), "depth") {
		t.Fatalf("flattened fields on a shallow tree:\n%s", buf.String())
	}
}

// TestTreeReportDeep is a 10,000-token subject (the server allows it with
// a large max_control_line): JSON and text reports work, nest at most
// ReportNestDepth tokens, and list every node below flat, in order.
func TestTreeReportDeep(t *testing.T) {
	const tokens = 10_000
	tr := NewTree(DefaultTreeOptions(), treeT0)
	subj := deepSubject(tokens)
	applySubjects(tr, treeT0, subj, subj+".x")
	rep := NewTreeReport(tr, treeT0+second, "nats://x", 0)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if buf.Len() > 2500*tokens { // indented: ~1.3 KiB a node; quadratic would be 25 KiB
		t.Fatalf("report of %d bytes: not linear in the subject's length", buf.Len())
	}
	var got TreeReport
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	n, depth := got.Tree[0], 0
	for len(n.Children) > 0 {
		n, depth = n.Children[0], depth+1
	}
	if depth != ReportNestDepth-1 || n.Subject != deepSubject(ReportNestDepth) {
		t.Fatalf("nested %d deep to %.40q, want %d", depth, n.Subject, ReportNestDepth-1)
	}
	d := n.Descendants
	if len(d) != tokens-ReportNestDepth+1 {
		t.Fatalf("%d descendants, want %d", len(d), tokens-ReportNestDepth+1)
	}
	for i, r := range d[:len(d)-1] {
		if r.Depth != ReportNestDepth+i || r.Name != "t"+itoa(ReportNestDepth+i) || r.Messages != 2-uint64(i/(tokens-ReportNestDepth)) {
			t.Fatalf("descendant %d: %+v", i, r)
		}
	}
	if last := d[len(d)-1]; last.Name != "x" || last.Depth != tokens || last.Own != 1 {
		t.Fatalf("last descendant %+v", last)
	}
	buf.Reset()
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != tokens+3 || buf.Len() > 200*tokens {
		t.Fatalf("text report: %d lines, %d bytes", lines, buf.Len())
	}
}
