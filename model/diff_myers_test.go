package model

import (
	"bytes"
	"slices"
	"testing"
)

// TestMyersMinimal checks the edit script against an LCS computed by
// dynamic programming: the script must turn a into b and be shortest.
func TestMyersMinimal(t *testing.T) {
	seqs := [][]int32{{}, {1}, {1, 2, 3}, {3, 2, 1}, {1, 1, 2, 2}, {2, 1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}, {4, 5, 1, 2, 6}}
	for _, a := range seqs {
		for _, b := range seqs {
			script, ok := myers(a, b)
			if !ok {
				t.Fatalf("%v -> %v: no script", a, b)
			}
			var got []int32
			edits, i, j := 0, 0, 0
			for _, op := range script {
				switch op {
				case DiffSame:
					if a[i] != b[j] {
						t.Fatalf("%v -> %v: same op on %d != %d", a, b, a[i], b[j])
					}
					got = append(got, b[j])
					i, j = i+1, j+1
				case DiffRemoved:
					i, edits = i+1, edits+1
				case DiffAdded:
					got = append(got, b[j])
					j, edits = j+1, edits+1
				}
			}
			if !slices.Equal(got, b) || i != len(a) {
				t.Fatalf("%v -> %v: script %v gives %v", a, b, script, got)
			}
			if want := len(a) + len(b) - 2*lcsLen(a, b); edits != want {
				t.Errorf("%v -> %v: %d edits, want %d", a, b, edits, want)
			}
		}
	}
}

func lcsLen(a, b []int32) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

func FuzzDiff(f *testing.F) {
	// Seeds live in testdata/fuzz/FuzzDiff.
	f.Fuzz(func(t *testing.T, prev, cur []byte, width, maxLines int) {
		width %= 200
		maxLines %= 100
		lines, summary := Diff(prev, cur, width, maxLines)
		checkTerminalSafe(t, "Diff summary", summary, false)
		if maxLines > 0 && len(lines) > maxLines {
			t.Fatalf("%d lines, max %d", len(lines), maxLines)
		}
		for _, l := range lines {
			checkTerminalSafe(t, "Diff", l.Text, false)
			if l.Op < DiffSame || l.Op > DiffChanged {
				t.Fatalf("bad op %d", l.Op)
			}
		}
		if !bytes.Equal(prev, cur) && summary == "identical" {
			t.Fatal("different payloads reported identical")
		}

		// Unwrapped and uncut, the lines must rebuild the sides they claim.
		lines, _ = Diff(prev, cur, 0, 0)
		kp, kc := DetectPayload(prev), DetectPayload(cur)
		switch {
		case bytes.Equal(prev, cur), kp == KindBinary || kc == KindBinary:
		case kp == KindJSON && kc == KindJSON:
			var n int
			for _, l := range lines {
				if l.Op != DiffRemoved {
					n++
				}
			}
			if want := FormatPayload(cur, KindJSON, 0, 0); n != len(want) {
				t.Fatalf("%d current lines, FormatPayload has %d", n, len(want))
			}
		default:
			var gotPrev, gotCur []string
			for _, l := range lines {
				if l.Op != DiffAdded {
					gotPrev = append(gotPrev, l.Text)
				}
				if l.Op != DiffRemoved {
					gotCur = append(gotCur, l.Text)
				}
			}
			if want := FormatPayload(prev, kp, 0, 0); !slices.Equal(gotPrev, want) {
				t.Fatalf("previous lines %q, want %q", gotPrev, want)
			}
			if want := FormatPayload(cur, kc, 0, 0); !slices.Equal(gotCur, want) {
				t.Fatalf("current lines %q, want %q", gotCur, want)
			}
		}
	})
}
