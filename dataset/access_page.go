package dataset

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// A pageWindower is a shard reader that reads the rows around one row by
// page instead of by chunk: a Parquet reader whose file has a page index
// (format/parquet's PageWindow and ReadPageWindow).
type pageWindower interface {
	// PageWindow returns the rows [first, end) of chunk around row that
	// one page per column holds; ok is false when the chunk cannot be
	// read by page.
	PageWindow(ctx context.Context, chunk int, row int64) (first, end int64, ok bool, err error)
	// ReadPageWindow decodes such a window into a batch the caller
	// releases.
	ReadPageWindow(ctx context.Context, chunk int, first, end int64) (arrow.RecordBatch, error)
}

// rowChunk returns the cached chunk holding the row at loc, with a
// reference the caller releases, and the row's index in it. The chunk is
// the row's page window when the shard reads by page and its whole chunk
// is not cached already; else the whole chunk.
//
// Windows and whole chunks share the cache and its byte budget. A window
// costs its pages' decoded buffers (the rows outside the window included,
// since the columns are slices of whole pages).
func (a *randomAccess) rowChunk(ctx context.Context, loc chunkLoc) (*chunk, int64, error) {
	whole := chunkKey{shard: loc.shard, chunk: loc.chunk}
	if pw := a.pageWindows(loc.shard); pw != nil && !a.cache.has(whole) {
		first, _, ok, err := pw.PageWindow(ctx, loc.chunk, loc.row)
		if err != nil {
			return nil, 0, chunkErr(a.set.shards[loc.shard].path, loc.chunk, err)
		}
		if ok {
			ch, err := a.cache.get(ctx, chunkKey{shard: loc.shard, chunk: loc.chunk, window: first + 1})
			return ch, loc.row - first, err
		}
	}
	ch, err := a.cache.get(ctx, whole)
	return ch, loc.row, err
}

// pageWindows returns shard s's reader as a pageWindower, or nil when it
// reads by chunk only (or reading by page is turned off).
func (a *randomAccess) pageWindows(s int) pageWindower {
	if a.byChunkOnly {
		return nil
	}
	sc, err := a.chunks(s)
	if err != nil {
		return nil
	}
	pw, _ := sc.r.(pageWindower)
	return pw
}

// loadWindow reads the page window k names for the cache.
func (a *randomAccess) loadWindow(ctx context.Context, k chunkKey) (*chunk, error) {
	r, err := a.reader(k.shard, k.cols)
	if err != nil {
		return nil, err
	}
	sf := a.set.shards[k.shard]
	pw, ok := r.(pageWindower)
	if !ok {
		return nil, fmt.Errorf("%s: chunk %d: the reader reads no page windows", sf.path, k.chunk)
	}
	first := k.window - 1
	_, end, ok, err := pw.PageWindow(ctx, k.chunk, first)
	if err == nil && !ok {
		err = fmt.Errorf("the page index no longer serves row %d", first)
	}
	if err != nil {
		return nil, chunkErr(sf.path, k.chunk, err)
	}
	b, err := pw.ReadPageWindow(ctx, k.chunk, first, end)
	if err != nil {
		return nil, chunkErr(sf.path, k.chunk, err)
	}
	return newChunk([]arrow.RecordBatch{b}, chunkCost([]arrow.RecordBatch{b}, mappedBytes(sf))), nil
}
