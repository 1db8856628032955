package where

import (
	"errors"
	"strings"
	"testing"
	"time"

	"natsx/model"
)

func order() *model.Message {
	return &model.Message{
		Subject:  "orders.eu.new",
		Reply:    "_INBOX.1",
		Received: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano(),
		Header:   model.Header{"X-Tenant": {"acme"}, "Nats-Msg-Id": {"7"}},
		Data:     []byte(`{"total": 1500, "customer": {"name": "Ann", "vip": true}, "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 5}]}`),
		Size:     120,
	}
}

func TestMatch(t *testing.T) {
	text := &model.Message{Subject: "log.app", Data: []byte("disk error on sda"), Size: 17}
	for _, c := range []struct {
		expr string
		msg  *model.Message
		want bool
		miss string // the miss's reason, "" when decided
	}{
		{`subject == "orders.eu.new"`, order(), true, ""},
		{`subject startsWith "orders."`, order(), true, ""},
		{`tokens[1] == "eu" && len(tokens) == 3`, order(), true, ""},
		{`tokens[1] == "us"`, order(), false, ""},
		{`reply == "_INBOX.1"`, order(), true, ""},
		{`size > 100`, order(), true, ""},
		{`time.Year() == 2026 && time.Hour() == 3`, order(), true, ""},
		{`header("X-Tenant") == "acme"`, order(), true, ""},
		{`header("x-tenant") == "acme"`, order(), true, ""}, // any case
		{`header("X-Other") == ""`, order(), true, ""},
		{`"X-Tenant" in headers`, order(), true, ""},
		{`.total > 1000`, order(), true, ""},
		{`.total % 2 == 0 && .total / 3 == 500`, order(), true, ""}, // whole numbers are ints
		{`.items[1].qty * 1.5 == 7.5`, order(), true, ""},
		{`.total > 1000 && header("X-Tenant") == "acme"`, order(), true, ""},
		{`.total > 2000`, order(), false, ""},
		{`.customer.name == "Ann" && .customer.vip`, order(), true, ""},
		{`payload.customer.name == "Ann"`, order(), true, ""},
		{`.items[1].qty == 5`, order(), true, ""},
		{`.items[-1].sku == "b"`, order(), true, ""},
		{`any(.items, .qty > 4)`, order(), true, ""}, // .qty is the item's
		{`all(.items, .qty > 4)`, order(), false, ""},
		{`len(.items) == 2`, order(), true, ""},
		{`text contains "sku"`, order(), true, ""},
		{`text contains "error"`, text, true, ""},
		{`payload contains "disk"`, text, true, ""}, // not JSON: the text
		{`.customer?.missing == nil`, order(), true, ""},
		{`(.discount ?? 0) == 0`, order(), true, ""},
		// Misses: no match, with the reason.
		{`.discount > 10`, order(), false, "no field .discount"},
		{`.discount == 10`, order(), false, "no field .discount"},
		{`.customer.age > 18`, order(), false, "no field .customer.age"},
		{`.total.cents > 1`, order(), false, ".total is not an object"},
		{`.items[9].qty > 1`, order(), false, "no element .items[9]"},
		{`.total > 1`, text, false, "the payload is not JSON"},
		{`.total`, order(), false, "the expression gave a number, not true or false"},
		{`subject + 1 == 2`, order(), false, "invalid operation"},
		{`int(text) > 1`, &model.Message{Data: []byte(strings.Repeat("x", 5000))}, false, "invalid operation: int(xxx"},
		// A path key from the payload: its reason is cut as expr's are.
		{`.a[.k] == 1`, &model.Message{Data: []byte(`{"a": {}, "k": "` + strings.Repeat("y", 5000) + `"}`)}, false, "no field .a.yyy"},
	} {
		t.Run(c.expr, func(t *testing.T) {
			f, err := Compile(c.expr)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := f.Match(c.msg)
			if got != c.want {
				t.Errorf("Match = %v, want %v (err %v)", got, c.want, err)
			}
			var miss *Miss
			switch {
			case c.miss == "" && err != nil:
				t.Errorf("unexpected miss %v", err)
			case c.miss != "" && !errors.As(err, &miss):
				t.Errorf("want a miss %q, got %v", c.miss, err)
			case c.miss != "" && !strings.Contains(miss.Reason, c.miss):
				t.Errorf("miss reason %q, want %q", miss.Reason, c.miss)
			case miss != nil && len(miss.Reason) > maxReason+len("…"):
				t.Errorf("miss reason of %d bytes", len(miss.Reason))
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		expr      string
		line, col int
		msg       string
	}{
		{`.total >`, 1, 9, "unexpected end"},
		{`.total > 1000 &&`, 1, 17, "unexpected end"},
		{`(.total > 1`, 1, 12, "unexpected end"},
		{`.total > 1000 && heder("X") == "a"`, 1, 18, "unknown name heder"},
		{`header(1) == "a"`, 1, 8, "cannot use int"},
		{`subject == 1`, 1, 9, "mismatched types"},
		{`repeat("x", 9) == ""`, 1, 1, "unknown name repeat"},
		{`.total > 1) || (true`, 1, 1, "unbalanced parentheses"},
		{"subject == \"a\" &&\n  size >", 2, 9, "unexpected end"},
		{"#index > 1", 1, 1, "#index outside a predicate"},
		{`size = 3`, 1, 6, ""},
	} {
		t.Run(c.expr, func(t *testing.T) {
			_, err := Compile(c.expr)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile = %v, want an *Error", err)
			}
			if e.Line != c.line || e.Column != c.col || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %v, want line %d, column %d: …%s…", e, c.line, c.col, c.msg)
			}
			if strings.Contains(e.Error(), "\n") {
				t.Errorf("error %q spans lines", e.Error())
			}
		})
	}
	for _, src := range []string{"", "   ", strings.Repeat("1 + ", MaxSource)} {
		if _, err := Compile(src); err == nil {
			t.Errorf("Compile(%.20q…) accepted", src)
		}
	}
}

// TestHostile: an expression built to take time or memory stops at a
// bound as a miss, whatever the payload.
func TestHostile(t *testing.T) {
	big := &model.Message{Subject: "x", Data: []byte(`{"a": [` + strings.TrimSuffix(strings.Repeat("1,", 5000), ",") + `], "s": "` + strings.Repeat("x", 60000) + `"}`)}
	for _, c := range []struct{ expr, miss string }{
		// Nested loops over a payload array: 5,000^3 iterations unbounded.
		{`any(.a, any(payload.a, any(payload.a, # < 0)))`, "iterations"},
		{`count(1..9000, any(1..9000, # < 0)) > 0`, "iterations"},
		// Ranges and arrays: expr's memory budget.
		{`len(1..1000000000) > 0`, "memory budget"},
		// Doubling a string: 60 KB × 2^30 unbounded.
		{`let a = .s + .s; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; len(f + f) > 0`, "longer than"},
		{`len(reduce(1..5000, #acc + payload.s, "")) > 0`, "longer than"},
	} {
		t.Run(c.expr, func(t *testing.T) {
			f, err := Compile(c.expr)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			ok, err := f.Match(big)
			var miss *Miss
			if ok || !errors.As(err, &miss) || !strings.Contains(miss.Reason, c.miss) {
				t.Fatalf("Match = %v, %v; want a miss about %q", ok, err, c.miss)
			}
			// The state is reset: the next message is evaluated afresh.
			if ok, err := MustCompile(`size >= 0`).Match(big); !ok || err != nil {
				t.Fatalf("after: %v %v", ok, err)
			}
		})
	}
	// Too many nodes is a compile error.
	if _, err := Compile(strings.TrimSuffix(strings.Repeat("size+", 600), "+") + " > 0"); err == nil || !strings.Contains(err.Error(), "maximum allowed nodes") {
		t.Errorf("a 1,200-node expression: %v", err)
	}
}

// TestLazyPayload: an expression that reads no payload never parses it,
// and one that does parses it once per message however often it reads.
func TestLazyPayload(t *testing.T) {
	f := MustCompile(`subject == "orders.eu.new" && header("X-Tenant") == "acme"`)
	if f.c.usesPayload || f.c.usesText {
		t.Fatal("a subject and header predicate reads the payload")
	}
	m := order()
	if ok, _ := f.Match(m); !ok || f.parsed {
		t.Fatalf("match %v, parsed %v", ok, f.parsed)
	}
	g := MustCompile(`.total > 1 && .customer.vip && .items[0].qty == 1`)
	if ok, err := g.Match(m); !ok || err != nil || !g.parsed {
		t.Fatalf("match %v %v, parsed %v", ok, err, g.parsed)
	}
	// The next message is parsed again, not answered from the last one's.
	m2 := order()
	m2.Data = []byte(`{"total": 0}`)
	if ok, _ := g.Match(m2); ok {
		t.Fatal("the second message matched with the first one's payload")
	}
}

func TestClone(t *testing.T) {
	f := MustCompile(`.total > 1000`)
	g := f.Clone()
	if g == f || g.String() != f.String() {
		t.Fatal("Clone shares or changed the filter")
	}
	if ok, err := g.Match(order()); !ok || err != nil {
		t.Fatalf("clone: %v %v", ok, err)
	}
}

func benchFilter(b *testing.B, src string) {
	f := MustCompile(src)
	m := order()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ok, err := f.Match(m); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkSubject(b *testing.B) { benchFilter(b, `subject == "orders.eu.new"`) }
func BenchmarkHeader(b *testing.B)  { benchFilter(b, `header("X-Tenant") == "acme"`) }
func BenchmarkJSONField(b *testing.B) {
	benchFilter(b, `.total > 1000`)
}
func BenchmarkJSONAndHeader(b *testing.B) {
	benchFilter(b, `.total > 1000 && header("X-Tenant") == "acme"`)
}
