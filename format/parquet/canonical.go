package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// pqarrow's writer walks a nested column's leaf values as one contiguous
// run, so it refuses ("lists with non-zero length null components are not
// supported") any list slot that is null, or sits under a null struct, yet
// spans child values. Arrow allows such slots, and a fixed-size list's null
// slots always span its size. Before writing, columns are therefore brought
// to a canonical form: those slots are emptied, and fixed-size lists become
// lists, which is what Parquet stores them as anyway (the "ARROW:schema" key
// restores the fixed size on reading). Columns already canonical pass
// through untouched.

// storageType is the type pqarrow writes for t.
func storageType(t arrow.DataType) arrow.DataType {
	switch t := t.(type) {
	case *arrow.ListType:
		return arrow.ListOfField(storageField(t.ElemField()))
	case *arrow.LargeListType:
		return arrow.LargeListOfField(storageField(t.ElemField()))
	case *arrow.FixedSizeListType:
		return arrow.ListOfField(storageField(t.ElemField()))
	case *arrow.MapType:
		m := arrow.MapOfFields(storageField(t.KeyField()), storageField(t.ItemField()))
		m.KeysSorted = t.KeysSorted
		return m
	case *arrow.StructType:
		fields := make([]arrow.Field, t.NumFields())
		for i, f := range t.Fields() {
			fields[i] = storageField(f)
		}
		return arrow.StructOf(fields...)
	}
	return t
}

func storageField(f arrow.Field) arrow.Field {
	f.Type = storageType(f.Type)
	return f
}

// storageSchema is the schema pqarrow writes for sc.
func storageSchema(sc *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		fields[i] = storageField(f)
	}
	meta := sc.Metadata()
	return arrow.NewSchema(fields, &meta)
}

// canonical returns arr in the canonical form described above, as an array
// of storageType(arr.DataType()). The caller releases the result.
func canonical(arr arrow.Array, mem memory.Allocator) (arrow.Array, error) {
	d, err := canonicalData(arr.Data(), nil, mem)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	return array.MakeFromData(d), nil
}

// canonicalData canonicalizes d; absent marks rows under a null parent
// (nil when there are none). It returns d itself, retained, when nothing
// changes.
func canonicalData(d arrow.ArrayData, absent []bool, mem memory.Allocator) (arrow.ArrayData, error) {
	switch t := d.DataType().(type) {
	case *arrow.StructType:
		return canonicalStruct(d, t, absent, mem)
	case *arrow.ListType, *arrow.LargeListType, *arrow.MapType, *arrow.FixedSizeListType:
		return canonicalList(d, absent, mem)
	}
	d.Retain()
	return d, nil
}

// isNull reports whether slot i of d is null. NullN is negative when not
// yet counted, as for slices.
func isNull(d arrow.ArrayData, i int) bool {
	return d.NullN() != 0 && d.Buffers()[0] != nil && !bitutil.BitIsSet(d.Buffers()[0].Bytes(), d.Offset()+i)
}

// validity copies d's validity bitmap to offset zero, or returns nil.
func validity(d arrow.ArrayData, mem memory.Allocator) *memory.Buffer {
	if d.NullN() == 0 || d.Buffers()[0] == nil {
		return nil
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(d.Len()))))
	bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), d.Len(), buf.Bytes(), 0)
	return buf
}

func canonicalStruct(d arrow.ArrayData, t *arrow.StructType, absent []bool, mem memory.Allocator) (arrow.ArrayData, error) {
	n := d.Len()
	var childAbsent []bool
	if absent != nil || d.NullN() != 0 {
		childAbsent = make([]bool, n)
		for i := range childAbsent {
			childAbsent[i] = (absent != nil && absent[i]) || isNull(d, i)
		}
	}
	children := make([]arrow.ArrayData, len(d.Children()))
	defer func() {
		for _, c := range children {
			if c != nil {
				c.Release()
			}
		}
	}()
	changed := false
	for i, c := range d.Children() {
		slice := array.NewSliceData(c, int64(d.Offset()), int64(d.Offset()+n))
		out, err := canonicalData(slice, childAbsent, mem)
		slice.Release()
		if err != nil {
			return nil, err
		}
		children[i] = out
		changed = changed || out != slice
	}
	if !changed {
		d.Retain()
		return d, nil
	}
	valid := validity(d, mem)
	if valid != nil {
		defer valid.Release()
	}
	return array.NewData(storageType(t), n, []*memory.Buffer{valid}, children, d.NullN(), 0), nil
}

// canonicalList empties null and absent slots of a list, large list, map
// or fixed-size list, dropping the child values they spanned, and turns a
// fixed-size list into a list.
func canonicalList(d arrow.ArrayData, absent []bool, mem memory.Allocator) (arrow.ArrayData, error) {
	n := d.Len()
	start, end := listBounds(d)
	fixed := d.DataType().ID() == arrow.FIXED_SIZE_LIST
	keep := func(i int) bool { return !isNull(d, i) && (absent == nil || !absent[i]) }
	dropsValues := false
	for i := range n {
		if !keep(i) && end(i) > start(i) {
			dropsValues = true
			break
		}
	}
	child := d.Children()[0]
	if !dropsValues && !fixed {
		// Only the child may need work.
		lo, hi := int64(0), int64(0)
		if n > 0 {
			lo, hi = start(0), end(n-1)
		}
		slice := array.NewSliceData(child, lo, hi)
		defer slice.Release()
		out, err := canonicalData(slice, nil, mem)
		if err != nil {
			return nil, err
		}
		if out == slice {
			out.Release()
			d.Retain()
			return d, nil
		}
		defer out.Release()
		return rebuildList(d, out, func(i int) int64 { return end(i) - start(i) }, mem)
	}
	// Gather the child values of kept slots, run by run.
	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	childArr := array.MakeFromData(child)
	defer childArr.Release()
	for i := 0; i < n; {
		if !keep(i) {
			i++
			continue
		}
		j := i + 1
		for j < n && keep(j) && start(j) == end(j-1) {
			j++
		}
		pieces = append(pieces, array.NewSlice(childArr, start(i), end(j-1)))
		i = j
	}
	var gathered arrow.Array
	switch len(pieces) {
	case 0:
		gathered = array.MakeArrayOfNull(mem, child.DataType(), 0)
	case 1:
		gathered = pieces[0]
		gathered.Retain()
	default:
		var err error
		if gathered, err = array.Concatenate(pieces, mem); err != nil {
			return nil, err
		}
	}
	defer gathered.Release()
	out, err := canonicalData(gathered.Data(), nil, mem)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return rebuildList(d, out, func(i int) int64 {
		if !keep(i) {
			return 0
		}
		return end(i) - start(i)
	}, mem)
}

// listBounds returns functions giving the child range of slot i of d.
func listBounds(d arrow.ArrayData) (start, end func(i int) int64) {
	off := d.Offset()
	switch t := d.DataType().(type) {
	case *arrow.FixedSizeListType:
		k := int64(t.Len())
		return func(i int) int64 { return int64(off+i) * k }, func(i int) int64 { return int64(off+i+1) * k }
	case *arrow.LargeListType:
		o := arrow.Int64Traits.CastFromBytes(d.Buffers()[1].Bytes())[off:]
		return func(i int) int64 { return o[i] }, func(i int) int64 { return o[i+1] }
	}
	o := arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())[off:]
	return func(i int) int64 { return int64(o[i]) }, func(i int) int64 { return int64(o[i+1]) }
}

// rebuildList makes a list of d's storage type over child, with slot i
// spanning size(i) values.
func rebuildList(d arrow.ArrayData, child arrow.ArrayData, size func(i int) int64, mem memory.Allocator) (arrow.ArrayData, error) {
	n := d.Len()
	offsets := memory.NewResizableBuffer(mem)
	defer offsets.Release()
	large := d.DataType().ID() == arrow.LARGE_LIST
	if large {
		offsets.Resize(8 * (n + 1))
		o := arrow.Int64Traits.CastFromBytes(offsets.Bytes())
		o[0] = 0
		for i := range n {
			o[i+1] = o[i] + size(i)
		}
	} else {
		offsets.Resize(4 * (n + 1))
		o := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
		o[0] = 0
		for i := range n {
			o[i+1] = o[i] + int32(size(i))
		}
	}
	valid := validity(d, mem)
	if valid != nil {
		defer valid.Release()
	}
	return array.NewData(storageType(d.DataType()), n, []*memory.Buffer{valid, offsets}, []arrow.ArrayData{child}, d.NullN(), 0), nil
}
