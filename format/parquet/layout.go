package parquet

import (
	"fmt"
	"math"
	"slices"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/tome-data/tome/format"
)

// checkLayout validates the footer fields arrow-go uses to size reads, for
// the row groups and leaf columns a Reader will touch: arrow-go allocates a
// column chunk's full length before reading it and trusts the offsets. It
// also reports encrypted columns, which need keys this package does not take.
// It returns the total row count of the row groups and the column chunks,
// by offset, for the pageGuard.
func checkLayout(md *metadata.FileMetaData, rowGroups []int, cols []column, size, maxPageSize int64) (int64, map[int64]chunkInfo, error) {
	leaves := make([]int, 0, md.Schema.NumColumns())
	for _, c := range cols {
		for leaf := range c.leaves {
			leaves = append(leaves, leaf)
		}
	}
	slices.Sort(leaves)
	for _, leaf := range leaves {
		// The fixed-length decoders allocate type length times values.
		if col := md.Schema.Column(leaf); col.PhysicalType() == pq.Types.FixedLenByteArray && int64(col.TypeLength()) > maxPageSize {
			return 0, nil, fmt.Errorf("%w: column %q has fixed-length values of %d bytes", format.ErrCorrupt, col.Path(), col.TypeLength())
		}
	}
	chunks := make(map[int64]chunkInfo)
	var total int64
	for _, rg := range rowGroups {
		if rg < 0 || rg >= md.NumRowGroups() {
			return 0, nil, fmt.Errorf("%w: row group %d does not exist (the file has %d)", format.ErrSchema, rg, md.NumRowGroups())
		}
		rgm := md.RowGroup(rg)
		rows := rgm.NumRows()
		if rows < 0 || rows > math.MaxInt64-total {
			return 0, nil, fmt.Errorf("%w: row group %d claims %d rows", format.ErrCorrupt, rg, rows)
		}
		total += rows
		if rgm.NumColumns() != md.Schema.NumColumns() {
			return 0, nil, fmt.Errorf("%w: row group %d has %d column chunks for %d columns",
				format.ErrCorrupt, rg, rgm.NumColumns(), md.Schema.NumColumns())
		}
		for _, leaf := range leaves {
			info, start, err := checkChunk(md, rgm, rg, leaf, size)
			if err != nil {
				return 0, nil, err
			}
			chunks[start] = info
		}
	}
	return total, chunks, nil
}

func checkChunk(md *metadata.FileMetaData, rgm *metadata.RowGroupMetaData, rg, leaf int, size int64) (chunkInfo, int64, error) {
	path := md.Schema.Column(leaf).Path()
	cc, err := rgm.ColumnChunk(leaf)
	switch {
	case err != nil && md.IsSetEncryptionAlgorithm():
		return chunkInfo{}, 0, fmt.Errorf("column %q: %w", path, format.ErrEncrypted)
	case err != nil:
		return chunkInfo{}, 0, fmt.Errorf("%w: row group %d, column %q: %w", format.ErrCorrupt, rg, path, err)
	case cc.CryptoMetadata() != nil:
		return chunkInfo{}, 0, fmt.Errorf("column %q: %w", path, format.ErrEncrypted)
	}
	// The same start arrow-go computes: the dictionary page when there is
	// one, ignoring the zero offset some writers store for "none".
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	length := cc.TotalCompressedSize()
	if start < 0 || length < 0 || start > size || length > size-start {
		return chunkInfo{}, 0, fmt.Errorf("%w: row group %d, column %q: chunk at offset %d, %d bytes, lies outside the file (%d bytes)",
			format.ErrCorrupt, rg, path, start, length, size)
	}
	if cc.NumValues() < 0 {
		return chunkInfo{}, 0, fmt.Errorf("%w: row group %d, column %q: %d values", format.ErrCorrupt, rg, path, cc.NumValues())
	}
	info := chunkInfo{
		length:    length,
		numValues: cc.NumValues(),
		codec:     cc.Compression(),
		column:    md.Schema.Column(leaf),
		rowGroup:  rg,
	}
	return info, start, nil
}
