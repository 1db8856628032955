package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"

	"natsx/model"
)

// flagError is a flag value or a rule between flags that does not hold,
// found while parsing; Main reports it with its own text and exit code 1.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// flagErrorf makes a flagError; %w keeps the cause for errors.Is.
func flagErrorf(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

// Size is a byte size flag such as 256MiB or 100MB (model.ParseBytes).
type Size int64

// Decode implements kong.MapperValue.
func (s *Size) Decode(ctx *kong.DecodeContext) error {
	var text string
	if err := ctx.Scan.PopValueInto("size", &text); err != nil {
		return err
	}
	n, err := model.ParseBytes(text)
	if err != nil || n <= 0 {
		return flagErrorf("--%s %q: want a size such as 256MiB", ctx.Value.Name, text)
	}
	*s = Size(n)
	return nil
}

// Rate is a messages-per-second flag: a positive number, or max for as
// fast as possible (+Inf, as engine.DemoOptions takes it).
type Rate float64

// Decode implements kong.MapperValue.
func (r *Rate) Decode(ctx *kong.DecodeContext) error {
	v, err := decodePositiveOrMax(ctx, "rate", false, "a positive number of messages per second or max")
	*r = Rate(v)
	return err
}

// Speed is a playback speed flag: a positive factor (0.5, 1, 2 or 2x), or
// max for as fast as possible (+Inf, as recorder's player and replay take
// it).
type Speed float64

// Decode implements kong.MapperValue.
func (s *Speed) Decode(ctx *kong.DecodeContext) error {
	v, err := decodePositiveOrMax(ctx, "speed", true, "a positive number (0.5, 1, 2) or max")
	*s = Speed(v)
	return err
}

// decodePositiveOrMax reads the flag's value (a kind, for kong's
// messages) with positiveOrMax; want says what the flag takes.
func decodePositiveOrMax(ctx *kong.DecodeContext, kind string, factor bool, want string) (float64, error) {
	var text string
	if err := ctx.Scan.PopValueInto(kind, &text); err != nil {
		return 0, err
	}
	v, err := positiveOrMax(text, factor)
	if err != nil {
		return 0, flagErrorf("--%s %q: want %s", ctx.Value.Name, text, want)
	}
	return v, nil
}

// String prints the speed as the user would type it.
func (s Speed) String() string {
	if math.IsInf(float64(s), 1) {
		return "max"
	}
	return strconv.FormatFloat(float64(s), 'g', -1, 64)
}

// positiveOrMax reads a positive finite number, with a trailing x when
// factor is set, or max (any case), which is +Inf: the one meaning of max
// for every rate and speed flag.
func positiveOrMax(s string, factor bool) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "max" {
		return math.Inf(1), nil
	}
	if factor {
		t = strings.TrimSuffix(t, "x")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a positive number")
	}
	return v, nil
}
