package viewer

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/dataset"
)

// eachRows calls visit with the rows [offset, offset+limit) of d, cut
// short at its end, in one or more batches that are valid only during the
// call. Datasets with random access gather just those rows; JSON Lines and
// CSV, which have none, are scanned up to them.
func eachRows(ctx context.Context, d *dataset.Dataset, offset, limit int64, visit func(arrow.RecordBatch) error) error {
	if n := d.Len(); n >= 0 {
		if offset >= n {
			return nil
		}
		limit = min(limit, n-offset)
		indices := make([]int64, limit)
		for i := range indices {
			indices[i] = offset + int64(i)
		}
		b, err := d.Take(ctx, indices)
		if err == nil {
			defer b.Release()
			return visit(b)
		}
		if !errors.Is(err, dataset.ErrNoRandomAccess) {
			return err
		}
	}
	return scanRows(ctx, d, offset, limit, visit)
}

func scanRows(ctx context.Context, d *dataset.Dataset, offset, limit int64, visit func(arrow.RecordBatch) error) error {
	skip := offset
	for b, err := range d.Batches(ctx, nil) {
		if err != nil {
			return fmt.Errorf("reading rows %d to %d: %w", offset, offset+limit, err)
		}
		n := b.NumRows()
		if skip >= n {
			skip -= n
			continue
		}
		end := min(n, skip+limit)
		part := b.NewSlice(skip, end)
		err := visit(part)
		part.Release()
		if err != nil {
			return err
		}
		limit -= end - skip
		skip = 0
		if limit == 0 {
			break
		}
	}
	return nil
}
