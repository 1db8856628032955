package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"natsx/model"
	"natsx/recorder"
)

// InspectCmd summarizes a capture.
type InspectCmd struct {
	File string `arg:"" help:"capture file" placeholder:"FILE"`
	JSON bool   `help:"print JSON"`
}

// inspectJSON is `natsx inspect --json`.
type inspectJSON struct {
	File          string   `json:"file"`
	FormatVersion int      `json:"format_version"`
	Created       string   `json:"created"`
	Server        string   `json:"server"`
	Filters       []string `json:"filters"`
	NatsxVersion  string   `json:"natsx_version"`
	Compression   string   `json:"compression"`
	FileBytes     int64    `json:"file_bytes"`
	Messages      uint64   `json:"messages"`
	Subjects      int      `json:"subjects"`
	First         string   `json:"first,omitempty"`
	Last          string   `json:"last,omitempty"`
	DurationNS    int64    `json:"duration_ns"`
	Bytes         uint64   `json:"bytes"`
	PayloadBytes  uint64   `json:"payload_bytes"`
	Truncated     uint64   `json:"truncated"`
	Gaps          uint64   `json:"gaps"`
	Missed        uint64   `json:"missed"`
	Markers       uint64   `json:"markers"`
	TornBytes     int64    `json:"torn_bytes"`
	CorruptBlocks int      `json:"corrupt_blocks"`
	CorruptBytes  int64    `json:"corrupt_bytes"`
	Indexed       bool     `json:"indexed"`
	Problems      []string `json:"problems"`
	// Disconnects and Outages are the times the recorder was not
	// connected: stretches with nothing recorded, not quiet traffic.
	Disconnects uint64       `json:"disconnects"`
	OfflineNS   int64        `json:"offline_ns"`
	Outages     []outageJSON `json:"outages"`
}

// outageJSON is one disconnection in inspect --json.
type outageJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
	// Open is true when the capture ended before the connection came back.
	Open bool `json:"open,omitempty"`
}

// maxOutageLines bounds the outages inspect lists as text (--json has all).
const maxOutageLines = 20

func stamp(ns int64, layout string) string {
	return time.Unix(0, ns).UTC().Format(layout)
}

// Run prints the summary.
func (c *InspectCmd) Run(env *Env) error {
	r, err := recorder.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	s, err := r.Stats()
	if err != nil {
		return err
	}
	h := s.Header
	j := inspectJSON{
		File: c.File, FormatVersion: h.Version, Created: h.Created.Format(time.RFC3339Nano), Server: h.Server,
		Filters: h.Subjects, NatsxVersion: h.NatsxVersion, Compression: h.Compression, FileBytes: s.FileBytes,
		Messages: s.Messages, Subjects: s.Subjects, DurationNS: int64(s.Duration()), Bytes: s.WireBytes,
		PayloadBytes: s.PayloadBytes, Truncated: s.Truncated, Gaps: s.Gaps, Missed: s.Missed, Markers: s.Markers,
		TornBytes: s.TornBytes, CorruptBlocks: s.CorruptBlocks, CorruptBytes: s.CorruptBytes, Indexed: s.Indexed,
		Problems: []string{}, Disconnects: s.Disconnects, OfflineNS: int64(s.Offline), Outages: []outageJSON{},
	}
	for _, o := range s.Outages {
		j.Outages = append(j.Outages, outageJSON{Start: stamp(o.Start, time.RFC3339Nano), End: stamp(o.End, time.RFC3339Nano), Open: o.Open})
	}
	if j.Filters == nil {
		j.Filters = []string{}
	}
	if s.Messages+s.Gaps+s.Markers > 0 {
		j.First, j.Last = stamp(s.First, time.RFC3339Nano), stamp(s.Last, time.RFC3339Nano)
	}
	for _, p := range s.Problems {
		j.Problems = append(j.Problems, p.String())
	}
	if c.JSON {
		return writeJSON(env.Out, j)
	}
	filters := "everything"
	if len(j.Filters) > 0 {
		filters = strings.Join(j.Filters, " ")
	}
	lines := [][2]string{
		{"file", fmt.Sprintf("%s (%s, format %d, compression %s)", model.Sanitize(c.File), model.HumanBytes(uint64(s.FileBytes)), h.Version, model.Sanitize(h.Compression))},
		{"recorded", fmt.Sprintf("%s from %s by natsx %s", j.Created, model.Sanitize(h.Server), model.Sanitize(h.NatsxVersion))},
		{"filters", model.Sanitize(filters)},
		{"messages", fmt.Sprintf("%d (%s as received)", s.Messages, model.HumanBytes(s.WireBytes))},
		{"subjects", strconv.Itoa(s.Subjects)},
		{"first", j.First},
		{"last", j.Last},
		{"duration", model.HumanDuration(s.Duration())},
		{"gaps", fmt.Sprintf("%d (%s lost before recording)", s.Gaps, model.Plural(s.Missed, "message", "messages"))},
		{"offline", fmt.Sprintf("%s, %s not connected (nothing recorded then)", model.Plural(s.Disconnects, "disconnection", "disconnections"), model.HumanDuration(s.Offline))},
		{"markers", strconv.FormatUint(s.Markers, 10)},
		{"truncated", strconv.FormatUint(s.Truncated, 10)},
		{"torn", model.Plural(s.TornBytes, "byte", "bytes")},
		{"corrupt", fmt.Sprintf("%s, %s skipped", model.Plural(s.CorruptBlocks, "block", "blocks"), model.Plural(s.CorruptBytes, "byte", "bytes"))},
	}
	for _, l := range lines {
		fmt.Fprintf(env.Out, "%-10s %s\n", l[0], l[1])
	}
	for i, o := range s.Outages {
		if i == maxOutageLines {
			fmt.Fprintf(env.Out, "outage     … %d more (inspect --json lists them all)\n", len(s.Outages)-i)
			break
		}
		end := stamp(o.End, "15:04:05.000")
		if o.Open {
			end += " (capture ended disconnected)"
		}
		fmt.Fprintf(env.Out, "outage     %s → %s, %s\n", stamp(o.Start, "2006-01-02 15:04:05.000"), end, model.HumanDuration(o.Duration()))
	}
	for _, p := range j.Problems {
		fmt.Fprintf(env.Out, "problem    %s\n", p)
	}
	return nil
}
