package order

import (
	"cmp"
	"math"
	"slices"
)

// Sample sizes of Quality: qualitySpread samples spread evenly over the
// plan for the correlation and the displacement, and up to qualityRuns
// runs of up to qualityRunLen consecutive samples for the shards a window
// touches.
const (
	qualitySpread = 1 << 14
	qualityRuns   = 8
	qualityRunLen = 1 << 16
)

// Quality measures how well a plan shuffles, for comparing modes and
// parameters in BENCHMARKS.md. It returns:
//
//   - spearman: the rank correlation between delivery order and row index,
//     1 for manifest order and near 0 for a thorough shuffle (NaN when the
//     plan has fewer than two samples);
//   - meanDisplacement: the mean distance in rows between where a sample
//     comes from and where it is delivered, |row - q| for sequence
//     position q: 0 for manifest order, about N/3 for a uniform shuffle;
//   - shardsPerWindow: the mean number of distinct shards that a run of
//     min(Window, 65536) consecutive samples draws from, which is what a
//     streaming reader must have open at once: about 1 + run length /
//     shard size in None and Shards mode, a little more in Block and
//     Buffer mode, up to the run length in Global mode.
//
// The first two are estimated from 16384 samples spread evenly over the
// plan (a standard error below 0.01 for the correlation), the third from
// up to 8 runs spread likewise. In Buffer mode the spread samples cost
// O(BufferSize) each.
func Quality(p *Plan) (spearman, meanDisplacement, shardsPerWindow float64) {
	n := p.Len()
	if n == 0 {
		return math.NaN(), 0, 0
	}
	m := min(n, qualitySpread)
	rows := make([]int64, m)
	var displacement float64
	for i := range m {
		k := i * n / m
		rows[i] = p.At(k)
		displacement += math.Abs(float64(rows[i] - p.sequencePos(p.Position(k))))
	}

	runLen := min(int64(p.cfg.Window), qualityRunLen, n)
	runs := min(int64(qualityRuns), (n+runLen-1)/runLen)
	var shards int
	seen := make(map[int]struct{})
	for r := range runs {
		start := int64(0)
		if runs > 1 {
			start = r * (n - runLen) / (runs - 1)
		}
		clear(seen)
		for k, row := range p.All(start) {
			if k >= start+runLen {
				break
			}
			s, _ := p.Shard(row)
			seen[s] = struct{}{}
		}
		shards += len(seen)
	}
	return spearmanRank(rows), displacement / float64(m), float64(shards) / float64(runs)
}

// spearmanRank returns the Spearman correlation between the indices of
// ys and their values: the Pearson correlation of their ranks, ties
// sharing their mean rank.
func spearmanRank(ys []int64) float64 {
	m := len(ys)
	if m < 2 {
		return math.NaN()
	}
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(ys[a], ys[b]) })
	rank := make([]float64, m)
	for i := 0; i < m; {
		j := i + 1
		for j < m && ys[idx[j]] == ys[idx[i]] {
			j++
		}
		mean := float64(i+j-1) / 2
		for _, t := range idx[i:j] {
			rank[t] = mean
		}
		i = j
	}
	// Pearson correlation of (i, rank[i]); both have mean (m-1)/2.
	mu := float64(m-1) / 2
	var sxy, sxx, syy float64
	for i, r := range rank {
		dx, dy := float64(i)-mu, r-mu
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
