package where

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"

	"natsx/model"
)

// env is what an expression sees of a message, by these names.
type env struct {
	Subject string       `expr:"subject"`
	Tokens  []string     `expr:"tokens"`
	Reply   string       `expr:"reply"`
	Size    int          `expr:"size"`
	Time    time.Time    `expr:"time"`
	Headers model.Header `expr:"headers"`
	// Text is the payload as a string; Payload is the JSON payload parsed,
	// or the text when the payload is not JSON.
	Text    string `expr:"text"`
	Payload any    `expr:"payload"`
}

// Filter is one compiled expression with its evaluation state: Match
// reuses the state, so a Filter serves one goroutine; Clone makes another.
// It implements model.Condition.
type Filter struct {
	c   *compiled
	vm  vm.VM
	env env
	msg *model.Message

	// The payload parsed for msg, once (parsed: tried).
	parsed  bool
	json    any
	notJSON bool
	// Per evaluation: the iterations charged and the first miss's reason.
	iters  int
	missed string
}

// Clone is a Filter for the same expression with its own evaluation state,
// for another goroutine.
func (f *Filter) Clone() *Filter {
	if f == nil {
		return nil
	}
	g, err := Compile(f.c.src)
	if err != nil {
		panic(fmt.Sprintf("where: recompiling %q: %v", f.c.src, err)) // it compiled once
	}
	return g
}

// String is the expression as compiled.
func (f *Filter) String() string { return f.c.src }

// Miss is a message the expression could not decide: a field that is not
// there, a payload that is not JSON, a value of the wrong type, a budget
// exceeded. It counts as no match.
type Miss struct{ Reason string }

func (m *Miss) Error() string { return m.Reason }

// Match evaluates the expression on m: true when it holds; false with a
// *Miss when it could not be decided (no match either, but counted).
func (f *Filter) Match(m *model.Message) (bool, error) {
	out, err := f.run(m)
	if err != nil {
		return false, err
	}
	ok, isBool := out.(bool)
	switch {
	case !isBool:
		return false, &Miss{Reason: fmt.Sprintf("the expression gave %s, not true or false", typeName(out))}
	case !ok && f.missed != "":
		return false, &Miss{Reason: f.missed}
	}
	return ok, nil
}

// run evaluates the expression on m and gives what it gave; an error is a
// *Miss with the reason.
func (f *Filter) run(m *model.Message) (any, error) {
	f.msg, f.parsed, f.json, f.notJSON = m, false, nil, false
	f.iters, f.missed = 0, ""
	e := &f.env
	// A copy of the subject: m's points into the engine's store's pages,
	// and expr's machine may keep what it last saw (its stack is not
	// cleared), so a filter would keep a page alive. The evaluation
	// itself costs far more than the copy.
	e.Subject, e.Reply, e.Size, e.Headers = strings.Clone(m.Subject), m.Reply, m.Size, m.Header
	if f.c.usesTokens {
		e.Tokens = strings.Split(m.Subject, ".")
	}
	if f.c.usesTime {
		e.Time = time.Unix(0, m.Received)
	}
	if f.c.usesText {
		e.Text = string(m.Data)
	}
	if f.c.usesPayload {
		e.Payload = f.payload()
	}
	out, err := f.vm.Run(f.c.program, e)
	f.msg = nil
	if f.c.usesPayload {
		e.Payload = nil // nothing of the message outlives the evaluation
	}
	e.Subject, e.Text, e.Tokens, e.Headers = "", "", nil, nil
	if err != nil {
		if f.missed != "" {
			// "no field .total" says more than "<nil> > int".
			return nil, &Miss{Reason: f.missed}
		}
		return nil, &Miss{Reason: runtimeReason(err)}
	}
	return out, nil
}

// runtimeReason is expr's runtime error without its snippet (the reason is
// shown on one line).
func runtimeReason(err error) string {
	msg := err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		msg = fe.Message
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return cutReason(msg)
}

// cutReason bounds a reason: expr quotes values in its errors ("parsing
// \"…\""), and a path's keys can come from the payload (.a[.b]), so a
// reason can carry a payload; a pane keeps the last one and draws it every
// frame.
func cutReason(msg string) string {
	if len(msg) > maxReason {
		msg = strings.ToValidUTF8(msg[:maxReason], "") + "…"
	}
	return msg
}

// maxReason bounds a miss's reason, in bytes.
const maxReason = 160

// payload is the message's payload parsed as JSON, or its text when it is
// not JSON; parsed once per message.
func (f *Filter) payload() any {
	if !f.parsed {
		f.parsed = true
		if err := json.Unmarshal(f.msg.Data, &f.json); err != nil {
			f.json, f.notJSON = nil, true
		} else {
			f.json = integers(f.json)
		}
	}
	if f.notJSON {
		return string(f.msg.Data)
	}
	return f.json
}

// integers turns JSON's whole numbers into ints, in place: encoding/json
// reads every number as a float64, and expr's % and integer functions
// refuse floats, so ".n % 2 == 0" would be a miss on {"n": 4}.
func integers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = integers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = integers(e)
		}
	}
	return v
}

// header is header("X"): the header's first value, "" when absent; the
// name as received first, then in any case (headers' names are case
// insensitive by convention, not by NATS).
func (f *Filter) header(args ...any) (any, error) {
	name, _ := args[0].(string)
	h := f.msg.Header
	if vs, ok := h[name]; ok && len(vs) > 0 {
		return vs[0], nil
	}
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, name) {
			return vs[0], nil
		}
	}
	return "", nil
}

// field reads the payload at a path of keys and indices; a step that is
// not there is a miss: it answers nil (so "??" still works) and the
// evaluation's false counts as a miss with the reason.
func (f *Filter) field(path ...any) (any, error) {
	v := f.payload()
	if f.notJSON {
		f.miss("the payload is not JSON")
		return nil, nil
	}
	for i, k := range path {
		switch key := k.(type) {
		case string:
			obj, ok := v.(map[string]any)
			if !ok {
				f.miss(fmt.Sprintf("%s is not an object", pathString(path[:i])))
				return nil, nil
			}
			if v, ok = obj[key]; !ok {
				f.miss(fmt.Sprintf("no field %s", pathString(path[:i+1])))
				return nil, nil
			}
		case int:
			arr, ok := v.([]any)
			if !ok {
				f.miss(fmt.Sprintf("%s is not an array", pathString(path[:i])))
				return nil, nil
			}
			if key < 0 {
				key += len(arr)
			}
			if key < 0 || key >= len(arr) {
				f.miss(fmt.Sprintf("no element %s", pathString(path[:i+1])))
				return nil, nil
			}
			v = arr[key]
		default:
			return nil, fmt.Errorf("a field is named by a string or an index, not %s", typeName(k))
		}
	}
	return v, nil
}

// miss keeps the first reason of an evaluation.
func (f *Filter) miss(reason string) {
	if f.missed == "" {
		f.missed = cutReason(reason)
	}
}

// pathString is a payload path as the user writes it: .a.b[0].
func pathString(path []any) string {
	var b strings.Builder
	for _, k := range path {
		if i, ok := k.(int); ok {
			fmt.Fprintf(&b, "[%d]", i)
			continue
		}
		fmt.Fprintf(&b, ".%v", k)
	}
	if b.Len() == 0 {
		return "the payload"
	}
	return b.String()
}

// loop charges a predicate's collection to the evaluation's budget of
// iterations (each pass of an outer loop charges the inner collection
// again, so nested loops are bounded too).
func (f *Filter) loop(args ...any) (any, error) {
	c := args[0]
	n := 0
	switch v := reflect.ValueOf(c); v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		n = v.Len()
	}
	f.iters += n
	if f.iters > MaxIterations {
		return nil, fmt.Errorf("more than %d iterations in one evaluation", MaxIterations)
	}
	return c, nil
}

// add is expr's "+" with a bound on the strings it builds.
func (f *Filter) add(args ...any) (any, error) {
	a, b := args[0], args[1]
	if s, ok := a.(string); ok {
		if t, ok := b.(string); ok {
			if len(s)+len(t) > MaxString {
				return nil, fmt.Errorf("a string longer than %d bytes", MaxString)
			}
			return s + t, nil
		}
	}
	return runtime.Add(a, b), nil
}

// typeName names a value's type for a reason.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case float64, int:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}
