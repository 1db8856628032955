package model

import (
	"strconv"
	"time"
)

// HumanDuration writes d as a person reads it: three significant digits in
// the unit that fits (380µs, 12.3ms, 8.24s), minutes and hours with whole
// seconds or minutes (2m05s, 1h02m), and 0 as "0s". time.Duration's String
// prints 8.23999466s and "+0s" for 380µs rounded to milliseconds.
func HumanDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	if d == 0 {
		return "0s"
	}
	if d < time.Microsecond {
		return sign + strconv.FormatInt(int64(d), 10) + "ns"
	}
	// A value that would round to 1000 of a unit is written in the next
	// one: 999.7ms is 1s, not 1000ms, and 59.97s is 1m00s.
	for _, u := range []struct {
		unit  time.Duration
		name  string
		below float64 // what rounds to the next unit
	}{{time.Microsecond, "µs", 999.5}, {time.Millisecond, "ms", 999.5}, {time.Second, "s", 59.95}} {
		if v := float64(d) / float64(u.unit); v < u.below {
			return sign + sig3(v, u.name)
		}
	}
	if d < time.Hour-time.Second/2 {
		d = d.Round(time.Second)
		return sign + pad2(int64(d/time.Minute), "m", int64(d%time.Minute/time.Second), "s")
	}
	d = d.Round(time.Minute)
	return sign + pad2(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "m")
}

// sig3 formats v (1 ≤ v < 999.5) with three significant digits, dropping
// trailing zeros: 380, 12.3, 8.24, 1.5.
func sig3(v float64, unit string) string {
	prec := 0
	switch {
	case v < 10:
		prec = 2
	case v < 100:
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if prec > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s + unit
}

func pad2(hi int64, hiUnit string, lo int64, loUnit string) string {
	s := strconv.FormatInt(hi, 10) + hiUnit
	if lo < 10 {
		s += "0"
	}
	return s + strconv.FormatInt(lo, 10) + loUnit
}

// Plural is "1 pane", "2 panes", "0 panes": n with the word that fits.
func Plural[N int | int64 | uint64](n N, one, many string) string {
	w := many
	if n == 1 {
		w = one
	}
	return strconv.FormatInt(int64(n), 10) + " " + w
}
