//go:build !unix

package parquet

import "time"

// processCPU is unavailable here; benchmarks then report no CPU time.
func processCPU() time.Duration { return 0 }
