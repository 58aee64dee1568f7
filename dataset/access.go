package dataset

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/internal/gather"
)

// Row returns row i of the dataset, or of the view (Select, Shard, ...)
// d is. Locating the row is a search over the chunks' row counts, taken
// once from metadata (a proportional guess, which files cut into equal
// chunks always hit, else a binary search); its chunk is read once and
// kept in a cache that every view of the dataset shares, so further rows
// of it cost a lookup. Over a memory-mapped Arrow shard a chunk is
// zero-copy and a Row costs a few hundred nanoseconds.
//
// In a Parquet shard with a page index (tome writes one) the chunk read is
// not the row group but the rows one page of each column holds: a Row reads
// and decodes a page per column, plus the dictionary pages, and over HTTP
// fetches those bytes alone. A row group already in the cache (from Take
// or an earlier Row of a file without a page index) serves the row as it
// is. See access_page.go.
//
// Ownership: the Row holds a reference to the batch it points into, which
// keeps that batch (and the mapping under it) alive after the cache has
// moved on and after the Dataset is closed. Call Release once when done
// with it. Values read from the Row (Get, Value, a Decoder) are copies
// that outlive it.
//
// Errors: ErrOutOfRange for i outside [0, Len()), ErrNoRandomAccess for
// JSON Lines or CSV shards, and read errors wrapping format's sentinels.
func (d *Dataset) Row(ctx context.Context, i int64) (Row, error) {
	base, err := d.baseRow("row", i)
	if err != nil {
		return Row{}, err
	}
	a, err := d.access()
	if err != nil {
		return Row{}, err
	}
	loc, err := a.find(base)
	if err != nil {
		return Row{}, err
	}
	ch, row, err := a.rowChunk(ctx, loc)
	if err != nil {
		return Row{}, err
	}
	defer ch.release()
	bi, r := ch.find(row)
	rec := ch.batches[bi]
	if d.cols == nil {
		rec.Retain()
		return Row{rec: rec, i: r}, nil
	}
	// Column operations apply to the one row only, so a cast costs one
	// value, not the chunk.
	one := rec.NewSlice(int64(r), int64(r)+1)
	defer one.Release()
	out, err := d.applyColumns(ctx, one)
	if err != nil {
		return Row{}, err
	}
	return Row{rec: out, i: 0}, nil
}

// Take returns a new batch of the rows at indices, in that order (repeats
// allowed), copied out of the shards by a type-specialised gather kernel.
// The batch is the caller's to release; its buffers come from the
// dataset's allocator and borrow nothing from the files.
//
// Rows are read chunk by chunk through the dataset's chunk cache. Over
// decoded shards (Parquet, compressed Arrow) with indices scattered over
// more chunks than the cache's byte budget holds, the rows are gathered in
// parts, each holding at most that budget of chunks, and joined.
//
// Errors: as Row's.
func (d *Dataset) Take(ctx context.Context, indices []int64) (arrow.RecordBatch, error) {
	if d.files == nil {
		return nil, fmt.Errorf("dataset %s: use after Close", d.name)
	}
	n, err := d.needLen("take")
	if err != nil {
		return nil, err
	}
	for _, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("take: %w: %d not in [0, %d)", ErrOutOfRange, i, n)
		}
	}
	a, err := d.access()
	if err != nil {
		return nil, err
	}
	proj, err := newProjection(d.accessSchema(), nil)
	if err != nil {
		return nil, err
	}
	g, err := newRowGatherer(ctx, a, d.mem(), proj, len(indices))
	if err != nil {
		return nil, err
	}
	defer g.reset()
	var parts []arrow.RecordBatch
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	for k, i := range indices {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		base := i
		if d.rows != nil {
			base = d.rows.At(i)
		}
		loc, err := a.find(base)
		if err != nil {
			return nil, err
		}
		if err := g.add(loc, 1); err != nil {
			return nil, err
		}
		if g.full() && k+1 < len(indices) {
			b, err := g.flush()
			if err != nil {
				return nil, err
			}
			parts = append(parts, b)
		}
	}
	b, err := g.flush()
	if err != nil {
		return nil, err
	}
	parts = append(parts, b)
	out, err := gather.Concat(d.mem(), parts)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return d.applyColumns(ctx, out)
}

// baseRow maps row i of d to its base row, checking it is in range.
func (d *Dataset) baseRow(op string, i int64) (int64, error) {
	if d.files == nil {
		return 0, fmt.Errorf("dataset %s: use after Close", d.name)
	}
	n, err := d.needLen(op)
	if err != nil {
		return 0, err
	}
	if i < 0 || i >= n {
		return 0, fmt.Errorf("%s: %w: %d not in [0, %d)", op, ErrOutOfRange, i, n)
	}
	if d.rows != nil {
		return d.rows.At(i), nil
	}
	return i, nil
}

// accessSchema is the schema of the stored columns random access reads.
func (d *Dataset) accessSchema() *arrow.Schema {
	if d.cols != nil {
		return d.cols.source
	}
	return d.schema
}
