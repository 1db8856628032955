package model

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999, "999ns"},
		{380 * time.Microsecond, "380µs"},
		{212_400 * time.Nanosecond, "212µs"},
		{1500 * time.Nanosecond, "1.5µs"},
		{12_340 * time.Microsecond, "12.3ms"},
		{999_400 * time.Microsecond, "999ms"},
		{8_239_994_660 * time.Nanosecond, "8.24s"},
		{10 * time.Second, "10s"},
		{59_400 * time.Millisecond, "59.4s"},
		{125 * time.Second, "2m05s"},
		{62*time.Minute + 20*time.Second, "1h02m"},
		{49 * time.Hour, "49h00m"},
		{-380 * time.Microsecond, "-380µs"},
	} {
		if got := HumanDuration(c.d); got != c.want {
			t.Errorf("HumanDuration(%d) = %q, want %q", int64(c.d), got, c.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 panes"}, {1, "1 pane"}, {2, "2 panes"}} {
		if got := Plural(c.n, "pane", "panes"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Plural(uint64(1), "disconnection", "disconnections"); got != "1 disconnection" {
		t.Errorf("uint64: %q", got)
	}
}

func TestHumanDurationUnitEdges(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{999_700 * time.Microsecond, "1s"},
		{999_700 * time.Nanosecond, "1ms"},
		{59_999 * time.Millisecond, "1m00s"},
		{59*time.Minute + 59_700*time.Millisecond, "1h00m"},
		{9_996 * time.Microsecond, "10ms"},
	} {
		if got := HumanDuration(c.d); got != c.want {
			t.Errorf("HumanDuration(%d) = %q, want %q", int64(c.d), got, c.want)
		}
	}
}
