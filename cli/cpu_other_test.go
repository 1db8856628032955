//go:build !linux

package cli

import "testing"

func e2eOneCPU(t *testing.T, _ string) { t.Skip("natsx keeps to one CPU on Linux only") }
