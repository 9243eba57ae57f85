package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("measured on Unix only")
	}
	t0 := Process()
	deadline := time.Now().Add(2 * time.Second)
	x := 0
	for Process()-t0 < 20*time.Millisecond && time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			x += i
		}
	}
	if d := Process() - t0; d < 20*time.Millisecond {
		t.Fatalf("busy loop for 2 s used %v of CPU time (x=%d)", d, x)
	}
}
