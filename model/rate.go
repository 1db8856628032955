package model

// RateWindow is the sliding window, in seconds, over which msgs/s are shown.
const RateWindow = 10

// rateBuckets is how many one-second buckets a node keeps: the window plus
// a little slack so a sparkline of complete seconds can be drawn.
const rateBuckets = 12

// rateCounts counts messages in one-second buckets indexed by Unix second.
// It does not keep its newest second: its owner passes it as last. A node
// knows it already (LastSeen), so its counts cost 48 bytes, not 56.
type rateCounts = rateArr[uint32]

// rateArr is rateCounts with buckets of T: the tree's nodes count in
// uint16 buckets (24 bytes instead of 48, a fifth of a node) and move to
// uint32 ones in the tree's hot table when a second would overflow one
// (see Tree.rateAdd): at most one node in 65,536 messages a second can.
type rateArr[T uint16 | uint32] [rateBuckets]T

// add counts n messages received in Unix second sec, last being the newest
// second counted before. Messages older than the ring (out of order by
// more than its length) are counted in the oldest bucket rather than lost
// from the rate. Seconds before the epoch count as second 0, so a bad
// timestamp cannot index outside the ring.
func (b *rateArr[T]) add(last, sec int64, n T) {
	b[b.bucket(last, sec)] += n
}

// bucket advances the ring to sec if it is newer than last and returns
// the index of sec's bucket (the oldest one for a second older than the
// ring).
func (b *rateArr[T]) bucket(last, sec int64) int64 {
	sec = max(sec, 0)
	if sec > last {
		b.advance(last, sec)
	} else if sec <= last-rateBuckets {
		sec = last - rateBuckets + 1
	}
	return sec % rateBuckets
}

// advance zeroes the buckets between the newest one and sec. A fresh ring
// (last 0, all zero) needs no special case: the first real timestamp is
// far more than a ring ahead.
func (b *rateArr[T]) advance(last, sec int64) {
	if sec-last >= rateBuckets {
		*b = rateArr[T]{}
		return
	}
	for s := last + 1; s <= sec; s++ {
		b[s%rateBuckets] = 0
	}
}

// count returns the messages counted in Unix second sec, 0 if unknown.
func (b *rateArr[T]) count(last, sec int64) uint32 {
	if sec < 0 || sec > last || sec <= last-rateBuckets {
		return 0
	}
	return uint32(b[sec%rateBuckets])
}

// rate is msgs/s over the window ending at now (Unix ns). since is when
// observation began: a young tree divides by the time it has watched, so a
// steady stream shows its true rate at once rather than ramping up.
func (b *rateArr[T]) rate(last, now, since int64) float64 {
	nowSec := now / 1e9
	var sum uint64
	for s := nowSec - RateWindow + 1; s <= nowSec; s++ {
		sum += uint64(b.count(last, s))
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
func (b *rateArr[T]) spark(last, now int64, out []float64) {
	nowSec := now / 1e9
	for i := range out {
		out[i] = float64(b.count(last, nowSec-int64(len(out)-i)))
	}
}

// rateRing is rateCounts with its newest second, for owners that do not
// keep it otherwise (the panes).
type rateRing struct {
	last    int64 // Unix second of the newest bucket
	buckets rateCounts
}

// add counts n messages received in Unix second sec.
func (r *rateRing) add(sec int64, n uint32) {
	r.buckets.add(r.last, sec, n)
	r.last = max(r.last, sec)
}

// rate is msgs/s over the window ending at now; see rateCounts.rate.
func (r *rateRing) rate(now, since int64) float64 { return r.buckets.rate(r.last, now, since) }

// spark fills out with per-second counts; see rateCounts.spark.
func (r *rateRing) spark(now int64, out []float64) { r.buckets.spark(r.last, now, out) }
