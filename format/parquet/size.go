package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// batchBytes estimates the bytes a batch's rows occupy as Arrow data: the
// values, offsets and validity of the rows themselves, not the whole
// buffers a slice shares with its parent. It is what the Writer counts
// towards WriteOptions.RowGroupBytes, a stand-in for the uncompressed size.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	n := int64(d.Len())
	if n == 0 {
		return 0
	}
	size := int64(0)
	if d.NullN() != 0 && d.Buffers()[0] != nil { // negative: not yet counted
		size += (n + 7) / 8
	}
	switch t := d.DataType().(type) {
	case *arrow.BooleanType:
		return size + (n+7)/8
	case arrow.FixedWidthDataType:
		return size + n*int64(t.BitWidth())/8
	case *arrow.StringType, *arrow.BinaryType:
		off := arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
		return size + 4*(n+1) + int64(off[n]-off[0])
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		off := arrow.Int64Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
		return size + 8*(n+1) + off[n] - off[0]
	case *arrow.ListType, *arrow.MapType:
		off := arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
		return size + 4*(n+1) + childBytes(d, 0, int64(off[0]), int64(off[n]))
	case *arrow.LargeListType:
		off := arrow.Int64Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
		return size + 8*(n+1) + childBytes(d, 0, off[0], off[n])
	case *arrow.FixedSizeListType:
		k := int64(t.Len())
		start := int64(d.Offset()) * k
		return size + childBytes(d, 0, start, start+n*k)
	case *arrow.StructType:
		for i := range d.Children() {
			size += childBytes(d, i, int64(d.Offset()), int64(d.Offset())+n)
		}
		return size
	case *arrow.DictionaryType:
		// Each batch carries its dictionary, so it counts in full.
		return size + n*int64(t.IndexType.(arrow.FixedWidthDataType).BitWidth())/8 + dataBytes(d.Dictionary())
	}
	// Anything else (views, unions, run-ends) counts its whole buffers: an
	// overestimate, which only makes row groups smaller.
	return size + int64(d.(*array.Data).SizeInBytes())
}

func childBytes(d arrow.ArrayData, i int, from, to int64) int64 {
	if to <= from {
		return 0
	}
	child := array.NewSliceData(d.Children()[i], from, to)
	defer child.Release()
	return dataBytes(child)
}
