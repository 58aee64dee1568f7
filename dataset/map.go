package dataset

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/stream"
)

// DefaultMapShardBytes is the size at which Map starts a new output shard.
const DefaultMapShardBytes = 256 << 20

// MapOptions configure Map. The zero value calls the function on one
// batch at a time, on the files' own batches of every column, and writes
// under the user cache directory.
type MapOptions struct {
	// Workers is how many calls of the function may run at once; 0 or 1
	// means one. The output is in input order whatever the timing.
	Workers int
	// Columns are the columns the function sees (nil: all), as in
	// ScanOptions; a Parquet dataset decodes only these.
	Columns []string
	// BatchRows makes the function see batches of exactly this many rows
	// (the last may be shorter), as Hugging Face's batch_size does; zero
	// keeps the files' own batches.
	BatchRows int
	// CacheDir is where the output goes: Map creates a new directory in it
	// for every call. Empty means the tome/map directory of
	// os.UserCacheDir. tome never deletes a finished output: remove the
	// directory (the result's Name) when no Dataset over it is open.
	CacheDir string
	// ShardBytes starts a new output shard once a shard holds this many
	// bytes; zero means DefaultMapShardBytes.
	ShardBytes int64
}

// A MapFunc makes an output batch from an input batch. The input is valid
// during the call only. Map owns the returned batch and releases it once
// written: return a new batch, or Retain the input (or a slice of it)
// before returning it. Every call must return the same column names and
// types.
type MapFunc func(arrow.RecordBatch) (arrow.RecordBatch, error)

// Map runs fn over every batch of the dataset, in order, and returns a
// dataset of its results, as Hugging Face's Dataset.map with batched=True
// does. The results are written to Arrow IPC stream files (the format of
// Hugging Face's cache files) named data-00000.arrow, data-00001.arrow, ...
// in a new directory under opts.CacheDir, each written atomically, a new
// one begun every opts.ShardBytes; the returned Dataset memory-maps them,
// so reading it is zero-copy. The output may have any schema, and any
// number of rows: returning fewer rows filters, more expands.
//
// Every call writes anew: Map does not look for an earlier output of the
// same function to reuse, since it cannot tell two functions apart. On
// error, or when ctx is canceled, the new directory is removed. A panic in
// fn becomes an error.
//
// On an empty dataset fn is called once, on a batch of no rows, to learn
// the output schema.
func (d *Dataset) Map(ctx context.Context, fn MapFunc, opts MapOptions) (_ *Dataset, err error) {
	if err := d.checkOpen("map"); err != nil {
		return nil, err
	}
	dir, err := mapDir(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	limit := opts.ShardBytes
	if limit <= 0 {
		limit = DefaultMapShardBytes
	}
	w := &shardWriter{dir: dir, limit: limit, mem: d.mem()}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.abort(), os.RemoveAll(dir))
		}
	}()

	scan := &ScanOptions{Columns: opts.Columns, BatchRows: opts.BatchRows}
	for out, err := range d.mapBatches(ctx, fn, scan, opts.Workers) {
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
		err = w.write(out)
		out.Release()
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
	}
	if w.schema == nil { // no input batches: learn the schema from an empty one
		out, err := d.mapEmpty(fn, opts.Columns)
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
		err = w.write(out)
		out.Release()
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
	}
	paths, err := w.close()
	if err != nil {
		return nil, fmt.Errorf("map: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d.openMapped(ctx, dir, paths)
}

// mapDir creates the output directory of one Map call.
func mapDir(cacheDir string) (string, error) {
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("map: no cache directory (set MapOptions.CacheDir): %w", err)
		}
		cacheDir = filepath.Join(base, "tome", "map")
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("map: %w", err)
	}
	dir, err := os.MkdirTemp(cacheDir, "map-")
	if err != nil {
		return "", fmt.Errorf("map: %w", err)
	}
	return dir, nil
}

// mapBatches yields fn's output for every input batch, in order; the
// consumer releases each output. With several workers the inputs are
// retained while they wait for one.
func (d *Dataset) mapBatches(ctx context.Context, fn MapFunc, scan *ScanOptions, workers int) iter.Seq2[arrow.RecordBatch, error] {
	in := d.Batches(ctx, scan)
	if workers <= 1 {
		return func(yield func(arrow.RecordBatch, error) bool) {
			for b, err := range in {
				if err != nil {
					yield(nil, err)
					return
				}
				out, err := callMap(fn, b)
				if !yield(out, err) || err != nil {
					return
				}
			}
		}
	}
	retained := func(yield func(arrow.RecordBatch, error) bool) {
		for b, err := range in {
			if err != nil {
				yield(nil, err)
				return
			}
			b.Retain()
			if !yield(b, nil) {
				return
			}
		}
	}
	// ParallelMap calls the function once for every input it reads, so
	// the input's release is never skipped; outputs it never yields go to
	// OnDiscard.
	return stream.ParallelMap(ctx, retained, workers,
		func(_ context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
			defer b.Release()
			return callMap(fn, b)
		},
		stream.OnDiscard(func(b arrow.RecordBatch) {
			if b != nil {
				b.Release()
			}
		}))
}

// callMap calls fn, turning a panic, a nil batch or a batch returned with
// an error into an error.
func callMap(fn MapFunc, b arrow.RecordBatch) (out arrow.RecordBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("the function panicked: %v", r)
		}
	}()
	out, err = fn(b)
	switch {
	case err != nil:
		if out != nil {
			out.Release()
		}
		return nil, err
	case out == nil:
		return nil, errors.New("the function returned a nil batch")
	}
	return out, nil
}

// mapEmpty calls fn on a batch of no rows of the input columns.
func (d *Dataset) mapEmpty(fn MapFunc, columns []string) (arrow.RecordBatch, error) {
	schema, err := d.outputSchema(columns)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = array.MakeArrayOfNull(d.mem(), f.Type, 0)
	}
	empty := array.NewRecordBatch(schema, cols, 0)
	for _, c := range cols {
		c.Release()
	}
	defer empty.Release()
	return callMap(fn, empty)
}

// openMapped opens Map's output as a dataset with d's options and split
// name.
func (d *Dataset) openMapped(ctx context.Context, dir string, paths []string) (*Dataset, error) {
	split := d.split
	if split == "" {
		split = defaultSplitName
	}
	cfg := d.cfg
	cfg.split, cfg.config, cfg.schema = split, "", nil
	layout := &Layout{Root: dir, Kind: LayoutFiles, Splits: []SplitLayout{{Name: split, Files: paths}}}
	return openLayout(ctx, dir, layout, cfg)
}
