package stream

import (
	"math"
	"math/big"
	"slices"
)

// schedule decides which source each position of a Mix draws from. The
// positions are cut into windows of equal length; every window holds each
// source exactly its quota of times, in an order shuffled by a generator
// keyed by (seed, window number). Any position's source is therefore
// computable on its own, which is what makes a Mix resumable from a
// position alone.
type schedule struct {
	quotas []int
	window int
	seed   uint64
}

func newSchedule(weights []float64, window int, seed uint64) (schedule, error) {
	quotas, err := apportion(weights, window)
	if err != nil {
		return schedule{}, err
	}
	return schedule{quotas: quotas, window: window, seed: seed}, nil
}

// apportion splits window positions between the sources in proportion to
// their weights by the largest remainder method: each source gets the
// floor of its exact share, and the positions left over go to the largest
// fractional parts, ties to the lower index. Weights 0.7 and 0.3 over a
// window of 10 give exactly 7 and 3.
//
// The shares are computed exactly: a float64 weight is a rational number,
// and so is its share. Rounded in floating point, the share of a smaller
// weight could come out with the larger remainder (weights
// 0.9999999999999999, 1.5 and 1 over 82 positions gave the first weight
// more than the third, FuzzApportion); exactly, a larger weight never gets
// the smaller quota.
func apportion(weights []float64, window int) ([]int, error) {
	if len(weights) == 0 {
		return nil, invalidf("mix has no sources")
	}
	if window < 1 || window > MaxMixWindow {
		return nil, invalidf("mix window %d, want 1 to %d", window, MaxMixWindow)
	}
	total := new(big.Rat)
	exact := make([]*big.Rat, len(weights))
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, invalidf("mix weight %v of source %d, want a finite number above zero", w, i)
		}
		exact[i] = new(big.Rat).SetFloat64(w)
		total.Add(total, exact[i])
	}
	quotas := make([]int, len(weights))
	rems := make([]*big.Rat, len(weights))
	left := window
	for i, w := range exact {
		share := new(big.Rat).Mul(w, new(big.Rat).SetInt64(int64(window)))
		share.Quo(share, total) // in (0, window]
		floor := new(big.Int).Quo(share.Num(), share.Denom())
		quotas[i] = int(floor.Int64())
		rems[i] = share.Sub(share, new(big.Rat).SetInt(floor))
		left -= quotas[i]
	}
	// The shares sum to window exactly, so left, the sum of the
	// fractional parts, is a whole number below len(weights).
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		quotas[i]++
	}
	for i, q := range quotas {
		if q == 0 {
			return nil, invalidf("mix weight %v of source %d gets no position in a window of %d; use a larger window", weights[i], i, window)
		}
	}
	return quotas, nil
}

// fill writes into order the source of each position of window k; order
// must have the window's length.
func (s *schedule) fill(order []int, k int64) {
	j := 0
	for i, q := range s.quotas {
		for range q {
			order[j] = i
			j++
		}
	}
	r := newRNG(s.seed, uint64(k))
	for i := len(order) - 1; i > 0; i-- {
		j := r.intN(i + 1)
		order[i], order[j] = order[j], order[i]
	}
}

// draws returns how many of the positions before p go to each source.
func (s *schedule) draws(p int64) []int64 {
	w := int64(s.window)
	k, r := p/w, p%w
	d := make([]int64, len(s.quotas))
	for i, q := range s.quotas {
		d[i] = k * int64(q)
	}
	if r > 0 {
		order := make([]int, s.window)
		s.fill(order, k)
		for _, i := range order[:r] {
			d[i]++
		}
	}
	return d
}
