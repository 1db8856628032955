package cli

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestFlagValues: every rate and speed flag reads max as +Inf, and the
// flags' value errors are flagErrors (exit 1, their own text).
func TestFlagValues(t *testing.T) {
	var v struct {
		Rate  Rate
		Speed Speed
		Size  Size
	}
	inf := math.Inf(1)
	cases := []struct {
		args      []string
		rate, spd float64
		size      int64
		err       string
	}{
		{[]string{"--rate", "max", "--speed", "MAX", "--size", "1KiB"}, inf, inf, 1024, ""},
		{[]string{"--rate", "2.5", "--speed", "2x", "--size", "256MiB"}, 2.5, 2, 256 << 20, ""},
		{[]string{"--rate", " max ", "--speed", "0.5"}, inf, 0.5, 0, ""},
		{[]string{"--rate", "2x"}, 0, 0, 0, `--rate "2x"`},
		{[]string{"--rate=0"}, 0, 0, 0, `--rate "0"`},
		{[]string{"--speed", "NaN"}, 0, 0, 0, `--speed "NaN"`},
		{[]string{"--speed=-1"}, 0, 0, 0, `--speed "-1"`},
		{[]string{"--size", "lots"}, 0, 0, 0, `--size "lots"`},
		{[]string{"--size", "0"}, 0, 0, 0, `--size "0"`},
	}
	for _, c := range cases {
		v.Rate, v.Speed, v.Size = 0, 0, 0
		p, err := kong.New(&v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Parse(c.args)
		if c.err != "" {
			var fe *flagError
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.As(err, &fe) {
				t.Errorf("%v: error %v, want a flagError with %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil || float64(v.Rate) != c.rate || float64(v.Speed) != c.spd || int64(v.Size) != c.size {
			t.Errorf("%v: %v %v %v, %v; want %v %v %v", c.args, v.Rate, v.Speed, v.Size, err, c.rate, c.spd, c.size)
		}
	}
	if s := Speed(inf).String(); s != "max" {
		t.Errorf("Speed(+Inf) prints %q", s)
	}
}
