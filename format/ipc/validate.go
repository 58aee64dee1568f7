package ipc

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// arrow-go builds arrays from whatever the metadata says; a buffer too short
// for its array, or an offset past the data, would panic later, in the code
// that reads the values. validateBatch checks each array before a batch is
// handed out. The basic checks cost O(1) per array: buffer sizes against
// lengths, and the first and last offsets of variable-length data. The full
// checks add O(n) ones: every offset in order and in range, every
// dictionary index and union type code valid.

func validateBatch(rec arrow.RecordBatch, full bool) error {
	for i, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			return fmt.Errorf("%w: column %d has %d rows, the batch %d", format.ErrCorrupt, i, col.Len(), rec.NumRows())
		}
		v := validator{full: full}
		if err := v.data(col.DataType(), col.Data(), 0); err != nil {
			return fmt.Errorf("%w: column %d (%s): %w", format.ErrCorrupt, i, rec.Schema().Field(i).Name, err)
		}
	}
	return nil
}

type validator struct{ full bool }

func (v validator) data(dt arrow.DataType, d arrow.ArrayData, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("types nested more than %d deep", maxNesting)
	}
	n, off := int64(d.Len()), int64(d.Offset())
	end := off + n
	if n < 0 || off < 0 || d.NullN() > d.Len() {
		return fmt.Errorf("length %d, offset %d, null count %d", n, off, d.NullN())
	}
	bufs := d.Buffers()
	if len(bufs) > 0 && bufs[0] != nil && bufs[0].Len() > 0 && int64(bufs[0].Len())*8 < end {
		return fmt.Errorf("validity bitmap of %d bytes for %d values", bufs[0].Len(), end)
	}
	if d.NullN() > 0 && hasValidity(dt) && (len(bufs) == 0 || bufs[0] == nil || bufs[0].Len() == 0) {
		// The bitmap may be left out only when nothing is null: arrow-go
		// would count the nulls of a slice of this array from the
		// missing bitmap, and panic.
		return fmt.Errorf("%d nulls but no validity bitmap", d.NullN())
	}
	switch dt := dt.(type) {
	case *arrow.NullType:
		return nil
	case arrow.ExtensionType:
		return v.data(dt.StorageType(), d, depth+1)
	case *arrow.DictionaryType:
		if err := fixedWidth(dt.IndexType.(arrow.FixedWidthDataType), bufs, end); err != nil {
			return err
		}
		dict := d.Dictionary()
		if dict == nil {
			return fmt.Errorf("dictionary array without a dictionary")
		}
		if err := v.data(dt.ValueType, dict, depth+1); err != nil {
			return fmt.Errorf("dictionary: %w", err)
		}
		if v.full {
			return dictIndices(d, dict.Len())
		}
		return nil
	case *arrow.BinaryType, *arrow.StringType:
		return v.offsets(bufs, off, n, 4, bufLen(bufs, 2))
	case *arrow.LargeBinaryType, *arrow.LargeStringType:
		return v.offsets(bufs, off, n, 8, bufLen(bufs, 2))
	case *arrow.ListType, *arrow.MapType:
		return v.list(d, off, n, 4, depth)
	case *arrow.LargeListType:
		return v.list(d, off, n, 8, depth)
	case *arrow.FixedSizeListType:
		child := d.Children()[0]
		size := int64(dt.Len())
		if size < 0 || (size > 0 && end > int64(child.Len())/size) {
			return fmt.Errorf("fixed-size lists of %d need more than the child's %d values", size, child.Len())
		}
		return v.data(dt.Elem(), child, depth+1)
	case *arrow.StructType:
		for i, f := range dt.Fields() {
			child := d.Children()[i]
			if int64(child.Len()) < end {
				return fmt.Errorf("struct field %q has %d values, the struct %d", f.Name, child.Len(), end)
			}
			if err := v.data(f.Type, child, depth+1); err != nil {
				return fmt.Errorf("struct field %q: %w", f.Name, err)
			}
		}
		return nil
	case arrow.UnionType:
		return v.union(dt, d, off, n, depth)
	case *arrow.ListViewType, *arrow.LargeListViewType, arrow.BinaryViewDataType, *arrow.RunEndEncodedType:
		return v.viaArrow(d)
	case arrow.FixedWidthDataType:
		return fixedWidth(dt, bufs, end)
	}
	return fmt.Errorf("%w: arrow type %s", format.ErrUnsupported, dt)
}

func bufLen(bufs []*memory.Buffer, i int) int64 {
	if i >= len(bufs) || bufs[i] == nil {
		return 0
	}
	return int64(bufs[i].Len())
}

// fixedWidth checks that a fixed-width data buffer holds end values.
func fixedWidth(dt arrow.FixedWidthDataType, bufs []*memory.Buffer, end int64) error {
	if end == 0 {
		return nil
	}
	bits := int64(dt.BitWidth())
	if bits <= 0 {
		return nil // fixed_size_binary(0) has no data
	}
	// end*bits could overflow for a forged length; have*8 cannot.
	if have := bufLen(bufs, 1); end > have*8/bits {
		return fmt.Errorf("%d-byte data buffer for %d values of %d bits", have, end, bits)
	}
	return nil
}

// offsets checks the offsets of n values starting at off against limit,
// the length of what they index.
func (v validator) offsets(bufs []*memory.Buffer, off, n int64, width int, limit int64) error {
	if n == 0 {
		return nil
	}
	if have := bufLen(bufs, 1) / int64(width); n > have-off-1 {
		return fmt.Errorf("%d-byte offsets buffer for %d values", bufLen(bufs, 1), off+n)
	}
	raw := bufs[1].Bytes()
	if width == 4 {
		return checkOffsets(arrow.Int32Traits.CastFromBytes(raw)[off:off+n+1], limit, v.full)
	}
	return checkOffsets(arrow.Int64Traits.CastFromBytes(raw)[off:off+n+1], limit, v.full)
}

// checkOffsets checks that offsets start at or after 0, end at or before
// limit, and, when full, never decrease.
func checkOffsets[T int32 | int64](offsets []T, limit int64, full bool) error {
	first, last := int64(offsets[0]), int64(offsets[len(offsets)-1])
	if first < 0 || first > last || last > limit {
		return fmt.Errorf("offsets from %d to %d outside [0, %d]", first, last, limit)
	}
	if !full {
		return nil
	}
	if !ascending(offsets) {
		return outOfOrder(offsets)
	}
	return nil
}

// ascending reports whether offsets never decrease. It is the one O(n)
// pass over the offsets of every variable-length column, so 32-bit offsets
// are taken four at a time, testing the signs of their differences
// together; taken in 64 bits, the differences cannot overflow.
func ascending[T int32 | int64](offsets []T) bool {
	if o, ok := any(offsets).([]int32); ok {
		return ascending32(o)
	}
	prev := offsets[0]
	for _, o := range offsets[1:] {
		if o < prev {
			return false
		}
		prev = o
	}
	return true
}

func ascending32(o []int32) bool {
	for len(o) >= 5 {
		o4 := o[4] // one bounds check for the five loads
		d := (int64(o[1]) - int64(o[0])) | (int64(o[2]) - int64(o[1])) |
			(int64(o[3]) - int64(o[2])) | (int64(o4) - int64(o[3]))
		if d < 0 {
			return false
		}
		o = o[4:]
	}
	for i := 1; i < len(o); i++ {
		if o[i] < o[i-1] {
			return false
		}
	}
	return true
}

// outOfOrder reports the first offset below the one before it; it is kept
// out of checkOffsets so that the loop there stays tight.
func outOfOrder[T int32 | int64](offsets []T) error {
	for i := 1; i < len(offsets); i++ {
		if offsets[i] < offsets[i-1] {
			return fmt.Errorf("offset %d at %d is below the one before, %d", offsets[i], i, offsets[i-1])
		}
	}
	return nil
}

func (v validator) list(d arrow.ArrayData, off, n int64, width int, depth int) error {
	child := d.Children()[0]
	if err := v.offsets(d.Buffers(), off, n, width, int64(child.Len())); err != nil {
		return err
	}
	elem := d.DataType().(arrow.ListLikeType).Elem()
	return v.data(elem, child, depth+1)
}

func (v validator) union(dt arrow.UnionType, d arrow.ArrayData, off, n int64, depth int) error {
	end := off + n
	bufs := d.Buffers()
	if n > 0 && bufLen(bufs, 1) < end {
		return fmt.Errorf("%d-byte type id buffer for %d values", bufLen(bufs, 1), end)
	}
	dense := dt.Mode() == arrow.DenseMode
	if dense && n > 0 && bufLen(bufs, 2)/4 < end {
		return fmt.Errorf("%d-byte offsets buffer for %d values", bufLen(bufs, 2), end)
	}
	children := d.Children()
	for i, f := range dt.Fields() {
		if !dense && int64(children[i].Len()) < end {
			return fmt.Errorf("union member %q has %d values, the union %d", f.Name, children[i].Len(), end)
		}
		if err := v.data(f.Type, children[i], depth+1); err != nil {
			return fmt.Errorf("union member %q: %w", f.Name, err)
		}
	}
	if !v.full || n == 0 {
		return nil
	}
	codes := dt.ChildIDs()
	ids := bufs[1].Bytes()[off:end]
	for i, code := range ids {
		if int(int8(code)) < 0 || int(code) >= len(codes) || codes[code] == arrow.InvalidUnionChildID {
			return fmt.Errorf("type code %d at %d names no member", int8(code), off+int64(i))
		}
		if !dense {
			continue
		}
		o := int64(int32(binary.LittleEndian.Uint32(bufs[2].Bytes()[(off+int64(i))*4:])))
		if o < 0 || o >= int64(children[codes[code]].Len()) {
			return fmt.Errorf("dense union offset %d at %d outside its member", o, off+int64(i))
		}
	}
	return nil
}

// dictIndices checks that every valid index lies inside the dictionary.
func dictIndices(d arrow.ArrayData, size int) error {
	arr := array.MakeFromData(d).(*array.Dictionary)
	defer arr.Release()
	idx := arr.Indices() // borrowed from arr
	for i := range idx.Len() {
		if idx.IsNull(i) {
			continue
		}
		var k int64
		switch a := idx.(type) {
		case *array.Int8:
			k = int64(a.Value(i))
		case *array.Int16:
			k = int64(a.Value(i))
		case *array.Int32:
			k = int64(a.Value(i))
		case *array.Int64:
			k = a.Value(i)
		case *array.Uint8:
			k = int64(a.Value(i))
		case *array.Uint16:
			k = int64(a.Value(i))
		case *array.Uint32:
			k = int64(a.Value(i))
		case *array.Uint64:
			k = int64(a.Value(i))
			if a.Value(i) > uint64(size) {
				k = -1
			}
		default:
			return fmt.Errorf("dictionary index type %s", idx.DataType())
		}
		if k < 0 || k >= int64(size) {
			return fmt.Errorf("dictionary index %d at %d outside the %d-value dictionary", k, i, size)
		}
	}
	return nil
}

// viaArrow uses arrow-go's own checks for the layouts it validates
// completely (views and run-end encoding).
func (v validator) viaArrow(d arrow.ArrayData) error {
	a := array.MakeFromData(d)
	defer a.Release()
	type checker interface {
		Validate() error
		ValidateFull() error
	}
	c, ok := a.(checker)
	if !ok {
		return nil
	}
	if v.full {
		return c.ValidateFull()
	}
	return c.Validate()
}

// hasValidity reports whether arrays of dt keep their nulls in a validity
// bitmap: all but nulls, unions and run-end encoded arrays (whose nulls
// are their children's).
func hasValidity(dt arrow.DataType) bool {
	if ext, ok := dt.(arrow.ExtensionType); ok {
		dt = ext.StorageType()
	}
	switch dt.ID() {
	case arrow.NULL, arrow.SPARSE_UNION, arrow.DENSE_UNION, arrow.RUN_END_ENCODED:
		return false
	}
	return true
}
