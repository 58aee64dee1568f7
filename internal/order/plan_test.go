package order

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cases is how many random configurations each property test draws.
func cases() int {
	if testing.Short() {
		return 100
	}
	return 1000
}

// TestSequenceStructure checks each mode's epoch sequence against its
// definition, independently of how the plan computes it.
func TestSequenceStructure(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range cases() {
		cfg := randConfig(r)
		n := total(cfg.ShardRows)
		g := sequence(t, cfg)
		name := fmt.Sprintf("case %d %s n=%d", i, cfg.Mode, n)
		if !isPermutation(g, n) {
			t.Fatalf("%s: sequence is not a permutation of [0, %d): %v", name, n, g)
		}
		shardsCfg := cfg
		shardsCfg.Mode = Shards
		shardSeq := sequence(t, shardsCfg)
		p := mustPlan(t, cfg)
		switch cfg.Mode {
		case None:
			for q, row := range g {
				if row != int64(q) {
					t.Fatalf("%s: none delivers row %d at position %d", name, row, q)
				}
			}
		case Shards:
			checkShardRuns(t, name, p, g)
		case Block:
			b := int64(cfg.Window)
			for lo := int64(0); lo < n; lo += b {
				hi := min(lo+b, n)
				got, want := slices.Clone(g[lo:hi]), slices.Clone(shardSeq[lo:hi])
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("%s: window [%d, %d) holds rows %v, want the shard order's %v", name, lo, hi, got, want)
				}
			}
		case Buffer:
			buf := newBufferShuffle(n, int64(cfg.BufferSize), cfg.Seed, cfg.Epoch)
			for q, x := range referenceBuffer(&buf) {
				if g[q] != shardSeq[x] {
					t.Fatalf("%s: buffer delivers row %d at %d, the reference row %d", name, g[q], q, shardSeq[x])
				}
			}
		}
	}
}

// checkShardRuns checks that every shard's rows come as one run, in
// order, and that the shards come in some order.
func checkShardRuns(t *testing.T, name string, p *Plan, g []int64) {
	t.Helper()
	done := map[int]bool{}
	for q := 0; q < len(g); {
		s, off := p.Shard(g[q])
		if off != 0 || done[s] {
			t.Fatalf("%s: shard %d starts at offset %d, or again, at position %d", name, s, off, q)
		}
		done[s] = true
		for q < len(g) {
			s2, off2 := p.Shard(g[q])
			if s2 != s {
				break
			}
			if off2 != off {
				t.Fatalf("%s: shard %d row %d at position %d, want row %d", name, s, off2, q, off)
			}
			off++
			q++
		}
		if off != p.cfg.ShardRows[s] {
			t.Fatalf("%s: shard %d's run ends after %d of %d rows", name, s, off, p.cfg.ShardRows[s])
		}
	}
}

// TestDegenerateParameters checks that a window of one and a buffer of one
// leave the shard order as it is.
func TestDegenerateParameters(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		cfg := randConfig(r)
		cfg.Mode = Shards
		want := sequence(t, cfg)
		for _, m := range []Mode{Block, Buffer} {
			c := cfg
			c.Mode, c.Window, c.BufferSize = m, 1, 1
			if diff := cmp.Diff(want, sequence(t, c)); diff != "" {
				t.Fatalf("%s with window and buffer 1 differs from shards (-want +got):\n%s", m, diff)
			}
		}
	}
}

// expected returns what a plan for cfg must deliver, computed from the
// global sequence g by the partitioning rules alone.
func expected(cfg Config, g []int64) []int64 {
	cfg = cfg.withDefaults()
	n := int64(len(g))
	w := int64(cfg.World)
	rem := max(0, n-cfg.Start)
	rankLen := rem / w
	if !cfg.DropRemainder {
		rankLen = (rem + w - 1) / w
	}
	var out []int64
	for j := int64(cfg.Worker); j < rankLen; j += int64(cfg.Workers) {
		i := cfg.Start + j*w + int64(cfg.Rank)
		out = append(out, g[i%n])
	}
	return out
}

// TestPlanPartitions checks property 1 and the partitioning rules: every
// rank's and worker's plan, through All and through At, delivers the
// global sequence's positions the rules assign it.
func TestPlanPartitions(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range cases() {
		cfg := randConfig(r)
		g := sequence(t, cfg)
		if n := int64(len(g)); n > 0 && r.IntN(3) == 0 {
			cfg.Start = r.Int64N(n + 2)
		}
		p := mustPlan(t, cfg)
		want := expected(cfg, g)
		got := collect(t, p, 0)
		if diff := cmp.Diff(want, got, cmpNilEmpty); diff != "" {
			t.Fatalf("case %d %+v (-want +got):\n%s", i, cfg, diff)
		}
		for _, k := range r.Perm(len(want)) {
			if row := p.At(int64(k)); row != want[k] {
				t.Fatalf("case %d %+v: At(%d) = %d, want %d", i, cfg, k, row, want[k])
			}
		}
	}
}

var cmpNilEmpty = cmp.Comparer(func(a, b []int64) bool { return slices.Equal(a, b) })

// TestRanksCoverEpoch checks property 2: the ranks of a world deliver the
// same count each, every row at least once, and nothing but wrap-around
// pads twice.
func TestRanksCoverEpoch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range cases() {
		cfg := randConfig(r)
		n := total(cfg.ShardRows)
		count := map[int64]int{}
		var delivered int64
		for rank := range cfg.World {
			c := cfg
			c.Rank, c.Workers, c.Worker = rank, 1, 0
			p := mustPlan(t, c)
			wantLen := (n + int64(c.World) - 1) / int64(c.World)
			if c.DropRemainder {
				wantLen = n / int64(c.World)
			}
			if p.Len() != wantLen || p.RankLen() != wantLen {
				t.Fatalf("case %d: rank %d of %d has %d samples (rank %d), want %d", i, rank, c.World, p.Len(), p.RankLen(), wantLen)
			}
			for _, row := range collect(t, p, 0) {
				count[row]++
				delivered++
			}
		}
		w := int64(cfg.World)
		if cfg.DropRemainder {
			if int64(len(count)) != n/w*w || delivered != n/w*w {
				t.Fatalf("case %d: drop delivered %d samples of %d distinct rows, want %d of each", i, delivered, len(count), n/w*w)
			}
			for row, c := range count {
				if c != 1 {
					t.Fatalf("case %d: row %d delivered %d times", i, row, c)
				}
			}
			continue
		}
		if int64(len(count)) != n {
			t.Fatalf("case %d: %d distinct rows of %d", i, len(count), n)
		}
		pads := delivered - n
		if pads < 0 || pads > w-1 {
			t.Fatalf("case %d: %d pads in a world of %d", i, pads, w)
		}
		// The pads are the first positions of the sequence, once more
		// (several times over only when the world is larger than N).
		g := sequence(t, cfg)
		for q := range pads {
			count[g[q%n]]--
		}
		for row, c := range count {
			if c != 1 {
				t.Fatalf("case %d: row %d delivered %d times besides the pads", i, row, c)
			}
		}
	}
}

// TestElastic checks property 3: interleaving the ranks' outputs in turn
// gives the one-rank sequence, and interleaving a rank's workers gives the
// rank's.
func TestElastic(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range cases() {
		cfg := randConfig(r)
		g := sequence(t, cfg)
		n := int64(len(g))
		ranks := make([][]int64, cfg.World)
		for rank := range cfg.World {
			c := cfg
			c.Rank, c.Workers, c.Worker = rank, 1, 0
			ranks[rank] = collect(t, mustPlan(t, c), 0)
			// The rank's workers, interleaved, are the rank.
			workers := make([][]int64, cfg.Workers)
			for w := range cfg.Workers {
				c.Workers, c.Worker = cfg.Workers, w
				workers[w] = collect(t, mustPlan(t, c), 0)
			}
			if diff := cmp.Diff(ranks[rank], interleave(workers), cmpNilEmpty); diff != "" {
				t.Fatalf("case %d rank %d: workers interleaved (-rank +workers):\n%s", i, rank, diff)
			}
		}
		got := interleave(ranks)
		want := slices.Clone(g)
		if cfg.DropRemainder {
			want = want[:n/int64(cfg.World)*int64(cfg.World)]
		} else {
			for q := int64(0); int64(len(want)) < int64(len(got)); q++ {
				want = append(want, g[q%n])
			}
		}
		if diff := cmp.Diff(want, got, cmpNilEmpty); diff != "" {
			t.Fatalf("case %d %+v: ranks interleaved (-one rank +world):\n%s", i, cfg, diff)
		}
	}
}

// interleave takes one element from each sequence in turn until all are
// exhausted, as a data loader round-robins over its workers.
func interleave(seqs [][]int64) []int64 {
	var out []int64
	for k := 0; ; k++ {
		took := false
		for _, s := range seqs {
			if k < len(s) {
				out = append(out, s[k])
				took = true
			}
		}
		if !took {
			return out
		}
	}
}

// TestResumeFromPosition checks property 4 for positions: All(k) is All(0)
// without its first k samples, in every mode.
func TestResumeFromPosition(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range cases() {
		cfg := randConfig(r)
		p := mustPlan(t, cfg)
		all := collect(t, p, 0)
		starts := []int64{-3, 0, 1, p.Len() - 1, p.Len(), p.Len() + 5}
		for range 5 {
			starts = append(starts, r.Int64N(p.Len()+1))
		}
		for _, k := range starts {
			got := collect(t, p, k)
			want := all[min(max(k, 0), int64(len(all))):]
			if diff := cmp.Diff(want, got, cmpNilEmpty); diff != "" {
				t.Fatalf("case %d %s: All(%d) (-want +got):\n%s", i, cfg.Mode, k, diff)
			}
		}
	}
}

// TestCallPatterns checks that how a plan is used does not change what
// it delivers: random access in random order, iterators abandoned and
// restarted, several goroutines at once.
func TestCallPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for i := range cases() / 3 {
		cfg := randConfig(r)
		p := mustPlan(t, cfg)
		want := collect(t, p, 0)
		// An iterator broken off early, then others from where it was.
		var got []int64
		for k := int64(0); k < p.Len(); {
			stop := k + 1 + r.Int64N(50)
			for kk, row := range p.All(k) {
				got = append(got, row)
				k = kk + 1
				if k == stop {
					break
				}
			}
		}
		if diff := cmp.Diff(want, got, cmpNilEmpty); diff != "" {
			t.Fatalf("case %d %s: broken-off iteration (-want +got):\n%s", i, cfg.Mode, diff)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for g := range 4 {
			wg.Go(func() {
				rr := rand.New(rand.NewPCG(uint64(g), 1))
				for _, k := range rr.Perm(len(want)) {
					if row := p.At(int64(k)); row != want[k] {
						errs <- fmt.Sprintf("At(%d) = %d, want %d", k, row, want[k])
						return
					}
				}
				if g%2 == 0 {
					if !slices.Equal(collect(t, p, 0), want) {
						errs <- "concurrent All differs"
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatalf("case %d %s: %s", i, cfg.Mode, e)
		}
	}
}

// TestSeedAndEpoch checks property 5: the order depends on the seed and
// the epoch, and on nothing else.
func TestSeedAndEpoch(t *testing.T) {
	base := Config{ShardRows: []int64{300, 0, 250, 125, 400, 90, 310, 7, 200, 118}, Seed: 77, Window: 128, BufferSize: 50}
	for m := range numModes {
		t.Run(m.String(), func(t *testing.T) {
			cfg := base
			cfg.Mode = m
			first := sequence(t, cfg)
			if again := sequence(t, cfg); !slices.Equal(first, again) {
				t.Fatal("same seed and epoch gave a different order")
			}
			for _, change := range []func(*Config){
				func(c *Config) { c.Epoch++ },
				func(c *Config) { c.Seed++ },
				func(c *Config) { c.Seed ^= 1 << 63 },
			} {
				c := cfg
				change(&c)
				other := sequence(t, c)
				if same := slices.Equal(first, other); same != (m == None) {
					t.Errorf("seed %d epoch %d: same order = %v", c.Seed, c.Epoch, same)
				}
			}
		})
	}
}
