package dataset

import (
	"context"
	"fmt"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
)

// ScanOptions choose what Batches and Rows read. A nil *ScanOptions reads
// every column in the files' own batches.
type ScanOptions struct {
	// Columns projects onto these columns in this order; nil means all.
	// Parquet shards decode only these columns.
	Columns []string
	// BatchRows makes every batch exactly this many rows (the last one may
	// be shorter), slicing and joining the files' batches as needed. Zero
	// keeps the files' own batches.
	BatchRows int
}

// Batches yields the dataset's record batches in order.
//
// Ownership: a yielded batch is valid until the loop body returns. Call
// Retain to keep it longer, and Release when done. Batches of memory-mapped
// Arrow shards point into the mapping, which stays mapped while any batch
// borrows it. A non-nil error is yielded once, last; breaking out of the
// loop releases everything the iteration holds.
func (d *Dataset) Batches(ctx context.Context, opts *ScanOptions) iter.Seq2[arrow.RecordBatch, error] {
	var o ScanOptions
	if opts != nil {
		o = *opts
	}
	seq := d.scanColumns(ctx, o.Columns) // column operations, then scan (columns_scan.go)
	if o.BatchRows > 0 {
		seq = rebatch(seq, o.BatchRows, d.mem())
	}
	return seq
}

func (d *Dataset) mem() memory.Allocator {
	if d.cfg.mem != nil {
		return d.cfg.mem
	}
	return memory.DefaultAllocator
}

// scan yields every shard's batches, projected onto columns.
func (d *Dataset) scan(ctx context.Context, columns []string) iter.Seq2[arrow.RecordBatch, error] {
	if d.rows != nil {
		return d.scanView(ctx, columns) // views yield in view order (viewscan.go)
	}
	return func(yield func(arrow.RecordBatch, error) bool) {
		if d.files == nil {
			yield(nil, fmt.Errorf("dataset %s: use after Close", d.name))
			return
		}
		idx, err := columnIndices(d.schema, columns)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, sf := range d.files.shards {
			if !d.scanShard(ctx, sf, columns, idx, yield) {
				return
			}
		}
	}
}

// scanShard yields one shard's batches; it returns false when iteration
// must stop (the consumer broke out or an error was yielded).
func (d *Dataset) scanShard(ctx context.Context, sf *shardFile, columns []string, idx []int, yield func(arrow.RecordBatch, error) bool) bool {
	r := sf.r
	project := idx != nil
	if project && sf.kind.Format == format.Parquet {
		// Parquet decodes only what is asked for: reopen projected.
		pr, err := openReader(sf.src, sf.kind, d.cfg, columns)
		if err != nil {
			return yield(nil, err)
		}
		defer pr.Close()
		r, project = pr, false
	}
	for b, err := range r.Batches(ctx) {
		if err != nil {
			return yield(nil, fmt.Errorf("%s: %w", sf.path, err))
		}
		if err := ctx.Err(); err != nil {
			return yield(nil, err)
		}
		if !project {
			if !yield(b, nil) {
				return false
			}
			continue
		}
		pb := selectColumns(b, idx)
		ok := yield(pb, nil)
		pb.Release()
		if !ok {
			return false
		}
	}
	return true
}

// columnIndices resolves names against schema; nil names give nil.
func columnIndices(schema *arrow.Schema, names []string) ([]int, error) {
	if names == nil {
		return nil, nil
	}
	idx := make([]int, len(names))
	for i, n := range names {
		found := schema.FieldIndices(n)
		if len(found) == 0 {
			return nil, fmt.Errorf("%w: no column %q (columns: %s)", ErrNotFound, n, fieldNames(schema))
		}
		idx[i] = found[0]
	}
	return idx, nil
}

func fieldNames(s *arrow.Schema) string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return fmt.Sprint(names)
}

// selectColumns returns a new batch of b's columns idx (zero copy).
func selectColumns(b arrow.RecordBatch, idx []int) arrow.RecordBatch {
	fields := make([]arrow.Field, len(idx))
	cols := make([]arrow.Array, len(idx))
	for i, j := range idx {
		fields[i] = b.Schema().Field(j)
		cols[i] = b.Column(j)
	}
	md := b.Schema().Metadata()
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, b.NumRows())
}

// rebatch reshapes a sequence of batches into batches of exactly n rows
// (the last may be shorter). Slices are zero-copy; a batch that spans input
// batches is concatenated into mem.
func rebatch(seq iter.Seq2[arrow.RecordBatch, error], n int, mem memory.Allocator) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		var pending []arrow.RecordBatch
		var rows int64
		defer func() {
			for _, p := range pending {
				p.Release()
			}
		}()
		flush := func() bool {
			out, err := gather.Concat(mem, pending)
			for _, p := range pending {
				p.Release()
			}
			pending, rows = pending[:0], 0
			if err != nil {
				yield(nil, err)
				return false
			}
			ok := yield(out, nil)
			out.Release()
			return ok
		}
		for b, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			for off := int64(0); off < b.NumRows(); {
				take := min(int64(n)-rows, b.NumRows()-off)
				pending = append(pending, b.NewSlice(off, off+take))
				rows += take
				off += take
				if rows == int64(n) && !flush() {
					return
				}
			}
		}
		if rows > 0 {
			flush()
		}
	}
}
