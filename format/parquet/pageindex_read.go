package parquet

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/tome-data/tome/format"
)

// Random access by page. A Reader whose file has an offset index for every
// projected leaf column can return the rows around one row by reading, for
// each leaf column, only the data page that holds it and the chunk's
// dictionary page: over HTTP a Row costs a page per column instead of a row
// group. The two methods below are what the dataset package uses; the
// offset indexes are read once per row group (one read covering those of
// the projected columns) and kept.
//
// Not every file allows it. A file without an offset index (most writers
// before 2020, and parquet-testing's older files) or a column made of
// several leaf columns whose pages do not begin and end on the same rows (a
// map, a struct of several fields) reports ok == false from PageWindow, and
// the caller reads the row group instead.
//
// Pages of repeated columns (lists) hold whole rows whenever an offset index
// exists: the format requires pages to begin at a row boundary then, which
// is what first_row_index means. A DataPageV2's row count is checked against
// the index; a v1 page's levels are trusted to obey the rule.

// pageAccess is the Reader's page-level random-access state.
type pageAccess struct {
	src  io.ReaderAt
	size int64

	mu     sync.Mutex
	groups map[int]*groupPages // by chunk
}

// groupPages are the checked offset indexes of one row group's projected
// leaf columns, loaded on first use.
type groupPages struct {
	once   sync.Once
	usable bool // every projected leaf has an index and a small prefix
	leaves map[int]leafPages
	err    error
}

// leafPages locate the pages of one column chunk.
type leafPages struct {
	locs   []pageLocation
	start  int64 // of the chunk: its dictionary page, if any
	prefix int64 // bytes before the first data page: the dictionary page
	// allDict is set when the chunk's encoding statistics say every data
	// page is dictionary-encoded, so that the dictionary page is needed
	// whatever the page.
	allDict bool
	codec   compress.Compression
}

// PageWindow returns the rows [first, end) of chunk, with first <= row <
// end, that one data page of every projected leaf column holds: the rows
// ReadPageWindow decodes by reading one page per leaf column. ok is false,
// with a nil error, when the file's page index cannot serve the chunk (see
// the comment above); err is non-nil for a corrupt or unreadable index.
func (rd *Reader) PageWindow(ctx context.Context, chunk int, row int64) (first, end int64, ok bool, err error) {
	rows := rd.ChunkRows(chunk)
	if rows < 0 || row < 0 || row >= rows {
		return 0, 0, false, fmt.Errorf("%s: row %d of chunk %d out of range", rd.name, row, chunk)
	}
	g, err := rd.groupPages(ctx, chunk)
	if err != nil || !g.usable {
		return 0, 0, false, err
	}
	first, end = 0, rows
	for _, c := range rd.cols {
		cf, ce := int64(-1), int64(-1)
		for leaf := range c.leaves {
			lp := g.leaves[leaf]
			_, f, e := pageHolding(lp.locs, row, rows)
			if cf >= 0 && (f != cf || e != ce) {
				return 0, 0, false, nil // the leaves' pages do not line up
			}
			cf, ce = f, e
		}
		first, end = max(first, cf), min(end, ce)
	}
	return first, end, true, nil
}

// ReadPageWindow decodes rows [first, end) of chunk, a window PageWindow
// returned, into one batch of the Reader's schema, reading one data page
// per projected leaf column and the column chunk's dictionary page. The
// batch is the caller's to release; its buffers come from the configured
// allocator and do not borrow the source.
func (rd *Reader) ReadPageWindow(ctx context.Context, chunk int, first, end int64) (_ arrow.RecordBatch, err error) {
	if rd.closed.Load() {
		return nil, fmt.Errorf("reading %s: %w", rd.name, errClosed)
	}
	rg := -1
	if chunk >= 0 && chunk < len(rd.rowGroups) {
		rg = rd.rowGroups[chunk]
	}
	b, err := rd.readPageWindow(ctx, chunk, first, end)
	if err != nil {
		return nil, fmt.Errorf("reading %s, row group %d, rows [%d, %d) by page: %w", rd.name, rg, first, end, classify(err))
	}
	return b, nil
}

func (rd *Reader) readPageWindow(ctx context.Context, chunk int, first, end int64) (arrow.RecordBatch, error) {
	rows := rd.ChunkRows(chunk)
	if rows < 0 || first < 0 || end <= first || end > rows {
		return nil, fmt.Errorf("%w: no rows [%d, %d) in chunk %d", format.ErrSchema, first, end, chunk)
	}
	g, err := rd.groupPages(ctx, chunk)
	if err != nil {
		return nil, err
	}
	if !g.usable {
		return nil, fmt.Errorf("%w: chunk %d has no usable page index", format.ErrUnsupported, chunk)
	}
	pp, err := rd.planPages(g, first, end, rows)
	if err != nil {
		return nil, err
	}
	if err := rd.fetchPages(ctx, pp.reads); err != nil {
		return nil, err
	}
	return rd.decodePages(ctx, chunk, pp, first, end)
}

// groupPages returns the offset indexes of chunk's projected leaves,
// reading them on first use.
func (rd *Reader) groupPages(ctx context.Context, chunk int) (*groupPages, error) {
	pa := &rd.pages
	pa.mu.Lock()
	if pa.groups == nil {
		pa.groups = make(map[int]*groupPages)
	}
	g := pa.groups[chunk]
	if g == nil {
		g = &groupPages{}
		pa.groups[chunk] = g
	}
	pa.mu.Unlock()
	g.once.Do(func() { g.usable, g.leaves, g.err = rd.loadGroupPages(ctx, chunk) })
	if g.err != nil {
		if ctx.Err() != nil {
			// This caller's context ended the load: forget it, so that
			// the next caller tries again.
			pa.mu.Lock()
			if pa.groups[chunk] == g {
				delete(pa.groups, chunk)
			}
			pa.mu.Unlock()
		}
		return nil, g.err
	}
	return g, nil
}

// maxIndexSpan bounds the one read that fetches a row group's offset
// indexes; real ones take a few bytes per page.
const maxIndexSpan = 64 << 20

// loadGroupPages reads and checks the offset indexes of chunk's projected
// leaves with one read spanning them all. A leaf without an index makes
// the row group unusable (false, no error); a malformed index is corrupt.
func (rd *Reader) loadGroupPages(ctx context.Context, chunk int) (bool, map[int]leafPages, error) {
	if err := ctx.Err(); err != nil {
		return false, nil, err
	}
	md := rd.file.MetaData()
	rg := rd.rowGroups[chunk]
	rgm := md.RowGroup(rg)
	leaves := rd.projectedLeaves()
	type located struct {
		leaf   int
		off    int64
		length int64
	}
	var idx []located
	lo, hi := int64(-1), int64(-1)
	for _, leaf := range leaves {
		loc, ok := rgm.OffsetIndexLocation(leaf)
		if !ok {
			return false, nil, nil
		}
		off, n := loc.Offset, int64(loc.Length)
		if off < 0 || n <= 0 || off > rd.pages.size || n > rd.pages.size-off {
			return false, nil, fmt.Errorf("%w: offset index of column %q at offset %d, %d bytes, lies outside the file (%d bytes)",
				format.ErrCorrupt, md.Schema.Column(leaf).Path(), off, n, rd.pages.size)
		}
		idx = append(idx, located{leaf, off, n})
		if lo < 0 || off < lo {
			lo = off
		}
		hi = max(hi, off+n)
	}
	if len(idx) == 0 || hi-lo > maxIndexSpan {
		return false, nil, nil
	}
	buf := make([]byte, hi-lo)
	if err := readFull(rd.pages.src, buf, lo); err != nil {
		return false, nil, &sourceError{fmt.Errorf("reading offset indexes at %d: %w", lo, err)}
	}
	out := make(map[int]leafPages, len(idx))
	usable := true
	for _, l := range idx {
		path := md.Schema.Column(l.leaf).Path()
		locs, err := parseOffsetIndex(buf[l.off-lo : l.off-lo+l.length])
		if err != nil {
			return false, nil, fmt.Errorf("%w: column %q: %w", format.ErrCorrupt, path, err)
		}
		cc, err := rgm.ColumnChunk(l.leaf)
		if err != nil {
			return false, nil, fmt.Errorf("%w: column %q: %w", format.ErrCorrupt, path, err)
		}
		start := chunkStart(cc)
		span := chunkSpan{start: start, end: start + cc.TotalCompressedSize(), rows: rgm.NumRows()}
		if err := checkPageLocations(locs, span, rd.opts.maxPageSize()); err != nil {
			return false, nil, fmt.Errorf("%w: column %q: %w", format.ErrCorrupt, path, err)
		}
		lp := leafPages{locs: locs, start: start, allDict: allPagesUseDictionary(cc), codec: cc.Compression()}
		if len(locs) > 0 {
			lp.prefix = locs[0].offset - start
		}
		// Bytes before the first data page are the dictionary page (and
		// any index pages, which nobody writes); more than a page's worth
		// is not worth reading for one row.
		if lp.prefix > rd.opts.maxPageSize() {
			usable = false
		}
		out[l.leaf] = lp
	}
	return usable, out, nil
}

// chunkStart is where a column chunk begins: at its dictionary page when it
// has one, ignoring the zero offset some writers store for "none" (the
// rule arrow-go and checkChunk apply).
func chunkStart(cc *metadata.ColumnChunkMetaData) int64 {
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	return start
}

// allPagesUseDictionary reports whether a chunk's encoding statistics say
// every data page is dictionary-encoded; false when it has none.
func allPagesUseDictionary(cc *metadata.ColumnChunkMetaData) bool {
	seen := false
	for _, s := range cc.EncodingStats() {
		if t := int32(s.PageType); t != pageData && t != pageDataV2 {
			continue
		}
		if !usesDictionary(int32(s.Encoding)) {
			return false
		}
		seen = true
	}
	return seen
}

// projectedLeaves lists the leaf columns of the projection in order.
func (rd *Reader) projectedLeaves() []int {
	var leaves []int
	for _, c := range rd.cols {
		for leaf := range c.leaves {
			leaves = append(leaves, leaf)
		}
	}
	slices.Sort(leaves)
	return slices.Compact(leaves) // a column projected twice reads its leaves once
}
