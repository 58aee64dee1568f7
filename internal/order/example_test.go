package order_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/tome-data/tome/internal/order"
)

// rowsOf collects a plan's row indices.
func rowsOf(p *order.Plan) []int64 {
	var rows []int64
	for _, row := range p.All(0) {
		rows = append(rows, row)
	}
	return rows
}

// Two ranks share seven rows in manifest order. Rank r takes global
// positions r, r+2, ...; rank 1 is padded with the epoch's first row so
// that both deliver four samples.
func ExampleNewPlan() {
	for rank := range 2 {
		p, err := order.NewPlan(order.Config{ShardRows: []int64{4, 3}, World: 2, Rank: rank})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rank %d: %v\n", rank, rowsOf(p))
	}
	// Output:
	// rank 0: [0 2 4 6]
	// rank 1: [1 3 5 0]
}

// The shuffled orders are pure functions of the configuration: this
// output is the same on every machine and every run, and must stay so,
// since saved states depend on it.
func ExamplePlan_All() {
	for _, mode := range []order.Mode{order.None, order.Shards, order.Block, order.Global, order.Buffer} {
		p, err := order.NewPlan(order.Config{
			ShardRows:  []int64{4, 4, 4},
			Seed:       42,
			Mode:       mode,
			Window:     4,
			BufferSize: 3,
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-6s %v\n", mode, rowsOf(p))
	}
	// Output:
	// none   [0 1 2 3 4 5 6 7 8 9 10 11]
	// shards [8 9 10 11 0 1 2 3 4 5 6 7]
	// block  [11 10 8 9 1 3 0 2 4 6 7 5]
	// global [6 5 1 9 2 11 7 10 8 3 4 0]
	// buffer [9 11 10 8 1 2 3 5 4 7 6 0]
}

// A job on two ranks saves its state after each rank has delivered three
// samples, and resumes on three ranks: together they deliver the rest of
// the epoch's global sequence, rank 2 padded with its first row.
func ExampleResume() {
	shards := []int64{5, 5}
	p, err := order.NewPlan(order.Config{ShardRows: shards, Seed: 7, Mode: order.Global, World: 2})
	if err != nil {
		log.Fatal(err)
	}
	st, err := p.State(3, "my-dataset")
	if err != nil {
		log.Fatal(err)
	}
	data, _ := json.Marshal(st)
	fmt.Printf("consumed %d of %d\n", st.Consumed, p.Rows())
	fmt.Println("whole epoch:", rowsOf(mustGlobal(shards, 7)))

	saved, err := order.ParseState(data)
	if err != nil {
		log.Fatal(err)
	}
	for rank := range 3 {
		cfg, err := order.Resume(order.Config{ShardRows: shards, World: 3, Rank: rank}, saved, "my-dataset")
		if err != nil {
			log.Fatal(err)
		}
		q, err := order.NewPlan(cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rank %d of 3 delivers %v from global positions %d, %d\n", rank, rowsOf(q), q.Position(0), q.Position(1))
	}
	// Output:
	// consumed 6 of 10
	// whole epoch: [4 6 0 7 3 9 2 8 1 5]
	// rank 0 of 3 delivers [2 5] from global positions 6, 9
	// rank 1 of 3 delivers [8 4] from global positions 7, 10
	// rank 2 of 3 delivers [1 6] from global positions 8, 11
}

func mustGlobal(shards []int64, seed uint64) *order.Plan {
	p, err := order.NewPlan(order.Config{ShardRows: shards, Seed: seed, Mode: order.Global})
	if err != nil {
		log.Fatal(err)
	}
	return p
}

// A Block-mode reader asks which rows a window covers, reads them shard
// by shard, and gathers its samples from them.
func ExamplePlan_WindowOf() {
	p, err := order.NewPlan(order.Config{ShardRows: []int64{6, 6}, Mode: order.Block, Window: 4, Seed: 2})
	if err != nil {
		log.Fatal(err)
	}
	for k := int64(0); k < p.Len(); {
		w, _ := p.WindowOf(k)
		fmt.Printf("window %d: samples %d-%d from rows %v\n", w.Index, w.Local.Start, w.Local.End-1, w.Rows)
		k = w.Local.End
	}
	// Output:
	// window 0: samples 0-3 from rows [{6 10}]
	// window 1: samples 4-7 from rows [{10 12} {0 2}]
	// window 2: samples 8-11 from rows [{2 6}]
}

func ExampleFingerprint() {
	fmt.Println(order.Fingerprint([]int64{1000, 1000, 500}, "split=train"))
	// Output:
	// 775bd9c405a38cbedba60d5d2668b27f
}
