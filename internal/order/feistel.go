package order

import "math/bits"

// feistelRounds is the number of Feistel rounds. Four rounds of a good
// pseudo-random function already make a pseudo-random permutation
// (Luby–Rackoff); six leave a margin for the small, unbalanced domains of
// short Block windows. Changing it changes every shuffled order, so it is
// part of StateVersion.
const feistelRounds = 6

// smallDomain is the largest domain that feistel permutes by table. A
// Feistel network on a domain of a few bits has halves of one or two bits
// and round functions with a handful of entries: it reaches too few
// permutations, and too unevenly (a chi-square test sees the bias at n =
// 5 or 7). Up to this size an explicit Fisher–Yates shuffle is exact and
// costs at most smallDomain steps to build, a constant.
const smallDomain = 256

// feistel is a keyed bijection on [0, n): a Feistel network on the
// smallest power-of-two domain that holds n, restricted to [0, n) by cycle
// walking (apply the network again until the value falls inside). The
// domain is less than 2n, so a lookup applies the network fewer than two
// times on average. It needs O(1) memory whatever n is. Domains of up to
// smallDomain values use a uniformly shuffled table instead.
type feistel struct {
	n     uint64
	table [smallDomain]uint8
	// hiBits and loBits are the widths of the two halves: the domain has
	// hiBits+loBits bits, split as evenly as possible.
	hiBits, loBits uint
	keys           [feistelRounds]uint64
}

func newFeistel(n, key uint64) feistel {
	f := feistel{n: n}
	if n <= 1 {
		return f
	}
	if n <= smallDomain {
		r := rng{state: key}
		for i := range n {
			j := r.intN(i + 1)
			f.table[i] = f.table[j]
			f.table[j] = uint8(i)
		}
		return f
	}
	// At least two bits, so that each half has one.
	width := max(uint(bits.Len64(n-1)), 2)
	f.hiBits = width / 2
	f.loBits = width - f.hiBits
	r := rng{state: key}
	for i := range f.keys {
		f.keys[i] = r.uint64()
	}
	return f
}

// at returns the image of x, which must be in [0, n).
func (f *feistel) at(x uint64) uint64 {
	if f.n <= smallDomain {
		if f.n <= 1 {
			return x
		}
		return uint64(f.table[x])
	}
	for {
		x = f.network(x)
		if x < f.n {
			return x
		}
	}
}

// network applies the rounds to x in [0, 2^(hiBits+loBits)). Each round
// maps the halves (hi, lo) to (lo, hi XOR F(lo)): the old low half becomes
// the high half, so the halves trade widths, and after an even number of
// rounds they are back to their starting widths.
func (f *feistel) network(x uint64) uint64 {
	hiW, loW := f.hiBits, f.loBits
	hi, lo := x>>loW, x&(1<<loW-1)
	for _, k := range f.keys {
		hi, lo = lo, (hi^mix64(lo^k))&(1<<hiW-1)
		hiW, loW = loW, hiW
	}
	return hi<<loW | lo
}
