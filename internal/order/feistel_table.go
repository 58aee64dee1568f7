package order

// maxTableBits is the widest half of a Feistel domain whose round
// functions feistelTable tabulates: a round's table has 2^half entries of
// 16 bits, so the six tables of a 2^32 domain take 768 KiB, and those of
// the default Block window (2^16, halves of 8 bits) 3 KiB.
const maxTableBits = 16

// A feistelTable evaluates a feistel with its round functions looked up
// in tables instead of computed: a round function only ever sees one half
// of the domain, so over a domain of 2^(2h) values it takes 2^h inputs,
// and tabulating it costs a few thousand mix64 calls where a walk through
// a Block window evaluates it hundreds of thousands of times. The images
// are those of feistel.at, bit for bit; only the cost differs.
//
// Its buffers are reused from one feistel to the next, so a walk that
// moves from window to window allocates once.
type feistelTable struct {
	n              uint64
	hiBits, loBits uint
	// round[r][x] is round r's function of the half x, masked to the
	// width of the other half, as network computes it.
	round [feistelRounds][]uint16
	// small is a table domain's permutation (feistel.table), or nil.
	small *[smallDomain]uint8
}

// tableCost is the number of round-function evaluations that tabulating
// f costs, or -1 when f is not tabulated (a domain of at most smallDomain
// values is a table already; one with a half wider than maxTableBits would
// need tables too large).
func (f *feistel) tableCost() int {
	switch {
	case f.n <= smallDomain:
		return 0
	case f.hiBits > maxTableBits || f.loBits > maxTableBits:
		return -1
	}
	return feistelRounds / 2 * (1<<f.hiBits + 1<<f.loBits)
}

// worthTabling reports whether evaluating f at about uses points costs
// more than tabulating it: a direct evaluation computes every round
// function once per network pass, and cycle walking makes about two
// passes on the worst domains.
func (f *feistel) worthTabling(uses int64) bool {
	c := f.tableCost()
	return c >= 0 && int64(c) <= uses*feistelRounds
}

// load makes t evaluate f, which must be tabulable (tableCost >= 0).
func (t *feistelTable) load(f *feistel) {
	t.n, t.hiBits, t.loBits, t.small = f.n, f.hiBits, f.loBits, nil
	if f.n <= smallDomain {
		t.small = &f.table
		return
	}
	// Round r maps (hi, lo) to (lo, hi ^ F(lo)): its input is the half of
	// width in and its output is masked to the other half's width out;
	// the widths trade places every round (see network).
	in, out := f.loBits, f.hiBits
	for r, k := range f.keys {
		size := 1 << in
		if cap(t.round[r]) < size {
			t.round[r] = make([]uint16, size)
		}
		tab := t.round[r][:size]
		mask := uint64(1)<<out - 1
		for x := range tab {
			tab[x] = uint16(mix64(uint64(x)^k) & mask)
		}
		t.round[r] = tab
		in, out = out, in
	}
}

// at returns the image of x in [0, n): feistel.at's.
func (t *feistelTable) at(x uint64) uint64 {
	if t.small != nil {
		if t.n <= 1 {
			return x
		}
		return uint64(t.small[x])
	}
	for {
		x = t.network(x)
		if x < t.n {
			return x
		}
	}
}

// network is feistel.network with the round functions looked up. The
// rounds are written out: six dependent table loads, which the compiler
// keeps in registers and the processor overlaps across neighbouring
// calls.
func (t *feistelTable) network(x uint64) uint64 {
	// feistelRounds is 6: a change there must change this function.
	const _ = uint(feistelRounds-6) + uint(6-feistelRounds)
	r0, r1, r2, r3, r4, r5 := t.round[0], t.round[1], t.round[2], t.round[3], t.round[4], t.round[5]
	hi, lo := x>>t.loBits, x&(1<<t.loBits-1)
	hi, lo = lo, hi^uint64(r0[lo])
	hi, lo = lo, hi^uint64(r1[lo])
	hi, lo = lo, hi^uint64(r2[lo])
	hi, lo = lo, hi^uint64(r3[lo])
	hi, lo = lo, hi^uint64(r4[lo])
	hi, lo = lo, hi^uint64(r5[lo])
	// After an even number of rounds the halves have their first widths.
	return hi<<t.loBits | lo
}
