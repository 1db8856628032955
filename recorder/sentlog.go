package recorder

import (
	"sync"

	"natsx/model"
)

// sentLogSize bounds the publications remembered for Stamp (2.5 MiB): a
// message the explorer reads that many publications after the player sent
// it shows at the playhead's time instead of its own.
const sentLogSize = 1 << 16

// sentLookahead is how far past the oldest remembered publication Stamp
// looks for a message's match: publications the explorer never saw (its
// store dropped them) are skipped this way.
const sentLookahead = 256

// sentLog is a bounded FIFO of the player's publications in order. The
// broker delivers one connection's messages in order, so the explorer
// reads them in this order, interleaved with other clients' messages.
type sentLog struct {
	mu   sync.Mutex // the player's goroutine adds, the UI's stamps
	ring *model.Ring[sentRec]
}

type sentRec struct {
	subject string
	size    int
	at      int64
}

func newSentLog(n int) *sentLog { return &sentLog{ring: model.NewRing[sentRec](n)} }

// add remembers a publication; when the explorer lags far behind, the
// ring forgets the oldest.
func (l *sentLog) add(m *model.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring.Push(sentRec{subject: m.Subject, size: len(m.Data), at: m.Received})
}

// stamp matches each message with the oldest remembered publication of the
// same subject and size (within sentLookahead), taking it and any older
// ones off; a message with no match came from another client. After the
// feed dropped messages (resync) the first one is looked for in the whole
// log: the publications of the dropped ones are skipped over.
func (l *sentLog) stamp(msgs []model.Message, playhead int64, resync bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range msgs {
		m := &msgs[i]
		m.Received = playhead
		ahead := min(l.ring.Len(), sentLookahead)
		if resync && i == 0 {
			ahead = l.ring.Len()
		}
		for j := 0; j < ahead; j++ {
			r := l.ring.At(j)
			if r.size == m.Size && r.subject == m.Subject {
				m.Received = r.at
				for k := 0; k <= j; k++ {
					l.ring.PopOldest() // zeroes the slot: releases the subject
				}
				break
			}
		}
	}
}
