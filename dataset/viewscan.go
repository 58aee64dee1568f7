package dataset

import (
	"context"
	"fmt"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// minSliceRows is the shortest run of consecutive rows a view scan yields
// as a zero-copy slice of its chunk. Shorter runs are copied along with
// the scattered rows around them, so a view that is mostly scattered does
// not come out as a stream of tiny batches.
const minSliceRows = 256

// scanView yields the rows of a view (d.rows != nil) in view order,
// projected onto columns (stored names; nil for all).
//
// A contiguous range of base rows (a contiguous Shard, a Select of
// consecutive rows) streams chunk by chunk as zero-copy slices of the
// files' batches, without going through the chunk cache. Any other view
// is walked row by row: runs of at least minSliceRows consecutive rows in
// one chunk become zero-copy slices, other rows are gathered into new
// batches of the scan's batch size (WithBatchRows, else
// format.DefaultBatchSize), reading chunks through the shared cache.
//
// Ownership is Batches': a yielded batch is valid until the loop body
// returns.
func (d *Dataset) scanView(ctx context.Context, columns []string) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		a, err := d.access()
		if err != nil {
			yield(nil, err)
			return
		}
		proj, err := newProjection(d.schema, columns)
		if err != nil {
			yield(nil, err)
			return
		}
		if lo, hi, ok := contiguous(d.rows); ok {
			scanRange(ctx, a, proj, lo, hi, yield)
			return
		}
		batchRows := d.cfg.batchRows
		if batchRows <= 0 {
			batchRows = format.DefaultBatchSize
		}
		scanMapped(ctx, a, d.rows, proj, d.mem(), batchRows, yield)
	}
}

// contiguous reports whether m picks the base rows [lo, hi) in order.
func contiguous(m indexMap) (lo, hi int64, ok bool) {
	switch m := m.(type) {
	case rangeMap:
		if m.step == 1 || m.n <= 1 {
			return m.start, m.start + m.n, true
		}
	case sliceMap:
		if len(m) > 0 && m.contiguous() {
			return m[0], m[0] + int64(len(m)), true
		}
	}
	return 0, 0, false
}

// scanRange yields base rows [lo, hi) chunk by chunk, reading each chunk
// once, straight from its reader: a sequential read has no use for the
// cache and should not evict what random access put there.
func scanRange(ctx context.Context, a *randomAccess, proj projection, lo, hi int64, yield func(arrow.RecordBatch, error) bool) bool {
	for b := lo; b < hi; {
		if err := ctx.Err(); err != nil {
			return yield(nil, err)
		}
		loc, err := a.find(b)
		if err != nil {
			return yield(nil, err)
		}
		from, to := loc.row, min(loc.end, hi)-loc.start
		k := proj.key(a, loc.shard, loc.chunk)
		r, err := a.reader(loc.shard, k.cols)
		if err != nil {
			return yield(nil, err)
		}
		if ok, err := yieldChunkRows(proj, k, r.ReadChunk(ctx, loc.chunk), from, to, yield); !ok || err != nil {
			if err != nil {
				return yield(nil, chunkErr(a.set.shards[loc.shard].path, loc.chunk, err))
			}
			return false
		}
		b += to - from
	}
	return true
}

// yieldChunkRows yields rows [from, to) of a chunk's batches, projected,
// as zero-copy slices. It reports false when the consumer stopped, and an
// error when the chunk failed or held fewer rows than its metadata said.
func yieldChunkRows(proj projection, k chunkKey, batches iter.Seq2[arrow.RecordBatch, error], from, to int64, yield func(arrow.RecordBatch, error) bool) (bool, error) {
	var off int64 // first row of the current batch in the chunk
	for b, err := range batches {
		if err != nil {
			return true, err
		}
		n := b.NumRows()
		lo, hi := max(from, off), min(to, off+n)
		off += n
		if lo >= hi {
			continue
		}
		src := b
		if lo != off-n || hi != off {
			src = b.NewSlice(lo-(off-n), hi-(off-n))
		}
		out := proj.apply(k, src)
		if src != b {
			src.Release()
		}
		ok := yield(out, nil)
		out.Release()
		if !ok {
			return false, nil
		}
		if off >= to {
			return true, nil
		}
	}
	if off < to {
		return true, fmt.Errorf("%w: chunk holds %d rows, its metadata says at least %d", format.ErrCorrupt, off, to)
	}
	return true, nil
}

// viewRun is a run of n consecutive base rows within chunk g (numbered
// across shards), from its row on.
type viewRun struct {
	g    int
	row  int64
	n    int64
	next int64 // the base row that would extend the run
	end  int64 // the chunk's end, in base rows: no run extends past it
}

// scanMapped walks the view row by row, yielding long runs as zero-copy
// slices and gathering the rest into batches of batchRows.
//
// A shuffle's view is mostly runs of one row, so the walk is kept lean:
// a run is a chunk number and a row, not a full chunkLoc, and a row in
// the chunk of the row before it is placed by subtraction, any other by
// chunkIndex.locate (a multiplication for chunks of one size).
func scanMapped(ctx context.Context, a *randomAccess, m indexMap, proj projection, mem memory.Allocator, batchRows int, yield func(arrow.RecordBatch, error) bool) {
	ix, err := a.chunkIndex()
	if err != nil {
		yield(nil, err)
		return
	}
	g, err := newRowGatherer(ctx, a, mem, proj, batchRows)
	if err != nil {
		yield(nil, err)
		return
	}
	defer g.reset()
	flush := func() bool {
		if g.rows == 0 {
			return true
		}
		out, err := g.flush()
		if err != nil {
			yield(nil, err)
			return false
		}
		ok := yield(out, nil)
		out.Release()
		return ok
	}
	emit := func(r viewRun) bool {
		if r.n >= minSliceRows {
			return flush() && yieldCachedRun(ctx, a, proj, ix, r, yield)
		}
		for r.n > 0 {
			take := min(r.n, int64(g.room()))
			if err := g.addRows(r.g, r.row, int(take)); err != nil {
				yield(nil, err)
				return false
			}
			r.row += take
			r.n -= take
			if g.full() && !flush() {
				return false
			}
		}
		return true
	}
	// The rows of a Select, a Filter or a training segment are a slice:
	// read it directly rather than through an interface call per row.
	rows, isSlice := m.(sliceMap)
	var run viewRun
	lastG, lastStart, lastEnd := 0, int64(0), int64(0) // the chunk of the last run: a block's runs mostly stay in it
	n := m.Len()
	for i := range n {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
		}
		var b int64
		if isSlice {
			b = rows[i]
		} else {
			b = m.At(i)
		}
		if run.n > 0 && b == run.next && b < run.end {
			run.n++
			run.next++
			continue
		}
		if run.n == 1 && g.addOne(run.g, run.row) {
			if g.full() && !flush() {
				return
			}
		} else if run.n > 0 && !emit(run) {
			return
		}
		if b < lastStart || b >= lastEnd {
			var row int64
			lastG, row = ix.locate(b)
			lastStart, lastEnd = b-row, ix.starts[lastG+1]
		}
		run = viewRun{g: lastG, row: b - lastStart, n: 1, next: b + 1, end: lastEnd}
	}
	if run.n > 0 && !emit(run) {
		return
	}
	flush()
}

// yieldCachedRun yields a long run as zero-copy slices of its cached chunk.
func yieldCachedRun(ctx context.Context, a *randomAccess, proj projection, ix *chunkIndex, r viewRun, yield func(arrow.RecordBatch, error) bool) bool {
	k := proj.key(a, int(ix.shard[r.g]), int(ix.chunk[r.g]))
	ch, err := a.cache.get(ctx, k)
	if err != nil {
		yield(nil, err)
		return false
	}
	defer ch.release()
	batches := func(y func(arrow.RecordBatch, error) bool) {
		for _, b := range ch.batches {
			if !y(b, nil) {
				return
			}
		}
	}
	ok, err := yieldChunkRows(proj, k, batches, r.row, r.row+r.n, yield)
	if err != nil {
		yield(nil, err)
		return false
	}
	return ok
}
