package model

// SparkSeconds is the length of the header's sparkline.
const SparkSeconds = 60

// Throughput counts all traffic in one-second buckets for the header: the
// global msgs/s and bytes/s and a sparkline of the last minute.
type Throughput struct {
	last  int64 // Unix second of the newest bucket
	msgs  [SparkSeconds + 4]uint64
	bytes [SparkSeconds + 4]uint64
	since int64
}

// NewThroughput starts counting at since (Unix ns).
func NewThroughput(since int64) *Throughput { return &Throughput{since: since} }

const tpLen = SparkSeconds + 4

// Add counts one message of wire bytes received at Unix ns t.
func (tp *Throughput) Add(t int64, bytes int) {
	sec := max(t/1e9, 0) // before the epoch: second 0, never a negative index
	if sec > tp.last {
		tp.advance(sec)
	} else if sec <= tp.last-tpLen {
		sec = tp.last - tpLen + 1
	}
	tp.msgs[sec%tpLen]++
	tp.bytes[sec%tpLen] += uint64(bytes)
}

func (tp *Throughput) advance(sec int64) {
	if sec-tp.last >= tpLen {
		tp.msgs, tp.bytes = [tpLen]uint64{}, [tpLen]uint64{}
	} else {
		for s := tp.last + 1; s <= sec; s++ {
			tp.msgs[s%tpLen], tp.bytes[s%tpLen] = 0, 0
		}
	}
	tp.last = sec
}

func (tp *Throughput) at(a *[tpLen]uint64, sec int64) uint64 {
	if sec < 0 || sec > tp.last || sec <= tp.last-tpLen {
		return 0
	}
	return a[sec%tpLen]
}

// Rates returns msgs/s and bytes/s over the last few seconds before now.
// A short window (3 s) keeps the header responsive to a flood starting.
func (tp *Throughput) Rates(now int64) (msgs, bytes float64) {
	const window = 3
	nowSec := now / 1e9
	var m, b uint64
	for s := nowSec - window + 1; s <= nowSec; s++ {
		m += tp.at(&tp.msgs, s)
		b += tp.at(&tp.bytes, s)
	}
	span := float64(window-1) + float64(now%1e9)/1e9
	if watched := float64(now-tp.since) / 1e9; watched > 0 && watched < span {
		span = watched
	}
	if span < 1 {
		span = 1
	}
	return float64(m) / span, float64(b) / span
}

// Spark fills out with msgs per complete second before now, oldest first;
// len(out) is at most SparkSeconds.
func (tp *Throughput) Spark(now int64, out []float64) {
	nowSec := now / 1e9
	for i := range out {
		out[i] = float64(tp.at(&tp.msgs, nowSec-int64(len(out)-i)))
	}
}
