package shard

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"sync"
)

// directBlocks is the longest read, in blocks, that goes through the block
// cache. Longer reads (a column chunk, a record batch body) are fetched as
// asked: widening them would gain little and caching them would flush the
// small, reused blocks.
const directBlocks = 4

// loader reads len(p) bytes at off, all of them or an error.
type loader func(ctx context.Context, p []byte, off int64) error

// blockCache keeps recently read blocks of one remote object in memory,
// least recently used first out, and merges concurrent reads of a block
// into one fetch: a reader that finds a block being fetched waits for that
// fetch instead of sending its own request.
type blockCache struct {
	size, bs, budget int64

	mu      sync.Mutex
	blocks  map[int64]*list.Element // of *block, by index
	lru     list.List               // front: most recently used
	used    int64
	flights map[int64]*flight // fetches in progress, by block index
}

// block holds the bytes of block idx from offset lo (the block's start,
// except for the partial block below the open's tail) to the block's end.
type block struct {
	idx  int64
	lo   int64
	data []byte
}

// flight is a fetch of the whole blocks [off, end) in progress; data and
// err are set before done is closed.
type flight struct {
	off, end int64
	data     []byte
	err      error
	done     chan struct{}
}

func newBlockCache(size, blockSize, budget int64) *blockCache {
	return &blockCache{
		size: size, bs: blockSize, budget: budget,
		blocks:  map[int64]*list.Element{},
		flights: map[int64]*flight{},
	}
}

// read fills p with the bytes at off, from cached blocks, fetches in flight
// and fetches of its own through load.
func (c *blockCache) read(ctx context.Context, p []byte, off int64, load loader) error {
	for {
		err := c.readOnce(ctx, p, off, load)
		// A fetch this read waited on may have failed only because its
		// owner's context ended; then this read fetches for itself.
		var abandoned *abandonedFlight
		if !errors.As(err, &abandoned) || ctx.Err() != nil {
			return err
		}
	}
}

// abandonedFlight is a waited-on fetch that its owner's context ended.
type abandonedFlight struct{ err error }

func (e *abandonedFlight) Error() string { return e.err.Error() }
func (e *abandonedFlight) Unwrap() error { return e.err }

// piece is where the bytes of one block of a read come from: a cached
// block or a flight.
type piece struct {
	idx int64
	b   *block
	fl  *flight
}

func (c *blockCache) readOnce(ctx context.Context, p []byte, off int64, load loader) error {
	end := off + int64(len(p))
	pieces, mine := c.plan(off, end)
	for _, fl := range mine {
		c.fill(ctx, fl, load)
	}
	for _, pc := range pieces {
		lo, data := int64(0), []byte(nil)
		if pc.b != nil {
			lo, data = pc.b.lo, pc.b.data
		} else {
			select {
			case <-pc.fl.done:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			if err := pc.fl.err; err != nil {
				if ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
					return &abandonedFlight{err}
				}
				return err
			}
			lo, data = pc.fl.off, pc.fl.data
		}
		// Copy the part of this block that p wants.
		from := max(off, pc.idx*c.bs)
		to := min(end, (pc.idx+1)*c.bs)
		copy(p[from-off:to-off], data[from-lo:to-lo])
	}
	return nil
}

// plan finds, for each block of [off, end), a cached block or a fetch in
// flight, and starts flights (runs of consecutive missing blocks) for the
// rest. The caller must fill the flights it is given.
func (c *blockCache) plan(off, end int64) (pieces []piece, mine []*flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first, last := off/c.bs, (end-1)/c.bs
	pieces = make([]piece, 0, last-first+1)
	var run *flight
	for idx := first; idx <= last; idx++ {
		need := max(off, idx*c.bs)
		if e, ok := c.blocks[idx]; ok && e.Value.(*block).lo <= need {
			c.lru.MoveToFront(e)
			pieces = append(pieces, piece{idx: idx, b: e.Value.(*block)})
			run = nil
			continue
		}
		if fl, ok := c.flights[idx]; ok {
			pieces = append(pieces, piece{idx: idx, fl: fl})
			run = nil
			continue
		}
		if run == nil {
			run = &flight{off: idx * c.bs, done: make(chan struct{})}
			mine = append(mine, run)
		}
		run.end = min((idx+1)*c.bs, c.size)
		c.flights[idx] = run
		pieces = append(pieces, piece{idx: idx, fl: run})
	}
	return pieces, mine
}

// startFlight registers a fetch of the whole blocks [off, end) that the
// caller will fill, so that reads of them wait for it; nil when one of
// them is cached or being fetched already.
func (c *blockCache) startFlight(off, end int64) *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	for idx := off / c.bs; idx*c.bs < end; idx++ {
		if e, ok := c.blocks[idx]; ok && e.Value.(*block).lo <= max(off, idx*c.bs) {
			return nil
		}
		if _, ok := c.flights[idx]; ok {
			return nil
		}
	}
	fl := &flight{off: off, end: end, done: make(chan struct{})}
	for idx := off / c.bs; idx*c.bs < end; idx++ {
		c.flights[idx] = fl
	}
	return fl
}

// fill fetches a flight's blocks, caches them and wakes its waiters.
func (c *blockCache) fill(ctx context.Context, fl *flight, load loader) {
	buf := make([]byte, fl.end-fl.off)
	err := load(ctx, buf, fl.off)
	c.mu.Lock()
	for idx := fl.off / c.bs; idx*c.bs < fl.end; idx++ {
		if c.flights[idx] == fl {
			delete(c.flights, idx)
		}
	}
	if err == nil {
		c.insertLocked(fl.off, buf)
	}
	c.mu.Unlock()
	fl.data, fl.err = buf, err
	close(fl.done)
}

// insert caches data read at off, which need not be block aligned (the
// open's tail is aligned to the end of the object).
func (c *blockCache) insert(off int64, data []byte) {
	if len(data) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insertLocked(off, data)
}

func (c *blockCache) insertLocked(off int64, data []byte) {
	end := off + int64(len(data))
	multi := (end-1)/c.bs != off/c.bs
	for idx := off / c.bs; idx*c.bs < end; idx++ {
		lo := max(off, idx*c.bs)
		hi := min(end, (idx+1)*c.bs, c.size)
		if hi < min((idx+1)*c.bs, c.size) {
			continue // a block is cached up to its end or not at all
		}
		b := data[lo-off : hi-off]
		if multi {
			// Own copy, so that evicting one block frees its memory
			// instead of pinning the buffer it was fetched in.
			b = bytes.Clone(b)
		}
		if e, ok := c.blocks[idx]; ok {
			old := e.Value.(*block)
			if old.lo <= lo {
				c.lru.MoveToFront(e)
				continue
			}
			c.used -= int64(len(old.data))
			c.lru.Remove(e)
		}
		c.blocks[idx] = c.lru.PushFront(&block{idx: idx, lo: lo, data: b})
		c.used += int64(len(b))
	}
	for c.used > c.budget && c.lru.Len() > 0 {
		old := c.lru.Remove(c.lru.Back()).(*block)
		delete(c.blocks, old.idx)
		c.used -= int64(len(old.data))
	}
}
