package dataset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// randomAccess is what random access to a shard set needs beyond the open
// files: where each shard's chunks start, the chunk cache, and readers
// projected onto the column sets view scans ask for. It is built on first
// use and released with the shard set (shardSet.close), so every view of a
// dataset shares one cache.
type randomAccess struct {
	set    *shardSet
	cfg    openConfig
	shards []shardChunks
	cache  *chunkCache

	// byChunkOnly turns reading by page off (benchmarks compare the two).
	byChunkOnly bool

	// Bytes and rows of the whole chunks decoded so far, which estimate
	// what a chunk not yet decoded will cost (train_readahead.go).
	decodedBytes, decodedRows atomic.Int64

	indexOnce sync.Once
	index     chunkIndex
	indexErr  error

	mu      sync.Mutex
	readers map[string][]format.ChunkedReader // by column key, per shard; opened lazily
	closed  bool

	// populated marks, by column key, the chunks (numbered across shards)
	// whose pages a block shuffle has mapped whole (train_populate.go).
	populated map[string][]atomic.Bool
}

// populatedChunks returns the marks of the chunks whose pages of the
// columns key names have been mapped, creating them on first use.
func (a *randomAccess) populatedChunks(key string, chunks int) []atomic.Bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.populated == nil {
		a.populated = make(map[string][]atomic.Bool)
	}
	marks := a.populated[key]
	if marks == nil {
		marks = make([]atomic.Bool, chunks)
		a.populated[key] = marks
	}
	return marks
}

// shardChunks locates rows in one shard's chunks. It is computed once, from
// the reader's metadata only (ChunkRows), on first use.
type shardChunks struct {
	once   sync.Once
	r      format.ChunkedReader
	starts []int64 // starts[c] is the first row of chunk c in the shard; the last entry is the row count
	push   bool    // decode only the columns asked for (see pushDown)
	err    error
}

// access returns the random-access state of d's files, creating it on
// first use.
func (d *Dataset) access() (*randomAccess, error) {
	if d.files == nil {
		return nil, fmt.Errorf("dataset %s: use after Close", d.name)
	}
	s := d.files
	if a := s.access.Load(); a != nil {
		return a, nil
	}
	a := &randomAccess{set: s, cfg: d.cfg, shards: make([]shardChunks, len(s.shards))}
	a.cache = newChunkCache(cacheMaxChunks, cacheMaxBytes, a.loadChunk)
	if !s.access.CompareAndSwap(nil, a) {
		return s.access.Load(), nil
	}
	return a, nil
}

// close releases the cached chunks and the projected readers. Chunks and
// batches handed out stay valid until released.
func (a *randomAccess) close() error {
	a.cache.close()
	a.mu.Lock()
	readers := a.readers
	a.readers, a.closed = nil, true
	a.mu.Unlock()
	var errs []error
	for _, rs := range readers {
		for _, r := range rs {
			if r != nil {
				errs = append(errs, r.Close())
			}
		}
	}
	return errors.Join(errs...)
}

// chunkIndex locates base rows in the chunks of every shard at once:
// chunk g (numbered across shards) holds base rows [starts[g],
// starts[g+1]).
type chunkIndex struct {
	starts []int64
	shard  []int32
	chunk  []int32

	// per is the row count of every chunk but the last, when they all
	// hold that many (files cut into chunks of one size, laid end to
	// end): locate then multiplies by inv, its reciprocal, where a
	// division or a search would cost several times more. 0 otherwise.
	per int64
	inv float64
}

// A chunkLoc is where a base row lives.
type chunkLoc struct {
	g            int   // chunk number across shards
	shard, chunk int   // the same, as shard and chunk in the shard
	row          int64 // the row within the chunk
	start, end   int64 // the chunk's base rows
}

// find locates base row b, which the caller has checked against the
// dataset's length.
func (a *randomAccess) find(b int64) (chunkLoc, error) {
	ix, err := a.chunkIndex()
	if err != nil {
		return chunkLoc{}, err
	}
	g, _ := ix.locate(b)
	return chunkLoc{g: g, shard: int(ix.shard[g]), chunk: int(ix.chunk[g]), row: b - ix.starts[g], start: ix.starts[g], end: ix.starts[g+1]}, nil
}

// chunkIndex returns the index of every chunk, built on first use.
func (a *randomAccess) chunkIndex() (*chunkIndex, error) {
	a.indexOnce.Do(a.buildIndex)
	return &a.index, a.indexErr
}

// buildIndex lays every shard's chunks end to end, from metadata.
func (a *randomAccess) buildIndex() {
	ix := chunkIndex{starts: []int64{0}}
	if a.indexErr = openLazy(context.Background(), a.set.shards); a.indexErr != nil {
		return // a shard of a manifest that does not open (manifest_shard.go)
	}
	for s := range a.set.shards {
		sc, err := a.chunks(s)
		if err != nil {
			a.indexErr = err
			return
		}
		base := a.set.starts[s]
		for c := range len(sc.starts) - 1 {
			ix.starts = append(ix.starts, base+sc.starts[c+1])
			ix.shard = append(ix.shard, int32(s))
			ix.chunk = append(ix.chunk, int32(c))
		}
	}
	ix.setEven()
	a.index = ix
}

// maxEvenRows bounds the rows an even index locates by multiplying: below
// 2^53 a row number is exact as a float64, and its product with the
// rounded reciprocal of per is within 2/per of the true quotient, so the
// chunk it names is off by at most one, which locate corrects.
const maxEvenRows = 1 << 53

// setEven sets per and inv when every chunk but the last holds the same
// number of rows, at least one (the last may hold any number).
func (ix *chunkIndex) setEven() {
	ix.per, ix.inv = 0, 0
	n := len(ix.starts) - 1
	if n < 1 || ix.starts[n] >= maxEvenRows {
		return
	}
	per := ix.starts[1] - ix.starts[0]
	if per <= 0 {
		return
	}
	for g := 1; g < n-1; g++ {
		if ix.starts[g+1]-ix.starts[g] != per {
			return
		}
	}
	ix.per, ix.inv = per, 1/float64(per)
}

// locate returns the chunk holding base row b, in [0, ix.starts[n]), and
// b's row in it. An even index computes both: the product with the
// reciprocal is off by at most one chunk, which one compare each way
// corrects, and rows past the even chunks are the last's. Others search.
func (ix *chunkIndex) locate(b int64) (int, int64) {
	if per := ix.per; per > 0 {
		g := int64(float64(b) * ix.inv)
		r := b - g*per
		if r < 0 {
			g, r = g-1, r+per
		} else if r >= per {
			g, r = g+1, r-per
		}
		if last := int64(len(ix.starts) - 2); g > last {
			g, r = last, b-last*per
		}
		return int(g), r
	}
	g := ix.search(b)
	return g, b - ix.starts[g]
}

// search returns the chunk holding base row b. Writers cut most files into
// chunks of one size, so the chunk a proportional guess names is usually
// the one; otherwise a binary search finds it.
func (ix *chunkIndex) search(b int64) int {
	n := len(ix.starts) - 1
	g := int(float64(b) / float64(ix.starts[n]) * float64(n))
	if g >= 0 && g < n && ix.starts[g] <= b && b < ix.starts[g+1] {
		return g
	}
	return searchEnds(ix.starts, b)
}

// chunks returns the chunk index of shard s.
func (a *randomAccess) chunks(s int) (*shardChunks, error) {
	sc := &a.shards[s]
	sc.once.Do(func() {
		sf := a.set.shards[s]
		if sc.err = sf.ensureOpen(context.Background()); sc.err != nil {
			return
		}
		r, ok := sf.r.(format.ChunkedReader)
		if !ok {
			sc.err = fmt.Errorf("%s: %w: a %s file records no row positions (convert it to Arrow or Parquet first)", sf.path, ErrNoRandomAccess, sf.kind)
			return
		}
		n := r.NumChunks()
		starts := make([]int64, n+1)
		for c := range n {
			rows := r.ChunkRows(c)
			if rows < 0 {
				sc.err = fmt.Errorf("%s: %w: chunk %d has %d rows", sf.path, format.ErrCorrupt, c, rows)
				return
			}
			starts[c+1] = starts[c] + rows
		}
		if starts[n] != r.NumRows() {
			sc.err = fmt.Errorf("%s: %w: chunks hold %d rows, the file says %d", sf.path, format.ErrCorrupt, starts[n], r.NumRows())
			return
		}
		sc.r, sc.starts, sc.push = r, starts, pushDown(sf)
	})
	return sc, sc.err
}

// searchEnds returns the first i with starts[i+1] > x: the interval of
// the cumulative counts starts that holds x. It is sort.Search without
// the closure, which costs more than the search on the Row path.
func searchEnds(starts []int64, x int64) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if starts[mid+1] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// pushDown reports whether a shard should decode only the columns asked
// for. A zero-copy Arrow shard costs nothing per column, so its full
// chunks are cached once and projected afterwards; a Parquet or compressed
// Arrow shard would decode every column.
func pushDown(sf *shardFile) bool {
	if sf.kind.Format == format.Parquet {
		return true
	}
	zc, ok := sf.r.(interface{ ZeroCopy() bool })
	return ok && !zc.ZeroCopy()
}

// columnKey names a projection in chunk keys; "" is every column.
func columnKey(columns []string) string {
	if columns == nil {
		return ""
	}
	return "\x00" + strings.Join(columns, "\x00")
}

// reader returns shard s's reader for the column key: the shard's own for
// every column, else one opened projected on first use.
func (a *randomAccess) reader(s int, key string) (format.ChunkedReader, error) {
	sc, err := a.chunks(s)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return sc.r, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errCacheClosed
	}
	if a.readers == nil {
		a.readers = make(map[string][]format.ChunkedReader)
	}
	rs := a.readers[key]
	if rs == nil {
		rs = make([]format.ChunkedReader, len(a.set.shards))
		a.readers[key] = rs
	}
	if rs[s] != nil {
		return rs[s], nil
	}
	sf := a.set.shards[s]
	columns := strings.Split(key[1:], "\x00")
	r, err := openReader(sf.src, sf.kind, a.cfg, columns)
	if err != nil {
		return nil, err
	}
	cr, ok := r.(format.ChunkedReader)
	if !ok || cr.NumChunks() != sc.r.NumChunks() {
		r.Close()
		return nil, fmt.Errorf("%s: %w: projected reader has other chunks", sf.path, ErrNoRandomAccess)
	}
	rs[s] = cr
	return cr, nil
}

// loadChunk reads a chunk for the cache: its batches, retained, checked
// against the row count the metadata promised.
func (a *randomAccess) loadChunk(ctx context.Context, k chunkKey) (*chunk, error) {
	if k.window != 0 {
		return a.loadWindow(ctx, k)
	}
	r, err := a.reader(k.shard, k.cols)
	if err != nil {
		return nil, err
	}
	sf := a.set.shards[k.shard]
	var batches []arrow.RecordBatch
	fail := func(err error) (*chunk, error) {
		for _, b := range batches {
			b.Release()
		}
		return nil, err
	}
	for b, err := range r.ReadChunk(ctx, k.chunk) {
		if err != nil {
			return fail(chunkErr(sf.path, k.chunk, err))
		}
		b.Retain()
		batches = append(batches, b)
	}
	var rows int64
	for _, b := range batches {
		rows += b.NumRows()
	}
	if want := r.ChunkRows(k.chunk); rows != want {
		return fail(fmt.Errorf("%s: %w: chunk %d holds %d rows, its metadata says %d", sf.path, format.ErrCorrupt, k.chunk, rows, want))
	}
	c := newChunk(batches, chunkCost(batches, mappedBytes(sf)))
	if sc := &a.shards[k.shard]; sc.push && rows > 0 {
		a.decodedBytes.Add(c.bytes)
		a.decodedRows.Add(rows)
	}
	return c, nil
}

// bytesPerRow is what a decoded chunk has cost per row so far; ok is
// false before the first.
func (a *randomAccess) bytesPerRow() (float64, bool) {
	rows := a.decodedRows.Load()
	if rows == 0 {
		return 0, false
	}
	return float64(a.decodedBytes.Load()) / float64(rows), true
}

// chunkErr adds the file and chunk to an error reading a chunk, unless the
// codec already named the file.
func chunkErr(path string, chunk int, err error) error {
	if strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: chunk %d: %w", path, chunk, err)
}
