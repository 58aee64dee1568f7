package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestProcessAdvancesWithWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("CPU time is not measured on this platform")
	}
	before := Process()
	// Spin until the clock has moved: rusage has a coarse granularity
	// (often a scheduler tick), so a fixed amount of work may not show.
	deadline := time.Now().Add(5 * time.Second)
	x := uint64(1)
	for Process() <= before && time.Now().Before(deadline) {
		for i := 0; i < 1<<20; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if after := Process(); after <= before {
		t.Fatalf("CPU time did not advance after busy work: before %v, after %v (x=%d)", before, after, x)
	}
}
