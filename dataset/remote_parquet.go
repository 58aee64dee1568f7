package dataset

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/tome-data/tome/shard"
)

// chunkPrefetch is a remote Parquet Source that fetches ahead: when the
// decoder reads a column chunk, the same column's chunks in the next row
// groups are requested at once, in parallel, so that a scan pays the
// server's latency about once per file rather than once per chunk. Only
// columns being read are fetched ahead, so a projection stays cheap.
//
// The bytes fetched ahead and in flight never exceed maxBytes: a chunk
// that does not fit waits for a later read to schedule it, and one larger
// than maxBytes is left to the decoder's own read. Chunks fetched ahead
// that a scan passes over are dropped when the space is needed.
//
// The chunk ranges come from the file's footer, parsed once more (index)
// from bytes the source's open already holds, after the codec has opened
// the file: until then, and when that fails, reads pass straight through.
type chunkPrefetch struct {
	shard.Source
	reader   contextReader
	maxBytes int64
	chunks   atomic.Pointer[map[int64]chunkRef] // by start offset; nil until index

	mu      sync.Mutex
	held    int64 // bytes fetched ahead or in flight
	peak    int64
	pending map[int64]*fetched // by start offset
	life    context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type contextReader interface {
	ReadAtContext(ctx context.Context, p []byte, off int64) (int, error)
}

// chunkRef is one column chunk: its byte range and where the same column's
// chunk in the next row group starts (-1 for none).
type chunkRef struct {
	off, n   int64
	rowGroup int
	next     int64
}

// fetched is a chunk being fetched ahead; done closes when data or err is
// set.
type fetched struct {
	done     chan struct{}
	data     []byte
	err      error
	rowGroup int
}

// prefetchDepth bounds how many row groups ahead one column is fetched.
const prefetchDepth = 4

// maxPrefetchFooter bounds the footer parsed to find the chunks.
const maxPrefetchFooter = 64 << 20

// newChunkPrefetch wraps src, or returns nil when the source has no
// ReadAtContext. It fetches nothing ahead until index is called.
func newChunkPrefetch(src shard.Source, maxBytes int64) *chunkPrefetch {
	cr, ok := src.(contextReader)
	if !ok || maxBytes <= 0 {
		return nil
	}
	cp := &chunkPrefetch{Source: src, reader: cr, maxBytes: maxBytes, pending: map[int64]*fetched{}}
	cp.life, cp.cancel = context.WithCancel(context.Background())
	return cp
}

// index reads the chunk ranges from the footer, turning fetching ahead on.
// Call it once the codec has opened the file, so that only a footer
// arrow-go has accepted is parsed again.
func (cp *chunkPrefetch) index() {
	chunks, err := parquetChunks(cp.Source)
	if err == nil && len(chunks) > 0 {
		cp.chunks.Store(&chunks)
	}
}

// parquetChunks lists the column chunks of a Parquet file by start
// offset, linking each to the same column's chunk in the next row group.
func parquetChunks(src shard.Source) (_ map[int64]chunkRef, err error) {
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
	chunks := map[int64]chunkRef{}
	var prev []int64 // start of each column's chunk in the previous row group
	for rg := range md.NumRowGroups() {
		g := md.RowGroup(rg)
		cur := make([]int64, g.NumColumns())
		for c := range g.NumColumns() {
			cc, err := g.ColumnChunk(c)
			if err != nil {
				return nil, err
			}
			off := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && off > cc.DictionaryPageOffset() {
				off = cc.DictionaryPageOffset()
			}
			length := cc.TotalCompressedSize()
			if off < 4 || length <= 0 || off > size || length > size-off {
				return nil, fmt.Errorf("chunk range")
			}
			chunks[off] = chunkRef{off: off, n: length, rowGroup: rg, next: -1}
			cur[c] = off
			if len(prev) == len(cur) {
				p := chunks[prev[c]]
				p.next = off
				chunks[prev[c]] = p
			}
		}
		prev = cur
	}
	return chunks, nil
}

// ReadAt serves a chunk fetched ahead when there is one, and schedules the
// next chunks of the column read.
func (cp *chunkPrefetch) ReadAt(p []byte, off int64) (int, error) {
	chunks := cp.chunks.Load()
	if chunks == nil {
		return cp.Source.ReadAt(p, off)
	}
	ref, isChunk := (*chunks)[off]
	if !isChunk {
		return cp.Source.ReadAt(p, off)
	}
	cp.mu.Lock()
	f := cp.pending[off]
	delete(cp.pending, off)
	cp.schedule(*chunks, ref)
	cp.mu.Unlock()
	if f == nil {
		return cp.Source.ReadAt(p, off)
	}
	select {
	case <-f.done:
	case <-cp.life.Done():
	}
	cp.release(int64(cap(f.data)))
	if f.err != nil || len(f.data) < len(p) {
		return cp.Source.ReadAt(p, off) // the source reports its own error
	}
	return copy(p, f.data), nil
}

// schedule fetches the chunks after ref of its column, up to
// prefetchDepth row groups ahead and within the byte cap. Called with mu
// held.
func (cp *chunkPrefetch) schedule(chunks map[int64]chunkRef, ref chunkRef) {
	for at, depth := ref.next, 0; at >= 0 && depth < prefetchDepth; depth++ {
		next := chunks[at]
		if _, ok := cp.pending[at]; !ok {
			if next.n > cp.maxBytes {
				return
			}
			if cp.held+next.n > cp.maxBytes && !cp.evict(ref.rowGroup, next.n) {
				return
			}
			cp.start(next)
		}
		at = next.next
	}
}

// evict drops finished chunks of row groups a read has reached or passed,
// until need bytes fit; it reports whether they do.
func (cp *chunkPrefetch) evict(rowGroup int, need int64) bool {
	offs := make([]int64, 0, len(cp.pending))
	for off := range cp.pending {
		offs = append(offs, off)
	}
	slices.Sort(offs)
	for _, off := range offs {
		if cp.held+need <= cp.maxBytes {
			break
		}
		f := cp.pending[off]
		if f.rowGroup > rowGroup {
			continue
		}
		select {
		case <-f.done:
			delete(cp.pending, off)
			cp.held -= int64(cap(f.data))
		default:
		}
	}
	return cp.held+need <= cp.maxBytes
}

// start fetches one chunk in the background. Called with mu held.
func (cp *chunkPrefetch) start(ref chunkRef) {
	f := &fetched{done: make(chan struct{}), rowGroup: ref.rowGroup}
	cp.pending[ref.off] = f
	cp.held += ref.n
	cp.peak = max(cp.peak, cp.held)
	cp.wg.Go(func() {
		defer close(f.done)
		buf := make([]byte, ref.n)
		n, err := cp.reader.ReadAtContext(cp.life, buf, ref.off)
		f.data, f.err = buf[:n], err
		if n == len(buf) {
			f.err = nil
		}
	})
}

func (cp *chunkPrefetch) release(n int64) {
	cp.mu.Lock()
	cp.held -= n
	cp.mu.Unlock()
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
