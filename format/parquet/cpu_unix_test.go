//go:build unix

package parquet

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used on all its threads,
// garbage collection included. On a machine shared with other work it
// measures the reader where wall time measures the neighbours too.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
