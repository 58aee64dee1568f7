package dataset

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
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
// The bytes fetched ahead or in flight and not yet consumed never exceed
// maxBytes: what does not fit waits for a later read to schedule it, and a
// chunk larger than maxBytes is left to the decoder's own read. Chunks a
// scan passed over are dropped when the space is needed.
//
// The chunk ranges come from the file's footer, parsed once more (index)
// from bytes the source's open already holds, after the codec has opened
// the file: until then, and when that fails, reads pass straight through.
type chunkPrefetch struct {
	shard.Source
	reader   contextReader
	maxBytes int64
	index    atomic.Pointer[parquetLayout] // nil until indexed

	mu      sync.Mutex
	active  map[int]bool       // columns being read
	firstRG int                // the row group of the first chunk read; -1 before
	pending map[int64]*fetched // by chunk start offset
	held    int64              // bytes of runs fetched ahead or in flight, not yet consumed
	peak    int64
	life    context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type contextReader interface {
	ReadAtContext(ctx context.Context, p []byte, off int64) (int, error)
}

// parquetLayout locates the column chunks of a file.
type parquetLayout struct {
	chunks map[int64]chunkRef // by start offset
	groups [][]chunkRef       // by row group, then column
}

// chunkRef is one column chunk.
type chunkRef struct {
	off, n           int64
	rowGroup, column int
}

// run is one request fetching adjacent chunks; its bytes count against
// the budget until every chunk in it is consumed or dropped.
type run struct {
	n    int64
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
	cp := &chunkPrefetch{Source: src, reader: cr, maxBytes: maxBytes, active: map[int]bool{}, firstRG: -1, pending: map[int64]*fetched{}}
	cp.life, cp.cancel = context.WithCancel(context.Background())
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

// ReadAt serves a chunk fetched ahead when there is one, and schedules the
// chunks of the next row groups.
func (cp *chunkPrefetch) ReadAt(p []byte, off int64) (int, error) {
	ix := cp.index.Load()
	if ix == nil {
		return cp.Source.ReadAt(p, off)
	}
	ref, isChunk := ix.chunks[off]
	if !isChunk {
		return cp.Source.ReadAt(p, off)
	}
	cp.mu.Lock()
	f := cp.pending[off]
	delete(cp.pending, off)
	cp.active[ref.column] = true
	if cp.firstRG < 0 {
		cp.firstRG = ref.rowGroup
	}
	cp.schedule(ix, ref.rowGroup)
	cp.mu.Unlock()
	if f == nil {
		return cp.Source.ReadAt(p, off)
	}
	n, ok := 0, false
	select {
	case <-f.run.done:
		if f.run.err == nil && int64(len(p)) <= f.n {
			n, ok = copy(p, f.run.data[f.at:f.at+f.n]), true
		}
	case <-cp.life.Done():
	}
	cp.mu.Lock()
	cp.drop(f)
	cp.mu.Unlock()
	if !ok {
		return cp.Source.ReadAt(p, off) // the source reports its own error
	}
	return n, nil
}

// schedule fetches the active columns' chunks of the prefetchDepth row
// groups after rowGroup that are not fetched yet, adjacent chunks in one
// request, within the byte budget. In the first row group read, while the
// columns being read are still being learnt one read at a time, it looks
// only one row group ahead, so that the deeper fetches, made once the set
// is known, each take the row group's columns in one request. Called with
// mu held.
func (cp *chunkPrefetch) schedule(ix *parquetLayout, rowGroup int) {
	depth := prefetchDepth
	if rowGroup == cp.firstRG {
		depth = 1
	}
	for rg := rowGroup + 1; rg <= rowGroup+depth && rg < len(ix.groups); rg++ {
		var want []chunkRef
		for _, c := range ix.groups[rg] {
			if _, ok := cp.pending[c.off]; !ok && cp.active[c.column] && c.n <= cp.maxBytes {
				want = append(want, c)
			}
		}
		slices.SortFunc(want, func(a, b chunkRef) int { return int(a.off - b.off) })
		for len(want) > 0 {
			k, n := 1, want[0].n
			for k < len(want) && want[k].off == want[k-1].off+want[k-1].n && n+want[k].n <= cp.maxBytes {
				n += want[k].n
				k++
			}
			if cp.held+n > cp.maxBytes && !cp.evict(rowGroup, n) {
				return
			}
			cp.start(want[:k], n)
			want = want[k:]
		}
	}
}

// evict drops fetched chunks of row groups before the one being read
// (a scan that skipped them, or random access), until need bytes fit; it reports whether they do. Called with mu held.
func (cp *chunkPrefetch) evict(rowGroup int, need int64) bool {
	for off, f := range cp.pending {
		if cp.held+need <= cp.maxBytes {
			break
		}
		if f.rowGroup >= rowGroup { // the current row group's are about to be read
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
func (cp *chunkPrefetch) start(chunks []chunkRef, n int64) {
	r := &run{n: n, done: make(chan struct{}), left: len(chunks)}
	first := chunks[0].off
	for _, c := range chunks {
		cp.pending[c.off] = &fetched{run: r, at: c.off - first, n: c.n, rowGroup: c.rowGroup}
	}
	cp.held += n
	cp.peak = max(cp.peak, cp.held)
	cp.wg.Go(func() {
		defer close(r.done)
		buf := make([]byte, n)
		got, err := cp.reader.ReadAtContext(cp.life, buf, first)
		if got == len(buf) {
			err = nil
		} else if err == nil {
			err = io.ErrUnexpectedEOF
		}
		r.data, r.err = buf, err
	})
}

// drop releases a chunk; the last chunk of a run releases its bytes.
// Called with mu held.
func (cp *chunkPrefetch) drop(f *fetched) {
	f.run.left--
	if f.run.left == 0 {
		cp.held -= f.run.n
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
	cp.pending, cp.held = map[int64]*fetched{}, 0
	cp.mu.Unlock()
	return cp.Source.Close()
}
