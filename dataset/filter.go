package dataset

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Filter returns a view of the rows for which pred returns true, in order,
// as Hugging Face's Dataset.filter does, but without writing anything: it
// reads the dataset once, calling pred on every row, and keeps the
// positions of the rows kept (as runs of consecutive rows where that is
// smaller than a list). The data stays in the files.
//
// pred sees each Row only during the call (see Row for what it borrows).
// An error from pred stops the scan and is returned naming the row.
// Filter needs random access to build a view: a dataset of JSON Lines or
// CSV files gives ErrNoRandomAccess.
func (d *Dataset) Filter(ctx context.Context, pred func(Row) (bool, error)) (*Dataset, error) {
	var mask []bool
	return d.filter(ctx, nil, func(b arrow.RecordBatch, first int64) ([]bool, error) {
		mask = mask[:0]
		for i := range int(b.NumRows()) {
			keep, err := pred(NewRow(b, i))
			if err != nil {
				return nil, fmt.Errorf("filter: row %d: %w", first+int64(i), err)
			}
			mask = append(mask, keep)
		}
		return mask, nil
	})
}

// FilterBatches is Filter with a predicate over whole batches, for speed
// (a vectorised comparison, an Arrow compute kernel): pred returns one
// bool per row of the batch, true to keep it. opts chooses what pred sees:
// Columns limits the batches to the columns it needs (a Parquet dataset
// then decodes only those), BatchRows sets their size; the view keeps
// every column either way. The mask is read before the next call, so pred
// may reuse it.
func (d *Dataset) FilterBatches(ctx context.Context, pred func(arrow.RecordBatch) ([]bool, error), opts *ScanOptions) (*Dataset, error) {
	return d.filter(ctx, opts, func(b arrow.RecordBatch, first int64) ([]bool, error) {
		mask, err := pred(b)
		if err != nil {
			return nil, fmt.Errorf("filter: rows %d to %d: %w", first, first+b.NumRows()-1, err)
		}
		return mask, nil
	})
}

// filter scans d once and returns the view of the rows pred keeps; pred
// gets each batch and the position of its first row, and wraps its own
// errors.
func (d *Dataset) filter(ctx context.Context, opts *ScanOptions, pred func(b arrow.RecordBatch, first int64) ([]bool, error)) (*Dataset, error) {
	if err := d.checkOpen("filter"); err != nil {
		return nil, err
	}
	n, err := d.needLen("filter")
	if err != nil {
		return nil, err
	}
	var kept runsBuilder
	var row int64
	for b, err := range d.Batches(ctx, opts) {
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		mask, err := pred(b, row)
		if err != nil {
			return nil, err
		}
		if int64(len(mask)) != b.NumRows() {
			return nil, fmt.Errorf("filter: rows %d to %d: the predicate returned %d values for %d rows", row, row+b.NumRows()-1, len(mask), b.NumRows())
		}
		for i, keep := range mask {
			if keep {
				kept.add(row + int64(i))
			}
		}
		row += b.NumRows()
	}
	if row != n {
		return nil, fmt.Errorf("filter: %s: read %d rows, the dataset has %d", d.name, row, n)
	}
	return d.view(kept.indexMap()), nil
}
