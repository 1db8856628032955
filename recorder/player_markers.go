package recorder

import (
	"slices"
	"sort"
	"time"
)

// maxMarkers bounds the markers a Player knows (markers are set by hand,
// so this is far beyond real captures); maxStatusMarkers bounds the ones
// Status lists, evenly spread.
const (
	maxMarkers       = 100000
	maxStatusMarkers = 1000
)

// prevMarkerGrace is how far past a marker playback must be for PrevMarker
// to return to it rather than to the one before: like a media player's
// "previous chapter", pressed right after a jump it goes further back.
const prevMarkerGrace = int64(500 * time.Millisecond)

// NextMarker seeks to the first marker after the playhead; ErrNoMarker if none.
func (p *Player) NextMarker() error {
	return p.call(func(p *Player) error {
		t, ok := p.findMarker(true, p.head())
		if !ok {
			return ErrNoMarker
		}
		p.seek(t)
		return nil
	})
}

// PrevMarker seeks to the last marker before the playhead (while playing,
// one at least half a second before it); ErrNoMarker if none.
func (p *Player) PrevMarker() error {
	return p.call(func(p *Player) error {
		head := p.head()
		if p.playing {
			head -= prevMarkerGrace
		}
		t, ok := p.findMarker(false, head)
		if !ok {
			return ErrNoMarker
		}
		p.seek(t)
		return nil
	})
}

// scanMarkers lists the markers in the background (and, for a capture
// without index, counts its messages and finds its end).
func (p *Player) scanMarkers(count bool) {
	defer close(p.scan)
	it := p.r.Iter()
	it.transient() // only times and kinds are read, nothing is kept
	var msgs uint64
	var last int64
	for i := 0; it.Next(); i++ {
		if i&1023 == 0 {
			select {
			case <-p.quit:
				return
			default:
			}
		}
		e := it.Entry()
		last = max(last, e.Time)
		switch e.Kind {
		case KindMessage:
			msgs++
		case KindGap:
			p.mu.Lock()
			p.outages.add(e)
			p.mu.Unlock()
		case KindMarker:
			p.mu.Lock()
			if len(p.markers) < maxMarkers {
				i, _ := slices.BinarySearch(p.markers, e.Time)
				p.markers = slices.Insert(p.markers, i, e.Time)
				p.listed = nil // Status lists them afresh
			} else {
				p.moreMarkers = true
			}
			p.mu.Unlock()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if count {
		p.total = msgs
	}
	p.end, p.scanned = max(p.end, last), true
}

// findMarker finds the first marker after head (after) or the last one
// before it. While the scan runs, a marker not listed yet may lie ahead
// of it: then it waits for the scan (the file is read once either way).
func (p *Player) findMarker(after bool, head int64) (int64, bool) {
	p.mu.Lock()
	ms, scanned := p.markers, p.scanned
	var i int
	if after {
		i = sort.Search(len(ms), func(i int) bool { return ms[i] > head })
	} else {
		i = sort.Search(len(ms), func(i int) bool { return ms[i] >= head }) - 1
	}
	var t int64
	found := i >= 0 && i < len(ms)
	if found {
		t = ms[i]
	}
	p.mu.Unlock()
	// Markers are listed in file order, so the scan has passed any marker
	// between head and one found after it.
	if scanned || (after && found) {
		return t, found
	}
	select {
	case <-p.scan:
	case <-p.quit:
		return 0, false
	}
	return p.findMarker(after, head)
}
