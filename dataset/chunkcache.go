package dataset

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// Bounds of a shard set's chunk cache. A chunk of a memory-mapped,
// uncompressed Arrow shard borrows the mapping and costs only its Go
// structures (chunkOverhead per array), so thousands fit; a decoded chunk
// (a Parquet row group, a compressed Arrow batch) costs its buffers, and
// the byte budget keeps a few of them.
const (
	cacheMaxChunks = 4096
	cacheMaxBytes  = 256 << 20
	chunkOverhead  = 256 // bytes charged per array (and child) of a chunk
)

// errCacheClosed is returned by a cache whose dataset has been closed.
var errCacheClosed = errors.New("dataset: chunk cache closed")

// chunkKey names one chunk: chunk of shard, read with the columns that
// cols names ("" for every column as stored). A nonzero window names the
// rows of the chunk one page of each column holds instead, by 1 + its first
// row (see access_page.go).
type chunkKey struct {
	cols   string
	shard  int
	chunk  int
	window int64
}

// A chunk is the decoded batches of one chunk of a shard (one Arrow record
// batch, or the batches of one Parquet row group) with their row offsets.
// It is reference counted: the cache holds one reference while the chunk
// is cached, and each user holds one while reading it.
type chunk struct {
	batches []arrow.RecordBatch
	starts  []int64 // starts[i] is the first row of batch i; starts[len(batches)] the row count
	bytes   int64   // what caching it costs (see chunkCost)
	even    int64   // the rows of every batch but the last, when they are equal; else 0
	refs    atomic.Int64
}

func newChunk(batches []arrow.RecordBatch, cost int64) *chunk {
	c := &chunk{batches: batches, starts: make([]int64, len(batches)+1), bytes: cost}
	for i, b := range batches {
		c.starts[i+1] = c.starts[i] + b.NumRows()
	}
	if len(batches) > 1 {
		c.even = c.starts[1]
		for i := 1; i < len(batches)-1 && c.even > 0; i++ {
			if c.starts[i+1]-c.starts[i] != c.even {
				c.even = 0
			}
		}
	}
	c.refs.Store(1)
	return c
}

func (c *chunk) rows() int64 { return c.starts[len(c.batches)] }

func (c *chunk) retain() { c.refs.Add(1) }

func (c *chunk) release() {
	if c.refs.Add(-1) == 0 {
		for _, b := range c.batches {
			b.Release()
		}
		c.batches = nil
	}
}

// find returns the index of the batch holding row of the chunk and the
// row's index in it. Most chunks are one batch; a Parquet row group is
// batches of the reader's batch size but the last, which a division
// finds (a gather looks up every row it adds).
func (c *chunk) find(row int64) (int, int) {
	i := 0
	if c.even > 0 {
		i = min(int(row/c.even), len(c.batches)-1)
	} else if len(c.batches) > 1 {
		lo, hi := 0, len(c.batches)
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if c.starts[mid] <= row {
				lo = mid
			} else {
				hi = mid
			}
		}
		i = lo
	}
	return i, int(row - c.starts[i])
}

// A chunkCache keeps recently used chunks, least recently used first out,
// under a count and a byte bound. It is safe for concurrent use; two
// goroutines asking for the same missing chunk load it once.
type chunkCache struct {
	load      func(ctx context.Context, k chunkKey) (*chunk, error)
	maxChunks int
	maxBytes  int64

	mu      sync.Mutex
	entries map[chunkKey]*cacheEntry
	lru     cacheEntry // sentinel of the list of loaded entries, most recent first
	count   int
	bytes   int64
	closed  bool
}

// A cacheEntry is a loaded chunk, or one being loaded (c nil, ready open).
type cacheEntry struct {
	key        chunkKey
	c          *chunk
	ready      chan struct{}
	err        error // set before ready is closed when loading failed
	prev, next *cacheEntry
}

func newChunkCache(maxChunks int, maxBytes int64, load func(context.Context, chunkKey) (*chunk, error)) *chunkCache {
	cc := &chunkCache{load: load, maxChunks: maxChunks, maxBytes: maxBytes, entries: make(map[chunkKey]*cacheEntry)}
	cc.lru.next, cc.lru.prev = &cc.lru, &cc.lru
	return cc
}

// get returns chunk k with a reference the caller releases, loading it on
// a miss.
func (cc *chunkCache) get(ctx context.Context, k chunkKey) (*chunk, error) {
	for {
		cc.mu.Lock()
		if cc.closed {
			cc.mu.Unlock()
			return nil, errCacheClosed
		}
		e, ok := cc.entries[k]
		if !ok {
			break // load it, below, with the lock held
		}
		if e.c != nil {
			cc.unlink(e)
			cc.pushFront(e)
			e.c.retain()
			cc.mu.Unlock()
			return e.c, nil
		}
		ready := e.ready
		cc.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The loader's own context may have ended; that is no reason for
		// this caller to fail: look again, and load it ourselves if needed.
		if e.err != nil && !isContextErr(e.err) {
			return nil, e.err
		}
	}
	e := &cacheEntry{key: k, ready: make(chan struct{})}
	cc.entries[k] = e
	cc.mu.Unlock()

	c, err := cc.load(ctx, k)

	cc.mu.Lock()
	if cc.entries[k] == e {
		delete(cc.entries, k)
	}
	if err != nil {
		e.err = err
		cc.mu.Unlock()
		close(e.ready)
		return nil, err
	}
	if !cc.closed {
		e.c = c
		c.retain() // the cache's reference
		cc.entries[k] = e
		cc.pushFront(e)
		cc.count++
		cc.bytes += c.bytes
		cc.evict()
	}
	cc.mu.Unlock()
	close(e.ready)
	return c, nil
}

// evict drops least recently used chunks while over a bound, keeping the
// newest even when it alone is over the byte budget.
func (cc *chunkCache) evict() {
	for (cc.count > cc.maxChunks || cc.bytes > cc.maxBytes) && cc.count > 1 {
		cc.dropOldest()
	}
}

// dropOldest drops the least recently used chunk; the cache holds one.
func (cc *chunkCache) dropOldest() {
	e := cc.lru.prev
	cc.unlink(e)
	delete(cc.entries, e.key)
	cc.count--
	cc.bytes -= e.c.bytes
	e.c.release()
}

func (cc *chunkCache) unlink(e *cacheEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (cc *chunkCache) pushFront(e *cacheEntry) {
	e.prev, e.next = &cc.lru, cc.lru.next
	cc.lru.next.prev = e
	cc.lru.next = e
}

// close releases every cached chunk; chunks in use stay valid until their
// users release them. Later gets fail.
func (cc *chunkCache) close() {
	cc.mu.Lock()
	cc.closed = true
	var loaded []*chunk
	for e := cc.lru.next; e != &cc.lru; e = e.next {
		loaded = append(loaded, e.c)
	}
	cc.entries = nil
	cc.lru.next, cc.lru.prev = &cc.lru, &cc.lru
	cc.count, cc.bytes = 0, 0
	cc.mu.Unlock()
	for _, c := range loaded {
		c.release()
	}
}

// has reports whether chunk k is loaded, without loading it or counting as
// a use.
func (cc *chunkCache) has(k chunkKey) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.entries[k]
	return ok && e.c != nil
}

// reserve reports whether n more chunks costing bytes in all fit in the
// cache beside the loaded chunks that keep reports, and if so moves those
// to the recently used end, so that the new chunks evict only others.
func (cc *chunkCache) reserve(n int, bytes int64, keep func(chunkKey) bool) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	count := n
	var kept []*cacheEntry // most recent first
	for e := cc.lru.next; e != &cc.lru; e = e.next {
		if keep(e.key) {
			count++
			bytes += e.c.bytes
			kept = append(kept, e)
		}
	}
	if count > cc.maxChunks || bytes > cc.maxBytes {
		return false
	}
	for i := len(kept) - 1; i >= 0; i-- {
		cc.unlink(kept[i])
		cc.pushFront(kept[i])
	}
	return true
}

// bounds are the cache's limits, which also bound what one gather holds.
func (cc *chunkCache) bounds() (chunks int, bytes int64) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.maxChunks, cc.maxBytes
}

// stats reports how many chunks and bytes the cache holds (for tests).
func (cc *chunkCache) stats() (chunks int, bytes int64) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.count, cc.bytes
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
