package uv

import "testing"

// natsx patch: DrawLine draws a line as Draw draws it within the whole
// string, given the pen the lines above left, and says when it cannot.
func TestDrawLineCarriesThePen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		clean bool
	}{
		{"a style left open", []string{"\x1b[31mred", "still red\x1b[m plain"}, true},
		{"a link left open", []string{"\x1b]8;;https://nats.io\x07a", "b\x1b]8;;\x07c"}, true},
		{"a CSI the newline cuts", []string{"a\x1b[3", "1mb"}, false},
		{"a mark after an escape at the start", []string{"e", "\x1b[1m\u0301x"}, false},
		{"a pass-through with no glyph after it", []string{"a\x1b_Gi=1\x1b\\", "b"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := NewScreenBuffer(10, 2)
			NewStyledString(tc.lines[0]+"\n"+tc.lines[1]).Draw(want, want.Bounds())
			got := NewScreenBuffer(10, 2)
			var pen Pen
			clean := DrawLine(got, got.Bounds(), 0, tc.lines[0], &pen)
			clean = DrawLine(got, got.Bounds(), 1, tc.lines[1], &pen) && clean
			if clean != tc.clean {
				t.Fatalf("clean %v, want %v", clean, tc.clean)
			}
			if !clean {
				return
			}
			for y := range 2 {
				for x := range 10 {
					if w, g := want.CellAt(x, y), got.CellAt(x, y); !w.Equal(g) {
						t.Errorf("cell %d,%d: %+v, want %+v", x, y, g, w)
					}
				}
			}
		})
	}
}
