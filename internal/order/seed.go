package order

import "math/bits"

// The order's randomness is SplitMix64, written out here rather than taken
// from math/rand so that the order is a pure function of the seed that no
// Go release can change: a State saved today must resume the same samples
// with any later build.

// golden is SplitMix64's increment, 2^64 divided by the golden ratio.
const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's finaliser: a bijection that spreads every input bit
// over the whole output word.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// purpose separates the independent random streams of one epoch, so that
// (for example) the shard permutation and the buffer's draws never share
// bits.
type purpose uint64

const (
	purposeShards purpose = iota + 1
	purposeBlock
	purposeGlobal
	purposeBufferStep
	purposeBufferDrain
)

// deriveKey returns the key of one purpose of one epoch; index tells apart
// the keys of one purpose, such as the windows of Block mode. Every input
// passes through a full mix, so neighbouring seeds, epochs and windows get
// unrelated keys.
func deriveKey(seed uint64, epoch int, p purpose, index uint64) uint64 {
	h := mix64(seed ^ 0x746f6d652f6f7264) // "tome/ord"
	h = mix64(h + uint64(epoch)*golden)
	h = mix64(h ^ uint64(p)*0xd1b54a32d192ed03)
	return mix64(h + index*golden)
}

// rng is a SplitMix64 generator; its whole state is one word.
type rng struct{ state uint64 }

func (r *rng) uint64() uint64 {
	r.state += golden
	return mix64(r.state)
}

// intN returns a uniform integer in [0, n) for n > 0, without modulo bias
// (Lemire's multiply-and-reject method).
func (r *rng) intN(n uint64) uint64 {
	hi, lo := bits.Mul64(r.uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(r.uint64(), n)
		}
	}
	return hi
}

// drawAt returns the uniform integer in [0, n) of counter t under key:
// a random-access generator, so that the t-th draw of a stream costs the
// same whether or not the draws before it were made. Draw t takes the t-th
// output of the SplitMix64 stream seeded with key; in the rare case (odds
// below n/2^64) that Lemire's method rejects it, it continues from a
// generator seeded by that output.
func drawAt(key, t, n uint64) uint64 {
	x := mix64(key + (t+1)*golden)
	hi, lo := bits.Mul64(x, n)
	if lo < n {
		threshold := -n % n
		r := rng{state: x}
		for lo < threshold {
			hi, lo = bits.Mul64(r.uint64(), n)
		}
	}
	return hi
}
