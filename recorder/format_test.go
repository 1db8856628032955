package recorder

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"natsx/model"
)

// base is a fixed capture start so tests are deterministic.
var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()

func msg(t int64, subj, reply string, h model.Header, data []byte) Entry {
	return Entry{Kind: KindMessage, Time: t, Msg: model.Message{Received: t, Subject: subj, Reply: reply, Header: h, Data: data, Size: len(data)}}
}

// writeCapture writes recs to a new file and returns its path.
func writeCapture(t testing.TB, recs []Entry, o WriterOptions) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.natsx")
	w, err := Create(path, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.WriteEntry(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll reads every record of a capture in bytes.
func readAll(t testing.TB, b []byte) ([]Entry, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	it := r.Iter()
	for it.Next() {
		out = append(out, *it.Entry())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out, r
}

func sameRecords(t testing.TB, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d records, wrote %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if w.Kind == KindMessage && w.Msg.Data == nil {
			w.Msg.Data = []byte{}
		}
		if g.Kind == KindMessage && len(g.Msg.Data) == 0 {
			g.Msg.Data = []byte{}
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, several blocks' worth
	trunc := msg(base, "big.cut", "", nil, []byte("head"))
	trunc.Msg.Size = 70000
	many := make([]Entry, 5000)
	for i := range many {
		many[i] = msg(base+int64(i)*int64(time.Millisecond), fmt.Sprintf("orders.%d.created", i%7), "", nil, []byte(fmt.Sprintf(`{"id":%d}`, i)))
	}
	cases := []struct {
		name string
		recs []Entry
	}{
		{"empty", nil},
		{"one message", []Entry{msg(base, "a", "", nil, []byte("hi"))}},
		{"binary payload", []Entry{msg(base, "bin", "", nil, all)}},
		{"empty payload", []Entry{msg(base, "empty", "", nil, nil)}},
		{"reply and headers", []Entry{msg(base, "svc.req", "_INBOX.x.1", model.Header{"Trace": {"a", "b"}, "Nats-Msg-Id": {"42"}}, []byte("q"))}},
		{"empty header map", []Entry{msg(base, "h", "", model.Header{}, []byte("x"))}},
		{"utf8 and odd subjects", []Entry{msg(base, "ünï.cödé.\x01", "r", nil, []byte("€"))}},
		{"truncated payload", []Entry{trunc}},
		{"gap and marker", []Entry{
			msg(base, "a", "", nil, []byte("1")),
			{Kind: KindGap, Time: base + 5, Source: GapStore, Missed: 1234},
			{Kind: KindGap, Time: base + 6, Source: GapClient, Missed: 1},
			{Kind: KindMarker, Time: base + 7, Label: "bug happens here"},
			msg(base+8, "a", "", nil, []byte("2")),
		}},
		{"time going backwards", []Entry{msg(base, "a", "", nil, nil), msg(base-int64(time.Hour), "b", "", nil, nil), msg(base+1, "c", "", nil, nil)}},
		{"big payload", []Entry{msg(base, "big", "", nil, big), msg(base+1, "after", "", nil, []byte("x"))}},
		{"many blocks", many},
	}
	for _, c := range cases {
		for _, comp := range []Compression{CompressNone, CompressZstd, CompressS2} {
			t.Run(c.name+"/"+comp.String(), func(t *testing.T) {
				path := writeCapture(t, c.recs, WriterOptions{Compression: comp, Server: "nats://bob:secret@host:4222", Subjects: []string{"orders.>"}, NatsxVersion: "test"})
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got, r := readAll(t, b)
				sameRecords(t, got, c.recs)
				if p := r.Problems(); len(p) != 0 {
					t.Fatalf("problems in a clean file: %v", p)
				}
				h := r.Header()
				if h.Server != "nats://bob:***@host:4222" || h.NatsxVersion != "test" || h.Subjects[0] != "orders.>" || h.Compression != comp.String() {
					t.Fatalf("header %+v", h)
				}
				if !r.Info().Indexed {
					t.Fatal("closed file has no index")
				}
				if bytes.Contains(b, []byte("secret")) {
					t.Fatal("password stored in the capture")
				}
			})
		}
	}
}

// TestSizeRatio measures the file size against the raw subject, reply,
// header and payload bytes for 128-byte payloads: at most 1.1x.
func TestSizeRatio(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var recs []Entry
	raw := 0
	subjects := []string{"orders.eu.created", "orders.us.shipped", "sensors.7.temp", "_INBOX.abc.1"}
	for i := range 50000 {
		data := make([]byte, 128)
		for j := range data {
			data[j] = byte(rng.Uint32()) // incompressible: the uncompressed worst case
		}
		m := msg(base+int64(i)*int64(37*time.Microsecond), subjects[i%len(subjects)], "", nil, data)
		if i%10 == 0 {
			m.Msg.Reply = "_INBOX.reply.1"
			m.Msg.Header = model.Header{"Nats-Msg-Id": {fmt.Sprint(i)}}
		}
		raw += m.Msg.WireBytes()
		recs = append(recs, m)
	}
	for _, comp := range []Compression{CompressNone, CompressZstd, CompressS2} {
		path := writeCapture(t, recs, WriterOptions{Compression: comp})
		st, _ := os.Stat(path)
		ratio := float64(st.Size()) / float64(raw)
		t.Logf("%s: %d bytes for %d raw bytes: %.3fx", comp, st.Size(), raw, ratio)
		if ratio > 1.1 {
			t.Errorf("%s: ratio %.3f > 1.1", comp, ratio)
		}
	}
}

// countingReaderAt counts the bytes a reader asks for.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.n += int64(len(p))
	return c.r.ReadAt(p, off)
}

// TestSeekTime checks seeking lands on the first record at or after the
// time, and that open+seek reads a bounded amount of a big file, with and
// without the trailer.
func TestSeekTime(t *testing.T) {
	var recs []Entry
	payload := bytes.Repeat([]byte("x"), 200)
	for i := range 100000 {
		recs = append(recs, msg(base+int64(i)*int64(time.Millisecond), "s", "", nil, payload))
	}
	path := writeCapture(t, recs, WriterOptions{})
	b, _ := os.ReadFile(path)
	for _, trailer := range []bool{true, false} {
		data := b
		if !trailer {
			data = b[:len(b)-footerLen] // as if killed while writing the trailer
		}
		for _, i := range []int{0, 1, 4321, 50000, 99999} {
			c := &countingReaderAt{r: bytes.NewReader(data)}
			r, err := NewReader(c, int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			opened := c.n
			it := r.SeekTime(recs[i].Time)
			if !it.Next() || it.Entry().Time != recs[i].Time {
				t.Fatalf("trailer=%v seek to record %d: got %+v", trailer, i, it.Entry())
			}
			seekRead := c.n - opened
			if trailer && opened > 64<<10 {
				t.Fatalf("open read %d bytes of a %d-byte file", opened, len(data))
			}
			if seekRead > 3<<20 {
				t.Fatalf("seek read %d bytes", seekRead)
			}
		}
	}
	// Past the end: nothing.
	r, _ := NewReader(bytes.NewReader(b), int64(len(b)))
	if r.SeekTime(base + int64(time.Hour)).Next() {
		t.Fatal("seek past the end found a record")
	}
}

func TestFlushIntervalMakesRecordsVisible(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.natsx")
	w, err := Create(path, WriterOptions{FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	m := model.Message{Received: base, Subject: "live", Data: []byte("now")}
	if err := w.WriteMessage(&m); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		got, r := readAll(t, b)
		if len(got) == 1 && got[0].Msg.Subject == "live" {
			if r.Info().Indexed || r.TornBytes() != 0 {
				t.Fatalf("open writer's file: indexed %v torn %d", r.Info().Indexed, r.TornBytes())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("message never reached the file")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
