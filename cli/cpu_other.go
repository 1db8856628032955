//go:build !linux

package cli

// OneCPU is Linux's alone: elsewhere natsx runs on every CPU (-1).
func OneCPU() (int, error) { return -1, nil }
