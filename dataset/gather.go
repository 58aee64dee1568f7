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
//
// A flush keeps the chunks the flushed batch used, prepared as gather
// sources, for the batches after it: a global shuffle draws every batch
// from nearly every chunk, and fetching them from the cache and preparing
// their buffers again per batch cost a third of the gather. Kept chunks
// the pending rows do not use count towards the cache's bounds but not
// towards full(), so batches are cut where they always were; they are
// dropped when the bounds would be passed, and by reset.
type rowGatherer struct {
	ctx       context.Context
	a         *randomAccess
	ix        *chunkIndex
	mem       memory.Allocator
	proj      projection
	maxRows   int
	maxChunks int // the cache's bounds: a gather holds no more than the cache
	maxBytes  int64

	chunks    []*chunk            // held, in first-use order
	held      []int               // held[i] is chunks[i]'s number across shards
	base      []int               // base[i]: index in srcs of chunks[i]'s first batch
	usedIn    []int               // usedIn[i]: the last batch that used chunks[i]
	single    []bool              // single[i]: chunks[i] is one batch
	slot      chunkSlots          // chunk number across shards -> 1 + index in chunks
	srcs      []arrow.RecordBatch // the held chunks' batches, projected
	sources   *gather.Sources     // srcs, prepared
	heldBytes int64               // the cost of every held chunk
	batch     int                 // the number of the pending batch
	spans     []gather.Span
	rows      int
	used      int   // the held chunks the pending rows use
	bytes     int64 // and their cost
	lastG     int   // the chunk of the previous add, a shortcut for runs
	lastIdx   int
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
	g := &rowGatherer{
		ctx: ctx, a: a, ix: ix, mem: mem, proj: proj, maxRows: maxRows, maxChunks: maxChunks, maxBytes: maxBytes,
		slot: newChunkSlots(len(ix.shard)), lastIdx: -1, sources: gather.NewSources(proj.schema),
		// Room for a shuffle's batch of single rows at once: growing
		// there by doubling allocated twice as much, per segment.
		spans: make([]gather.Span, 0, min(maxRows, maxPresizedSpans)),
	}
	// Room for the chunks a batch of scattered rows draws from (one
	// source each, for most formats): there too growing was costly.
	g.sources.Grow(min(len(ix.shard), maxChunks, maxRows))
	return g, nil
}

// maxPresizedSpans bounds the span list a gatherer allocates up front: a
// Take of millions of rows may well pick runs.
const maxPresizedSpans = 1 << 14

// full reports whether the pending rows should be flushed: the batch is
// complete, or the chunks they use pin too much memory.
func (g *rowGatherer) full() bool {
	return g.rows >= g.maxRows || g.bytes >= g.maxBytes || g.used >= g.maxChunks
}

// room is how many more rows fit before the batch is complete.
func (g *rowGatherer) room() int { return g.maxRows - g.rows }

// add appends n consecutive rows of the chunk at, from at.row on; they
// must fit in the chunk.
func (g *rowGatherer) add(at chunkLoc, n int) error {
	return g.addRows(at.g, at.row, n)
}

// addRows appends n consecutive rows of chunk c (numbered across shards),
// from its row on; they must fit in the chunk.
func (g *rowGatherer) addRows(c int, row int64, n int) error {
	i := g.lastIdx
	if i < 0 || c != g.lastG {
		var err error
		if i, err = g.hold(c); err != nil {
			return err
		}
		g.lastG, g.lastIdx = c, i
	}
	if g.single[i] {
		// The chunk's rows are its batch's: a shuffle's one-row adds
		// need not look at the chunk.
		g.spans = gather.AppendSpan(g.spans, gather.Span{Src: g.base[i], Off: int(row), Len: n})
		g.rows += n
		return nil
	}
	ch := g.chunks[i]
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

// addOne appends row row of chunk c and reports true when that takes no
// more than a span: the chunk is one batch, held, and already used by the
// pending batch, as a shuffle's chunks are for all but their first row.
// Otherwise it adds nothing and reports false, and addRows must. It is
// small enough to inline into a view scan's walk, which calls it per row.
func (g *rowGatherer) addOne(c int, row int64) bool {
	i := g.lastIdx
	if c != g.lastG || i < 0 {
		if i = int(g.slot.get(c)) - 1; i < 0 || g.usedIn[i] != g.batch {
			return false
		}
		g.lastG, g.lastIdx = c, i
	}
	if !g.single[i] {
		return false
	}
	g.spans = gather.AppendSpan(g.spans, gather.Span{Src: g.base[i], Off: int(row), Len: 1})
	g.rows++
	return true
}

// hold returns the index of chunk c (numbered across shards) among the
// held chunks, marked used by the pending batch, fetching it from the
// cache on first use.
func (g *rowGatherer) hold(c int) (int, error) {
	if i := int(g.slot.get(c)) - 1; i >= 0 {
		if g.usedIn[i] != g.batch {
			g.usedIn[i] = g.batch
			g.used++
			g.bytes += g.chunks[i].bytes
		}
		return i, nil
	}
	k := g.proj.key(g.a, int(g.ix.shard[c]), int(g.ix.chunk[c]))
	ch, err := g.a.cache.get(g.ctx, k)
	if err != nil {
		return 0, err
	}
	if len(g.chunks) >= g.maxChunks || g.heldBytes+ch.bytes > g.maxBytes {
		g.dropUnused()
	}
	first := len(g.srcs)
	for _, b := range ch.batches {
		src := g.proj.apply(k, b)
		g.srcs = append(g.srcs, src)
		if err := g.sources.Add(src); err != nil {
			for _, s := range g.srcs[first:] {
				s.Release()
			}
			clear(g.srcs[first:])
			g.srcs = g.srcs[:first]
			g.sources.Truncate(first)
			ch.release()
			return 0, err
		}
	}
	i := len(g.chunks)
	g.slot.set(c, int32(i+1))
	g.chunks = append(g.chunks, ch)
	g.held = append(g.held, c)
	g.base = append(g.base, first)
	g.usedIn = append(g.usedIn, g.batch)
	g.single = append(g.single, len(ch.batches) == 1)
	g.heldBytes += ch.bytes
	g.used++
	g.bytes += ch.bytes
	return i, nil
}

// flush copies the pending rows into a new batch, the caller's to
// release, and starts the next batch, keeping the chunks this one used.
func (g *rowGatherer) flush() (arrow.RecordBatch, error) {
	out, err := g.sources.Gather(g.mem, g.spans)
	if err != nil {
		g.reset()
		return nil, fmt.Errorf("gathering %d rows: %w", g.rows, err)
	}
	g.spans = g.spans[:0]
	if unused := len(g.chunks) - g.used; unused > len(g.chunks)/2 {
		// Most held chunks went out of use (a block shuffle's window
		// moved on): drop them now rather than pin them. A few are
		// left for the bounds to drop, so that a global shuffle, whose
		// every batch misses a few chunks it will use again, does not
		// renumber its sources per batch.
		g.dropUnused()
	}
	g.batch++
	g.rows, g.used, g.bytes, g.lastIdx = 0, 0, 0, -1
	return out, nil
}

// dropUnused releases the held chunks that the pending batch does not
// use, renumbering the sources of the rest and of the pending spans.
func (g *rowGatherer) dropUnused() {
	if g.used == len(g.chunks) {
		return
	}
	keepSrc := make([]bool, len(g.srcs))
	newSrc := make([]int, len(g.srcs))
	n, next := 0, 0
	for i, ch := range g.chunks {
		nb := len(ch.batches)
		if g.usedIn[i] != g.batch {
			for _, b := range g.srcs[g.base[i] : g.base[i]+nb] {
				b.Release()
			}
			g.slot.set(g.held[i], 0)
			g.heldBytes -= ch.bytes
			ch.release()
			continue
		}
		for j := range nb {
			keepSrc[g.base[i]+j] = true
			newSrc[g.base[i]+j] = next + j
		}
		g.chunks[n], g.held[n], g.usedIn[n], g.single[n], g.base[n] = ch, g.held[i], g.usedIn[i], g.single[i], next
		g.slot.set(g.held[n], int32(n+1))
		next += nb
		n++
	}
	clear(g.chunks[n:])
	g.chunks, g.held, g.usedIn, g.single, g.base = g.chunks[:n], g.held[:n], g.usedIn[:n], g.single[:n], g.base[:n]
	k := 0
	for i, b := range g.srcs {
		if keepSrc[i] {
			g.srcs[k] = b
			k++
		}
	}
	clear(g.srcs[k:])
	g.srcs = g.srcs[:k]
	g.sources.Keep(keepSrc)
	for i := range g.spans {
		g.spans[i].Src = newSrc[g.spans[i].Src]
	}
	g.lastIdx = -1
}

// reset drops the pending rows and every chunk held.
func (g *rowGatherer) reset() {
	for _, b := range g.srcs {
		b.Release()
	}
	for i, ch := range g.chunks {
		ch.release()
		g.slot.set(g.held[i], 0)
	}
	clear(g.chunks)
	clear(g.srcs)
	g.sources.Reset()
	g.chunks, g.held, g.base, g.usedIn, g.single = g.chunks[:0], g.held[:0], g.base[:0], g.usedIn[:0], g.single[:0]
	g.srcs, g.spans = g.srcs[:0], g.spans[:0]
	g.rows, g.used, g.bytes, g.heldBytes, g.lastIdx = 0, 0, 0, 0, -1
	g.batch++
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
