//go:build !unix

package ipc_test

import "time"

// cpuTime is unavailable here; benchmarks report wall time only.
func cpuTime() time.Duration { return 0 }
