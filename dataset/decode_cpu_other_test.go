//go:build !unix

package dataset

import "time"

// decodeCPUTime is not measured here; benchmarks then report wall time only.
func decodeCPUTime() time.Duration { return 0 }
