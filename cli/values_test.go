package cli

import (
	"errors"
	"math"
	"path/filepath"
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

// TestFlagBounds covers issue 12 item 21: an empty pattern is refused on
// every command that takes one (kong read ” as no pattern: everything),
// and speeds, rates and the memory budget outside sane bounds are refused
// with the bound in the one line.
func TestFlagBounds(t *testing.T) {
	t.Setenv("NATS_URL", "")
	capture := openCapture(t, 3)
	out := filepath.Join(t.TempDir(), "o.natsx")
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--filter", ""}, []string{"--filter", "empty"}},
		{[]string{"-f", "a,,b"}, []string{"--filter", "one pattern per --filter"}},
		{[]string{"-f", "a.b,"}, []string{"--filter", "one pattern per --filter"}},
		{[]string{"-f", "a.> where .x >"}, []string{"--filter", "line 1, column 5: unexpected end"}},
		{[]string{"open", capture, "-f", ""}, []string{"--filter", "empty"}},
		{[]string{"record", "--out", out, "--subject", ""}, []string{"--subject", "empty"}},
		{[]string{"replay", capture, "--dry-run", "--subject", ""}, []string{"--subject", "empty"}},
		{[]string{"replay", capture, "--dry-run", "--remap", ""}, []string{"--remap", "empty"}},
		{[]string{"replay", capture, "--dry-run", "--speed", "1e-300"}, []string{"--speed", "0.001 to 1000000"}},
		{[]string{"replay", capture, "--dry-run", "--speed", "1e300"}, []string{"--speed", "0.001 to 1000000"}},
		{[]string{"serve", "--demo-rate", "1e-300"}, []string{"--demo-rate", "0.01 to 10000000"}},
		{[]string{"--max-memory", "99999TiB"}, []string{"--max-memory", "at most 1.0 TiB"}},
		{[]string{"open", capture, "--max-memory", "2TiB"}, []string{"--max-memory", "at most 1.0 TiB"}},
		{[]string{"--pane-depth", "99999999999"}, []string{"--pane-depth", "want 1 to 1000000"}},
		{[]string{"--pane-depth", "0"}, []string{"--pane-depth", "want 1 to 1000000"}},
	}
	for _, c := range cases {
		runFail(t, c.args, c.want...)
	}
	// A list still splits on commas, and a bound is inclusive.
	dry := runOK(t, "replay", capture, "--dry-run", "--speed", "1000000", "--subject", "open.0,open.2")
	if strings.Count(dry, "\n") != 2 {
		t.Fatalf("--subject open.0,open.2:\n%s", dry)
	}
}
