//go:build !linux

package model

// threadCPU is 0 where the thread's CPU clock is not read (see the linux
// version): the benchmark then reports no CPU times.
func threadCPU() int64 { return 0 }
