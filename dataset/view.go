package dataset

import (
	"fmt"
)

// view returns a Dataset over the same files with rows mapped through m
// (relative to d's rows). The view shares d's files; close it like any
// Dataset.
func (d *Dataset) view(m indexMap) *Dataset {
	v := *d
	v.rows = compose(m, d.rows)
	d.files.retain()
	return &v
}

// baseLen is the number of rows a view can address, or an error when the
// files do not record their row counts.
func (d *Dataset) needLen(op string) (int64, error) {
	n := d.Len()
	if n < 0 {
		return 0, fmt.Errorf("%s: %w (convert JSON Lines or CSV to Arrow or Parquet first)", op, ErrNoRandomAccess)
	}
	return n, nil
}

// Select returns a view of the rows at indices, in that order (repeats
// allowed). It copies no data.
func (d *Dataset) Select(indices []int64) (*Dataset, error) {
	n, err := d.needLen("select")
	if err != nil {
		return nil, err
	}
	for _, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("select: %w: %d not in [0, %d)", ErrOutOfRange, i, n)
		}
	}
	return d.view(sliceMap(indices).clone()), nil
}

// Shard returns shard i of n, as Hugging Face's Dataset.shard does:
// contiguous takes the i-th of n consecutive blocks (the first len%n blocks
// one row longer); otherwise rows i, i+n, i+2n, ...
func (d *Dataset) Shard(n, i int, contiguous bool) (*Dataset, error) {
	total, err := d.needLen("shard")
	if err != nil {
		return nil, err
	}
	if n <= 0 || i < 0 || i >= n {
		return nil, fmt.Errorf("shard: index %d of %d shards: %w", i, n, ErrOutOfRange)
	}
	N, I := int64(n), int64(i)
	if contiguous {
		size, extra := total/N, total%N
		start := I*size + min(I, extra)
		rows := size
		if I < extra {
			rows++
		}
		return d.view(rangeMap{start: start, step: 1, n: rows}), nil
	}
	rows := (total - I + N - 1) / N
	if I >= total {
		rows = 0
	}
	return d.view(rangeMap{start: I, step: N, n: rows}), nil
}
