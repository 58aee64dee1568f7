package dataset

import (
	"context"
	"iter"
)

// Rows yields the dataset's rows in order as views into their batches.
//
// Ownership: a Row borrows its batch and is valid until the loop body
// returns. To keep values, copy them out (Get, Value, or a Decoder), or
// Retain row.Batch() and Release it when done.
func (d *Dataset) Rows(ctx context.Context, opts *ScanOptions) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for b, err := range d.Batches(ctx, opts) {
			if err != nil {
				yield(Row{}, err)
				return
			}
			for i := range int(b.NumRows()) {
				if !yield(NewRow(b, i), nil) {
					return
				}
			}
		}
	}
}

// Scan yields the dataset's rows decoded into values of type T, a struct
// whose fields name columns through `tome:"name"` tags (falling back to
// `json` tags, then field names); see NewDecoder for the rules. A struct
// that cannot match the schema fails before any row is read, with an error
// naming the field. Yielded values are the caller's and outlive the
// iteration and the Dataset: the strings and slices of the rows of one
// batch share one allocation per column (keeping one row keeps that block
// alive, not the batch). For Parquet shards decoded with the Go allocator
// (the default) that block is the decoded column itself: strings, byte
// slices and slices of numbers point into the batch's buffers, which
// nothing else holds or writes to once Scan has decoded them, instead of
// being copied out of it. For embedding rows that copy was the largest
// cost of the decode (BenchmarkScanTypedEndToEnd).
//
// Rows come in order. With more than one CPU, batches of Arrow, JSON Lines
// and CSV shards are decoded on worker goroutines, a few batches ahead of
// the loop body, while the next batches are read: at most
// scanAhead(GOMAXPROCS) batches are held at once, and breaking out of the
// loop stops the workers before Scan returns. Parquet shards are decoded
// on the loop's goroutine: their reader already decodes row groups ahead
// on every CPU, and more goroutines only contend with it (measured in
// BenchmarkScanTypedEndToEnd).
func Scan[T any](ctx context.Context, d *Dataset, opts *ScanOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if workers := scanWorkers(); workers > 1 && !d.decodesAhead() {
			scanParallel(ctx, d, opts, workers, yield)
			return
		}
		var zero T
		var dec *Decoder[T]
		var buf []T
		borrow := d.batchesOnGoHeap()
		for b, err := range d.Batches(ctx, opts) {
			if err != nil {
				yield(zero, err)
				return
			}
			if dec == nil {
				if dec, err = newDecoder[T](b.Schema(), borrow); err != nil {
					yield(zero, err)
					return
				}
			}
			if buf, err = dec.AppendBatch(buf[:0], b); err != nil {
				yield(zero, err)
				return
			}
			for _, v := range buf {
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}
