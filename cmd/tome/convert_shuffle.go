package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
	"github.com/tome-data/tome/internal/order"
	"github.com/tome-data/tome/shard"
)

// A shuffled split is written in the order of a global permutation of
// its rows (internal/order's Global mode: a keyed bijection on [0, N)).
// Output positions are cut into blocks; a block's rows are gathered from
// their chunks, which needs cheap random access: uncompressed Arrow IPC,
// memory-mapped. Other input is first converted to such a copy in the
// staging directory (materializeForShuffle); a shuffle split across tasks
// needs it to be so already.

// Gather block bounds: a block is about gatherBlockBytes of rows, so that
// the chunks one block touches are worth visiting, and memory stays a few
// blocks per worker.
const (
	gatherBlockBytes = 32 << 20
	minBlockRows     = 1024
	maxBlockRows     = 1 << 20
)

// shufflePlan is a split's shuffle: the permutation's seed and size, and
// the block size output positions are gathered in.
type shufflePlan struct {
	Seed      uint64 `json:"seed"`
	Rows      int64  `json:"rows"`
	BlockRows int64  `json:"block_rows"`
}

// newShufflePlan plans the shuffle of a split whose inputs all have row
// counts, or returns nil without --shuffle-seed.
func newShufflePlan(req planRequest, sp planSplit) *shufflePlan {
	if !req.shuffle {
		return nil
	}
	var rows, bytes int64
	for _, in := range sp.Inputs {
		rows += in.rows()
		bytes += in.Bytes
	}
	perRow := max(1, bytes/max(1, rows))
	block := min(max(gatherBlockBytes/perRow, minBlockRows), maxBlockRows)
	return &shufflePlan{Seed: req.seed, Rows: rows, BlockRows: block}
}

// gatherable reports whether every input can be gathered from directly.
func (sp planSplit) gatherable() bool {
	for _, in := range sp.Inputs {
		if !in.Mapped {
			return false
		}
	}
	return true
}

// virtualInput presents the output positions to shard.PlanUnits as one
// input whose chunks are the gather blocks.
func (s *shufflePlan) virtualInput(sp planSplit) shard.PlanInput {
	var bytes int64
	for _, in := range sp.Inputs {
		bytes += in.Bytes
	}
	chunks := make([]int64, 0, (s.Rows+s.BlockRows-1)/s.BlockRows)
	for start := int64(0); start < s.Rows; start += s.BlockRows {
		chunks = append(chunks, min(s.BlockRows, s.Rows-start))
	}
	return shard.PlanInput{Bytes: bytes, ChunkRows: chunks}
}

// gatherSource reads rows of a split at random: its inputs open and
// memory-mapped, and the permutation.
type gatherSource struct {
	inputs  []*openedInput
	readers []format.ChunkedReader
	starts  []int64 // starts[c] is the split row of chunk c's first row; one extra at the end
	file    []int   // file[c] and local[c] locate chunk c
	local   []int
	perm    *order.Plan
}

func openGatherSource(sp planSplit, ro readOptions) (g *gatherSource, err error) {
	g = &gatherSource{starts: []int64{0}}
	defer func() {
		if err != nil {
			err = errors.Join(err, g.Close())
		}
	}()
	for i, in := range sp.Inputs {
		oi, err := openInput(in, ro, nil)
		if err != nil {
			return nil, err
		}
		g.inputs = append(g.inputs, oi)
		cr, ok := oi.r.(format.ChunkedReader)
		if !ok {
			return nil, fmt.Errorf("%s: %w: shuffling needs a chunked input", in.Path, format.ErrUnsupported)
		}
		g.readers = append(g.readers, cr)
		for c := range cr.NumChunks() {
			g.starts = append(g.starts, g.starts[len(g.starts)-1]+cr.ChunkRows(c))
			g.file, g.local = append(g.file, i), append(g.local, c)
		}
	}
	rows := g.starts[len(g.starts)-1]
	if rows != sp.Shuffle.Rows {
		return nil, fmt.Errorf("split %q has %d rows, planned %d", sp.Name, rows, sp.Shuffle.Rows)
	}
	if rows > 0 {
		g.perm, err = order.NewPlan(order.Config{ShardRows: []int64{rows}, Seed: sp.Shuffle.Seed, Mode: order.Global})
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *gatherSource) Close() error {
	var errs []error
	for _, in := range g.inputs {
		errs = append(errs, in.Close())
	}
	g.inputs = nil
	return errors.Join(errs...)
}

// pieceBatches yields the gathered blocks of a piece of a shuffled split,
// one batch per block, dropping the first *skip rows.
func (g *gatherSource) pieceBatches(ctx context.Context, s *shufflePlan, p shard.Piece, skip *int64, mem memory.Allocator) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		for blk := p.FirstChunk; blk < p.EndChunk; blk++ {
			from := int64(blk) * s.BlockRows
			to := min(from+s.BlockRows, s.Rows)
			if *skip >= to-from {
				*skip -= to - from
				continue
			}
			b, err := g.block(ctx, from, to, mem)
			if err != nil {
				yield(nil, err)
				return
			}
			if *skip > 0 {
				tail := b.NewSlice(*skip, b.NumRows())
				b.Release()
				b, *skip = tail, 0
			}
			ok := yield(b, nil)
			b.Release()
			if !ok {
				return
			}
		}
	}
}

// block gathers the rows at output positions [from, to) with
// internal/gather: it reads the chunks they live in once each, in file
// order (a mapped IPC chunk is a zero-copy batch), then copies the rows
// out in output order, one span per row.
func (g *gatherSource) block(ctx context.Context, from, to int64, mem memory.Allocator) (arrow.RecordBatch, error) {
	n := int(to - from)
	rows := make([]int64, n)
	chunks := make([]int, n) // chunks[k] holds rows[k]
	for k := range rows {
		rows[k] = g.perm.At(from + int64(k))
		chunks[k] = sort.Search(len(g.starts)-1, func(c int) bool { return g.starts[c+1] > rows[k] })
	}
	needed := slices.Compact(slices.Sorted(slices.Values(chunks)))
	srcs := make([]arrow.RecordBatch, 0, len(needed))
	defer func() { releaseBatches(srcs) }()
	for _, c := range needed {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := g.readChunk(ctx, c)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, b)
	}
	spans := make([]gather.Span, 0, n)
	for k, row := range rows {
		src, _ := slices.BinarySearch(needed, chunks[k])
		spans = gather.Append(spans, src, int(row-g.starts[chunks[k]]))
	}
	return gather.Batch(mem, srcs[0].Schema(), srcs, spans)
}

// readChunk returns chunk c as one batch, retained for the caller.
func (g *gatherSource) readChunk(ctx context.Context, c int) (arrow.RecordBatch, error) {
	r := g.readers[g.file[c]]
	var out arrow.RecordBatch
	for b, err := range r.ReadChunk(ctx, g.local[c]) {
		if err != nil {
			if out != nil {
				out.Release()
			}
			return nil, err
		}
		if out != nil { // an IPC chunk is one batch
			out.Release()
			return nil, fmt.Errorf("%w: chunk %d of %s holds several batches", format.ErrUnsupported, g.local[c], g.inputs[g.file[c]].src.Name())
		}
		b.Retain()
		out = b
	}
	if out == nil {
		return nil, fmt.Errorf("%w: chunk %d of %s is empty", format.ErrCorrupt, g.local[c], g.inputs[g.file[c]].src.Name())
	}
	return out, nil
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}
