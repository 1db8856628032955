package recorder

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"natsx/model"
)

// deepCopy copies every string and byte slice of e, so it survives its
// block being overwritten.
func deepCopy(e Entry) Entry {
	e.Label = strings.Clone(e.Label)
	e.Msg.Subject = strings.Clone(e.Msg.Subject)
	e.Msg.Reply = strings.Clone(e.Msg.Reply)
	e.Msg.Data = bytes.Clone(e.Msg.Data)
	if e.Msg.Header != nil {
		h := make(model.Header, len(e.Msg.Header))
		for k, vs := range e.Msg.Header {
			for _, v := range vs {
				h[strings.Clone(k)] = append(h[strings.Clone(k)], strings.Clone(v))
			}
		}
		e.Msg.Header = h
	}
	return e
}

// TestIterTransient reads captures with a transient iterator (what replay
// uses: strings pointing into the block, one block buffer reused) and
// checks that each record, copied as soon as Next returns it, is the same
// as a normal iterator's: with every codec, blocks that grow (the buffer
// must grow with them), records of every kind, and a damaged block in the
// middle that reading skips.
func TestIterTransient(t *testing.T) {
	var recs []Entry
	for i := range 3000 {
		tm := base + int64(i)*1000
		switch {
		case i%97 == 0:
			recs = append(recs, Entry{Kind: KindMarker, Time: tm, Label: fmt.Sprintf("marker %d", i)})
		case i%89 == 0:
			recs = append(recs, Entry{Kind: KindGap, Time: tm, Source: GapClient, Missed: uint64(i)})
		default:
			var h model.Header
			if i%5 == 0 {
				h = model.Header{"Seq": {fmt.Sprint(i)}, "Multi": {"x", fmt.Sprint(i % 7)}}
			}
			reply := ""
			if i%7 == 0 {
				reply = fmt.Sprintf("_INBOX.%d", i)
			}
			// Payloads grow through the file: later blocks are bigger.
			data := bytes.Repeat([]byte{byte(i)}, i%50+i/10)
			recs = append(recs, msg(tm, fmt.Sprintf("orders.%d.%s", i%11, []string{"a", "bb", "ccc"}[i%3]), reply, h, data))
		}
	}
	for _, comp := range []Compression{CompressNone, CompressS2, CompressZstd} {
		for _, damaged := range []bool{false, true} {
			t.Run(fmt.Sprintf("codec %d damaged %v", comp, damaged), func(t *testing.T) {
				b, err := os.ReadFile(writeCapture(t, recs, WriterOptions{BlockSize: 4096, Compression: comp}))
				if err != nil {
					t.Fatal(err)
				}
				if damaged {
					bl, _ := blocks(t, b)
					b[bl[len(bl)/2].offset+blockHeaderLen+5] ^= 0x5a
				}
				want, _ := readAll(t, b)
				if !damaged && len(want) != len(recs) {
					t.Fatalf("read %d of %d records", len(want), len(recs))
				}
				if damaged && len(want) >= len(recs) {
					t.Fatal("the damage skipped nothing")
				}
				r, err := NewReader(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				it := r.Iter()
				it.transient()
				var got []Entry
				for it.Next() {
					got = append(got, deepCopy(*it.Entry()))
				}
				if err := it.Err(); err != nil {
					t.Fatal(err)
				}
				sameRecords(t, got, want)
			})
		}
	}
}
