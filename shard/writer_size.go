package shard

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Shard sizes are measured in Arrow bytes, as Hugging Face measures
// max_shard_size: the in-memory size of the rows, not the size of the
// encoded file (which compression makes smaller, and JSON larger).
//
// The measure is a sum over rows, so the size of rows [i, j) is the same
// whether they arrive in one batch or in several, and slicing a batch
// does not change it: values (fixed-width types count their width, bits
// for booleans), variable-length data, and one offset per row for strings
// and lists. Validity bitmaps and dictionaries are left out (a dictionary
// is shared by many rows). That is what makes the cut points of the
// sharded writer depend on the rows alone, so that a resumed or
// parallel conversion writes the same shards as a plain one.

// BatchBytes is the Arrow size of a batch's rows, in bytes, by the
// measure above.
func BatchBytes(b arrow.RecordBatch) int64 {
	return (rowsBits(b, 0, int(b.NumRows())) + 7) / 8
}

// rowsBits is the size of rows [i, j) of b in bits.
func rowsBits(b arrow.RecordBatch, i, j int) int64 {
	var bits int64
	for _, c := range b.Columns() {
		bits += arrayBits(c, i, j)
	}
	return bits
}

// arrayBits is the size of elements [i, j) of arr in bits.
func arrayBits(arr arrow.Array, i, j int) int64 {
	n := j - i
	if n <= 0 {
		return 0
	}
	switch a := arr.(type) {
	case *array.Null:
		return 0
	case *array.Boolean:
		return int64(n)
	case *array.String:
		return offsetsBits(a.ValueOffsets(), i, j, 32)
	case *array.Binary:
		return offsetsBits(a.ValueOffsets(), i, j, 32)
	case *array.LargeString:
		return offsetsBits(a.ValueOffsets(), i, j, 64)
	case *array.LargeBinary:
		return offsetsBits(a.ValueOffsets(), i, j, 64)
	case *array.Struct:
		var bits int64
		for k := range a.NumField() {
			bits += arrayBits(a.Field(k), i, j)
		}
		return bits
	case *array.Dictionary:
		return arrayBits(a.Indices(), i, j)
	case array.ExtensionArray:
		return arrayBits(a.Storage(), i, j)
	case *array.ListView, *array.LargeListView:
		return viewBits(a.(array.ListLike), i, j)
	case array.ListLike: // List, LargeList, Map, FixedSizeList
		return listBits(a, i, j)
	}
	if fw, ok := arr.DataType().(arrow.FixedWidthDataType); ok {
		return int64(n) * int64(fw.BitWidth())
	}
	// Unions, run-end encoded and view types: rare in datasets; count a
	// word per element so that they still weigh something.
	return int64(n) * 64
}

// offsetsBits sizes [i, j) of a variable-length array from its offsets.
func offsetsBits[O int32 | int64](offs []O, i, j int, width int64) int64 {
	if j >= len(offs) {
		return int64(j-i) * width
	}
	return int64(j-i)*width + 8*int64(offs[j]-offs[i])
}

// listBits sizes [i, j) of a list from the child range the rows span.
func listBits(a array.ListLike, i, j int) int64 {
	start, _ := a.ValueOffsets(i)
	_, end := a.ValueOffsets(j - 1)
	var width int64
	switch a.DataType().ID() {
	case arrow.LIST, arrow.MAP:
		width = 32
	case arrow.LARGE_LIST:
		width = 64
	}
	child := a.ListValues()
	start, end = max(0, min(start, int64(child.Len()))), max(0, min(end, int64(child.Len())))
	return int64(j-i)*width + arrayBits(child, int(start), int(end))
}

// viewBits sizes list views row by row: their ranges may overlap or come
// in any order.
func viewBits(a array.ListLike, i, j int) int64 {
	child := a.ListValues()
	bits := int64(j-i) * 64
	for r := i; r < j; r++ {
		s, e := a.ValueOffsets(r)
		s, e = max(0, min(s, int64(child.Len()))), max(0, min(e, int64(child.Len())))
		bits += arrayBits(child, int(s), int(e))
	}
	return bits
}
