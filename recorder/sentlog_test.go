package recorder

import (
	"testing"

	"natsx/model"
)

// TestSentLogStamp: messages take the recorded time of their publication,
// in order; another client's message takes the playhead's; publications
// the explorer never read are skipped; the log stays bounded.
func TestSentLogStamp(t *testing.T) {
	l := newSentLog(8)
	pub := func(subject string, size int, at int64) {
		l.add(&model.Message{Subject: subject, Data: make([]byte, size), Received: at})
	}
	read := func(subject string, size int) model.Message {
		return model.Message{Subject: subject, Size: size, Data: make([]byte, size), Received: -1}
	}
	pub("a", 1, 100)
	pub("b", 2, 200)
	pub("a", 1, 300)
	pub("c", 3, 400)
	batch := []model.Message{read("a", 1), read("x", 1), read("a", 1), read("c", 3)} // b was dropped
	l.stamp(batch, 999, false)
	want := []int64{100, 999, 300, 400}
	for i, m := range batch {
		if m.Received != want[i] {
			t.Fatalf("message %d (%s): %d, want %d", i, m.Subject, m.Received, want[i])
		}
	}
	if l.ring.Len() != 0 {
		t.Fatalf("%d publications left after all were read", l.ring.Len())
	}
	// Same subject, other size: not the same message.
	pub("a", 5, 500)
	batch = []model.Message{read("a", 1)}
	l.stamp(batch, 777, false)
	if batch[0].Received != 777 || l.ring.Len() != 1 {
		t.Fatalf("size mismatch matched: %d, %d left", batch[0].Received, l.ring.Len())
	}
	// Bounded: the oldest publications are forgotten.
	for i := range 20 {
		pub("z", 1, int64(1000+i))
	}
	if l.ring.Len() != 8 {
		t.Fatalf("log holds %d, bound 8", l.ring.Len())
	}
	batch = []model.Message{read("z", 1)}
	l.stamp(batch, 0, false)
	if batch[0].Received != 1012 {
		t.Fatalf("oldest kept publication is %d, want 1012", batch[0].Received)
	}
	// More unread publications than the lookahead (the feed dropped them):
	// without resync the next message is not found, with it it is.
	l = newSentLog(1024)
	for i := range sentLookahead + 50 {
		pub("lost", 1, int64(i))
	}
	pub("seen", 1, 5000)
	pub("after", 1, 6000)
	batch = []model.Message{read("seen", 1)}
	l.stamp(batch, 7, false)
	if batch[0].Received != 7 {
		t.Fatalf("found past the lookahead without resync: %d", batch[0].Received)
	}
	batch = []model.Message{read("seen", 1), read("after", 1)}
	l.stamp(batch, 7, true)
	if batch[0].Received != 5000 || batch[1].Received != 6000 || l.ring.Len() != 0 {
		t.Fatalf("resync: %d, %d, %d left", batch[0].Received, batch[1].Received, l.ring.Len())
	}
}
