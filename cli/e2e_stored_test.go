package cli

import (
	"regexp"
	"strings"
	"testing"
)

// storedCount is an "ORDERS <count>" mark on the tree's orders row.
var storedCount = regexp.MustCompile(`▸ orders +ORDERS [0-9.]+[kM]? `)

// e2eStoredMarks: on the demo at 80x24, the tree's orders row carries the
// ORDERS stream's mark and, after a count tick, how many messages it
// holds; a fire-and-forget family (sensors) carries no mark.
func e2eStoredMarks(t *testing.T, bin string) {
	listen := e2eListen(t)
	term := e2eStart(t, bin, 80, 24, "--listen", listen)
	e2eWaitFor(t, term, e2eTimeout, func(s string) bool {
		return storedCount.MatchString(s) && strings.Contains(s, "▸ sensors ")
	})
	s := term.Screen()
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, "▸ sensors ") && (strings.Contains(l, "ORDERS") || strings.Contains(l, "JOBS")) {
			t.Fatalf("fire-and-forget row marked: %q", l)
		}
	}
	e2eQuit(t, term)
}
