package order

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFeistelTableMatchesFeistel checks the tabulated bijection against
// the computed one, value for value: domains around every size class
// (table domains, the smallest networks, odd and even widths, the widest
// tabulated halves), under several keys.
func TestFeistelTableMatchesFeistel(t *testing.T) {
	var sizes []uint64
	for _, n := range []uint64{0, 1, 2, 3, 255, 256, 257, 300, 511, 512, 513, 1000, 4095, 4097, 65535, 65536, 65537, 100_000, 1 << 20, 2_000_000, 1<<24 + 3, 1<<31 + 5, 1<<32 - 1, 1 << 32} {
		sizes = append(sizes, n)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 40 {
		sizes = append(sizes, 257+r.Uint64N(1<<26))
	}
	var tab feistelTable // reused across domains, as a Reader reuses it
	for _, n := range sizes {
		for key := range uint64(3) {
			f := newFeistel(n, deriveKey(key, 1, purposeBlock, n))
			if f.tableCost() < 0 {
				t.Fatalf("n=%d: a domain of at most 2^32 values should be tabulable", n)
			}
			tab.load(&f)
			check := func(x uint64) {
				if got, want := tab.at(x), f.at(x); got != want {
					t.Fatalf("n=%d key=%d: table maps %d to %d, feistel to %d", n, key, x, got, want)
				}
			}
			if n <= 1<<17 {
				for x := range n {
					check(x)
				}
				continue
			}
			for range 20_000 {
				check(r.Uint64N(n))
			}
			check(0)
			check(n - 1)
		}
	}
}

func TestFeistelTableCost(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		cost int
	}{
		{0, 0}, {256, 0}, // table domains
		{257, 3 * (16 + 32)}, // 9 bits: halves of 4 and 5
		{1 << 16, 3 * (256 + 256)},
		{1 << 32, 3 * (1<<16 + 1<<16)},
		{1<<32 + 1, -1}, // a half of 17 bits
		{MaxRows, -1},
	} {
		f := newFeistel(c.n, 1)
		if got := f.tableCost(); got != c.cost {
			t.Errorf("n=%d: tableCost %d, want %d", c.n, got, c.cost)
		}
	}
}

// TestReaderMatchesAt checks that a Reader delivers At's rows, position
// for position, over random configurations of every mode (several
// windows, windows across shards, pads that wrap around, strides that
// make tabulating pay and strides that do not), from random starts and in
// reads of random sizes.
func TestReaderMatchesAt(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cfgs := []Config{
		{ShardRows: []int64{250_000, 0, 250_000, 250_000, 250_000}, Mode: Block, Seed: 9, World: 2},
		{ShardRows: []int64{100_000, 70_000, 3}, Mode: Block, Seed: 1, Window: 100_000, World: 3, Rank: 2, Workers: 2, Worker: 1},
		{ShardRows: []int64{50_000}, Mode: Block, Seed: 2, Window: 4096, World: 1000, Rank: 999},
		{ShardRows: []int64{70_000, 70_001}, Mode: Global, Seed: 3, World: 4, Rank: 1},
		{ShardRows: []int64{5000}, Mode: Global, Seed: 4, World: 4999, Rank: 17},
	}
	for range cases() {
		cfgs = append(cfgs, randConfig(r))
	}
	for i, cfg := range cfgs {
		p := mustPlan(t, cfg)
		start := int64(0)
		if i%3 == 1 && p.Len() > 0 {
			start = r.Int64N(p.Len())
		}
		name := fmt.Sprintf("case %d %+v start %d", i, cfg, start)
		rd := p.NewReader(start)
		buf := make([]int64, 1+r.IntN(5000))
		k := start
		for {
			n := rd.Read(buf[:1+r.IntN(len(buf))])
			if n == 0 {
				break
			}
			for j, row := range buf[:n] {
				if want := p.At(k + int64(j)); row != want {
					t.Fatalf("%s: position %d: Reader gives row %d, At %d", name, k+int64(j), row, want)
				}
			}
			k += int64(n)
		}
		if k != p.Len() {
			t.Fatalf("%s: Reader stopped at position %d of %d", name, k, p.Len())
		}
	}
}

// TestReaderStartPastEnd checks that a Reader started at or past the end
// delivers nothing, and one started below zero from the beginning.
func TestReaderStartPastEnd(t *testing.T) {
	p := mustPlan(t, Config{ShardRows: []int64{10}, Mode: Block, Seed: 1})
	buf := make([]int64, 20)
	for _, start := range []int64{10, 11, 1 << 40} {
		if n := p.NewReader(start).Read(buf); n != 0 {
			t.Errorf("start %d: read %d rows, want none", start, n)
		}
	}
	if n := p.NewReader(-5).Read(buf); n != 10 || buf[0] != p.At(0) {
		t.Errorf("start -5: read %d rows starting with %d, want 10 starting with %d", n, buf[0], p.At(0))
	}
	if n := p.NewReader(0).Read(nil); n != 0 {
		t.Errorf("an empty slice took %d rows", n)
	}
}
