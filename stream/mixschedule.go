package stream

import (
	"math"
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
func apportion(weights []float64, window int) ([]int, error) {
	if len(weights) == 0 {
		return nil, invalidf("mix has no sources")
	}
	if window < 1 || window > MaxMixWindow {
		return nil, invalidf("mix window %d, want 1 to %d", window, MaxMixWindow)
	}
	var total float64
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, invalidf("mix weight %v of source %d, want a finite number above zero", w, i)
		}
		total += w
	}
	if math.IsInf(total, 0) {
		return nil, invalidf("mix weights sum to infinity")
	}
	quotas := make([]int, len(weights))
	rems := make([]float64, len(weights))
	left := window
	for i, w := range weights {
		share := w / total * float64(window)
		// Snap shares that are integers up to rounding noise, so that
		// 0.7*10 counts as 7 rather than 6.999....
		if r := math.Round(share); math.Abs(share-r) < 1e-9 {
			share = r
		}
		quotas[i] = int(share)
		rems[i] = share - float64(quotas[i])
		left -= quotas[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	// Rounding noise could in principle push left outside [0, n]; clamp,
	// and let the sum check below refuse what still does not add up.
	for _, i := range order[:max(0, min(left, len(order)))] {
		quotas[i]++
	}
	sum := 0
	for _, q := range quotas {
		sum += q
	}
	if sum != window {
		return nil, invalidf("mix weights %v cannot be apportioned over a window of %d", weights, window)
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
