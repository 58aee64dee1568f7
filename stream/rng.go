package stream

import "math/bits"

// rng is the pseudo-random generator behind Shuffle and Mix: SplitMix64,
// written out here rather than taken from math/rand so that the sequences
// it drives are a pure function of the seed that no Go release can change.
// Its whole state is one word, and streams of one seed are independent.
type rng struct{ state uint64 }

// newRNG returns the generator for one stream of a seed: Shuffle uses one
// stream, Mix one per schedule window.
func newRNG(seed, stream uint64) rng {
	return rng{state: mix64(mix64(seed) + stream*0x9e3779b97f4a7c15)}
}

func (r *rng) uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state)
}

// intN returns a uniform integer in [0, n) for n > 0, without modulo bias
// (Lemire's multiply-and-reject method).
func (r *rng) intN(n int) int {
	bound := uint64(n)
	hi, lo := bits.Mul64(r.uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(r.uint64(), bound)
		}
	}
	return int(hi)
}

// mix64 is SplitMix64's finaliser: a bijection that spreads every input bit
// over the whole output word.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
