package dataset

import (
	"fmt"

	"github.com/tome-data/tome/internal/order"
)

// Shuffle returns a view of the rows in an order permuted by seed: the
// same seed gives the same order on every run and machine, and different
// seeds independent ones. It copies no data and stores no index: row i of
// the view is found by a keyed bijection on [0, Len) (the global shuffle
// of the training order, a Feistel network with cycle walking), so the
// view costs O(1) memory whatever the length.
//
// The order is tome's own, not that of Hugging Face's Dataset.shuffle
// (which draws a NumPy permutation): the same seed does not give the same
// order in both. Reading a shuffled view touches rows all over the files,
// which is fast for memory-mapped Arrow shards and slow for Parquet.
func (d *Dataset) Shuffle(seed uint64) (*Dataset, error) {
	if err := d.checkOpen("shuffle"); err != nil {
		return nil, err
	}
	n, err := d.needLen("shuffle")
	if err != nil {
		return nil, err
	}
	p, err := newPermutation(n, seed)
	if err != nil {
		return nil, err
	}
	return d.view(permMap{p: p, n: n}), nil
}

// newPermutation returns the keyed permutation of [0, n) for seed.
func newPermutation(n int64, seed uint64) (*order.Plan, error) {
	p, err := order.NewPlan(order.Config{ShardRows: []int64{n}, Seed: seed, Mode: order.Global})
	if err != nil {
		return nil, fmt.Errorf("shuffle: %w", err)
	}
	return p, nil
}

// permMap is positions off, off+1, ..., off+n-1 of a permutation: all of
// it for Shuffle, the test or train part of it for TrainTestSplit.
type permMap struct {
	p      *order.Plan
	off, n int64
}

func (m permMap) Len() int64       { return m.n }
func (m permMap) At(i int64) int64 { return m.p.At(m.off + i) }
func (m permMap) String() string   { return fmt.Sprintf("permutation[%d:%d]", m.off, m.off+m.n) }
