package order

import (
	"math"
	"testing"
)

func TestQuality(t *testing.T) {
	rows := make([]int64, 50)
	for i := range rows {
		rows[i] = 4000
	}
	n := float64(200_000)
	tests := []struct {
		mode                 Mode
		window               int
		spearmanLo, spearHi  float64
		dispLo, dispHi       float64
		shardsLo, shardsHigh float64
	}{
		// Manifest order: perfectly correlated, nothing moves, and a run
		// of 4096 samples over shards of 4000 touches two or three.
		{None, 4096, 1, 1, 0, 0, 2, 3},
		// Shards move whole; runs touch as many as in manifest order.
		{Shards, 4096, -1, 1, 1, n, 2, 3},
		// Rows move only within a window of 4096 positions, which a run
		// of 4096 samples overlaps two of.
		{Block, 4096, -1, 1, 1, n, 2, 4},
		// A uniform shuffle: no correlation, displacement about N/3,
		// every shard in every run.
		{Global, 4096, -0.05, 0.05, 0.3 * n, 0.37 * n, 50, 50},
		// A buffer of 1000 over shard-ordered input keeps runs local.
		{Buffer, 4096, -1, 1, 1, n, 2, 4},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			p := mustPlan(t, Config{ShardRows: rows, Seed: 3, Mode: tt.mode, Window: tt.window})
			s, d, sh := Quality(p)
			if s < tt.spearmanLo || s > tt.spearHi || math.IsNaN(s) {
				t.Errorf("spearman %v, want [%v, %v]", s, tt.spearmanLo, tt.spearHi)
			}
			if d < tt.dispLo || d > tt.dispHi {
				t.Errorf("mean displacement %v, want [%v, %v]", d, tt.dispLo, tt.dispHi)
			}
			if sh < tt.shardsLo || sh > tt.shardsHigh {
				t.Errorf("shards per window %v, want [%v, %v]", sh, tt.shardsLo, tt.shardsHigh)
			}
		})
	}
}

func TestSpearmanRank(t *testing.T) {
	tests := []struct {
		ys   []int64
		want float64
	}{
		{[]int64{1, 2, 3, 4}, 1},
		{[]int64{40, 30, 20, 10}, -1},
		{[]int64{10, 10, 20, 20}, 0.8944271909999159},
	}
	for _, tt := range tests {
		if got := spearmanRank(tt.ys); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("spearmanRank(%v) = %v, want %v", tt.ys, got, tt.want)
		}
	}
	for _, ys := range [][]int64{nil, {1}, {5, 5, 5}} {
		if got := spearmanRank(ys); !math.IsNaN(got) {
			t.Errorf("spearmanRank(%v) = %v, want NaN", ys, got)
		}
	}
}
