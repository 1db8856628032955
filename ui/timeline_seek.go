package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"natsx/model"
)

// parseSeek reads the seek prompt into an offset from the capture's start:
//
//	1:23  1:23.5  1:02:03   an offset (m:ss or h:mm:ss)
//	90s  1m30s  90          a Go duration, or seconds
//	+10s  -1:00             relative to the playhead
//	@15:04:05[.000]         the time of day the capture was made (its zone)
func parseSeek(s string, st model.TimelineStatus) (time.Duration, error) {
	s = strings.TrimSpace(s)
	span := st.End.Sub(st.Start)
	if s == "" {
		return 0, errors.New("type a time: 1:23, 90s, +10s, -1m or @15:04:05")
	}
	var off time.Duration
	switch {
	case s[0] == '@':
		clock, err := parseClock(s[1:], st.Start)
		if err != nil {
			return 0, err
		}
		// The start's own second (typed without its fraction) is the start.
		off = max(clock.Sub(st.Start), 0)
	case s[0] == '+' || s[0] == '-':
		d, err := parseOffset(s[1:])
		if err != nil {
			return 0, err
		}
		if s[0] == '-' {
			d = -d
		}
		off = st.Pos.Sub(st.Start) + d
	default:
		d, err := parseOffset(s)
		if err != nil {
			return 0, err
		}
		off = d
	}
	if off < 0 {
		return 0, fmt.Errorf("%s is before the capture's start", s)
	}
	if off > span {
		return 0, fmt.Errorf("%s is past the capture's end (%s)", s, offsetString(span, span))
	}
	return off, nil
}

// parseOffset reads 1:23, 1:02:03.5, 90s, 1m30s or 90 (seconds).
func parseOffset(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q: want 1:23, 1:02:03, 90s or 1m30s", s)
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, bad
		}
		var secs float64
		for i, p := range parts {
			last := i == len(parts)-1
			v, ok := decimal(p)
			if !ok || (!last && strings.Contains(p, ".")) || (i > 0 && v >= 60) {
				return 0, bad
			}
			secs = secs*60 + v
		}
		if secs > maxSeekSeconds {
			return 0, bad
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	if v, ok := decimal(s); ok {
		if v > maxSeekSeconds {
			return 0, bad
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// maxSeekSeconds keeps a typed offset far inside time.Duration's range.
const maxSeekSeconds = 1e9

// decimal reads digits with at most one '.', nothing else (no sign,
// exponent, hex, inf or NaN, which strconv.ParseFloat would take).
func decimal(s string) (float64, bool) {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			dots++
		case s[i] < '0' || s[i] > '9':
			return 0, false
		}
	}
	if s == "" || s == "." || dots > 1 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// parseClock reads a time of day (15:04, 15:04:05, 15:04:05.000) on the
// capture's first day in its zone; a time before the start is taken on the
// next day (captures that run past midnight).
func parseClock(s string, start time.Time) (time.Time, error) {
	var t time.Time
	var err error
	for _, layout := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("@%s: want a time of day like @15:04:05", s)
	}
	y, mo, d := start.Date()
	at := time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), start.Location())
	if at.Before(start.Truncate(time.Second)) {
		at = at.AddDate(0, 0, 1)
	}
	return at, nil
}
