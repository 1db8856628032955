package cli

import (
	"errors"
	"fmt"
	"math"
	"reflect"
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
	if limit, ok := sizeLimits[ctx.Value.Name]; ok && n > limit {
		return flagErrorf("--%s %s: at most %s", ctx.Value.Name, model.Sanitize(text), model.HumanBytes(uint64(limit)))
	}
	*s = Size(n)
	return nil
}

// sizeLimits bounds size flags by name where a value past the bound cannot
// mean what it says: a memory budget above 1 TiB is no budget on any
// machine natsx runs on, and the runtime's memory limit is derived from it.
var sizeLimits = map[string]int64{"max-memory": 1 << 40}

// Rate is a messages-per-second flag: a positive number, or max for as
// fast as possible (+Inf, as engine.DemoOptions takes it).
type Rate float64

// Decode implements kong.MapperValue.
func (r *Rate) Decode(ctx *kong.DecodeContext) error {
	v, err := decodePositiveOrMax(ctx, "rate", false, rateRange, "messages per second")
	*r = Rate(v)
	return err
}

// rateRange bounds rates: below it a demo would take hours per message,
// above it is no different from max.
var rateRange = [2]float64{0.01, 1e7}

// speedRange bounds speed factors: 1e-300 would turn every recorded gap
// into an overflowing duration (everything sent at once), and above 1e6 a
// day of capture plays in under 0.1 s, which is what max says.
var speedRange = [2]float64{0.001, 1e6}

// Speed is a playback speed flag: a positive factor (0.5, 1, 2 or 2x), or
// max for as fast as possible (+Inf, as recorder's player and replay take
// it).
type Speed float64

// Decode implements kong.MapperValue.
func (s *Speed) Decode(ctx *kong.DecodeContext) error {
	v, err := decodePositiveOrMax(ctx, "speed", true, speedRange, "times the recorded speed")
	*s = Speed(v)
	return err
}

// decodePositiveOrMax reads the flag's value (a kind, for kong's
// messages) with positiveOrMax and keeps it within bounds; unit says what
// the number counts.
func decodePositiveOrMax(ctx *kong.DecodeContext, kind string, factor bool, bounds [2]float64, unit string) (float64, error) {
	var text string
	if err := ctx.Scan.PopValueInto(kind, &text); err != nil {
		return 0, err
	}
	v, err := positiveOrMax(text, factor)
	if err != nil || (!math.IsInf(v, 1) && (v < bounds[0] || v > bounds[1])) {
		return 0, flagErrorf("--%s %q: want %s to %s %s, or max", ctx.Value.Name, model.Sanitize(text),
			strconv.FormatFloat(bounds[0], 'f', -1, 64), strconv.FormatFloat(bounds[1], 'f', -1, 64), unit)
	}
	return v, nil
}

// nonEmptyList decodes every []string flag (--filter, --subject, --remap):
// kong's own decoder turns an empty value into an empty list, which these flags read
// as "everything", so an empty --filter silently meant the opposite of a
// filter. An empty value or element (a,,b) is refused instead; the
// separator (kong's sep tag, ',' by default) still splits a value, as before.
func nonEmptyList(ctx *kong.DecodeContext, target reflect.Value) error {
	var parts []string
	if ctx.Value.Flag == nil {
		for _, t := range ctx.Scan.PopWhile(func(t kong.Token) bool { return t.IsValue() }) {
			parts = append(parts, fmt.Sprint(t.Value))
		}
	} else {
		t := ctx.Scan.Pop()
		text, ok := t.Value.(string)
		if t.IsEOL() || !ok {
			return flagErrorf("--%s: missing value", ctx.Value.Name)
		}
		sep := ctx.Value.Tag.Sep
		parts = kong.SplitEscaped(text, sep)
		if text == "" || (sep != -1 && strings.HasSuffix(text, string(sep))) {
			parts = append(parts, "")
		}
	}
	for _, p := range parts {
		if p == "" {
			return flagErrorf("--%s %q: empty; to take everything, leave the flag out", ctx.Value.Name, model.Sanitize(strings.Join(parts, ",")))
		}
		target.Set(reflect.Append(target, reflect.ValueOf(p)))
	}
	return nil
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
