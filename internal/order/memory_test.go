package order

import (
	"runtime"
	"testing"
)

// billion is a dataset too large to index with arrays in a test: 10^9 rows
// in 1000 shards.
func billion() []int64 {
	rows := make([]int64, 1000)
	for i := range rows {
		rows[i] = 1_000_000
	}
	return rows
}

// allocBytes returns the heap bytes f allocates: the least of several runs,
// because TotalAlloc is process-wide and the runtime (the race detector,
// the test framework) may allocate during any one of them.
func allocBytes(f func()) uint64 {
	least := ^uint64(0)
	for range 5 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// TestMemoryIndependentOfRows checks property 6: a plan over 10^9 rows
// costs what a plan over 10^3 rows in as many shards costs, and its random
// access allocates nothing outside Buffer mode's drain.
func TestMemoryIndependentOfRows(t *testing.T) {
	small := make([]int64, 1000)
	for i := range small {
		small[i] = 1
	}
	for m := range numModes {
		t.Run(m.String(), func(t *testing.T) {
			cfg := Config{ShardRows: billion(), Seed: 1, Mode: m, World: 8, Rank: 3}
			var big *Plan
			bigBytes := allocBytes(func() { big = mustPlan(t, cfg) })
			cfg.ShardRows = small
			smallBytes := allocBytes(func() { mustPlan(t, cfg) })
			// Shard tables take O(shards) words: 1000 shards, a few
			// arrays, some tens of KiB either way.
			if bigBytes > smallBytes+1024 || bigBytes > 64<<10 {
				t.Errorf("NewPlan allocates %d bytes for 10^9 rows, %d for 10^3", bigBytes, smallBytes)
			}
			last := big.Len() - 1
			if m == Buffer {
				// The steady phase: lookups need no buffer.
				last -= int64(big.cfg.BufferSize)
			}
			ks := []int64{0, 1, big.Len() / 2, last}
			if allocs := testing.AllocsPerRun(20, func() {
				for _, k := range ks {
					big.At(k)
				}
			}); allocs != 0 {
				t.Errorf("At allocates %.1f times per call", allocs/float64(len(ks)))
			}
		})
	}
}

// TestIterationMemory checks that iterating anywhere in a 10^9-row epoch
// allocates O(1) in most modes and O(BufferSize) in Buffer mode, without
// replaying the epoch.
func TestIterationMemory(t *testing.T) {
	for m := range numModes {
		t.Run(m.String(), func(t *testing.T) {
			p := mustPlan(t, Config{ShardRows: billion(), Seed: 2, Mode: m, BufferSize: 4096, World: 2})
			for _, start := range []int64{0, p.Len() / 3, p.Len() - 5000} {
				bytes := allocBytes(func() {
					for k := range p.All(start) {
						if k == start+10_000 {
							break
						}
					}
				})
				limit := uint64(4 << 10)
				if m == Buffer {
					limit += 2 * 8 * 4096 // the slots and the rebuild bitmap, with slack
				}
				if bytes > limit {
					t.Errorf("10k samples from %d allocate %d bytes, want at most %d", start, bytes, limit)
				}
			}
		})
	}
}
