package model

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// TreeReport is the subject tree as `natsx tree` prints it: every node with
// its counts and its average rate over the listening time.
type TreeReport struct {
	Server   string  `json:"server"`
	Seconds  float64 `json:"seconds"`
	Messages uint64  `json:"messages"`
	Bytes    uint64  `json:"bytes"`
	// Subjects counts subjects that received messages; Nodes counts every
	// token of the tree (a.b.c and a.b.d: 2 subjects, 4 nodes).
	Subjects int           `json:"subjects"`
	Nodes    int           `json:"nodes"`
	Dropped  uint64        `json:"dropped"`
	Tree     []*ReportNode `json:"tree"`
}

// ReportNode is one node of a TreeReport.
type ReportNode struct {
	Name string `json:"name"`
	// Subject is the full subject; empty in Descendants, whose depth-first
	// order and Depth say the path (a subject per node of a 10,000-token
	// subject would make the report quadratic in its length).
	Subject  string        `json:"subject,omitempty"`
	Depth    int           `json:"depth,omitempty"`
	Messages uint64        `json:"messages"`
	Own      uint64        `json:"own"`
	Bytes    uint64        `json:"bytes"`
	Rate     float64       `json:"rate"`
	Children []*ReportNode `json:"children,omitempty"`
	// Descendants replaces Children on nodes at ReportNestDepth: everything
	// below, flattened depth first (each child before its own children),
	// so the JSON never nests deeper than encoders and decoders allow.
	Descendants []*ReportNode `json:"descendants,omitempty"`
}

// ReportNestDepth is how many tokens deep the report nests children; below
// it, a node lists its descendants flat. JSON decoders (and Go's encoder)
// refuse nesting past 10,000 levels, and each token nests two (an object in
// an array); real subjects are a handful of tokens.
const ReportNestDepth = 32

// NewTreeReport snapshots t at now (Unix ns).
func NewTreeReport(t *Tree, now int64, server string, dropped uint64) *TreeReport {
	secs := float64(now-t.since) / 1e9
	if secs <= 0 {
		secs = 1e-9
	}
	node := func(n Node) *ReportNode {
		return &ReportNode{Name: n.Name(), Messages: n.Msgs(), Own: n.Own(), Bytes: n.Bytes(), Rate: float64(n.Msgs()) / secs}
	}
	// flat lists everything below n depth first, with an explicit stack:
	// a 10,000-token subject must not recurse 10,000 frames deep either.
	flat := func(n Node, depth int) []*ReportNode {
		type item struct {
			n     Node
			depth int
		}
		var out []*ReportNode
		var stack []item
		push := func(nodes []Node, depth int) {
			nodes = sortedByName(nodes)
			for i := len(nodes) - 1; i >= 0; i-- {
				stack = append(stack, item{nodes[i], depth})
			}
		}
		push(n.Children(), depth+1)
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			r := node(k.n)
			r.Depth = k.depth
			out = append(out, r)
			push(k.n.Children(), k.depth+1)
		}
		return out
	}
	var conv func(nodes []Node, prefix string, depth int) []*ReportNode
	conv = func(nodes []Node, prefix string, depth int) []*ReportNode {
		nodes = sortedByName(nodes)
		out := make([]*ReportNode, 0, len(nodes))
		for _, n := range nodes {
			r := node(n)
			r.Subject = prefix + r.Name
			if depth+1 >= ReportNestDepth {
				r.Descendants = flat(n, depth)
			} else {
				r.Children = conv(n.Children(), r.Subject+".", depth+1)
			}
			out = append(out, r)
		}
		return out
	}
	return &TreeReport{
		Server: server, Seconds: secs, Messages: t.Msgs, Bytes: t.Bytes,
		Subjects: t.Subjects(), Nodes: t.Len(), Dropped: dropped, Tree: conv(t.Roots(), "", 0),
	}
}

// sortedByName returns nodes in name order (a new slice: Children and
// Roots return one each).
func sortedByName(nodes []Node) []Node {
	slices.SortFunc(nodes, func(a, b Node) int {
		return naturalCompare(a.t.name(a.get()), b.t.name(b.get()))
	})
	return nodes
}

// maxIndent caps the text report's indentation, in levels: deeper rows
// carry their depth instead, so a 10,000-token subject prints in linear
// space rather than 10,000 ever wider rows.
const maxIndent = 32

// indent is the text report's prefix for a row at depth.
func indent(depth int) string {
	if depth <= maxIndent {
		return strings.Repeat("  ", depth)
	}
	return strings.Repeat("  ", maxIndent) + fmt.Sprintf("[%d] ", depth)
}

// WriteJSON prints the report as one indented JSON object. Go's encoder
// escapes control characters, so subjects are safe in a terminal.
func (r *TreeReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints an indented tree with counts, rates and bytes, every
// subject sanitized.
func (r *TreeReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d messages, %s, %d subjects (%d nodes) in %s",
		Sanitize(r.Server), r.Messages, HumanBytes(r.Bytes), r.Subjects, r.Nodes,
		time.Duration(r.Seconds*1e9).Round(time.Millisecond))
	if r.Dropped > 0 {
		fmt.Fprintf(&b, ", %d dropped", r.Dropped)
	}
	b.WriteString("\n")
	nameW := 0
	r.walk(func(n *ReportNode, depth int) {
		nameW = max(nameW, len(indent(depth))+len([]rune(Sanitize(n.Name))))
	})
	nameW = min(nameW, 60)
	fmt.Fprintf(&b, "%-*s %10s %9s %10s\n", nameW, "SUBJECT", "MSGS", "MSGS/S", "BYTES")
	r.walk(func(n *ReportNode, depth int) {
		name := indent(depth) + Sanitize(n.Name)
		fmt.Fprintf(&b, "%-*s %10d %9.1f %10s\n", nameW, name, n.Messages, n.Rate, HumanBytes(n.Bytes))
	})
	_, err := io.WriteString(w, b.String())
	return err
}

// walk calls f on every node depth first with its depth, Descendants
// included.
func (r *TreeReport) walk(f func(n *ReportNode, depth int)) {
	var rec func(nodes []*ReportNode, depth int)
	rec = func(nodes []*ReportNode, depth int) {
		for _, n := range nodes {
			f(n, depth)
			rec(n.Children, depth+1)
			for _, d := range n.Descendants {
				f(d, d.Depth)
			}
		}
	}
	rec(r.Tree, 0)
}
