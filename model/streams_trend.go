package model

// StreamTrendLen is how many message counts the streams view keeps per
// stream for its sparkline: one per listing.
const StreamTrendLen = 30

// StreamTrends is each listed stream's message count over the last
// StreamTrendLen listings. A stream that leaves the listing leaves with its
// trend, so it holds at most what one listing holds.
type StreamTrends struct {
	rings map[string]*Ring[float64]
}

// Update appends each row's message count to its stream's trend.
func (t *StreamTrends) Update(rows []StreamSummary) {
	seen := make(map[string]*Ring[float64], len(rows))
	for i := range rows {
		r := t.rings[rows[i].Name]
		if r == nil {
			r = NewRing[float64](StreamTrendLen)
		}
		r.Push(float64(rows[i].Messages))
		seen[rows[i].Name] = r
	}
	t.rings = seen
}

// Trend is the named stream's message counts, oldest first.
func (t *StreamTrends) Trend(name string) []float64 {
	r := t.rings[name]
	if r == nil {
		return nil
	}
	return trendValues(r)
}
