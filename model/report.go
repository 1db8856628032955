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
	Server   string        `json:"server"`
	Seconds  float64       `json:"seconds"`
	Messages uint64        `json:"messages"`
	Bytes    uint64        `json:"bytes"`
	Subjects int           `json:"subjects"`
	Dropped  uint64        `json:"dropped"`
	Tree     []*ReportNode `json:"tree"`
}

// ReportNode is one node of a TreeReport.
type ReportNode struct {
	Name     string        `json:"name"`
	Subject  string        `json:"subject"`
	Messages uint64        `json:"messages"`
	Own      uint64        `json:"own"`
	Bytes    uint64        `json:"bytes"`
	Rate     float64       `json:"rate"`
	Children []*ReportNode `json:"children,omitempty"`
}

// NewTreeReport snapshots t at now (Unix ns).
func NewTreeReport(t *Tree, now int64, server string, dropped uint64) *TreeReport {
	secs := float64(now-t.since) / 1e9
	if secs <= 0 {
		secs = 1e-9
	}
	var conv func(nodes []*Node) []*ReportNode
	conv = func(nodes []*Node) []*ReportNode {
		nodes = slices.Clone(nodes)
		slices.SortFunc(nodes, func(a, b *Node) int { return naturalCompare(a.Name, b.Name) })
		out := make([]*ReportNode, 0, len(nodes))
		for _, n := range nodes {
			out = append(out, &ReportNode{
				Name: n.Name, Subject: n.Subject, Messages: n.Msgs, Own: n.Own, Bytes: n.Bytes,
				Rate:     float64(n.Msgs) / secs,
				Children: conv(n.Children()),
			})
		}
		return out
	}
	return &TreeReport{
		Server: server, Seconds: secs, Messages: t.Msgs, Bytes: t.Bytes,
		Subjects: t.Len(), Dropped: dropped, Tree: conv(t.Roots()),
	}
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
	fmt.Fprintf(&b, "%s: %d messages, %s, %d subjects in %s",
		Sanitize(r.Server), r.Messages, HumanBytes(r.Bytes), r.Subjects,
		time.Duration(r.Seconds*1e9).Round(time.Millisecond))
	if r.Dropped > 0 {
		fmt.Fprintf(&b, ", %d dropped", r.Dropped)
	}
	b.WriteString("\n")
	nameW := 0
	var measure func(nodes []*ReportNode, depth int)
	measure = func(nodes []*ReportNode, depth int) {
		for _, n := range nodes {
			nameW = max(nameW, depth*2+len([]rune(Sanitize(n.Name))))
			measure(n.Children, depth+1)
		}
	}
	measure(r.Tree, 0)
	nameW = min(nameW, 60)
	fmt.Fprintf(&b, "%-*s %10s %9s %10s\n", nameW, "SUBJECT", "MSGS", "MSGS/S", "BYTES")
	var walk func(nodes []*ReportNode, depth int)
	walk = func(nodes []*ReportNode, depth int) {
		for _, n := range nodes {
			name := strings.Repeat("  ", depth) + Sanitize(n.Name)
			fmt.Fprintf(&b, "%-*s %10d %9.1f %10s\n", nameW, name, n.Messages, n.Rate, HumanBytes(n.Bytes))
			walk(n.Children, depth+1)
		}
	}
	walk(r.Tree, 0)
	_, err := io.WriteString(w, b.String())
	return err
}
