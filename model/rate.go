package model

// RateWindow is the sliding window, in seconds, over which msgs/s are shown.
const RateWindow = 10

// rateBuckets is how many one-second buckets a node keeps: the window plus
// a little slack so a sparkline of complete seconds can be drawn.
const rateBuckets = 12

// rateRing counts messages in one-second buckets indexed by Unix second.
// It is inline in every node (52 bytes), so it stays small: the newest
// second fits 32 bits until 2106.
type rateRing struct {
	last    uint32 // Unix second of the newest bucket
	buckets [rateBuckets]uint32
}

// maxRateSec is the latest second a rateRing can hold.
const maxRateSec = 1<<32 - 1

// add counts n messages received in Unix second sec. Messages older than
// the ring (out of order by more than its length) are counted in the oldest
// bucket rather than lost from the rate. Seconds before the epoch count as
// second 0, so a bad timestamp cannot index outside the ring.
func (r *rateRing) add(sec int64, n uint32) {
	sec = min(max(sec, 0), maxRateSec)
	last := int64(r.last)
	if sec > last {
		r.advance(sec)
	} else if sec <= last-rateBuckets {
		sec = last - rateBuckets + 1
	}
	r.buckets[sec%rateBuckets] += n
}

// advance zeroes the buckets between the newest one and sec. A fresh ring
// (last 0, all zero) needs no special case: the first real timestamp is
// far more than a ring ahead.
func (r *rateRing) advance(sec int64) {
	if last := int64(r.last); sec-last >= rateBuckets {
		r.buckets = [rateBuckets]uint32{}
	} else {
		for s := last + 1; s <= sec; s++ {
			r.buckets[s%rateBuckets] = 0
		}
	}
	r.last = uint32(sec)
}

// count returns the messages counted in Unix second sec, 0 if unknown.
func (r *rateRing) count(sec int64) uint32 {
	if last := int64(r.last); sec < 0 || sec > last || sec <= last-rateBuckets {
		return 0
	}
	return r.buckets[sec%rateBuckets]
}

// rate is msgs/s over the window ending at now (Unix ns). since is when
// observation began: a young tree divides by the time it has watched, so a
// steady stream shows its true rate at once rather than ramping up.
func (r *rateRing) rate(now, since int64) float64 {
	nowSec := now / 1e9
	var sum uint64
	for s := nowSec - RateWindow + 1; s <= nowSec; s++ {
		sum += uint64(r.count(s))
	}
	span := float64(RateWindow-1) + float64(now%1e9)/1e9
	if watched := float64(now-since) / 1e9; watched > 0 && watched < span {
		span = watched
	}
	if span < 1 {
		span = 1
	}
	return float64(sum) / span
}

// spark fills out with per-second counts of the complete seconds before now,
// oldest first; len(out) must be at most rateBuckets-1.
func (r *rateRing) spark(now int64, out []float64) {
	nowSec := now / 1e9
	for i := range out {
		out[i] = float64(r.count(nowSec - int64(len(out)-i)))
	}
}
