package dataset

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// runPool recycles the buffers that Parquet read-ahead requests are read
// into (chunkPrefetch). A scan fetches about as many bytes as the file
// holds; allocated afresh, every scan pays for zeroing them, faulting
// their pages in and collecting them again, which on loopback is a good
// part of what a remote scan costs over a local one. The owner gives a
// buffer back only when nothing can read or write it any more: its
// request has ended and every chunk in it has been consumed or dropped.
//
// Lengths are rounded up to one of eight size classes per power of two,
// so that a buffer fits every request of its class (wasting under an
// eighth), and at most maxIdle bytes of idle buffers are kept (the
// read-ahead budget), except for column chunks too large for the budget,
// which the decoders read whole on demand: of those, as many as row groups
// decode at once (decodingRowGroups) may be kept, whatever their size.
// Idle buffers are let go once the pool has gone unused for ttl, so a
// process that scanned once does not keep them for good.
type runPool struct {
	maxIdle int64
	ttl     time.Duration

	mu    sync.Mutex
	free  map[int64][][]byte // idle buffers by capacity (a class size)
	idle  int64              // their bytes, but for those larger than maxIdle
	large int64              // the bytes of those larger than maxIdle
	used  time.Time          // last get or put
	timer *time.Timer        // lets the idle buffers go; nil when none are kept

	// poison, set by tests before use, overwrites a buffer as it comes
	// back, so that a reader still holding it would see garbage.
	poison bool

	allocs, reuses atomic.Int64 // buffers allocated, buffers handed out again
}

const (
	// minPooled is the smallest class kept: smaller buffers cost little
	// to allocate.
	minPooled = 64 << 10
	// poolIdleTTL is how long a pool keeps idle buffers unused.
	poolIdleTTL = 10 * time.Second
)

// runPools holds one pool per read-ahead budget, shared by every remote
// Parquet file open under that budget, so that the next file of a dataset
// or the next scan reuses what the last one fetched.
var runPools = struct {
	sync.Mutex
	byBudget map[int64]*runPool
}{byBudget: map[int64]*runPool{}}

// runPoolFor returns the pool of the files whose read-ahead budget is
// budget, which bounds its idle bytes.
func runPoolFor(budget int64) *runPool {
	runPools.Lock()
	defer runPools.Unlock()
	p := runPools.byBudget[budget]
	if p == nil {
		p = newRunPool(budget, poolIdleTTL)
		runPools.byBudget[budget] = p
	}
	return p
}

func newRunPool(maxIdle int64, ttl time.Duration) *runPool {
	return &runPool{maxIdle: maxIdle, ttl: ttl, free: map[int64][][]byte{}}
}

// classSize is the capacity of the buffer that holds n bytes: n rounded
// up to a multiple of an eighth of the power of two below it, or n itself
// when it is too small to pool.
func classSize(n int64) int64 {
	if n <= minPooled {
		return n
	}
	step := int64(1) << (bits.Len64(uint64(n-1)) - 4)
	return (n + step - 1) / step * step
}

// get returns a buffer of length n, recycled when one of its class is
// idle. Its bytes are not zeroed: the caller overwrites all of them or
// shows none.
func (p *runPool) get(n int64) []byte {
	c := classSize(n)
	if c <= minPooled {
		return make([]byte, n)
	}
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.unaccount(c)
		p.used = time.Now()
		p.mu.Unlock()
		p.reuses.Add(1)
		return b[:n]
	}
	p.mu.Unlock()
	p.allocs.Add(1)
	return make([]byte, n, c)
}

// put gives back a buffer from get that nothing reads or writes any more.
// It is kept if the idle bytes stay within maxIdle, or, larger than that,
// if fewer than decodingRowGroups of its class are idle; else it is left
// to the garbage collector.
func (p *runPool) put(b []byte) {
	c := int64(cap(b))
	if c <= minPooled || classSize(c) != c {
		return // not one of the pool's sizes
	}
	if p.poison {
		b = b[:c]
		for i := range b {
			b[i] = 0xA5
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case c > p.maxIdle:
		if len(p.free[c]) >= decodingRowGroups() {
			return
		}
		p.large += c
	case p.idle+c > p.maxIdle:
		return
	default:
		p.idle += c
	}
	p.free[c] = append(p.free[c], b[:0])
	p.used = time.Now()
	if p.timer == nil {
		p.timer = time.AfterFunc(p.ttl, p.expire)
	}
}

// expire lets the idle buffers go if the pool went unused for ttl, and
// otherwise looks again when it will have.
func (p *runPool) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if wait := p.ttl - time.Since(p.used); wait > 0 {
		p.timer.Reset(wait)
		return
	}
	clear(p.free)
	p.idle, p.large, p.timer = 0, 0, nil
}

// unaccount takes an idle buffer of capacity c off the counts. Called
// with mu held.
func (p *runPool) unaccount(c int64) {
	if c > p.maxIdle {
		p.large -= c
	} else {
		p.idle -= c
	}
}

// idleBytes reports the bytes of the idle buffers kept.
func (p *runPool) idleBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle + p.large
}
