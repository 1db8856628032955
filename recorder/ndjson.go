package recorder

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"natsx/model"
)

// jsonMessage is one exported message: ready for jq.
type jsonMessage struct {
	Time    string       `json:"time"`
	Subject string       `json:"subject"`
	Reply   string       `json:"reply"`
	Headers model.Header `json:"headers"`
	Data    []byte       `json:"data"`
	// Size is the wire size, present only when Data was cut at recording.
	Size int `json:"size,omitempty"`
	rawFields
}

// rawFields keep a record's bytes exact where JSON strings cannot: a
// subject, reply, header or label that is not valid UTF-8 (encoding/json
// would write U+FFFD in its place, and an import would change the data)
// is also written in base64, and an import takes that form when present.
// Each is omitted when its string is valid UTF-8, so ordinary exports are
// unchanged.
type rawFields struct {
	SubjectRaw []byte      `json:"subject_base64,omitempty"`
	ReplyRaw   []byte      `json:"reply_base64,omitempty"`
	HeadersRaw [][2][]byte `json:"headers_base64,omitempty"` // key, value pairs: keys sorted, values in order
	LabelRaw   []byte      `json:"label_base64,omitempty"`
}

// jsonOther is an exported gap or marker: "type" tells it from a message.
type jsonOther struct {
	Type   string `json:"type"`
	Time   string `json:"time"`
	Missed uint64 `json:"missed,omitempty"`
	Source string `json:"source,omitempty"`
	Label  string `json:"label,omitempty"`
	rawFields
}

// jsonLine is what Import accepts: either of the above.
type jsonLine struct {
	Type    string       `json:"type"`
	Time    string       `json:"time"`
	Subject string       `json:"subject"`
	Reply   string       `json:"reply"`
	Headers model.Header `json:"headers"`
	Data    []byte       `json:"data"`
	Size    int          `json:"size"`
	Missed  uint64       `json:"missed"`
	Source  string       `json:"source"`
	Label   string       `json:"label"`
	rawFields
}

// rawIfInvalid is s's bytes when s is not valid UTF-8, nil otherwise.
func rawIfInvalid(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// rawHeaders is every header pair as bytes when any key or value is not
// valid UTF-8, nil otherwise.
func rawHeaders(h model.Header) [][2][]byte {
	valid := true
	for k, vs := range h {
		valid = valid && utf8.ValidString(k)
		for _, v := range vs {
			valid = valid && utf8.ValidString(v)
		}
	}
	if valid {
		return nil
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs [][2][]byte
	for _, k := range keys {
		for _, v := range h[k] {
			pairs = append(pairs, [2][]byte{[]byte(k), []byte(v)})
		}
	}
	return pairs
}

// ExportNDJSON writes one JSON object per record: messages as time
// (RFC 3339 with nanoseconds), subject, reply, headers and data (base64);
// gaps and markers carry a "type" field. It returns the records written.
// The output is exact and terminal-safe: strings that are not UTF-8 also
// go out in base64 (rawFields), and invisible or control runes are \u
// escapes (EscapeJSON), so ImportNDJSON gets back the same bytes.
func ExportNDJSON(w io.Writer, r *Reader) (uint64, error) { return ExportNDJSONWhere(w, r, nil) }

// ExportNDJSONWhere is ExportNDJSON of the messages keep holds for (all
// when nil); gaps and markers are all written, they are the capture's
// record of what happened.
func ExportNDJSONWhere(w io.Writer, r *Reader, keep func(*model.Message) bool) (uint64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	it := r.Iter()
	var n uint64
	for it.Next() {
		rec := it.Entry()
		t := time.Unix(0, rec.Time).UTC().Format(time.RFC3339Nano)
		var v any
		switch rec.Kind {
		case KindMessage:
			m := &rec.Msg
			if keep != nil && !keep(m) {
				continue
			}
			jm := jsonMessage{Time: t, Subject: m.Subject, Reply: m.Reply, Headers: m.Header, Data: m.Data}
			if jm.Headers == nil {
				jm.Headers = model.Header{}
			}
			if jm.Data == nil {
				jm.Data = []byte{}
			}
			if m.Truncated() {
				jm.Size = m.Size
			}
			jm.SubjectRaw, jm.ReplyRaw, jm.HeadersRaw = rawIfInvalid(m.Subject), rawIfInvalid(m.Reply), rawHeaders(m.Header)
			v = jm
		case KindGap:
			v = jsonOther{Type: rec.Kind.String(), Time: t, Missed: rec.Missed, Source: rec.Source.String()}
		default:
			v = jsonOther{Type: rec.Kind.String(), Time: t, Label: rec.Label, rawFields: rawFields{LabelRaw: rawIfInvalid(rec.Label)}}
		}
		line.Reset()
		if err := enc.Encode(v); err != nil {
			return n, fmt.Errorf("recorder: export: %w", err)
		}
		if _, err := bw.Write(EscapeJSON(line.Bytes())); err != nil {
			return n, fmt.Errorf("recorder: export: %w", err)
		}
		n++
	}
	if err := it.Err(); err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("recorder: export: %w", err)
	}
	return n, nil
}

// ImportNDJSON reads what ExportNDJSON writes into w and returns the
// records read. Errors name the line.
func ImportNDJSON(src io.Reader, w *Writer) (uint64, error) {
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 64<<10), 128<<20)
	var n uint64
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		rec, err := parseLine(b)
		if err != nil {
			return n, fmt.Errorf("recorder: import: line %d: %w", line, err)
		}
		if err := w.WriteEntry(&rec); err != nil {
			return n, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("recorder: import: %w", err)
	}
	return n, nil
}

func parseLine(b []byte) (Entry, error) {
	var jl jsonLine
	if err := json.Unmarshal(b, &jl); err != nil {
		return Entry{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if jl.Time == "" {
		return Entry{}, errors.New(`no "time"`)
	}
	t, err := time.Parse(time.RFC3339Nano, jl.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("time %q: want RFC 3339, e.g. 2025-03-01T12:00:00.123456789Z", jl.Time)
	}
	rec := Entry{Time: t.UnixNano()}
	jl.applyRaw()
	switch jl.Type {
	case "", "message":
		if err := ValidPattern(jl.Subject); err != nil {
			return Entry{}, err
		}
		h := jl.Headers
		if len(h) == 0 {
			h = nil
		}
		rec.Msg = model.Message{Received: rec.Time, Subject: jl.Subject, Reply: jl.Reply, Header: h, Data: jl.Data, Size: max(jl.Size, len(jl.Data))}
	case "gap":
		rec.Kind, rec.Missed, rec.Source = KindGap, jl.Missed, GapStore
		for _, src := range []GapSource{GapClient, GapDisconnected, GapReconnected} {
			if jl.Source == src.String() {
				rec.Source = src
			}
		}
	case "marker":
		rec.Kind, rec.Label = KindMarker, jl.Label
	default:
		return Entry{}, fmt.Errorf("unknown type %q", jl.Type)
	}
	return rec, nil
}

// applyRaw puts the exact bytes of rawFields in place of their lossy
// UTF-8 strings.
func (jl *jsonLine) applyRaw() {
	if jl.SubjectRaw != nil {
		jl.Subject = string(jl.SubjectRaw)
	}
	if jl.ReplyRaw != nil {
		jl.Reply = string(jl.ReplyRaw)
	}
	if jl.LabelRaw != nil {
		jl.Label = string(jl.LabelRaw)
	}
	if jl.HeadersRaw != nil {
		jl.Headers = model.Header{}
		for _, p := range jl.HeadersRaw {
			k := string(p[0])
			jl.Headers[k] = append(jl.Headers[k], string(p[1]))
		}
	}
}

// natscliMsg is what `nats sub --dump DIR` writes per file: a
// json.Marshal'd nats.Msg.
type natscliMsg struct {
	Subject string
	Reply   string
	Header  map[string][]string
	Data    []byte
}

// ImportDumpDir reads a natscli `sub --dump DIR` directory into w. The
// files hold no receive times: messages go in the order of the counter in
// their names (N.json, then N_reply.json), timed by each file's
// modification time, which natscli sets as the message arrives (to the
// file system's timestamp granularity), kept non-decreasing.
func ImportDumpDir(dir string, w *Writer) (uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("recorder: import %s: %w", dir, unwrapPath(err))
	}
	type file struct {
		name  string
		num   int64
		reply bool
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		stem := strings.TrimSuffix(name, ".json")
		f := file{name: name, num: -1}
		if s, ok := strings.CutSuffix(stem, "_reply"); ok {
			stem, f.reply = s, true
		}
		if v, err := strconv.ParseInt(stem, 10, 64); err == nil {
			f.num = v
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("recorder: import %s: no .json files (is it a `nats sub --dump` directory?)", dir)
	}
	sort.Slice(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if (a.num < 0) != (b.num < 0) {
			return a.num >= 0 // numbered files first
		}
		if a.num != b.num {
			return a.num < b.num
		}
		if a.reply != b.reply {
			return !a.reply
		}
		return a.name < b.name
	})
	var n uint64
	var last int64
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		b, err := os.ReadFile(path)
		if err != nil {
			return n, fmt.Errorf("recorder: import %s: %w", path, unwrapPath(err))
		}
		st, err := os.Stat(path)
		if err != nil {
			return n, fmt.Errorf("recorder: import %s: %w", path, unwrapPath(err))
		}
		var m natscliMsg
		if err := json.Unmarshal(b, &m); err != nil {
			return n, fmt.Errorf("recorder: import %s: not a natscli dump message: %v", path, err)
		}
		if err := ValidPattern(m.Subject); err != nil {
			return n, fmt.Errorf("recorder: import %s: %w", path, err)
		}
		t := max(st.ModTime().UnixNano(), last)
		last = t
		var h model.Header
		if len(m.Header) > 0 {
			h = model.Header(m.Header)
		}
		msg := model.Message{Received: t, Subject: m.Subject, Reply: m.Reply, Header: h, Data: m.Data, Size: len(m.Data)}
		if err := w.WriteMessage(&msg); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
