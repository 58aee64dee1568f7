package dataset

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/tome-data/tome/shard"
)

// chunkPrefetch is a remote Parquet Source that fetches ahead: when the
// decoder reads a column chunk, the chunks of the columns being read in
// the next few row groups are requested at once, those that lie next to
// each other in one request, so that a scan pays the server's latency
// about once per file rather than once per chunk. Only the columns being
// read are fetched ahead, so a projection stays cheap.
//
// The bytes fetched ahead or in flight and not yet consumed, and those the
// fast decoder borrows (BorrowAt) until it is done with them, never exceed
// maxBytes: what does not fit waits for a later read to schedule it, and a
// chunk larger than maxBytes is left to the decoder's own read. Chunks a
// scan passed over are dropped when the space is needed.
//
// The chunk ranges come from the file's footer, parsed once more (index)
// from bytes the source's open already holds, after the codec has opened
// the file: until then, and when that fails, reads pass straight through.
//
// The requests' buffers come from a runPool shared by the files read under
// the same budget, and go back to it once the request has ended and every
// chunk in it has been consumed or dropped, so that scan after scan reuses
// the same memory.
type chunkPrefetch struct {
	shard.Source
	reader   contextReader
	maxBytes int64
	pool     *runPool
	index    atomic.Pointer[parquetLayout] // nil until indexed

	mu     sync.Mutex
	active map[int]bool // columns being read
	// expect are the columns the last reader opened will read (nil
	// before one says): with them known, a row group's chunks are fetched
	// together from its first read on, rather than learnt read by read.
	expect  map[int]bool
	firstRG int                // the row group of the first chunk read; -1 before
	pending map[int64]*fetched // by chunk start offset
	// consumed are the chunks read in this pass over the file, which
	// fetching ahead skips; a chunk read again starts another pass.
	consumed map[int64]bool
	held     int64 // bytes of runs fetched ahead, in flight or borrowed, not yet released
	peak     int64
	life     context.Context // for the chunks a read waits for
	ahead    context.Context // for those fetched ahead (shard.ReadAhead)
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

type contextReader interface {
	ReadAtContext(ctx context.Context, p []byte, off int64) (int, error)
}

// parquetLayout locates the column chunks of a file.
type parquetLayout struct {
	chunks map[int64]chunkRef // by start offset
	groups [][]chunkRef       // by row group, then column
	tops   []string           // by leaf column: the top-level column it is part of
}

// chunkRef is one column chunk.
type chunkRef struct {
	off, n           int64
	rowGroup, column int
}

// run is one request fetching adjacent chunks; its buffer counts against
// the budget until every chunk in it is consumed or dropped.
type run struct {
	size int64 // the buffer's capacity, counted in held
	done chan struct{}
	data []byte // set, with err, before done closes
	err  error
	left int // chunks not yet consumed or dropped; guarded by mu
}

// fetched is one chunk of a run.
type fetched struct {
	run      *run
	at       int64 // offset of the chunk in run.data
	n        int64
	rowGroup int
}

// prefetchDepth bounds how many row groups ahead chunks are fetched; the
// byte budget usually binds first.
const prefetchDepth = 16

// maxPrefetchFooter bounds the footer parsed to find the chunks.
const maxPrefetchFooter = 64 << 20

// newChunkPrefetch wraps src, or returns nil when the source has no
// ReadAtContext. It fetches nothing ahead until indexed.
func newChunkPrefetch(src shard.Source, maxBytes int64) *chunkPrefetch {
	cr, ok := src.(contextReader)
	if !ok || maxBytes <= 0 {
		return nil
	}
	cp := &chunkPrefetch{Source: src, reader: cr, maxBytes: maxBytes, pool: runPoolFor(maxBytes), active: map[int]bool{}, firstRG: -1, pending: map[int64]*fetched{}, consumed: map[int64]bool{}}
	cp.life, cp.cancel = context.WithCancel(context.Background())
	// The host limiter keeps slots free of fetches ahead for the chunks
	// the decoder waits for.
	cp.ahead = shard.ReadAhead(cp.life)
	return cp
}

// indexChunks reads the chunk ranges from the footer, turning fetching
// ahead on. Call it once the codec has opened the file, so that only a
// footer arrow-go has accepted is parsed again.
func (cp *chunkPrefetch) indexChunks() {
	if ix, err := parquetChunks(cp.Source); err == nil && len(ix.chunks) > 0 {
		cp.index.Store(ix)
	}
}

// parquetChunks lists the column chunks of a Parquet file.
func parquetChunks(src shard.Source) (_ *parquetLayout, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parquet footer: %v", r)
		}
	}()
	size := src.Size()
	if size < 12 {
		return nil, fmt.Errorf("too short")
	}
	var tail [8]byte
	if _, err := src.ReadAt(tail[:], size-8); err != nil {
		return nil, err
	}
	if string(tail[4:]) != "PAR1" {
		return nil, fmt.Errorf("no plaintext footer")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 || n > maxPrefetchFooter {
		return nil, fmt.Errorf("footer length %d", n)
	}
	footer := make([]byte, n)
	if _, err := src.ReadAt(footer, size-8-n); err != nil {
		return nil, err
	}
	md, err := metadata.NewFileMetaData(footer, nil)
	if err != nil {
		return nil, err
	}
	ix := &parquetLayout{chunks: map[int64]chunkRef{}}
	for c := range md.Schema.NumColumns() {
		path := md.Schema.Column(c).ColumnPath()
		if len(path) == 0 {
			return nil, fmt.Errorf("leaf column %d has no path", c)
		}
		ix.tops = append(ix.tops, path[0])
	}
	for rg := range md.NumRowGroups() {
		g := md.RowGroup(rg)
		group := make([]chunkRef, 0, g.NumColumns())
		for c := range g.NumColumns() {
			cc, err := g.ColumnChunk(c)
			if err != nil {
				return nil, err
			}
			// The range arrow-go reads (file.RowGroupReader.GetColumnPageReader).
			off := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && off > cc.DictionaryPageOffset() {
				off = cc.DictionaryPageOffset()
			}
			length := cc.TotalCompressedSize()
			if off < 4 || length <= 0 || off > size || length > size-off {
				return nil, fmt.Errorf("column chunk range [%d, +%d) outside the file", off, length)
			}
			if _, dup := ix.chunks[off]; dup {
				return nil, fmt.Errorf("two column chunks at offset %d", off)
			}
			ref := chunkRef{off: off, n: length, rowGroup: rg, column: c}
			ix.chunks[off] = ref
			group = append(group, ref)
		}
		ix.groups = append(ix.groups, group)
	}
	return ix, nil
}

// expectColumns says which top-level columns the reader just opened will
// read (nil: all of them). Call it after indexChunks.
func (cp *chunkPrefetch) expectColumns(names []string) {
	ix := cp.index.Load()
	if ix == nil {
		return
	}
	set := map[int]bool{}
	for leaf, top := range ix.tops {
		if names == nil || slices.Contains(names, top) {
			set[leaf] = true
		}
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.expect, cp.active = set, map[int]bool{}
	clear(cp.consumed) // a new reader starts a new pass
}

// ReadAt serves a chunk fetched ahead when there is one, and schedules the
// chunks of the next row groups. A chunk not fetched yet of a column
// expected is fetched with the other expected chunks of its row group, in
// as few requests as they are runs of adjacent chunks: the decoder, which
// reads a row group's columns one after another or all at once, then waits
// for one round trip per row group.
func (cp *chunkPrefetch) ReadAt(p []byte, off int64) (int, error) {
	ix := cp.index.Load()
	if ix == nil {
		return cp.Source.ReadAt(p, off)
	}
	ref, isChunk := ix.chunks[off]
	if !isChunk || int64(len(p)) < ref.n {
		// Not a column chunk read whole: random access reading a page
		// (the first page starts the chunk) wants nothing fetched ahead.
		return cp.Source.ReadAt(p, off)
	}
	f := cp.claim(ix, ref)
	if f == nil {
		return cp.Source.ReadAt(p, off)
	}
	data, ok := cp.wait(f)
	n := 0
	if ok && len(p) <= len(data) {
		n = copy(p, data)
	} else {
		ok = false
	}
	cp.release(f)
	if !ok {
		return cp.Source.ReadAt(p, off) // the source reports its own error
	}
	return n, nil
}

// BorrowAt is ReadAt without the copy (parquet.ChunkBorrower): the fast
// Parquet decoder decodes a column chunk fetched ahead straight from the
// request's buffer, and releases it when done with the chunk. Until then
// its bytes count against the read-ahead budget, as they did while they
// waited to be read, so memory stays bounded by it. A chunk not fetched
// ahead, or whose fetch failed, is read from the source into a buffer of
// its own, as ReadAt would; other ranges are left to ReadAt.
func (cp *chunkPrefetch) BorrowAt(off, n int64) ([]byte, func(), error) {
	ix := cp.index.Load()
	if ix == nil {
		return nil, nil, nil
	}
	ref, isChunk := ix.chunks[off]
	if !isChunk || n != ref.n {
		return nil, nil, nil
	}
	if f := cp.claim(ix, ref); f != nil {
		if data, ok := cp.wait(f); ok {
			var once sync.Once
			return data, func() { once.Do(func() { cp.release(f) }) }, nil
		}
		cp.release(f)
	}
	return cp.borrowRead(off, n)
}

// borrowRead reads a chunk not fetched ahead into a buffer from the pool,
// which goes back when the decoder releases it. A read cut short shows
// only the bytes read (past them the buffer may hold another chunk's), so
// the decoder can say how short it was.
func (cp *chunkPrefetch) borrowRead(off, n int64) ([]byte, func(), error) {
	buf := cp.pool.get(n)
	got, err := cp.Source.ReadAt(buf, off)
	if got < len(buf) && err == nil {
		err = io.ErrUnexpectedEOF
	}
	var once sync.Once
	return buf[:got], func() { once.Do(func() { cp.pool.put(buf) }) }, err
}

// claim takes the chunk ref from those fetched ahead, fetching its row
// group's expected chunks now when it is not among them, and schedules the
// next row groups. It returns nil when the chunk is to be read from the
// source as it is. The caller releases what it returns.
func (cp *chunkPrefetch) claim(ix *parquetLayout, ref chunkRef) *fetched {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.consumed[ref.off] {
		// Read again: another pass over the file, whose row groups may be
		// fetched ahead again.
		clear(cp.consumed)
	}
	cp.consumed[ref.off] = true
	f := cp.pending[ref.off]
	delete(cp.pending, ref.off)
	cp.active[ref.column] = true
	if cp.firstRG < 0 {
		cp.firstRG = ref.rowGroup
	}
	if f == nil && cp.expect[ref.column] {
		cp.fetchGroup(ix, ref.rowGroup, ref.rowGroup, cp.life, ref.off)
		if f = cp.pending[ref.off]; f != nil {
			delete(cp.pending, ref.off)
		}
	}
	cp.schedule(ix, ref.rowGroup)
	return f
}

// wait returns the bytes of f once fetched, or false when the fetch
// failed or the source was closed.
func (cp *chunkPrefetch) wait(f *fetched) ([]byte, bool) {
	select {
	case <-f.run.done:
		if f.run.err == nil {
			return f.run.data[f.at : f.at+f.n], true
		}
	case <-cp.life.Done():
	}
	return nil, false
}

// release gives back a chunk claimed.
func (cp *chunkPrefetch) release(f *fetched) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.life.Err() == nil { // Close has let go of every chunk already
		cp.drop(f)
	}
}

// schedule fetches ahead the wanted columns' chunks of the prefetchDepth
// row groups after rowGroup that are not fetched yet, within the byte
// budget. In the first row group read, while the columns being read are
// still being learnt one read at a time (no reader said which it
// expects), it looks only one row group ahead, so that the deeper fetches,
// made once the set is known, each take the row group's columns in one
// request. Called with mu held.
//
// The row groups decoded alongside this one (see decodingRowGroups) are
// fetched one per request, to arrive first; the
// further ones several per request, up to maxBytes/aheadRequests bytes, so
// that the budget's worth is asked for in about as many requests as a host
// serves at once: with a distant server, the whole window then arrives
// after one round trip instead of one per row group the host cannot take
// at the same time.
func (cp *chunkPrefetch) schedule(ix *parquetLayout, rowGroup int) {
	depth := prefetchDepth
	if rowGroup == cp.firstRG && cp.expect == nil {
		depth = 1
	}
	near := rowGroup + decodingRowGroups() - 1
	var far []chunkRef
	for rg := rowGroup + 1; rg <= rowGroup+depth && rg < len(ix.groups); rg++ {
		if rg > near {
			far = cp.wanted(ix, rg, -1, far)
		} else if !cp.fetchRuns(cp.wanted(ix, rg, -1, nil), rowGroup, cp.ahead, 0) {
			return
		}
	}
	cp.fetchRuns(far, rowGroup, cp.ahead, cp.maxBytes/aheadRequests)
}

// decodingRowGroups is how many row groups the Parquet reader decodes at
// once, and so reads at about the same time: one per worker, GOMAXPROCS
// (format/parquet, fastrowgroups.go).
func decodingRowGroups() int { return runtime.GOMAXPROCS(0) }

// aheadRequests is how many requests the read-ahead budget is spread over
// when row groups are fetched several per request: shard's default cap on
// the requests in flight to one host.
const aheadRequests = shard.DefaultMaxPerHost

// fetchGroup fetches the wanted chunks of row group rg (see wanted) under
// ctx, adjacent ones in one request, within the byte budget (making room
// by dropping chunks of row groups before current). It reports false when
// the budget is spent. Called with mu held.
func (cp *chunkPrefetch) fetchGroup(ix *parquetLayout, rg, current int, ctx context.Context, need int64) bool {
	return cp.fetchRuns(cp.wanted(ix, rg, need, nil), current, ctx, 0)
}

// wanted appends to want the chunks of row group rg of the columns being
// read that are neither fetched yet nor read in this pass, unless it is
// need (the offset of the chunk a read waits for; -1 for none), nor too
// large for the budget. Called with mu held.
func (cp *chunkPrefetch) wanted(ix *parquetLayout, rg int, need int64, want []chunkRef) []chunkRef {
	for _, c := range ix.groups[rg] {
		if _, ok := cp.pending[c.off]; ok || !(cp.active[c.column] || cp.expect[c.column]) || classSize(c.n) > cp.maxBytes {
			continue
		}
		// A chunk this pass has read is not fetched again when a read of
		// an earlier row group schedules its row group (row groups decode
		// in parallel, so they are read out of order), except the one
		// being read on demand (need).
		if !cp.consumed[c.off] || c.off == need {
			want = append(want, c)
		}
	}
	return want
}

// fetchRuns fetches want, in order of offset, adjacent chunks in one
// request: those of one row group up to the budget, and those of several
// up to maxRun bytes (0: one row group per request). It makes room by
// dropping chunks of row groups before current, and reports false when
// the budget is spent. Called with mu held.
func (cp *chunkPrefetch) fetchRuns(want []chunkRef, current int, ctx context.Context, maxRun int64) bool {
	slices.SortFunc(want, func(a, b chunkRef) int { return cmp.Compare(a.off, b.off) })
	for len(want) > 0 {
		k, n := 1, want[0].n
		for k < len(want) && want[k].off == want[k-1].off+want[k-1].n && classSize(n+want[k].n) <= cp.maxBytes &&
			(want[k].rowGroup == want[0].rowGroup || n+want[k].n <= maxRun) {
			n += want[k].n
			k++
		}
		if size := classSize(n); cp.held+size > cp.maxBytes && !cp.evict(current, size) {
			return false
		}
		cp.start(ctx, want[:k], n)
		want = want[k:]
	}
	return true
}

// evict drops fetched chunks of row groups before the one being read
// (a scan that skipped them, or random access), until need bytes fit; it reports whether they do. Called with mu held.
func (cp *chunkPrefetch) evict(rowGroup int, need int64) bool {
	for off, f := range cp.pending {
		if cp.held+need <= cp.maxBytes {
			break
		}
		// The current row group's are about to be read, and so may be
		// those of the row groups before it that decode in parallel with
		// it.
		if f.rowGroup > rowGroup-decodingRowGroups() {
			continue
		}
		select {
		case <-f.run.done:
			delete(cp.pending, off)
			cp.drop(f)
		default:
		}
	}
	return cp.held+need <= cp.maxBytes
}

// start fetches adjacent chunks, n bytes in all, in one request. Called
// with mu held.
func (cp *chunkPrefetch) start(ctx context.Context, chunks []chunkRef, n int64) {
	r := &run{size: classSize(n), done: make(chan struct{}), left: len(chunks)}
	first := chunks[0].off
	for _, c := range chunks {
		cp.pending[c.off] = &fetched{run: r, at: c.off - first, n: c.n, rowGroup: c.rowGroup}
	}
	cp.held += r.size
	cp.peak = max(cp.peak, cp.held)
	buf := cp.pool.get(n) // here, so that held counts buffers that exist
	cp.wg.Go(func() {
		defer close(r.done)
		got, err := cp.reader.ReadAtContext(ctx, buf, first)
		if got == len(buf) {
			err = nil
		} else if err == nil {
			err = io.ErrUnexpectedEOF
		}
		r.data, r.err = buf, err
	})
}

// drop releases a chunk; the last chunk of a run releases its bytes, and
// gives its buffer back to the pool once its request has ended (a request
// abandoned by Close may still be writing into it). Called with mu held.
func (cp *chunkPrefetch) drop(f *fetched) {
	r := f.run
	r.left--
	if r.left > 0 {
		return
	}
	cp.held -= r.size
	select {
	case <-r.done:
		cp.pool.put(r.data)
	default:
	}
}

// peakBytes reports the most bytes held ahead or in flight at once.
func (cp *chunkPrefetch) peakBytes() int64 {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.peak
}

// Close abandons the fetches in flight, waits for them and closes the
// source.
func (cp *chunkPrefetch) Close() error {
	cp.cancel()
	cp.wg.Wait()
	cp.mu.Lock()
	// The runs no decoder holds a chunk of go back to the pool; those
	// still borrowed are left to the garbage collector, as release no
	// longer drops anything.
	for _, f := range cp.pending {
		cp.drop(f)
	}
	cp.pending, cp.held = map[int64]*fetched{}, 0
	cp.mu.Unlock()
	return cp.Source.Close()
}
