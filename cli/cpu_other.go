//go:build !linux

package cli

// OneCPU is Linux's alone: elsewhere natsx runs on every CPU (-1).
func OneCPU() (int, error) { return -1, nil }

// PlannedCPU is -1: natsx keeps to one CPU on Linux only.
func PlannedCPU() int { return -1 }
