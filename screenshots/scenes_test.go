package main

import "testing"

// TestScenes renders every scene's screen (not the PNG) and checks the
// text its script wants, so a UI change that breaks a script fails here
// rather than when the screenshots are next generated.
func TestScenes(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			if _, err := sc.render(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
