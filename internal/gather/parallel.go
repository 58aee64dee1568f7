package gather

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// parallelValues is the number of values (rows times columns) from which
// Batch gathers columns in parallel: below it, starting goroutines costs
// more than it saves.
const parallelValues = 16 << 10

// byCost orders columns from the costliest to gather to the cheapest, so
// parallel workers finish together: nested and variable-length columns
// first.
func byCost(schema *arrow.Schema) []int {
	order := make([]int, schema.NumFields())
	cost := make([]int, len(order))
	for i := range order {
		order[i], cost[i] = i, typeCost(schema.Field(i).Type)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cost[b] - cost[a] })
	return order
}

func typeCost(dt arrow.DataType) int {
	switch t := dt.(type) {
	case arrow.ExtensionType:
		return typeCost(t.StorageType())
	case arrow.NestedType:
		c := 2
		for _, f := range t.Fields() {
			c += typeCost(f.Type)
		}
		return c
	case arrow.BinaryDataType:
		return 4
	}
	return 1
}

// forEachColumn calls fn for every column of schema, on up to GOMAXPROCS
// goroutines when there are values enough to be worth it, the costliest
// columns first so the workers finish together.
func forEachColumn(schema *arrow.Schema, values int, fn func(c int)) {
	nc := schema.NumFields()
	workers := min(runtime.GOMAXPROCS(0), nc)
	if workers < 2 || values < parallelValues {
		for c := range nc {
			fn(c)
		}
		return
	}
	order := byCost(schema)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < nc; k = int(next.Add(1) - 1) {
				fn(order[k])
			}
		})
	}
	wg.Wait()
}
