package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// Parquet has no seconds unit and no millisecond date, so Arrow writers
// store timestamp[s] and time32[s] as milliseconds and date64 as days, and
// record the original type under "ARROW:schema". pqarrow restores some
// stored types (time zones, large strings, dictionaries) but not these
// three, so the Reader converts them back: a batch then has the types that
// were written.
//
// Fixed-size lists are decoded as lists and converted here too: pqarrow's
// own conversion requires every slot of a non-nullable fixed-size list to
// be full, even under a null struct, where Parquet stores nothing.
//
// The conversion also applies the schema's cleaned field metadata (see
// withoutUnsetIDs) to the arrays, so that batches and schema agree exactly.

// restoredType returns the type to yield for a column pqarrow decodes as
// inferred, when an Arrow writer stored origin (nil when none was stored).
func restoredType(origin, inferred arrow.DataType) arrow.DataType {
	if origin == nil {
		return inferred
	}
	switch in := inferred.(type) {
	case *arrow.Date32Type:
		if origin.ID() == arrow.DATE64 {
			return arrow.FixedWidthTypes.Date64
		}
	case *arrow.Time32Type:
		if o, ok := origin.(*arrow.Time32Type); ok && o.Unit == arrow.Second && in.Unit == arrow.Millisecond {
			return o
		}
	case *arrow.TimestampType:
		if o, ok := origin.(*arrow.TimestampType); ok && o.Unit == arrow.Second && in.Unit == arrow.Millisecond {
			return o
		}
	case *arrow.StructType:
		o, ok := origin.(*arrow.StructType)
		if !ok || o.NumFields() != in.NumFields() {
			return inferred
		}
		fields := make([]arrow.Field, in.NumFields())
		for i, f := range in.Fields() {
			f.Type = restoredType(o.Field(i).Type, f.Type)
			fields[i] = f
		}
		return arrow.StructOf(fields...)
	case *arrow.MapType:
		o, ok := origin.(*arrow.MapType)
		if !ok {
			return inferred
		}
		key, item := in.KeyField(), in.ItemField()
		key.Type = restoredType(o.KeyType(), key.Type)
		item.Type = restoredType(o.ItemType(), item.Type)
		m := arrow.MapOfFields(key, item)
		m.KeysSorted = in.KeysSorted
		return m
	case arrow.ListLikeType:
		o, ok := origin.(arrow.ListLikeType)
		if !ok || origin.ID() == arrow.MAP {
			return inferred
		}
		elem := in.ElemField()
		elem.Type = restoredType(o.Elem(), elem.Type)
		switch in := in.(type) {
		case *arrow.ListType:
			return arrow.ListOfField(elem)
		case *arrow.LargeListType:
			return arrow.LargeListOfField(elem)
		case *arrow.FixedSizeListType:
			return arrow.FixedSizeListOfField(in.Len(), elem)
		}
	}
	return inferred
}

// sameType is type identity, metadata and all; arrow.TypeEqual ignores
// nested field metadata for some types and not others.
func sameType(a, b arrow.DataType) bool {
	return arrow.TypeEqual(a, b, arrow.CheckMetadata()) && a.String() == b.String()
}

// decodeAsStorage makes pqarrow decode fixed-size lists as lists (see
// above) by changing the types in its schema manifest, which is the
// Reader's own.
func decodeAsStorage(f *pqarrow.SchemaField) {
	f.Field.Type = storageType(f.Field.Type)
	for i := range f.Children {
		decodeAsStorage(&f.Children[i])
	}
}

// convertData returns d as an array of type target, which has d's layout
// except where restoredType changed a leaf or target has a fixed-size list
// where d has a list. absent marks rows under a null parent (nil: none).
// The caller releases the result.
func convertData(d arrow.ArrayData, target arrow.DataType, absent []bool, mem memory.Allocator) (arrow.ArrayData, error) {
	src := d.DataType()
	switch {
	case target.ID() == arrow.FIXED_SIZE_LIST && src.ID() == arrow.LIST:
		return fixedFromList(d, target.(*arrow.FixedSizeListType), absent, mem)
	case src.ID() == arrow.DATE32 && target.ID() == arrow.DATE64:
		return convertLeaf(d, target, 8, mem, func(in, out []byte, n int) {
			days, ms := arrow.Date32Traits.CastFromBytes(in)[:n], arrow.Date64Traits.CastFromBytes(out)[:n]
			for i, v := range days {
				ms[i] = arrow.Date64(int64(v) * 86400000)
			}
		}), nil
	case src.ID() == arrow.TIMESTAMP && src.(*arrow.TimestampType).Unit != target.(*arrow.TimestampType).Unit:
		return convertLeaf(d, target, 8, mem, func(in, out []byte, n int) {
			ms, s := arrow.TimestampTraits.CastFromBytes(in)[:n], arrow.TimestampTraits.CastFromBytes(out)[:n]
			for i, v := range ms {
				s[i] = v / 1000
			}
		}), nil
	case src.ID() == arrow.TIME32 && src.(*arrow.Time32Type).Unit != target.(*arrow.Time32Type).Unit:
		return convertLeaf(d, target, 4, mem, func(in, out []byte, n int) {
			ms, s := arrow.Time32Traits.CastFromBytes(in)[:n], arrow.Time32Traits.CastFromBytes(out)[:n]
			for i, v := range ms {
				s[i] = v / 1000
			}
		}), nil
	}
	var childTypes []arrow.DataType
	switch t := target.(type) {
	case *arrow.StructType:
		for _, f := range t.Fields() {
			childTypes = append(childTypes, f.Type)
		}
	case arrow.ListLikeType: // lists, fixed-size lists and maps
		childTypes = []arrow.DataType{t.Elem()}
	}
	if len(childTypes) != len(d.Children()) {
		return nil, fmt.Errorf("cannot present %s as %s", src, target)
	}
	var childAbsent []bool
	if target.ID() == arrow.STRUCT && (absent != nil || d.NullN() != 0) {
		// A struct's children line up with its rows; a list's do not.
		childAbsent = make([]bool, d.Offset()+d.Len())
		for i := range d.Len() {
			childAbsent[d.Offset()+i] = (absent != nil && absent[i]) || isNull(d, i)
		}
	}
	children := make([]arrow.ArrayData, len(childTypes))
	defer func() {
		for _, c := range children {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range d.Children() {
		var err error
		if children[i], err = convertData(c, childTypes[i], childAbsent, mem); err != nil {
			return nil, err
		}
	}
	out := array.NewData(target, d.Len(), d.Buffers(), children, d.NullN(), d.Offset())
	if dict := d.Dictionary(); dict != nil {
		out.SetDictionary(dict)
	}
	return out, nil
}

// fixedFromList turns a list whose slots hold k values, or none where the
// slot is null or under a null parent, into a fixed-size list of size k.
func fixedFromList(d arrow.ArrayData, target *arrow.FixedSizeListType, absent []bool, mem memory.Allocator) (arrow.ArrayData, error) {
	k := int64(target.Len())
	start, end := listBounds(d)
	child := array.MakeFromData(d.Children()[0])
	defer child.Release()
	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	for i := 0; i < d.Len(); {
		switch size := end(i) - start(i); {
		case size == k:
			j := i + 1
			for j < d.Len() && end(j)-start(j) == k {
				j++
			}
			pieces = append(pieces, array.NewSlice(child, start(i), end(j-1)))
			i = j
		case size == 0 && (isNull(d, i) || absent != nil && absent[d.Offset()+i]):
			pieces = append(pieces, array.MakeArrayOfNull(mem, child.DataType(), int(k)))
			i++
		default:
			return nil, fmt.Errorf("%w: fixed-size list of %d holds %d values at row %d", format.ErrCorrupt, k, size, i)
		}
	}
	var values arrow.Array
	switch len(pieces) {
	case 0:
		values = array.MakeArrayOfNull(mem, child.DataType(), 0)
	case 1:
		values = pieces[0]
		values.Retain()
	default:
		var err error
		if values, err = array.Concatenate(pieces, mem); err != nil {
			return nil, err
		}
	}
	defer values.Release()
	elem, err := convertData(values.Data(), target.Elem(), nil, mem)
	if err != nil {
		return nil, err
	}
	defer elem.Release()
	valid := validity(d, mem)
	if valid != nil {
		defer valid.Release()
	}
	return array.NewData(target, d.Len(), []*memory.Buffer{valid}, []arrow.ArrayData{elem}, d.NullN(), 0), nil
}

// convertLeaf converts the values of a fixed-width leaf into a new buffer
// of width bytes per value; validity and offset carry over.
func convertLeaf(d arrow.ArrayData, target arrow.DataType, width int, mem memory.Allocator, conv func(in, out []byte, n int)) arrow.ArrayData {
	n := d.Offset() + d.Len()
	values := memory.NewResizableBuffer(mem)
	defer values.Release()
	values.Resize(n * width)
	conv(d.Buffers()[1].Bytes(), values.Bytes(), n)
	return array.NewData(target, d.Len(), []*memory.Buffer{d.Buffers()[0], values}, nil, d.NullN(), d.Offset())
}
