package parquet

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/tome-data/tome/format"
)

// The fast path decodes the columns training data is made of (numbers,
// strings, embeddings) straight from pages into Arrow buffers, skipping
// pqarrow's general record assembly, which for lists costs several passes
// over every level. It covers, per column:
//
//   - flat primitive columns, required or optional: booleans, integers of
//     every width and the types stored as them (dates, times, timestamps),
//     floats and doubles, byte arrays as string, binary, large string or
//     large binary, and fixed-length byte arrays as fixed-size binary or
//     float16;
//   - a list, large list or fixed-size list (decoded as a list, then
//     converted like the general path does) of one of those, one level of
//     repetition, as Arrow writers, parquet-go, Hugging Face and the legacy
//     two-level and bare repeated layouts write it;
//   - the encodings PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY for values,
//     RLE for booleans, DELTA_BINARY_PACKED for 32- and 64-bit integers,
//     DELTA_LENGTH_BYTE_ARRAY (parquet-go's default for strings) and
//     DELTA_BYTE_ARRAY for byte arrays, BYTE_STREAM_SPLIT for fixed-width
//     values, and RLE and BIT_PACKED for levels, in DataPage and
//     DataPageV2 pages under every codec the Reader reads.
//
// Everything else keeps the general pqarrow path, decided per column from
// the schema and the column chunk's metadata before any page is read:
// structs, maps, lists of lists or of structs, dictionary-typed Arrow
// columns, decimals, INT96, extension types, the DELTA_* and BYTE_STREAM_SPLIT encodings, encrypted
// columns, and files from parquet-mr before 1.2.9, whose chunk lengths omit
// the dictionary page header (PARQUET-816). The two paths give equal
// batches (fast_equal_test.go proves it on every conformance file and on
// random data); Options.GeneralDecoder forces the general path.

// valueKind is how a leaf's values are laid out in Arrow.
type valueKind uint8

const (
	kindFixed  valueKind = iota // width bytes per value
	kindBool                    // one bit per value
	kindBinary                  // offsets and data
)

// fastColumn is the plan for decoding one eligible column.
type fastColumn struct {
	typ      arrow.DataType // the column's type as pqarrow decodes it
	elemType arrow.DataType // the leaf's Arrow type
	physical pq.Type
	kind     valueKind
	width    int  // bytes per value for kindFixed, as stored
	narrow   int  // bytes per value in Arrow for INT32 stored 8- and 16-bit integers, else 0
	large    bool // 64-bit offsets for kindBinary
	maxDef   int16
	maxRep   int16

	list         bool
	largeList    bool
	listNullable bool  // the list itself may be null
	listDef      int16 // the definition level at which a list is not null
	slotDef      int16 // the definition level at which a list element exists
}

// planFast returns the plan for c in row group rg, or false when the
// column stays on the general path.
func planFast(md *metadata.FileMetaData, rg int, c column) (fastColumn, bool) {
	if len(c.leaves) != 1 {
		return fastColumn{}, false
	}
	var leaf int
	for l := range c.leaves {
		leaf = l
	}
	if md.WriterVersion().LessThan(metadata.Parquet816FixedVersion) {
		return fastColumn{}, false
	}
	desc := md.Schema.Column(leaf)
	if !fastEncodings(md, rg, leaf, desc.PhysicalType()) {
		return fastColumn{}, false
	}
	f := fastColumn{typ: c.field.Type, physical: desc.PhysicalType(), maxDef: desc.MaxDefinitionLevel(), maxRep: desc.MaxRepetitionLevel()}
	if f.maxDef > 32 {
		return fastColumn{}, false
	}
	elem := c.field.Type
	elemNullable := c.field.Nullable
	switch t := c.field.Type.(type) {
	case *arrow.ListType:
		f.list, elem, elemNullable = true, t.Elem(), t.ElemField().Nullable
	case *arrow.LargeListType:
		f.list, f.largeList, elem, elemNullable = true, true, t.Elem(), t.ElemField().Nullable
	}
	if !f.plan(elem) {
		return fastColumn{}, false
	}
	if !f.list {
		// One node, the leaf: required or optional, never repeated.
		return f, f.maxRep == 0 && f.maxDef == boolLevel(elemNullable) && desc.SchemaNode().RepetitionType() != pq.Repetitions.Repeated
	}
	return f, f.planList(desc, c.field.Nullable, elemNullable)
}

func boolLevel(b bool) int16 {
	if b {
		return 1
	}
	return 0
}

// plan sets the value layout for a leaf of Arrow type t, when the leaf's
// physical values are that type's bytes as they are.
func (f *fastColumn) plan(t arrow.DataType) bool {
	f.elemType = t
	switch f.physical {
	case pq.Types.Boolean:
		f.kind = kindBool
		return t.ID() == arrow.BOOL
	case pq.Types.Int32:
		f.kind, f.width = kindFixed, 4
		switch t.ID() {
		case arrow.INT32, arrow.UINT32, arrow.DATE32, arrow.TIME32:
			return true
		case arrow.INT8, arrow.UINT8:
			f.narrow = 1
			return true
		case arrow.INT16, arrow.UINT16:
			f.narrow = 2
			return true
		}
	case pq.Types.Int64:
		f.kind, f.width = kindFixed, 8
		switch t.ID() {
		case arrow.INT64, arrow.UINT64, arrow.TIMESTAMP, arrow.TIME64:
			return true
		}
	case pq.Types.Float:
		f.kind, f.width = kindFixed, 4
		return t.ID() == arrow.FLOAT32
	case pq.Types.Double:
		f.kind, f.width = kindFixed, 8
		return t.ID() == arrow.FLOAT64
	case pq.Types.ByteArray:
		f.kind = kindBinary
		switch t.ID() {
		case arrow.STRING, arrow.BINARY:
			return true
		case arrow.LARGE_STRING, arrow.LARGE_BINARY:
			f.large = true
			return true
		}
	case pq.Types.FixedLenByteArray:
		f.kind, f.width = kindFixed, 0
		if t.ID() == arrow.FLOAT16 {
			f.width = 2 // IEEE half floats, little-endian, as Arrow keeps them
		} else if fsb, ok := t.(*arrow.FixedSizeBinaryType); ok {
			f.width = fsb.ByteWidth
		}
		return f.width > 0 && f.width <= 1<<20
	}
	return false
}

// planList accepts the three list layouts with one repeated node: an
// optional or required list group holding a repeated group holding the
// element (the standard three levels), a list group holding a repeated
// element (two levels), and a repeated element at the top (bare). The
// Arrow nullability pqarrow inferred must match the nodes, so that the
// levels mean what this decoder takes them to.
func (f *fastColumn) planList(desc *schema.Column, listNullable, elemNullable bool) bool {
	if f.maxRep != 1 {
		return false
	}
	var nodes []schema.Node
	for n := schema.Node(desc.SchemaNode()); n != nil && n.Parent() != nil; n = n.Parent() {
		nodes = append([]schema.Node{n}, nodes...)
	}
	var def int16
	repeatedAt := -1
	for i, n := range nodes {
		switch n.RepetitionType() {
		case pq.Repetitions.Optional:
			def++
		case pq.Repetitions.Repeated:
			def++
			repeatedAt = i
		}
	}
	if def != f.maxDef || repeatedAt < 0 {
		return false
	}
	top, leaf := nodes[0], nodes[len(nodes)-1]
	switch {
	case len(nodes) == 3 && repeatedAt == 1:
		if g, ok := nodes[1].(*schema.GroupNode); !ok || g.NumFields() != 1 {
			return false
		}
	case len(nodes) == 2 && repeatedAt == 1, len(nodes) == 1 && repeatedAt == 0:
	default:
		return false
	}
	f.listNullable = top.RepetitionType() == pq.Repetitions.Optional && repeatedAt > 0
	f.slotDef = boolLevel(f.listNullable) + 1
	f.listDef = f.slotDef - 1
	leafOptional := leaf.RepetitionType() == pq.Repetitions.Optional
	if f.maxDef != f.slotDef+boolLevel(leafOptional) {
		return false
	}
	return f.listNullable == listNullable && leafOptional == elemNullable
}

// fastEncodings reports whether the column chunk uses only encodings the
// fast path decodes, by its metadata; a page that then uses another one is
// reported as corrupt.
func fastEncodings(md *metadata.FileMetaData, rg, leaf int, physical pq.Type) bool {
	cc, err := md.RowGroup(rg).ColumnChunk(leaf)
	if err != nil || cc.CryptoMetadata() != nil {
		return false
	}
	for _, e := range cc.Encodings() {
		switch {
		case e == pq.Encodings.Plain, e == pq.Encodings.PlainDict, e == pq.Encodings.RLEDict,
			e == pq.Encodings.RLE, e == pq.Encodings.BitPacked:
		case e == pq.Encodings.DeltaBinaryPacked && (physical == pq.Types.Int32 || physical == pq.Types.Int64):
		case (e == pq.Encodings.DeltaLengthByteArray || e == pq.Encodings.DeltaByteArray) && physical == pq.Types.ByteArray:
		case e == pq.Encodings.ByteStreamSplit && physical != pq.Types.ByteArray && physical != pq.Types.Boolean && physical != pq.Types.Int96:
		default:
			return false
		}
	}
	return true
}

// openFast gets the column chunk of c in row group rg (chunkBytes) and
// returns its fast decoder. The chunk's place was checked against the file's size
// at Open (layout.go).
func (rd *Reader) openFast(rg int, c column, f fastColumn) (columnDecoder, error) {
	var leaf int
	for l := range c.leaves {
		leaf = l
	}
	md := rd.file.MetaData()
	cc, err := md.RowGroup(rg).ColumnChunk(leaf)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", format.ErrCorrupt, err)
	}
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	length := cc.TotalCompressedSize()
	if start < 0 || length < 0 || start > rd.src.size || length > rd.src.size-start {
		return nil, fmt.Errorf("%w: chunk at offset %d, %d bytes, lies outside the file", format.ErrCorrupt, start, length)
	}
	data, unmap, err := rd.chunkBytes(start, length)
	if err != nil {
		return nil, err
	}
	var target arrow.DataType
	if !sameType(c.field.Type, c.target.Type) {
		target = c.target.Type
	}
	d, err := newFastDecoder(fastChunkMeta{
		data:         data,
		numValues:    cc.NumValues(),
		rows:         md.RowGroup(rg).NumRows(),
		uncompressed: cc.TotalUncompressedSize(),
		codec:        cc.Compression(),
		maxPage:      rd.opts.maxPageSize(),
	}, f, target, rd.opts.Mem())
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, err
	}
	d.unmap = unmap
	return d, nil
}

// ChunkBorrower is implemented by a source that may already hold a column
// chunk's bytes in memory, as a remote source that fetched them ahead
// does: the fast path then decodes pages from those bytes rather than
// copying them into a buffer of its own (the Mapped path's saving, for
// memory that is not a mapping).
//
// BorrowAt returns the n bytes at off and a func to call once they are no
// longer read (exactly once; the bytes must stay unchanged until then), or
// an error as ReadAt would report it, or nil, nil, nil when it does not
// serve that range, which is then read with ReadAt. Values are copied out
// of the pages, so batches never point into borrowed bytes.
type ChunkBorrower interface {
	BorrowAt(off, n int64) (data []byte, release func(), err error)
}

// chunkBytes returns the column chunk at start, length bytes, and the func
// that releases it (nil when there is nothing to release): from a mapping
// or a ChunkBorrower without a copy, else read with one ReadAt through the
// same source and pageGuard as pqarrow's reads.
func (rd *Reader) chunkBytes(start, length int64) ([]byte, func(), error) {
	if rd.mapped() {
		// Mapped: pages decode from the mapping, with no copy of the
		// chunk; values are copied out, so batches do not borrow it.
		m := rd.src.r.(format.Mapped)
		m.Retain()
		return m.Bytes()[start : start+length], m.Release, nil
	}
	if b, ok := rd.src.r.(ChunkBorrower); ok {
		data, release, err := b.BorrowAt(start, length)
		switch {
		case err != nil && !errors.Is(err, io.EOF):
			if release != nil {
				release()
			}
			return nil, nil, &sourceError{err}
		case err != nil || data != nil:
			if release == nil {
				release = func() {}
			}
			if int64(len(data)) != length {
				release()
				return nil, nil, fmt.Errorf("%w: column chunk cut short: %d of %d bytes", format.ErrCorrupt, len(data), length)
			}
			// The pageGuard checks these bytes as it checks a ReadAt's.
			if err := rd.src.guard.check(data, start); err != nil {
				release()
				return nil, nil, err
			}
			return data, release, nil
		}
	}
	data := make([]byte, length)
	if n, err := rd.src.ReadAt(data, start); n < len(data) {
		if err == nil || errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: column chunk cut short: %d of %d bytes", format.ErrCorrupt, n, len(data))
		}
		return nil, nil, err
	}
	return data, nil, nil
}
