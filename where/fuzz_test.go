package where

import (
	"testing"

	"natsx/model"
)

// FuzzCompileMatch: whatever a user types or a saved pane set holds,
// Compile and Match return (an error at worst), never panic or hang, and a
// compile error is placed on a line and column of the expression.
func FuzzCompileMatch(f *testing.F) {
	for _, s := range []string{
		`.total > 1000 && header("X-Tenant") == "acme"`, `any(.items, .qty > 4)`, `tokens[1] == "eu"`,
		`.a?.b ?? 1`, `#`, `#.x`, `.`, `..`, `(`, `)`, `"`, `1 +`, `let x = .a; x.b`, `all(.a, all(.b, #))`,
		`payload.x[0][1]`, `text matches "a+"`, `.x) || (.y`, `[0] | all(`, `filter(.a, .b)[0]`,
		`.items[-1]`, `len(.s + .s)`, `time.Year() > 0`, `1..3 | map(# + .x)`, "\x00", "a\nb", `#index`,
	} {
		f.Add(s, []byte(`{"total": 1500, "items": [{"qty": 5}], "a": {"b": 1}, "s": "x"}`))
	}
	f.Fuzz(func(t *testing.T, src string, payload []byte) {
		flt, err := Compile(src)
		if err != nil {
			if e, ok := err.(*Error); ok && (e.Line < 1 || e.Column < 1) {
				t.Fatalf("%q: error placed at %d:%d", src, e.Line, e.Column)
			}
			return
		}
		m := &model.Message{Subject: "a.b", Data: payload, Size: len(payload), Header: model.Header{"X": {"y"}}}
		_, _ = flt.Match(m)
	})
}
