//go:build unix

package dataset

import (
	"syscall"
	"time"
)

// decodeCPUTime is the CPU time the process has used, on every thread
// (garbage collection included): on a machine shared with other work it
// measures the decoder where wall time measures the neighbours.
func decodeCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
