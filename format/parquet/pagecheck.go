package parquet

import (
	"encoding/binary"
	"fmt"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/tome-data/tome/format"
)

// arrow-go's page decoders size some allocations from counts inside pages,
// which no footer check can see: the delta decoder allocates a whole
// miniblock (up to 2^32 values of 8 bytes) from two varints at the start of
// a page, and the dictionary decoder grows to any index below the
// dictionary page's declared value count. Such an allocation does not fail
// with a panic we could recover; it kills the process ("fatal error:
// runtime: out of memory"). So before arrow-go decodes a column chunk, its
// pages are checked here: every page header is parsed, dictionary pages
// must be able to hold the values they declare, and delta-encoded pages
// must declare blocks and counts within bounds no writer comes near.
//
// The check runs in source.ReadAt on the very bytes arrow-go is about to
// decode (it reads a column chunk with one ReadAt at the chunk's start), so
// nothing is read twice and the source cannot change in between. It costs a
// pass over the page headers; only delta-encoded pages, rare outside Spark
// and DuckDB output, are decompressed an extra time.

const (
	// maxDeltaBlock bounds the values in one delta block, and so one
	// miniblock allocation. Writers use 128 (parquet-mr, Arrow, Rust) to
	// 2048 values.
	maxDeltaBlock = 1 << 20
	// maxDeltaValues bounds the values one delta sequence declares; the
	// byte-array decoders allocate four bytes for each up front.
	maxDeltaValues = 1 << 28
)

// chunkInfo describes a column chunk the Reader will decode.
type chunkInfo struct {
	length    int64
	numValues int64
	codec     compress.Compression
	column    *schema.Column
	rowGroup  int
}

// pageGuard checks the column chunks arrow-go reads, keyed by their offset.
// It is built at Open and read-only afterwards.
type pageGuard struct {
	chunks      map[int64]chunkInfo
	maxPageSize int64
}

// check validates the pages of the column chunk starting at off, if arrow-go
// just read one into p.
func (g *pageGuard) check(p []byte, off int64) error {
	if g == nil {
		return nil
	}
	info, ok := g.chunks[off]
	if !ok || int64(len(p)) < info.length {
		return nil
	}
	if err := g.checkChunk(p, info); err != nil {
		return fmt.Errorf("%w: row group %d, column %q: %w", format.ErrCorrupt, info.rowGroup, info.column.Path(), err)
	}
	return nil
}

// checkChunk walks the pages the way arrow-go's page reader does: until the
// values (rows, for DataPageV2) it has seen reach the chunk's count. p may
// extend past the chunk (arrow-go pads old parquet-mr chunks), so the walk
// may too.
func (g *pageGuard) checkChunk(p []byte, info chunkInfo) error {
	var seen int64
	for off := 0; seen < info.numValues && off < len(p); {
		h, n, err := parsePageHeader(p[off:])
		if err != nil {
			return fmt.Errorf("page header at chunk offset %d: %w", off, err)
		}
		body := p[off+n:]
		if h.compressed < 0 || h.uncompressed < 0 || int64(h.compressed) > int64(len(body)) {
			// arrow-go reports these itself.
			return nil
		}
		body = body[:h.compressed]
		switch h.typ {
		case pageDictionary:
			err = checkDictionaryPage(h, info.column)
		case pageData:
			seen += int64(h.numValues)
			err = g.checkDataPage(h, body, info, false)
		case pageDataV2:
			seen += int64(h.numRows)
			err = g.checkDataPage(h, body, info, true)
		}
		if err != nil {
			return fmt.Errorf("page at chunk offset %d: %w", off, err)
		}
		off += n + int(h.compressed)
	}
	return nil
}

// checkDictionaryPage requires the page to have room for its values: the
// dictionary decoder trusts the count when it indexes.
func checkDictionaryPage(h pageHeader, col *schema.Column) error {
	bits := int64(minValueBits(col))
	if h.numValues < 0 || int64(h.numValues)*bits > int64(h.uncompressed)*8 {
		return fmt.Errorf("dictionary page of %d bytes declares %d values", h.uncompressed, h.numValues)
	}
	return nil
}

// minValueBits is the fewest bits a PLAIN value of the column takes.
func minValueBits(col *schema.Column) int {
	switch col.PhysicalType() {
	case pq.Types.Boolean:
		return 1
	case pq.Types.Int32, pq.Types.Float, pq.Types.ByteArray: // a byte array has a 4-byte length
		return 32
	case pq.Types.Int64, pq.Types.Double:
		return 64
	case pq.Types.Int96:
		return 96
	case pq.Types.FixedLenByteArray:
		return 8 * max(1, col.TypeLength())
	}
	return 1
}

// checkDataPage checks the delta headers of a delta-encoded data page.
func (g *pageGuard) checkDataPage(h pageHeader, body []byte, info chunkInfo, v2 bool) error {
	switch h.encoding {
	case encDeltaBinaryPacked, encDeltaLengthByteArry, encDeltaByteArray:
	default:
		return nil
	}
	if int64(h.uncompressed) > g.maxPageSize {
		return nil // arrow-go refuses the page before decoding it
	}
	values, ok := g.pageValues(h, body, info, v2)
	if !ok {
		return nil // malformed in a way arrow-go reports
	}
	rest, err := checkDeltaHeader(values)
	if err == nil && h.encoding == encDeltaByteArray && rest != nil {
		// Prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
		_, err = checkDeltaHeader(rest)
	}
	return err
}

// pageValues returns the decompressed values section of a data page.
func (g *pageGuard) pageValues(h pageHeader, body []byte, info chunkInfo, v2 bool) ([]byte, bool) {
	codec, err := compress.GetCodec(info.codec)
	if err != nil {
		return nil, false
	}
	if v2 {
		levels := int64(h.defLevelBytes) + int64(h.repLevelBytes)
		if h.defLevelBytes < 0 || h.repLevelBytes < 0 || levels > int64(len(body)) || levels > int64(h.uncompressed) {
			return nil, false
		}
		if !h.valuesCompressed || info.codec == compress.Codecs.Uncompressed {
			return body[levels:], true
		}
		out, err := compress.Decode(codec, make([]byte, int64(h.uncompressed)-levels), body[levels:])
		return out, err == nil
	}
	page := body
	if info.codec != compress.Codecs.Uncompressed {
		if page, err = compress.Decode(codec, make([]byte, h.uncompressed), body); err != nil {
			return nil, false
		}
	}
	page, ok := skipLevels(page, h.repEncoding, info.column.MaxRepetitionLevel(), h.numValues)
	if !ok {
		return nil, false
	}
	return skipLevels(page, h.defEncoding, info.column.MaxDefinitionLevel(), h.numValues)
}

// skipLevels skips the repetition or definition levels of a DataPage (v1).
func skipLevels(page []byte, enc int32, maxLevel int16, n int32) ([]byte, bool) {
	if maxLevel <= 0 {
		return page, true
	}
	var size int64
	switch enc {
	case encRLE:
		if len(page) < 4 {
			return nil, false
		}
		size = 4 + int64(binary.LittleEndian.Uint32(page))
	case encBitPacked:
		width := int64(bitLen(uint64(maxLevel)))
		size = (int64(n)*width + 7) / 8
	default:
		return nil, false
	}
	if n < 0 || size > int64(len(page)) {
		return nil, false
	}
	return page[size:], true
}

func bitLen(v uint64) int {
	n := 0
	for ; v != 0; v >>= 1 {
		n++
	}
	return n
}

// checkDeltaHeader checks the header of a DELTA_BINARY_PACKED sequence and
// returns the bytes after the sequence, or nil when they cannot be found
// (arrow-go then fails on the sequence itself).
func checkDeltaHeader(b []byte) ([]byte, error) {
	r := thriftReader{b: b} // the same varints as thrift
	block, err1 := r.uvarint()
	minis, err2 := r.uvarint()
	total, err3 := r.uvarint()
	_, err4 := r.varint()
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || minis == 0 || block%minis != 0 {
		return nil, nil
	}
	if block > maxDeltaBlock {
		return nil, fmt.Errorf("delta block of %d values", block)
	}
	if total > maxDeltaValues {
		return nil, fmt.Errorf("delta sequence of %d values", total)
	}
	perMini := block / minis
	// Skip the blocks: a min delta, a bit width per miniblock, and the
	// miniblocks holding the remaining values (the last block's unused
	// miniblocks have widths but no bodies).
	for left := total - min(total, 1); left > 0; {
		if _, err := r.varint(); err != nil {
			return nil, nil
		}
		widths := r.off
		if r.skipBytes(minis) != nil {
			return nil, nil
		}
		for i := uint64(0); i < minis && left > 0; i++ {
			if r.skipBytes(perMini*uint64(b[widths+int(i)])/8) != nil {
				return nil, nil
			}
			left -= min(left, perMini)
		}
	}
	return b[r.off:], nil
}
