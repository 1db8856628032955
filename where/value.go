package where

import "natsx/model"

// Value evaluates the expression on m and gives its value rather than a
// verdict: a watched field (".lat", ".pos[0]", ".temp * 1.8 + 32") is an
// expression like a filter's, read with the same lazy JSON access. A field
// that is not there, a payload that is not JSON or a runtime error is a
// *Miss with the reason, and no value.
func (f *Filter) Value(m *model.Message) (any, error) {
	out, err := f.run(m)
	if err == nil && out == nil && f.missed != "" {
		// A missing step answers nil so that "?? fallback" works; with no
		// fallback the nil is the miss, not a JSON null.
		return nil, &Miss{Reason: f.missed}
	}
	return out, err
}
