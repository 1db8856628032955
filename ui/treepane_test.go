package ui

import (
	"strings"
	"testing"

	"natsx/model"
)

// TestScopedHint (issue 15 item 13): in scoped mode (--no-tap) nothing
// arrives until a filter pane subscribes, so with none the tree's body
// says to press f to open one, at 80 columns too; with a filter, or with
// the '>' tap, it says nothing of the kind.
func TestScopedHint(t *testing.T) {
	const hint = "press f to open a filter pane"
	scoped := model.SourceStatus{State: model.StateConnected, Scoped: true}
	for _, tc := range []struct {
		name    string
		status  model.SourceStatus
		filters []string
		w       int
		want    bool
	}{
		{"scoped, no filter", scoped, nil, 120, true},
		{"scoped, no filter, 80 columns", scoped, nil, 80, true},
		{"scoped with a filter", scoped, []string{"orders.>"}, 120, false},
		{"tap", model.SourceStatus{State: model.StateConnected, Tap: ">"}, nil, 120, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &feed{status: tc.status}
			m := paneModel(f, tc.w, 24, tc.filters...)
			pullInto(t, m)
			out := screenText(m)
			if strings.Contains(out, hint) != tc.want {
				t.Errorf("hint shown %v, want %v:\n%s", !tc.want, tc.want, out)
			}
			if tc.want && strings.Contains(out, "waiting for messages") {
				t.Errorf("scoped without a filter waits for messages that cannot come:\n%s", out)
			}
		})
	}
}
