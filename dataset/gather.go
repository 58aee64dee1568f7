package dataset

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/gather"
)

// A rowGatherer collects rows of a shard set, in output order, and copies
// them into new batches with the gather kernel. It holds a reference to
// every chunk its pending rows come from, so the memory it pins is bounded
// by maxBytes of decoded chunks (zero-copy chunks cost next to nothing),
// and full() tells the caller when to flush.
type rowGatherer struct {
	ctx       context.Context
	a         *randomAccess
	mem       memory.Allocator
	proj      projection
	maxRows   int
	maxChunks int // the cache's bounds: a gather holds no more than the cache
	maxBytes  int64

	chunks  []*chunk            // held, in first-use order
	held    []int               // held[i] is chunks[i]'s number across shards
	base    []int               // base[i]: index in srcs of chunks[i]'s first batch
	slot    chunkSlots          // chunk number across shards -> 1 + index in chunks
	srcs    []arrow.RecordBatch // the held chunks' batches, projected
	spans   []gather.Span
	rows    int
	bytes   int64
	lastG   int // the chunk of the previous add, a shortcut for runs
	lastIdx int
}

// A projection is the columns a scan reads: their names (nil for all),
// their indices in the files' schema, and the schema of the result.
type projection struct {
	columns []string
	idx     []int // nil: every column
	schema  *arrow.Schema
}

func newProjection(schema *arrow.Schema, columns []string) (projection, error) {
	idx, err := columnIndices(schema, columns)
	if err != nil {
		return projection{}, err
	}
	p := projection{columns: columns, idx: idx, schema: schema}
	if idx != nil {
		fields := make([]arrow.Field, len(idx))
		for i, j := range idx {
			fields[i] = schema.Field(j)
		}
		md := schema.Metadata()
		p.schema = arrow.NewSchema(fields, &md)
	}
	return p, nil
}

// key is the chunk key under which shard s's chunk c is cached for p:
// projected chunks only where the shard decodes per column. The shard's
// chunk index must have been built (randomAccess.chunks).
func (p projection) key(a *randomAccess, s, c int) chunkKey {
	k := chunkKey{shard: s, chunk: c}
	if p.idx != nil && a.shards[s].push {
		k.cols = columnKey(p.columns)
	}
	return k
}

// apply projects a batch of a chunk read under key k; the result is the
// caller's to release.
func (p projection) apply(k chunkKey, b arrow.RecordBatch) arrow.RecordBatch {
	if p.idx == nil || k.cols != "" {
		b.Retain()
		return b
	}
	return selectColumns(b, p.idx)
}

func newRowGatherer(ctx context.Context, a *randomAccess, mem memory.Allocator, proj projection, maxRows int) (*rowGatherer, error) {
	ix, err := a.chunkIndex()
	if err != nil {
		return nil, err
	}
	maxChunks, maxBytes := a.cache.bounds()
	return &rowGatherer{
		ctx: ctx, a: a, mem: mem, proj: proj, maxRows: maxRows, maxChunks: maxChunks, maxBytes: maxBytes,
		slot: newChunkSlots(len(ix.shard)), lastIdx: -1,
		// Room for a shuffle's batch of single rows at once: growing
		// there by doubling allocated twice as much, per segment.
		spans: make([]gather.Span, 0, min(maxRows, maxPresizedSpans)),
	}, nil
}

// maxPresizedSpans bounds the span list a gatherer allocates up front: a
// Take of millions of rows may well pick runs.
const maxPresizedSpans = 1 << 14

// full reports whether the pending rows should be flushed: the batch is
// complete, or the chunks held pin too much memory.
func (g *rowGatherer) full() bool {
	return g.rows >= g.maxRows || g.bytes >= g.maxBytes || len(g.chunks) >= g.maxChunks
}

// room is how many more rows fit before the batch is complete.
func (g *rowGatherer) room() int { return g.maxRows - g.rows }

// add appends n consecutive rows of the chunk at, from at.row on; they
// must fit in the chunk.
func (g *rowGatherer) add(at chunkLoc, n int) error {
	i := g.lastIdx
	if i < 0 || at.g != g.lastG {
		var err error
		if i, err = g.hold(at); err != nil {
			return err
		}
		g.lastG, g.lastIdx = at.g, i
	}
	ch := g.chunks[i]
	row := at.row
	for n > 0 {
		bi, r := ch.find(row)
		take := min(n, int(ch.batches[bi].NumRows())-r)
		g.spans = gather.AppendSpan(g.spans, gather.Span{Src: g.base[i] + bi, Off: r, Len: take})
		g.rows += take
		row += int64(take)
		n -= take
	}
	return nil
}

// hold returns the index of the chunk at among the held chunks, fetching
// it from the cache on first use.
func (g *rowGatherer) hold(at chunkLoc) (int, error) {
	if i := g.slot.get(at.g); i > 0 {
		return int(i - 1), nil
	}
	k := g.proj.key(g.a, at.shard, at.chunk)
	ch, err := g.a.cache.get(g.ctx, k)
	if err != nil {
		return 0, err
	}
	i := len(g.chunks)
	g.slot.set(at.g, int32(i+1))
	g.chunks = append(g.chunks, ch)
	g.held = append(g.held, at.g)
	g.base = append(g.base, len(g.srcs))
	for _, b := range ch.batches {
		g.srcs = append(g.srcs, g.proj.apply(k, b))
	}
	g.bytes += ch.bytes
	return i, nil
}

// flush copies the pending rows into a new batch, the caller's to
// release, and drops the chunks it held.
func (g *rowGatherer) flush() (arrow.RecordBatch, error) {
	defer g.reset()
	out, err := gather.Batch(g.mem, g.proj.schema, g.srcs, g.spans)
	if err != nil {
		return nil, fmt.Errorf("gathering %d rows: %w", g.rows, err)
	}
	return out, nil
}

// reset drops the pending rows and the chunks they needed.
func (g *rowGatherer) reset() {
	for _, b := range g.srcs {
		b.Release()
	}
	for i, ch := range g.chunks {
		ch.release()
		g.slot.set(g.held[i], 0)
	}
	g.chunks, g.held, g.base, g.srcs, g.spans = g.chunks[:0], g.held[:0], g.base[:0], g.srcs[:0], g.spans[:0]
	g.rows, g.bytes, g.lastIdx = 0, 0, -1
}

// chunkSlots maps chunk numbers to small integers, 0 when absent: a slice
// indexed by chunk for the usual dataset, a map for one of very many
// chunks, where a slice per gatherer would cost more than it saves.
type chunkSlots struct {
	dense  []int32
	sparse map[int]int32
}

const maxDenseSlots = 1 << 16

func newChunkSlots(n int) chunkSlots {
	if n <= maxDenseSlots {
		return chunkSlots{dense: make([]int32, n)}
	}
	return chunkSlots{sparse: make(map[int]int32)}
}

func (s chunkSlots) get(g int) int32 {
	if s.dense != nil {
		return s.dense[g]
	}
	return s.sparse[g]
}

func (s chunkSlots) set(g int, v int32) {
	switch {
	case s.dense != nil:
		s.dense[g] = v
	case v == 0:
		delete(s.sparse, g)
	default:
		s.sparse[g] = v
	}
}
