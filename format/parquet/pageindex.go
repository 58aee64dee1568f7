package parquet

import (
	"errors"
	"fmt"
)

// The offset index (part of the Parquet "page index") lists, for one column
// chunk, where each data page starts, how long it is and which row of the
// row group it begins with. It is what makes random access cheaper than a
// row group: the page holding a row is found by a search, and only it (and
// the chunk's dictionary page) need be read and decoded.
//
// The parser below is this package's own, on the Thrift reader of
// thrift.go, so that a hostile index costs at most a pass over its bytes
// and an allocation proportional to them.

// A pageLocation is one PageLocation of an OffsetIndex.
type pageLocation struct {
	offset   int64 // of the page header in the file
	size     int32 // compressed_page_size: the header and the compressed body
	firstRow int64 // first_row_index: the page's first row in the row group
}

var errOffsetIndex = errors.New("malformed offset index")

// minPageLocationBytes is the fewest bytes a PageLocation takes in compact
// Thrift: three one-byte field headers, three one-byte varints, a stop.
const minPageLocationBytes = 7

// parseOffsetIndex decodes a Thrift OffsetIndex: field 1 is the list of
// PageLocations; anything else (the optional unencoded byte-array sizes of
// format 2.10) is skipped.
func parseOffsetIndex(b []byte) ([]pageLocation, error) {
	r := thriftReader{b: b}
	var locs []pageLocation
	seen := false
	err := r.fields(func(id int16, typ byte) error {
		if id != 1 || typ != tList {
			return r.skip(typ, 1)
		}
		var err error
		locs, err = r.pageLocations()
		seen = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errOffsetIndex, err)
	}
	if !seen {
		return nil, fmt.Errorf("%w: no page locations", errOffsetIndex)
	}
	return locs, nil
}

// pageLocations reads list<PageLocation>, allocating only for as many
// entries as the remaining bytes can hold.
func (r *thriftReader) pageLocations() ([]pageLocation, error) {
	c, err := r.byte()
	if err != nil {
		return nil, err
	}
	n, elem := uint64(c>>4), c&0x0f
	if n == 15 {
		if n, err = r.uvarint(); err != nil {
			return nil, err
		}
	}
	if elem != tStruct {
		return nil, fmt.Errorf("page locations are a list of type %d", elem)
	}
	if n > uint64(len(r.b)-r.off)/minPageLocationBytes {
		return nil, fmt.Errorf("%d page locations in %d bytes", n, len(r.b)-r.off)
	}
	locs := make([]pageLocation, n)
	for i := range locs {
		if locs[i], err = r.pageLocation(); err != nil {
			return nil, fmt.Errorf("page location %d: %w", i, err)
		}
	}
	return locs, nil
}

// pageLocation reads one PageLocation, whose three fields are required.
func (r *thriftReader) pageLocation() (pageLocation, error) {
	var loc pageLocation
	var have [4]bool
	err := r.fields(func(id int16, typ byte) (err error) {
		switch {
		case id == 1 && typ == tI64:
			loc.offset, err = r.varint()
		case id == 2 && typ == tI32:
			loc.size, err = r.i32()
		case id == 3 && typ == tI64:
			loc.firstRow, err = r.varint()
		default:
			return r.skip(typ, 2)
		}
		have[id] = true
		return err
	})
	if err != nil {
		return loc, err
	}
	if !have[1] || !have[2] || !have[3] {
		return loc, errors.New("a required field is missing")
	}
	return loc, nil
}

// chunkSpan is the part of the file a column chunk's data pages occupy.
type chunkSpan struct {
	start, end int64 // the chunk's bytes, dictionary page included
	rows       int64 // rows of the row group
}

// checkPageLocations checks an offset index against the chunk it indexes,
// so that whatever it says, a page read stays inside the chunk and a row
// search finds exactly one page: the first page begins at row 0 and at or
// after the chunk's start, pages follow one another without overlapping,
// each one's rows are a non-empty range inside the row group, and no page
// is larger than maxPage.
func checkPageLocations(locs []pageLocation, span chunkSpan, maxPage int64) error {
	if len(locs) == 0 {
		if span.rows == 0 {
			return nil
		}
		return fmt.Errorf("%w: no pages for %d rows", errOffsetIndex, span.rows)
	}
	if locs[0].firstRow != 0 {
		return fmt.Errorf("%w: first page begins at row %d", errOffsetIndex, locs[0].firstRow)
	}
	next := span.start
	for i, l := range locs {
		switch {
		case l.size <= 0 || int64(l.size) > maxPage:
			return fmt.Errorf("%w: page %d is %d bytes", errOffsetIndex, i, l.size)
		case l.offset < next || l.offset > span.end || int64(l.size) > span.end-l.offset:
			return fmt.Errorf("%w: page %d at offset %d, %d bytes, lies outside its column chunk [%d, %d) or overlaps the page before",
				errOffsetIndex, i, l.offset, l.size, next, span.end)
		case l.firstRow >= span.rows:
			return fmt.Errorf("%w: page %d begins at row %d of %d", errOffsetIndex, i, l.firstRow, span.rows)
		case i > 0 && l.firstRow <= locs[i-1].firstRow:
			return fmt.Errorf("%w: page %d begins at row %d, not after page %d's row %d", errOffsetIndex, i, l.firstRow, i-1, locs[i-1].firstRow)
		}
		next = l.offset + int64(l.size)
	}
	return nil
}

// pageHolding returns the page of locs (checked) holding row and the rows
// [first, end) it holds.
func pageHolding(locs []pageLocation, row, rows int64) (page int, first, end int64) {
	lo, hi := 0, len(locs)
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if locs[mid].firstRow <= row {
			lo = mid
		} else {
			hi = mid
		}
	}
	end = rows
	if lo+1 < len(locs) {
		end = locs[lo+1].firstRow
	}
	return lo, locs[lo].firstRow, end
}
