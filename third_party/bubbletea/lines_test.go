package tea

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// natsx patch, change 3: frames drawn line by line must leave the cell
// buffer exactly as upstream's whole-string draw would, and the terminal
// as upstream's renderer (whole draws) leaves another.
// Random full-screen frames, each a few edits from the one before (the
// case the line cache is for), with styles and hyperlinks left open across
// lines, wide characters, lines past the width, fewer and more lines, and
// the text only a whole-string draw gets right (an escape sequence cut by
// the newline, a combining mark after an escape at the start of a line).
func TestFramesDrawnLineByLineMatchAWholeDraw(t *testing.T) {
	const w, h, frames = 40, 12, 600
	newTerm := func() (*cursedRenderer, *vt.Emulator) {
		em := vt.NewEmulator(w, h)
		// Drain the emulator's replies until told to stop. Close is not
		// synchronised with a Read in flight in x/vt v0.1.0 (a data race
		// under -race), so the cleanup asks for a reply (a cursor position
		// report) to wake the reader, waits for it to return, then closes.
		var stop atomic.Bool
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			buf := make([]byte, 256)
			for {
				if _, err := em.Read(buf); err != nil || stop.Load() {
					return
				}
			}
		}()
		t.Cleanup(func() {
			stop.Store(true)
			_, _ = io.WriteString(em, "\x1b[6n")
			<-drained
			_ = em.Close()
		})
		r := newCursedRenderer(em, []string{"TERM=xterm-256color"}, w, h)
		r.start()
		return r, em
	}
	r, em := newTerm()
	up, upEm := newTerm()
	up.wholeDraws = true

	rng := rand.New(rand.NewPCG(1, 2))
	lines := randomLines(rng, w, 1+rng.IntN(h))
	fallbacks, skipped := 0, 0
	for f := range frames {
		if f%150 == 149 {
			// Suspended and resumed (as around an exec): a new screen.
			for _, r := range []*cursedRenderer{r, up} {
				if err := r.close(); err != nil {
					t.Fatal(err)
				}
				r.start()
			}
		}
		lines = editLines(rng, w, h, lines)
		content := strings.Join(lines, "\n")
		v := NewView(content)
		v.AltScreen = true
		for _, r := range []*cursedRenderer{r, up} {
			r.render(v)
			if err := r.flush(false); err != nil {
				t.Fatal(err)
			}
		}
		if !r.linesOK {
			fallbacks++
		}
		skipped += h - r.drawn

		want := uv.NewScreenBuffer(w, h)
		uv.NewStyledString(content).Draw(want, want.Bounds())
		for y := range h {
			for x := range w {
				// An empty view empties the buffer (upstream's frame); a
				// view taller than the screen is drawn whole.
				if w, g := want.CellAt(x, y), r.cellbuf.CellAt(x, y); content != "" && len(lines) <= h && !w.Equal(g) {
					t.Fatalf("frame %d, cell buffer at %d,%d: %+v, want %+v\nframe:\n%q", f, x, y, g, w, content)
				}
				if d := cellDiff(upEm.CellAt(x, y), em.CellAt(x, y)); d != "" {
					t.Fatalf("frame %d, terminal at %d,%d: %s\nframe:\n%q", f, x, y, d, content)
				}
			}
		}
	}
	// The cases must all have run: frames drawn line by line that kept
	// most lines, and frames that fell back to the whole draw.
	t.Logf("%d of %d frames fell back to a whole draw, %d rows kept", fallbacks, frames, skipped)
	if fallbacks == 0 || fallbacks > frames/2 || skipped < frames*h/4 {
		t.Fatalf("%d of %d frames fell back to a whole draw, %d rows kept: the generator misses a case", fallbacks, frames, skipped)
	}
}

var (
	sgrs  = []string{"\x1b[1m", "\x1b[3m", "\x1b[4m", "\x1b[7m", "\x1b[31m", "\x1b[42m", "\x1b[38;5;208m", "\x1b[48;5;17m", "\x1b[22m", "\x1b[39m"}
	words = []string{"natsx", "drivers.berlin.150", "42", " ", "│", "世界", "▆▇█", "café", "msg/s"}
)

// randomLine is one line of styled text, with what the cases need now and
// then: a style or link left open, a reset, text past the width, and rarely
// the text a line cannot be drawn alone (a cut escape, an orphan mark).
func randomLine(rng *rand.Rand, w int) string {
	var b strings.Builder
	if rng.IntN(300) == 0 {
		b.WriteString("\x1b[32m\u0301") // a combining mark after an escape, at the start
	}
	for n := rng.IntN(8); n > 0; n-- {
		switch rng.IntN(10) {
		case 0:
			b.WriteString("\x1b[m")
		case 1:
			b.WriteString("\x1b]8;;https://nats.io\x07")
		case 2:
			b.WriteString("\x1b]8;;\x07")
		case 3, 4:
			b.WriteString(sgrs[rng.IntN(len(sgrs))])
		case 5:
			b.WriteString(strings.Repeat("x", w/2)) // past the width, with the rest
		default:
			b.WriteString(words[rng.IntN(len(words))])
		}
	}
	switch rng.IntN(300) {
	case 0:
		b.WriteString("\x1b[3") // a CSI the newline cuts
	case 1:
		b.WriteString("\x1b_Gi=1\x1b\\") // a pass-through with no glyph after it
	}
	return b.String()
}

func randomLines(rng *rand.Rand, w, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = randomLine(rng, w)
	}
	return lines
}

// editLines is the next frame: mostly a few lines changed, sometimes the
// line count or the rows' places, sometimes all of it.
func editLines(rng *rand.Rand, w, h int, lines []string) []string {
	lines = lines[:min(len(lines), h)] // a taller frame lasts one frame
	switch k := rng.IntN(20); {
	case k == 0:
		return randomLines(rng, w, 1+rng.IntN(h))
	case k == 1 && len(lines) > 1:
		return lines[:rng.IntN(len(lines)-1)+1]
	case k == 2 && len(lines) < h:
		return append(lines, randomLines(rng, w, 1+rng.IntN(h-len(lines)))...)
	case k == 3:
		return slices.Clone(lines) // unchanged
	case k == 6:
		// Taller than the screen: drawn whole, as upstream.
		return randomLines(rng, w, h+1+rng.IntN(3))
	case k == 7:
		return append(slices.Clone(lines[:len(lines)-1]), lines[len(lines)-1]+"\r\n") // CRLF
	case k == 4 || k == 5:
		// A line inserted or deleted: the ones below it move (scrolling).
		i := rng.IntN(len(lines))
		if k == 4 && len(lines) < h {
			return slices.Insert(slices.Clone(lines), i, randomLine(rng, w))
		}
		if len(lines) > 1 {
			return slices.Delete(slices.Clone(lines), i, i+1)
		}
	}
	out := slices.Clone(lines)
	for n := 1 + rng.IntN(3); n > 0; n-- {
		out[rng.IntN(len(out))] = randomLine(rng, w)
	}
	return out
}

// cellDiff describes how got differs from want, "" when it does not: the
// same grapheme (a blank and an empty cell alike), style and link.
func cellDiff(want, got *uv.Cell) string {
	content := func(c *uv.Cell) string {
		if c == nil || c.Content == "" {
			return " "
		}
		return c.Content
	}
	if want == nil || got == nil {
		if (want == nil) != (got == nil) {
			return fmt.Sprintf("want %v, got %v", want, got)
		}
		return ""
	}
	if content(want) != content(got) || want.Width != got.Width && got.Width != 0 && want.Width != 0 {
		return fmt.Sprintf("want %q (width %d), got %q (width %d)", want.Content, want.Width, got.Content, got.Width)
	}
	if !want.Style.Equal(&got.Style) {
		return fmt.Sprintf("%q: want style %+v, got %+v", want.Content, want.Style, got.Style)
	}
	if want.Link != got.Link {
		return fmt.Sprintf("%q: want link %+v, got %+v", want.Content, want.Link, got.Link)
	}
	return ""
}

// BenchmarkFrameFewLinesChange is a full-screen frame at 200x50 where two
// lines change (a clock, an age), the shape of natsx's idle frames and of
// most of its frames under traffic, drawn line by line and, for
// comparison, as upstream draws it (the whole view parsed and diffed).
func BenchmarkFrameFewLinesChange(b *testing.B) {
	const w, h = 200, 50
	row := func(i, sec int) string {
		return fmt.Sprintf("\x1b[1;38;5;75m%-20s\x1b[m \x1b[38;5;245m%10d %8.1f\x1b[m \x1b[32m▁▂▃▄▅▆▇█\x1b[m %3ds \x1b[38;5;240m│\x1b[m %-100s",
			fmt.Sprintf("drivers.city%d.%d", i%7, i), i*1000, float64(i)*1.5, (i+sec)%60*int(boolInt(i < 2)), "payload {\"s\":1}")
	}
	views := [2]string{}
	for k := range views {
		lines := make([]string, h)
		for i := range lines {
			lines[i] = row(i, k)
		}
		views[k] = strings.Join(lines, "\n")
	}
	for _, whole := range []bool{false, true} {
		b.Run(fmt.Sprintf("whole=%v", whole), func(b *testing.B) {
			r := newCursedRenderer(io.Discard, []string{"TERM=xterm-256color"}, w, h)
			r.start()
			r.wholeDraws = whole
			i := 0
			for b.Loop() {
				v := NewView(views[i%2])
				v.AltScreen = true
				r.render(v)
				if err := r.flush(false); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}
