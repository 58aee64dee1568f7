package order

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// collect returns the rows a plan delivers, in order.
func collect(t testing.TB, p *Plan, start int64) []int64 {
	t.Helper()
	var rows []int64
	want := max(start, 0)
	for k, row := range p.All(start) {
		if k != want {
			t.Fatalf("All(%d) yielded position %d, want %d", start, k, want)
		}
		want++
		rows = append(rows, row)
	}
	if got := int64(len(rows)); got != max(0, p.Len()-max(start, 0)) {
		t.Fatalf("All(%d) yielded %d samples, Len %d", start, got, p.Len())
	}
	return rows
}

// mustPlan returns cfg's plan or fails the test.
func mustPlan(t testing.TB, cfg Config) *Plan {
	t.Helper()
	p, err := NewPlan(cfg)
	if err != nil {
		t.Fatalf("NewPlan(%+v): %v", cfg, err)
	}
	return p
}

// sequence returns the epoch's global sequence of cfg: what a single rank
// with a single worker delivers from the start of the epoch.
func sequence(t testing.TB, cfg Config) []int64 {
	t.Helper()
	cfg.World, cfg.Rank, cfg.Workers, cfg.Worker, cfg.Start = 1, 0, 1, 0, 0
	cfg.DropRemainder = false
	return collect(t, mustPlan(t, cfg), 0)
}

// randConfig draws a small configuration: up to a few thousand rows in
// shards of uneven size, some of them empty, and small windows and buffers
// so that every code path (several windows, steady and drain phases,
// sparse and dense buffer access) is exercised.
func randConfig(r *rand.Rand) Config {
	shards := make([]int64, r.IntN(12))
	for i := range shards {
		switch r.IntN(5) {
		case 0:
			shards[i] = 0
		case 1:
			shards[i] = int64(r.IntN(3))
		default:
			shards[i] = int64(r.IntN(400))
		}
	}
	world := 1 + r.IntN(7)
	workers := 1 + r.IntN(3)
	return Config{
		ShardRows:     shards,
		Seed:          r.Uint64(),
		Epoch:         r.IntN(4),
		Mode:          Mode(r.IntN(int(numModes))),
		Window:        1 + r.IntN([]int{8, 300, 3000}[r.IntN(3)]),
		BufferSize:    1 + r.IntN(64),
		World:         world,
		Rank:          r.IntN(world),
		Workers:       workers,
		Worker:        r.IntN(workers),
		DropRemainder: r.IntN(2) == 0,
	}
}

func total(shardRows []int64) int64 {
	var n int64
	for _, s := range shardRows {
		n += s
	}
	return n
}

func isPermutation(rows []int64, n int64) bool {
	s := slices.Clone(rows)
	slices.Sort(s)
	for i, v := range s {
		if v != int64(i) {
			return false
		}
	}
	return int64(len(s)) == n
}
