package dataset

import (
	"context"
	"sync"
	"sync/atomic"
)

// A chunkReadAhead decodes, on a goroutine of its own, the chunks that a
// training stream's next segment will gather from and the current one
// does not, while the current one is gathered. A block shuffle over
// Parquet otherwise decodes each row group on the consumer's goroutine
// when its window first reaches it, and the gather waits for it; the
// unshuffled scan decodes row groups ahead on every core.
//
// It reads ahead only decoded chunks (Parquet row groups, compressed
// Arrow batches: the shards that decode per column), only what is not
// cached, and only into the cache's room: the chunks that neither segment
// uses count as free, those that either uses as taken, and the new ones
// at the cost per row of the chunks loaded so far. So it never evicts a
// chunk either segment needs in favour of one it guessed, and it pins no
// more than the cache's bounds allow. What it loads goes into the cache,
// where the next segment's gather finds it, or waits for it to finish.
type chunkReadAhead struct {
	a    *randomAccess
	ix   *chunkIndex
	rows indexMap // the stream's dataset rows (nil: base rows)
	proj projection
	wg   sync.WaitGroup

	busy atomic.Bool // a read-ahead is under way

	cur, next []int // chunk numbers across shards, per segment
	nextOf    int   // 1 + the segment whose chunks next lists, from the last plan; 0 for none
	mark      []uint8
}

// newChunkReadAhead returns the read-ahead of a stream over a's files, or
// nil when none of them decodes.
func newChunkReadAhead(a *randomAccess, rows indexMap, proj projection) (*chunkReadAhead, error) {
	ix, err := a.chunkIndex()
	if err != nil {
		return nil, err
	}
	for s := range a.shards {
		if a.shards[s].push {
			return &chunkReadAhead{a: a, ix: ix, rows: rows, proj: proj, mark: make([]uint8, len(ix.shard))}, nil
		}
	}
	return nil, nil
}

// start reads ahead the chunks next needs and cur does not, unless the
// last read-ahead is still under way: then it reports false, and the
// caller may try again later. cur and next are positions in the stream's
// dataset, those of its segment n and the next; start does not keep them.
func (r *chunkReadAhead) start(ctx context.Context, n int, cur, next []int64) bool {
	if r.busy.Load() {
		return false
	}
	r.wg.Wait() // it has just finished
	keys := r.plan(n, cur, next)
	if len(keys) == 0 {
		return true
	}
	r.busy.Store(true)
	r.wg.Go(func() {
		defer r.busy.Store(false)
		for _, k := range keys {
			ch, err := r.a.cache.get(ctx, k)
			if err != nil {
				return // the gather meets it again, and reports it
			}
			ch.release()
		}
	})
	return true
}

// wait returns once no read-ahead runs.
func (r *chunkReadAhead) wait() { r.wg.Wait() }

// Marks of a chunk in plan.
const (
	inCur  = 1
	inNext = 2
)

// plan returns the keys of the chunks to read ahead for next: decoded,
// not cached, not used by cur, and fitting in the cache beside what cur
// and next use. A segment whose chunks cannot all fit (a global shuffle's
// draws from every chunk) ends the walk over its rows early.
func (r *chunkReadAhead) plan(n int, cur, next []int64) []chunkKey {
	known := r.nextOf == n+1
	r.nextOf = 0
	bytesPerRow, ok := r.a.bytesPerRow()
	if !ok {
		return nil // nothing decoded yet to estimate from
	}
	defer func() {
		for _, g := range r.cur {
			r.mark[g] = 0
		}
		for _, g := range r.next {
			r.mark[g] = 0
		}
	}()
	var budget int64
	if known {
		for _, g := range r.cur {
			r.mark[g] |= inCur
			budget += r.estimate(g, bytesPerRow)
		}
	} else if r.cur, ok = r.chunksOf(cur, r.cur[:0], inCur, bytesPerRow, &budget); !ok {
		return nil
	}
	if r.next, ok = r.chunksOf(next, r.next[:0], inNext, bytesPerRow, &budget); !ok {
		return nil
	}
	defer func() {
		// The next plan's cur is this one's next (the marks of both
		// are cleared either way).
		r.cur, r.next, r.nextOf = r.next, r.cur, n+2
	}()
	// The chunks of either segment not cached will be loaded, by the
	// read-ahead or by the current segment's gather, which may not have
	// reached them yet: they all need room.
	var keys []chunkKey
	var loads int
	var cost int64
	for i, list := range [2][]int{r.cur, r.next} {
		for _, g := range list {
			inBoth := i == 1 && r.mark[g]&inCur != 0
			s, c := int(r.ix.shard[g]), int(r.ix.chunk[g])
			k := r.proj.key(r.a, s, c)
			if inBoth || r.a.cache.has(k) {
				continue // counted with cur, or by reserve
			}
			loads++
			if !r.a.shards[s].push {
				continue // zero-copy: next to nothing to decode or keep
			}
			cost += r.estimate(g, bytesPerRow)
			if i == 1 {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	used := func(k chunkKey) bool {
		g := r.ix.chunkOf(r.a, k)
		return g >= 0 && g < len(r.mark) && r.mark[g] != 0 && k == r.proj.key(r.a, k.shard, k.chunk)
	}
	if !r.a.cache.reserve(loads, cost, used) {
		return nil
	}
	return keys
}

// estimate is what chunk g will cost decoded.
func (r *chunkReadAhead) estimate(g int, bytesPerRow float64) int64 {
	return int64(float64(r.ix.starts[g+1]-r.ix.starts[g]) * bytesPerRow)
}

// chunksOf appends to dst the chunks (numbered across shards) that the
// rows at positions fall in, each once, marking them with bit and adding
// their estimated cost to budget. It stops, reporting false, once the
// chunks cannot fit in the cache.
func (r *chunkReadAhead) chunksOf(positions []int64, dst []int, bit uint8, bytesPerRow float64, budget *int64) ([]int, bool) {
	maxChunks, maxBytes := r.a.cache.bounds()
	lo, hi := int64(0), int64(0)
	for _, p := range positions {
		b := p
		if r.rows != nil {
			b = r.rows.At(p)
		}
		if b >= lo && b < hi {
			continue // a block's rows come in runs of one chunk
		}
		g, row := r.ix.locate(b)
		lo, hi = b-row, r.ix.starts[g+1]
		if r.mark[g] == 0 {
			*budget += r.estimate(g, bytesPerRow)
		}
		if r.mark[g]&bit == 0 {
			r.mark[g] |= bit
			dst = append(dst, g)
			if len(dst) > maxChunks || *budget > maxBytes {
				return dst, false
			}
		}
	}
	return dst, true
}

// chunkOf returns the number across shards of the chunk k names, or -1
// for a page window.
func (ix *chunkIndex) chunkOf(a *randomAccess, k chunkKey) int {
	if k.window != 0 {
		return -1
	}
	sc := &a.shards[k.shard]
	return searchEnds(ix.starts, a.set.starts[k.shard]+sc.starts[k.chunk])
}
