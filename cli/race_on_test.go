//go:build race

package cli

// raceDetector is whether the tests run under -race.
const raceDetector = true
