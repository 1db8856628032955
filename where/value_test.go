package where

import (
	"errors"
	"strings"
	"testing"
)

// A watched field is read with the filter's own JSON access: the value
// the expression gives, a miss with its reason when it gives none.
func TestValue(t *testing.T) {
	for _, c := range []struct {
		expr, data string
		want       any
		miss       string
	}{
		{`.total`, "", 1500, ""},
		{`.customer.name`, "", "Ann", ""},
		{`.items[1].qty * 1.5`, "", 7.5, ""},
		{`.customer.vip`, "", true, ""},
		{`.discount ?? 0`, "", 0, ""},
		{`.lat`, `{"lat": 52.52}`, 52.52, ""},
		{`.big`, `{"big": 1e300}`, 1e300, ""},
		{`.discount`, "", nil, "no field .discount"},
		{`.lat`, `not json`, nil, "the payload is not JSON"},
		// A number JSON cannot hold makes the payload not JSON, not a panic.
		{`.huge`, `{"huge": 1e999}`, nil, "the payload is not JSON"},
		{`.a.b.c`, `{"a": {"b": 3}}`, nil, ".a.b is not an object"},
	} {
		m := order()
		if c.data != "" {
			m.Data = []byte(c.data)
		}
		got, err := MustCompile(c.expr).Value(m)
		var miss *Miss
		switch {
		case c.miss != "":
			if !errors.As(err, &miss) || !strings.Contains(miss.Reason, c.miss) {
				t.Errorf("%s on %s: got %v, %v; want a miss %q", c.expr, c.data, got, err, c.miss)
			}
		case err != nil || got != c.want:
			t.Errorf("%s on %s: got %#v, %v; want %#v", c.expr, c.data, got, err, c.want)
		}
	}
}
