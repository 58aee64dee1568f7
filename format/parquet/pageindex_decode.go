package parquet

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// Decoding a few pages goes through the same arrow-go and pqarrow code as a
// row group, so every type, encoding and nesting the Reader supports comes
// along: the pages are laid out in memory as a small Parquet file of one row
// group — for each leaf column its dictionary page followed by the one data
// page — and the file's own metadata, with that row group's column chunks
// pointed at them, describes it. pqarrow then decodes each column's page
// whole, and the window's rows are sliced out.

// pageHeadroom is zero bytes after the last column chunk of the in-memory
// file: arrow-go reads up to 100 bytes past a chunk for files of old
// parquet-mr versions (PARQUET-816).
const pageHeadroom = 128

// A pageRead is one leaf column's part of a page-window read.
type pageRead struct {
	leaf        int
	first, end  int64 // the rows the data page holds
	prefixOff   int64 // in the file: the dictionary page, prefixLen bytes
	prefixLen   int64
	pageOff     int64 // in the file: the data page, pageLen bytes
	pageLen     int64
	allDict     bool   // the chunk's statistics say every data page uses the dictionary
	vstart      int64  // where the chunk starts in the in-memory file
	data        []byte // prefix then page, in the in-memory file
	codec       compress.Compression
	header      pageHeader
	headerBytes int
}

// A pagePlan is the reads of a page window and the in-memory file they
// fill: the magic, each leaf's chunk, zeroed headroom.
type pagePlan struct {
	reads []pageRead
	file  []byte
}

// planPages picks, for every projected leaf, the page holding rows [first,
// end) and lays the reads out in one buffer.
func (rd *Reader) planPages(g *groupPages, first, end, rows int64) (*pagePlan, error) {
	leaves := rd.projectedLeaves()
	plan := make([]pageRead, len(leaves))
	size := int64(len(magic))
	for i, leaf := range leaves {
		lp := g.leaves[leaf]
		p, pf, pe := pageHolding(lp.locs, first, rows)
		if end > pe {
			return nil, fmt.Errorf("%w: rows [%d, %d) are not one page of column %q, whose page holds [%d, %d)",
				format.ErrSchema, first, end, rd.file.MetaData().Schema.Column(leaf).Path(), pf, pe)
		}
		loc := lp.locs[p]
		r := pageRead{leaf: leaf, first: pf, end: pe, pageOff: loc.offset, pageLen: int64(loc.size), codec: lp.codec}
		if lp.prefix > 0 {
			r.prefixOff, r.prefixLen, r.allDict = lp.start, lp.prefix, lp.allDict
		}
		r.vstart = size
		size += r.prefixLen + r.pageLen
		plan[i] = r
	}
	buf := make([]byte, size+pageHeadroom)
	copy(buf, magic)
	for i := range plan {
		r := &plan[i]
		r.data = buf[r.vstart : r.vstart+r.prefixLen+r.pageLen]
	}
	return &pagePlan{reads: plan, file: buf}, nil
}

// fetchPages reads the plan's bytes, in parallel across reads. A page
// that is its chunk's first is read with the dictionary page before it, in
// one read. Any other page is read alone first unless the chunk's encoding
// statistics say every data page uses the dictionary; the dictionary page
// is then read only if the page's header says it does: a writer that fell
// back from a dictionary grown too large (up to a megabyte for unique
// strings) writes plain pages that need none.
func (rd *Reader) fetchPages(ctx context.Context, plan []pageRead) error {
	type part struct {
		p   []byte
		off int64
	}
	var first []part
	var later []int // leaves whose dictionary depends on their page
	for i := range plan {
		r := &plan[i]
		switch {
		case r.prefixLen == 0:
			first = append(first, part{r.data, r.pageOff})
		case r.prefixOff+r.prefixLen == r.pageOff:
			first = append(first, part{r.data, r.prefixOff})
		case r.allDict:
			first = append(first, part{r.data[:r.prefixLen], r.prefixOff}, part{r.data[r.prefixLen:], r.pageOff})
		default:
			first = append(first, part{r.data[r.prefixLen:], r.pageOff})
			later = append(later, i)
		}
	}
	read := func(parts []part) error {
		return rd.parallel(ctx, len(parts), func(i int) error { return rd.readPart(parts[i].p, parts[i].off) })
	}
	if err := read(first); err != nil {
		return err
	}
	var second []part
	for _, i := range later {
		r := &plan[i]
		h, _, err := parsePageHeader(r.data[r.prefixLen:])
		if err == nil && !usesDictionary(h.encoding) {
			// The in-memory chunk starts at its page; the dictionary's
			// place stays unused.
			r.vstart += r.prefixLen
			r.data = r.data[r.prefixLen:]
			r.prefixLen = 0
			continue
		}
		second = append(second, part{r.data[:r.prefixLen], r.prefixOff})
	}
	return read(second)
}

// encRLEDict is the RLE_DICTIONARY encoding; encPlainDictionary is its
// deprecated twin.
const encRLEDict = 8

func usesDictionary(enc int32) bool { return enc == encPlainDictionary || enc == encRLEDict }

func (rd *Reader) readPart(p []byte, off int64) error {
	if err := readFull(rd.pages.src, p, off); err != nil {
		return &sourceError{fmt.Errorf("reading %d bytes at offset %d: %w", len(p), off, err)}
	}
	return nil
}

// checkDataPage parses the header of each planned data page and checks it
// against the index: a data page whose row count (a v2 page's num_rows, or
// the value count of a v1 page of a non-repeated column) is the index's.
func (rd *Reader) checkDataPages(plan []pageRead) error {
	md := rd.file.MetaData()
	for i := range plan {
		r := &plan[i]
		path := md.Schema.Column(r.leaf).Path()
		h, n, err := parsePageHeader(r.data[r.prefixLen:])
		if err != nil {
			return fmt.Errorf("%w: column %q: data page header at offset %d: %w", format.ErrCorrupt, path, r.pageOff, err)
		}
		rows := r.end - r.first
		repeated := md.Schema.Column(r.leaf).MaxRepetitionLevel() > 0
		switch {
		case h.typ != pageData && h.typ != pageDataV2:
			return fmt.Errorf("%w: column %q: the offset index points at a page of type %d at offset %d", format.ErrCorrupt, path, h.typ, r.pageOff)
		case h.typ == pageDataV2 && int64(h.numRows) != rows,
			h.typ == pageData && !repeated && int64(h.numValues) != rows,
			h.typ == pageData && repeated && int64(h.numValues) < rows:
			return fmt.Errorf("%w: column %q: the page at offset %d holds %d values (%d rows), the offset index says %d rows",
				format.ErrCorrupt, path, r.pageOff, h.numValues, h.numRows, rows)
		}
		r.header, r.headerBytes = h, n
	}
	return nil
}

// decodePages decodes the fetched pages and slices rows [first, end) out of
// each column.
func (rd *Reader) decodePages(ctx context.Context, chunk int, pp *pagePlan, first, end int64) (_ arrow.RecordBatch, err error) {
	defer recovered(&err)
	plan := pp.reads
	if err := rd.checkDataPages(plan); err != nil {
		return nil, err
	}
	byLeaf := make(map[int]*pageRead, len(plan))
	for i := range plan {
		byLeaf[plan[i].leaf] = &plan[i]
	}
	// The columns the fast decoder takes decode from the page bytes as
	// they are; the others through pqarrow, over the in-memory file.
	var once sync.Once
	var gcols []column
	var gfr *pqarrow.FileReader
	var gerr error
	general := func() ([]column, *pqarrow.FileReader, error) {
		once.Do(func() { gcols, gfr, gerr = rd.pageFileReader(chunk, pp) })
		return gcols, gfr, gerr
	}
	arrays := make([]arrow.Array, len(rd.cols))
	defer func() {
		for _, a := range arrays {
			if a != nil {
				a.Release()
			}
		}
	}()
	err = rd.parallel(ctx, len(rd.cols), func(i int) error {
		var r *pageRead
		for leaf := range rd.cols[i].leaves {
			r = byLeaf[leaf] // the leaves' pages line up (PageWindow)
			break
		}
		a, err := rd.decodePageColumn(ctx, chunk, i, r, general, first, end)
		if err != nil {
			return fmt.Errorf("column %q: %w", rd.cols[i].field.Name, err)
		}
		arrays[i] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return array.NewRecordBatch(rd.schema, arrays, end-first), nil
}

// pageFileReader opens the in-memory file of a plan for pqarrow and
// projects it as the Reader is projected.
func (rd *Reader) pageFileReader(chunk int, pp *pagePlan) ([]column, *pqarrow.FileReader, error) {
	md, guard, err := rd.pageFileMetadata(chunk, pp)
	if err != nil {
		return nil, nil, err
	}
	src := source{r: bytes.NewReader(pp.file), size: int64(len(pp.file)), guard: guard}
	props := pq.NewReaderProperties(rd.opts.Mem())
	props.BufferedStreamEnabled = false
	props.MaxCompressedPageSize = rd.opts.maxPageSize()
	props.MaxUncompressedPageSize = rd.opts.maxPageSize()
	pf, err := file.NewParquetReader(src, file.WithMetadata(md), file.WithReadProps(props))
	if err != nil {
		return nil, nil, err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, rd.opts.Mem())
	if err != nil {
		return nil, nil, err
	}
	cols, err := project(fr.Manifest, rd.opts.Columns)
	if err != nil {
		return nil, nil, err
	}
	return cols, fr, nil
}

// decodePageColumn decodes projected column i's page whole and slices out
// rows [first, end) of the row group.
func (rd *Reader) decodePageColumn(ctx context.Context, chunk, i int, r *pageRead, general func() ([]column, *pqarrow.FileReader, error), first, end int64) (arrow.Array, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: column has no leaf columns", format.ErrUnsupported)
	}
	d, err := rd.pageDecoder(ctx, chunk, i, r, general)
	if err != nil {
		return nil, err
	}
	defer d.release()
	rows := r.end - r.first
	a, err := d.next(rows)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	if int64(a.Len()) != rows {
		return nil, fmt.Errorf("%w: the page at offset %d decodes to %d rows, the offset index says %d",
			format.ErrCorrupt, r.pageOff, a.Len(), rows)
	}
	return array.NewSlice(a, first-r.first, end-r.first), nil
}

// pageDecoder picks the decoder of column i's page the way newDecoder
// picks a row group's: the fast decoder where it applies, else pqarrow.
func (rd *Reader) pageDecoder(ctx context.Context, chunk, i int, r *pageRead, general func() ([]column, *pqarrow.FileReader, error)) (columnDecoder, error) {
	c := rd.cols[i]
	if !rd.opts.GeneralPath {
		if f, ok := planFast(rd.file.MetaData(), rd.rowGroups[chunk], c); ok {
			var target arrow.DataType
			if !sameType(c.field.Type, c.target.Type) {
				target = c.target.Type
			}
			return newFastDecoder(fastChunkMeta{
				data:         r.data,
				numValues:    int64(r.header.numValues),
				rows:         r.end - r.first,
				uncompressed: int64(r.header.uncompressed),
				codec:        r.codec,
				maxPage:      rd.opts.maxPageSize(),
			}, f, target, rd.opts.Mem())
		}
	}
	cols, fr, err := general()
	if err != nil {
		return nil, err
	}
	return newPqarrowDecoder(ctx, fr, 0, cols[i], rd.opts.Mem())
}

// pageFileMetadata describes the in-memory file: the file's metadata
// with chunk's row group alone, its planned column chunks pointed at their
// place in the in-memory file, and a guard that checks their pages as
// Open's guard does for whole chunks.
func (rd *Reader) pageFileMetadata(chunk int, pp *pagePlan) (*metadata.FileMetaData, *pageGuard, error) {
	md, err := rd.file.MetaData().Subset([]int{rd.rowGroups[chunk]})
	if err != nil {
		return nil, nil, err
	}
	// Subset shares the row group; change a copy.
	orig := md.RowGroups[0]
	rg := *orig
	rg.Columns = slices.Clone(orig.Columns)
	rg.NumRows = 0
	guard := &pageGuard{chunks: make(map[int64]chunkInfo, len(pp.reads)), maxPageSize: rd.opts.maxPageSize()}
	for i := range pp.reads {
		r := &pp.reads[i]
		if orig.Columns[r.leaf] == nil || orig.Columns[r.leaf].MetaData == nil {
			return nil, nil, fmt.Errorf("%w: column chunk %d has no metadata", format.ErrCorrupt, r.leaf)
		}
		cc := *orig.Columns[r.leaf]
		meta := *cc.MetaData
		// chunkStart's rule, on the raw metadata.
		hasDict := meta.DictionaryPageOffset != nil && *meta.DictionaryPageOffset > 0 && meta.DataPageOffset > *meta.DictionaryPageOffset
		length := r.prefixLen + r.pageLen
		meta.DataPageOffset = r.vstart
		meta.DictionaryPageOffset = nil
		if r.prefixLen > 0 && hasDict {
			dict := r.vstart
			meta.DictionaryPageOffset = &dict
			meta.DataPageOffset = r.vstart + r.prefixLen
		}
		meta.IndexPageOffset = nil
		meta.TotalCompressedSize = length
		meta.TotalUncompressedSize = length + int64(r.header.uncompressed)
		// arrow-go reads pages until it has seen this many values (rows,
		// for a v2 page): exactly the one data page.
		values := int64(r.header.numValues)
		if r.header.typ == pageDataV2 {
			values = int64(r.header.numRows)
		}
		meta.NumValues = values
		cc.MetaData = &meta
		cc.FileOffset = r.vstart
		cc.OffsetIndexOffset, cc.OffsetIndexLength = nil, nil
		cc.ColumnIndexOffset, cc.ColumnIndexLength = nil, nil
		rg.Columns[r.leaf] = &cc
		rg.NumRows = max(rg.NumRows, r.end-r.first)
		guard.chunks[r.vstart] = chunkInfo{
			length:    length,
			numValues: values,
			codec:     compress.Compression(meta.Codec),
			column:    md.Schema.Column(r.leaf),
			rowGroup:  rd.rowGroups[chunk],
		}
	}
	md.RowGroups[0] = &rg
	md.NumRows = rg.NumRows
	md.SetSourceFileSize(int64(len(pp.file)))
	return md, guard, nil
}
